/**
 * @ocelot/detectors — model card → `detect(image)` → `Detections` in original-image pixels.
 */
export {
  type DecodeContext,
  type DecodeFn,
  type Detector,
  OnnxDetector,
  type OnnxDetectorParams,
} from './detector.js';
export { ModelCardError, ModelOutputError } from './errors.js';
export { type InputSpec, type ModelCard, type ModelFile, parseModelCard } from './model-card.js';
export { type Float32Output, readFloat32Output } from './outputs.js';
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
export type { Candidates, DetectOptions, Detections, ResolvedDetectOptions } from './types.js';
