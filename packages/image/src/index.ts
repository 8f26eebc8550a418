/**
 * @ocelot/image — the parts shared by the Node and browser entries: pixel types, the pure
 * resampler, letterbox / resize / crop with an invertible `Transform`, normalisation to
 * NCHW / NHWC float32, and the pure raster drawing of masks and label maps.
 *
 * Import `@ocelot/image`: Node resolves `index.node.ts` (adds sharp decode / encode / draw),
 * browsers resolve `index.browser.ts` (adds ImageBitmap / canvas / video sources and canvas
 * drawing). Both re-export everything here.
 */
export {
  type BilinearBackend,
  bilinearBackend,
  setBilinearBackend,
} from './bilinear-wasm.js';
export {
  type BoxStyle,
  type BoxStyleOptions,
  boxColor,
  boxLabel,
  type DrawableDetections,
  type DrawDetectionsOptions,
  detectionsSvg,
  resolveBoxStyle,
  textColorOn,
} from './draw/detections.js';
export { colorFor, DETECTION_COLORS, vocPalette } from './draw/palette.js';
export {
  blendLabelMapInto,
  blendMasksInto,
  colorizeLabelMap,
  drawLabelMap,
  drawLabelMap_,
  drawMasks,
  drawMasks_,
  type LabelMapDrawOptions,
  type MaskDrawOptions,
  type MaskInput,
  maskContour,
} from './draw/raster.js';
export {
  CorruptImageError,
  ImageDecodeError,
  type ImageDecodeFailure,
  ImageEncodeError,
  ImageNotFoundError,
  ImageTooLargeError,
  UnsupportedImageFormatError,
} from './errors.js';
export { type SniffedFormat, sniffImageFormat } from './format.js';
export {
  type AlphaOptions,
  assertPixelMap,
  assertRgbImage,
  createRgbImage,
  rgbaToRgb,
  rgbToRgba,
} from './image.js';
export {
  crop,
  type CropRect,
  type GeometryResult,
  type LetterboxGeometry,
  type LetterboxOptions,
  letterbox,
  letterboxGeometry,
  type ResizeOptions,
  resize,
  type TargetSize,
} from './letterbox.js';
export {
  type Float32Tensor,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type NormalizationTable,
  type NormalizeOptions,
  normalizationTable,
  type TensorOutput,
  toTensor,
  toTensorBatch,
} from './normalize.js';
export {
  type BatchTensorResult,
  letterboxBatchToTensor,
  letterboxToTensor,
  resizeToTensor,
  type TensorResult,
} from './preprocess.js';
export { createResampler, resizePixels, resizeRgb, type RowResampler } from './resize.js';
export {
  type MaskToImageOptions,
  type ToImageOptions,
  Transform,
  type TransformJSON,
  type TransformParams,
} from './transform.js';
export type {
  Interpolation,
  MapArray,
  PixelMap,
  ResampleOptions,
  Rgb,
  RgbImage,
} from './types.js';
