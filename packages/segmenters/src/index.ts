/**
 * @ocelot/segmenters — model card → `segment(image)`: semantic label maps (FCN, DeepLabV3,
 * LR-ASPP, U-Net) and instance masks (Mask R-CNN, YOLO-seg) in original-image pixels.
 */
export { registerBuiltins } from './builtins.js';
export {
  drawInstanceMasks,
  drawSemantic,
  type InstanceDrawOptions,
  instanceMaskMaps,
  type SemanticDrawOptions,
} from './draw.js';
export {
  createDeepLabV3Segmenter,
  type DeepLabV3Config,
  parseDeepLabV3Config,
} from './deeplabv3/index.js';
export { createFcnSegmenter, type FcnConfig, parseFcnConfig } from './fcn/index.js';
export { createLrasppSegmenter, type LrasppConfig, parseLrasppConfig } from './lraspp/index.js';
export {
  createMaskRcnnSegmenter,
  MASK_RCNN_FILE_ROLES,
  type MaskHeadRunner,
  type MaskRcnnConfig,
  MaskRcnnSegmenter,
  maskProbabilities,
  parseMaskRcnnConfig,
  pasteInstanceMasks,
  type ResolvedMaskRcnnConfig,
  sessionMaskHead,
} from './mask-rcnn/index.js';
export {
  assertCardTask,
  buildSegmenter,
  createSegmenterRegistry,
  type SegmenterConfig,
  type SegmenterConfigs,
  type SegmenterFactory,
  type SegmenterRegistry,
} from './registry.js';
export type {
  InstanceSegmenter,
  SegmentInstances,
  Segmenter,
  SemanticSegmenter,
} from './segmenter.js';
export {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  SEMANTIC_HEAD_FIELDS,
  type SemanticHeadConfig,
  type SemanticValues,
} from './semantic/config.js';
export {
  binaryScoreThreshold,
  decodeSemantic,
  readLabelOutput,
  readScoreMap,
  type SemanticDecodeContext,
  type SemanticDecodeParams,
  scoreActivation,
} from './semantic/decode.js';
export {
  type LabelMapOptions,
  type LabelMapResult,
  labelMapFromScores,
  type ScoreActivation,
  type ScoreMap,
} from './semantic/labels.js';
export { type ResolvedSemanticOptions, resolveSemanticOptions } from './semantic/options.js';
export { type AxisTaps, bilinear, regionTaps, torchTaps } from './semantic/resample.js';
export {
  createOnnxSemanticSegmenter,
  OnnxSemanticSegmenter,
  type OnnxSemanticSegmenterParams,
  tileInput,
} from './semantic/segmenter.js';
export {
  type AxisPlan,
  planAxis,
  type TiledOptions,
  TiledSegmentation,
} from './semantic/tiling.js';
export type {
  ClassProbabilities,
  InstanceMaskFormat,
  InstanceSegmentation,
  InstanceSegmentOptions,
  SemanticSegmentation,
  SemanticSegmentOptions,
  TileBlend,
  TileOptions,
} from './types.js';
export { createUNetSegmenter, parseUNetConfig, type UNetConfig } from './unet/index.js';
export {
  createYoloSegSegmenter,
  decodeYoloSegDetections,
  type ProtoMaskParams,
  type Prototypes,
  parseYoloSegConfig,
  protoMasks,
  type ResolvedYoloSegConfig,
  readPrototypes,
  resolveInstanceOptionsForCard,
  type YoloSegConfig,
  type YoloSegDecodeParams,
  type YoloSegDetections,
  YoloSegSegmenter,
} from './yolo-seg/index.js';
export { type CocoResultOptions, type CocoResultRecord, toCocoResults } from './instance/coco.js';
export { type ResolvedInstanceOptions, resolveInstanceOptions } from './instance/options.js';
export { type PixelRegion, regionToBinary, regionToRle } from './instance/region.js';
