/**
 * @ocelot/metrics — COCO evaluation identical to pycocotools, PASCAL VOC AP, a detection
 * confusion matrix, and semantic segmentation metrics from a streaming confusion matrix.
 */
export { CocoFormatError, UnknownImageError } from './errors.js';

// COCO detection / instance segmentation (pycocotools COCOeval)
export { evaluateCoco } from './coco/evaluate.js';
export { COCO_STAT_NAMES, formatCocoSummary } from './coco/summary.js';
export {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
} from './coco/params.js';
export type {
  CocoAnnotation,
  CocoAreaRange,
  CocoCategory,
  CocoCategoryResult,
  CocoDetection,
  CocoEvalOptions,
  CocoEvalParams,
  CocoEvalResult,
  CocoGroundTruth,
  CocoId,
  CocoImage,
  CocoImageEvaluation,
  CocoRleJson,
  CocoSegmentation,
} from './coco/types.js';
export { generateSyntheticCoco } from './testing/synthetic.js';
export type { SyntheticCoco, SyntheticCocoOptions } from './testing/synthetic.js';

// PASCAL VOC
export { evaluateVoc, vocAp } from './voc/vocEval.js';
export type {
  VocClassResult,
  VocDetectionImage,
  VocEvalOptions,
  VocGroundTruthImage,
  VocInterpolation,
  VocPixelConvention,
  VocResult,
} from './voc/vocEval.js';
export { DetectionConfusionMatrix } from './voc/detectionConfusionMatrix.js';
export type { DetectionConfusionMatrixOptions } from './voc/detectionConfusionMatrix.js';

// Semantic segmentation
export {
  SegmentationConfusionMatrix,
  segmentationMetricsFromMatrix,
} from './segmentation/confusionMatrix.js';
export type {
  LabelMap,
  SegmentationConfusionMatrixOptions,
  SegmentationMetrics,
} from './segmentation/confusionMatrix.js';
