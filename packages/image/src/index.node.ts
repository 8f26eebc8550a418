/**
 * @ocelot/image for Node: everything in the shared entry (`./index.ts`) plus decoding,
 * encoding, the one-call `imageToTensor` and drawing to PNG, all on sharp (libvips).
 */
export * from './index.js';
export {
  DEFAULT_IMAGE_FORMATS,
  DEFAULT_LIMIT_INPUT_PIXELS,
  type DecodeOptions,
  decodeImage,
  encodeJpeg,
  encodePng,
  type ImageFormat,
  type ImageInfo,
  type ImageSource,
  readImageInfo,
} from './node/decode.js';
export { drawDetections, renderDetectionsPng } from './node/draw.js';
export { type ImageToTensorOptions, imageToTensor } from './node/preprocess.js';
