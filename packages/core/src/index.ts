/**
 * @ocelot/core — the maths every Ocelot detector and segmenter shares.
 * Names follow torchvision.ops in camelCase. Boxes are `Float32Array` N×4, xyxy, absolute
 * pixels, unless a function says otherwise.
 */

export * from './anchors/index.js';
export * from './boxes/index.js';
export * from './coder/index.js';
export {
  InvalidArgumentError,
  NonFiniteValueError,
  OcelotError,
  ShapeMismatchError,
} from './errors.js';
export * from './masks/index.js';
export * from './nms/index.js';
export {
  DuplicateRegistrationError,
  Registry,
  UnknownRegistryEntryError,
} from './registry.js';
export * from './roi/index.js';
export * from './training/index.js';
export type { Boxes, BoxFormat, ImageSize, NumericArray, TensorView } from './types.js';
export {
  assertBoxes,
  assertFinite,
  assertFloatArray,
  assertInteger,
  assertLength,
  assertNumberInRange,
  assertTensor,
  timesZeroSum,
} from './validate.js';
