/**
 * @ocelot/segmenters — model card → `segment(image)`: semantic label maps (FCN, DeepLabV3,
 * LR-ASPP, U-Net) and instance masks (Mask R-CNN, YOLO-seg) in original-image pixels.
 */
export { type DeepLabV3Config, parseDeepLabV3Config } from './deeplabv3/config.js';
export { type FcnConfig, parseFcnConfig } from './fcn/config.js';
export { type LrasppConfig, parseLrasppConfig } from './lraspp/config.js';
export type { MaskHeadConfig, MaskRcnnConfig } from './mask-rcnn/config.js';
export {
  assertCardTask,
  buildSegmenter,
  createSegmenterRegistry,
  type SegmenterConfig,
  type SegmenterConfigs,
  type SegmenterFactory,
  type SegmenterRegistry,
} from './registry.js';
export type { InstanceSegmenter, Segmenter, SemanticSegmenter } from './segmenter.js';
export {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  SEMANTIC_HEAD_FIELDS,
  type SemanticHeadConfig,
  type SemanticValues,
} from './semantic/config.js';
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
export { parseUNetConfig, type UNetConfig } from './unet/config.js';
export {
  parseYoloSegConfig,
  type ResolvedYoloSegConfig,
  type YoloSegConfig,
} from './yolo-seg/config.js';
