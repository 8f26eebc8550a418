/**
 * The world-independent part of @ocelot/runtime's public surface, re-exported unchanged by the
 * Node entry (`index.node.ts`) and the browser entry (`index.browser.ts`).
 */
export {
  ChecksumMismatchError,
  ExecutionProviderError,
  InferenceError,
  InvalidFeedError,
  ModelLoadError,
  SessionDisposedError,
  UnsupportedOperatorError,
} from './errors.js';
export type { ProviderAttempt } from './errors.js';
export { parsePythonLiteral, parseUltralyticsMetadata } from './metadata.js';
export type { PythonDict, PythonValue, UltralyticsMetadata } from './metadata.js';
export { OnnxParseError, parseOnnxModel } from './onnx-proto.js';
export type { OnnxModelInfo, OnnxOperator, OnnxValueInfo } from './onnx-proto.js';
export { sha256Hex } from './sha256.js';
export { RunClock, type StageTimings, timedSession } from './timing.js';
export { createTensor, inferTensorType, isTensorType, zerosTensor } from './tensor.js';
export type { Tensor, TensorData, TensorDataTypeMap, TensorLike, TensorType } from './tensor.js';
export type {
  CreateSessionOptions,
  ExecutionProviderSpec,
  ModelSource,
  OutputLocation,
  RunOptions,
  Session,
  ValueInfo,
  WarmupOptions,
} from './types.js';
