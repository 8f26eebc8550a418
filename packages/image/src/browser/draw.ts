/**
 * Drawing detections on a canvas: masks and contours with the shared pure raster code (on the
 * context's RGBA pixels), boxes with `strokeRect`, labels with `fillText`.
 */
import {
  boxColor,
  boxLabel,
  checkDetections,
  type DrawableDetections,
  type DrawDetectionsOptions,
  resolveBoxStyle,
  textColorOn,
} from '../draw/detections.js';
import { blendMasksInto } from '../draw/raster.js';
import { assertRgbImage } from '../image.js';
import type { Rgb, RgbImage } from '../types.js';
import { createCanvasContext, fromDrawable, putRgbImage } from './source.js';

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

const css = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

/**
 * Draws detections onto whatever the context already shows (the image, at image-pixel scale).
 * @param detections boxes [N,4] xyxy in canvas pixels, optional scores / labels / names / masks
 */
export function drawDetectionsToCanvas(
  ctx: Ctx2D,
  detections: DrawableDetections,
  options: DrawDetectionsOptions = {},
): void {
  const n = checkDetections(detections);
  const { width, height } = ctx.canvas;
  if (detections.masks && n > 0) {
    const pixels = ctx.getImageData(0, 0, width, height);
    const colors = Array.from({ length: n }, (_, i) => boxColor(detections, i, options.colors));
    blendMasksInto(pixels.data, 4, width, height, detections.masks, { ...options, colors });
    ctx.putImageData(pixels, 0, 0);
  }
  if (!(options.boxes ?? true) || n === 0) return;
  const style = resolveBoxStyle(width, height, options);
  const { lineWidth: lw, fontSize: fs } = style;
  const b = detections.boxes;
  ctx.save();
  ctx.lineWidth = lw;
  ctx.font = `${fs}px ${style.fontFamily}`;
  ctx.textBaseline = 'alphabetic';
  for (let i = 0; i < n; i++) {
    const [x1, y1, x2, y2] = [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!];
    const color = boxColor(detections, i, options.colors);
    ctx.strokeStyle = css(color);
    ctx.strokeRect(x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1));
    const text = style.showLabels ? boxLabel(detections, i, style.scoreDigits) : '';
    if (text) {
      const tabH = Math.round(fs * 1.3);
      const tabW = Math.round(ctx.measureText(text).width + fs * 0.6);
      const outside = y1 - lw / 2 - tabH >= 0;
      const tx = Math.min(Math.max(0, x1 - lw / 2), Math.max(0, width - tabW));
      const ty = outside ? y1 - lw / 2 - tabH : Math.max(0, y1 - lw / 2);
      ctx.fillStyle = css(color);
      ctx.fillRect(tx, ty, tabW, tabH);
      ctx.fillStyle = css(textColorOn(color));
      ctx.fillText(text, tx + fs * 0.3, ty + tabH * 0.78);
    }
  }
  ctx.restore();
}

/**
 * Draws boxes, labels and masks onto a copy of `image` (same call as the Node entry's).
 * @returns a new image
 */
export async function drawDetections(
  image: RgbImage,
  detections: DrawableDetections,
  options: DrawDetectionsOptions = {},
): Promise<RgbImage> {
  assertRgbImage('image', image);
  const ctx = createCanvasContext(image.width, image.height);
  putRgbImage(ctx, image);
  drawDetectionsToCanvas(ctx, detections, options);
  return fromDrawable(ctx.canvas);
}
