/**
 * @ocelot/image for browsers and workers: everything in the shared entry (`./index.ts`) plus
 * conversions from ImageData, canvases, ImageBitmap, <img>, <video>, VideoFrame and encoded
 * bytes, a one-call `imageToTensor`, and drawing on a canvas. No sharp, no Node built-ins.
 */
export * from './index.js';
export { drawDetections, drawDetectionsToCanvas } from './browser/draw.js';
export { type BrowserImageToTensorOptions, imageToTensor } from './browser/preprocess.js';
export {
  type BrowserDecodeOptions,
  type BrowserImageSource,
  createCanvasContext,
  decodeImage,
  fromCanvas,
  fromDrawable,
  fromImageBitmap,
  fromImageData,
  readBitmapRgba,
  putRgbImage,
  toImageData,
  toRgbImage,
} from './browser/source.js';
