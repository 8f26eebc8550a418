/**
 * @ocelot/detectors — model card → `detect(image)` → `Detections` in original-image pixels.
 */
export { registerBuiltins } from './builtins.js';
export { ConfigReader, type NumberRule } from './card-config.js';
export {
  createOnnxDetector,
  type DecodeContext,
  type DecodeFn,
  type Detector,
  OnnxDetector,
  type OnnxDetectorParams,
} from './detector.js';
export * from './detr/index.js';
export { ModelCardError, ModelOutputError } from './errors.js';
export * from './faster-rcnn/index.js';
export * from './nanodet/index.js';
export {
  type CardFallbacks,
  type InputSpec,
  type ModelCard,
  type ModelFile,
  parseModelCard,
  type ResolvedInputSpec,
  type ResolvedModelCard,
  resolveModelCard,
} from './model-card.js';
export {
  type Float32Output,
  findOutput,
  formatDims,
  type Int32Output,
  type OutputRef,
  readFloat32Output,
  readInt32Output,
  shapeError,
} from './outputs.js';
export {
  assertFiniteOutput,
  DEFAULT_DETECT_OPTIONS,
  emptyCandidates,
  type FinalizeOptions,
  finalizeDetections,
  resolveDetectOptions,
  topByScore,
} from './postprocess.js';
export { prepareInput } from './preprocess.js';
export {
  type BuildContext,
  type BuildOptions,
  buildDetector,
  createBuildContext,
  createDetectorRegistry,
  type DetectorConfig,
  type DetectorConfigs,
  type DetectorFactory,
  type DetectorRegistry,
  resolveModelPath,
} from './registry.js';
export * from './retinanet/index.js';
export * from './rt-detr/index.js';
export { topKIndices } from './select.js';
export * from './ssd/index.js';
export * from './two-stage/index.js';
export type { Candidates, Detections, DetectOptions, ResolvedDetectOptions } from './types.js';
export * from './ultralytics/index.js';
export * from './yolo-v1/index.js';
export * from './yolox/index.js';
export * from './fast-rcnn/index.js';
export * from './overfeat/index.js';
export * from './rcnn/index.js';
export * from './selective-search/index.js';
export * from './sliding-window/index.js';
