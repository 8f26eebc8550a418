/**
 * @ocelot/backbones — backbones as data and as checked ONNX sessions.
 *
 * - Specs (detectron2's `ShapeSpec`): normalisation, output feature maps with channels and
 *   stride, size divisibility — for torchvision's ResNet-18/34/50 (C2–C5), MobileNetV3
 *   Large/Small (the layers torchvision returns), VGG16 as SSD uses it, and FPN levels on top.
 * - `Backbone`: an ONNX session returning named feature maps, each checked against its spec.
 * - A typed registry of specs (`createBackboneRegistry` + `registerBuiltins`).
 *
 * Exports are listed explicitly; other parts of the package (e.g. the fully-convolutional
 * classifier) add their own lines here.
 */
export {
  Backbone,
  type BackboneOptions,
  checkFeatureMaps,
  type FeatureMaps,
  type LoadBackboneOptions,
  loadBackbone,
} from './backbone.js';
export {
  BUILTIN_BACKBONES,
  MOBILENET_V3_LARGE,
  MOBILENET_V3_LARGE_FPN,
  MOBILENET_V3_SMALL,
  MOBILENET_V3_SMALL_FPN,
  RESNET18,
  RESNET18_FPN,
  RESNET34,
  RESNET34_FPN,
  RESNET50,
  RESNET50_FPN,
  registerBuiltins,
  VGG16_SSD,
} from './builtins.js';
export { BackboneOutputError } from './errors.js';
export { type BackboneRegistry, createBackboneRegistry } from './registry.js';
export {
  type BackboneSpec,
  defineBackboneSpec,
  expectedFeatureSizes,
  type FeatureSpec,
  type FpnOptions,
  featureSideRange,
  IMAGENET_NORMALIZATION,
  type Normalization,
  withFpn,
} from './spec.js';
export {
  type AxisField,
  CLASSIC_SHAPES_FCN,
  defineFcnClassifierSpec,
  type FcnClassifierSpec,
  type FcnClassifierSpecInput,
  type LayerSpec,
  outputSize,
  type Pair,
  type PixelMapping,
  type ProjectedScoreMap,
  projectScoreMap,
  type ReceptiveField,
  type ReceptiveFieldStep,
  receptiveField,
  receptiveFieldTrace,
} from './fcn-classifier/index.js';
