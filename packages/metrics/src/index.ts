/**
 * @ocelot/metrics — COCO evaluation identical to pycocotools, PASCAL VOC AP and semantic
 * segmentation metrics.
 */
export { CocoFormatError, UnknownImageError } from './errors.js';
export { evaluateCoco } from './coco/evaluate.js';
export { formatCocoSummary, COCO_STAT_NAMES } from './coco/summary.js';
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
