/**
 * Drawing detections in Node: masks and contours with the shared pure raster code, then boxes
 * and label text as an SVG overlay composited by sharp (librsvg renders the text with the
 * system's fonts through fontconfig).
 */
import {
  boxColor,
  checkDetections,
  type DrawableDetections,
  type DrawDetectionsOptions,
  detectionsSvg,
} from '../draw/detections.js';
import { drawMasks_ } from '../draw/raster.js';
import { ImageEncodeError } from '../errors.js';
import { assertRgbImage } from '../image.js';
import type { RgbImage } from '../types.js';
import { encodePng, sharpFromRgb } from './decode.js';

/**
 * Draws boxes, labels and instance masks onto a copy of `image`.
 * @param detections boxes [N,4] xyxy in image pixels, optional scores / labels / names / masks
 * @returns a new image (encode it with `encodePng`, or use `renderDetectionsPng`)
 */
export async function drawDetections(
  image: RgbImage,
  detections: DrawableDetections,
  options: DrawDetectionsOptions = {},
): Promise<RgbImage> {
  assertRgbImage('image', image);
  const n = checkDetections(detections);
  const out: RgbImage = { data: image.data.slice(), width: image.width, height: image.height };
  if (detections.masks && n > 0) {
    const colors = Array.from({ length: n }, (_, i) => boxColor(detections, i, options.colors));
    drawMasks_(out, detections.masks, { ...options, colors });
  }
  if ((options.boxes ?? true) && n > 0) {
    const svg = detectionsSvg(out.width, out.height, detections, options);
    try {
      const { data, info } = await sharpFromRgb(out)
        .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== out.width || info.height !== out.height) {
        throw new Error(`unexpected ${info.width}×${info.height}×${info.channels} output`);
      }
      return {
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: out.width,
        height: out.height,
      };
    } catch (error) {
      throw new ImageEncodeError(`drawing boxes failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return out;
}

/** `drawDetections` then `encodePng`: an overlay PNG ready to write to disk. */
export async function renderDetectionsPng(
  image: RgbImage,
  detections: DrawableDetections,
  options: DrawDetectionsOptions = {},
): Promise<Uint8Array> {
  return encodePng(await drawDetections(image, detections, options));
}
