export type {
  AnchorGeneratorOptions,
  FeatureMapSize,
  LevelStride,
} from './anchor-generator.js';
export {
  AnchorGenerator,
  anchorStrides,
  cellAnchors,
  FASTER_RCNN_FPN_ANCHORS,
  gridAnchors,
  gridAnchorsPerLevel,
  numAnchorsPerLocation,
  RETINANET_ANCHORS,
  roundHalfToEven,
} from './anchor-generator.js';
export type { DefaultBoxOptions } from './default-boxes.js';
export {
  DefaultBoxGenerator,
  defaultBoxes,
  defaultBoxesNormalized,
  defaultBoxScales,
  SSD300_DEFAULT_BOXES,
  SSDLITE320_DEFAULT_BOXES,
} from './default-boxes.js';
