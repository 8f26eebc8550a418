/**
 * Geometry that feeds a model: letterbox (keep aspect ratio, pad), plain resize, crop. Each
 * returns the new image and the `Transform` that maps boxes, points and masks back.
 */
import { InvalidArgumentError } from '@ocelot/core';
import { assertImageSide, assertRgb, assertRgbImage } from './image.js';
import { createResampler, roundHalfEven } from './resize.js';
import { Transform } from './transform.js';
import type { ResampleOptions, Rgb, RgbImage } from './types.js';

/** A target size: one number for a square, or both sides. */
export type TargetSize = number | { readonly width: number; readonly height: number };

/** Options of `letterbox` and `letterboxGeometry`. */
export interface LetterboxOptions extends ResampleOptions {
  /** The model input size, e.g. `640` or `{ width: 640, height: 384 }`. */
  readonly size: TargetSize;
  /** Colour of the padding: one grey level or `[r, g, b]`. Default 114 (Ultralytics, YOLOX). */
  readonly padValue?: number | Rgb;
  /**
   * `true` (default): split the padding between both sides, the smaller half first
   * (Ultralytics). `false`: image at the top-left, all padding right and bottom (YOLOX).
   */
  readonly center?: boolean;
  /** Allow enlarging images smaller than `size`. Default `true`; `false` only shrinks. */
  readonly scaleUp?: boolean;
  /**
   * Pad only up to the next multiple of `stride` instead of all the way to `size` (Ultralytics
   * `auto=True`, used for rectangular inference); the output is then smaller than `size` on
   * the padded axis. Default `false`.
   */
  readonly auto?: boolean;
  /** Stride for `auto`. Default 32. */
  readonly stride?: number;
  /**
   * How the resized size is rounded to whole pixels: `'round'` (default; Python's
   * half-to-even `round`, as Ultralytics) or `'floor'` (`int()`, as YOLOX).
   */
  readonly sizeRounding?: 'round' | 'floor';
}

/** Where everything goes in a letterbox, computed once and shared by every letterbox path. */
export interface LetterboxGeometry {
  /** Size the image is resized to before padding. */
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  readonly padLeft: number;
  readonly padTop: number;
  readonly padRight: number;
  readonly padBottom: number;
  /** Output size (= `size` unless `auto`). */
  readonly width: number;
  readonly height: number;
  /** Pad colour resolved to RGB. */
  readonly padColor: Rgb;
  readonly transform: Transform;
}

/** A geometric operation's result: the new image and the map back to the old one. */
export interface GeometryResult {
  readonly image: RgbImage;
  readonly transform: Transform;
}

/** Resolves `TargetSize` to both sides, checking them. */
export function resolveSize(name: string, size: TargetSize): { width: number; height: number } {
  if (typeof size === 'number') {
    assertImageSide(name, size);
    return { width: size, height: size };
  }
  if (typeof size !== 'object' || size === null) {
    throw new InvalidArgumentError(
      name,
      `expected a number or {width, height}, got ${String(size)}`,
    );
  }
  assertImageSide(`${name}.width`, size.width);
  assertImageSide(`${name}.height`, size.height);
  return { width: size.width, height: size.height };
}

/** Resolves a pad value to RGB. */
export function resolvePadColor(name: string, pad: number | Rgb | undefined): Rgb {
  if (pad === undefined) return [114, 114, 114];
  if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0 || pad > 255) {
      throw new InvalidArgumentError(name, `expected an integer in 0–255 or [r, g, b], got ${pad}`);
    }
    return [pad, pad, pad];
  }
  assertRgb(name, pad);
  if (!pad.every(Number.isInteger)) {
    throw new InvalidArgumentError(name, `expected integer channels, got ${JSON.stringify(pad)}`);
  }
  return pad;
}

/**
 * Letterbox geometry for an image of `srcWidth × srcHeight` (no pixels touched), following
 * Ultralytics' `LetterBox`: `r = min(H/h, W/w)` (capped at 1 without `scaleUp`), resized size
 * `round(w·r) × round(h·r)` (at least 1 pixel), padding `W − round(w·r)` (mod `stride` with
 * `auto`) split `floor(p/2)` before and the rest after when centred.
 */
export function letterboxGeometry(
  srcWidth: number,
  srcHeight: number,
  options: LetterboxOptions,
): LetterboxGeometry {
  assertImageSide('srcWidth', srcWidth);
  assertImageSide('srcHeight', srcHeight);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected letterbox options with a size');
  }
  const { width: W, height: H } = resolveSize('options.size', options.size);
  const padColor = resolvePadColor('options.padValue', options.padValue);
  const stride = options.stride ?? 32;
  assertImageSide('options.stride', stride);
  const rounding = options.sizeRounding ?? 'round';
  if (rounding !== 'round' && rounding !== 'floor') {
    throw new InvalidArgumentError(
      'options.sizeRounding',
      `expected 'round' or 'floor', got ${JSON.stringify(rounding)}`,
    );
  }
  let r = Math.min(H / srcHeight, W / srcWidth);
  if (options.scaleUp === false) r = Math.min(r, 1);
  const toPixels = rounding === 'round' ? roundHalfEven : Math.floor;
  const resizedWidth = Math.min(W, Math.max(1, toPixels(srcWidth * r)));
  const resizedHeight = Math.min(H, Math.max(1, toPixels(srcHeight * r)));
  let padW = W - resizedWidth;
  let padH = H - resizedHeight;
  if (options.auto) {
    padW %= stride;
    padH %= stride;
  }
  const center = options.center ?? true;
  const padLeft = center ? Math.floor(padW / 2) : 0;
  const padTop = center ? Math.floor(padH / 2) : 0;
  const transform = new Transform({
    srcWidth,
    srcHeight,
    dstWidth: resizedWidth + padW,
    dstHeight: resizedHeight + padH,
    scaleX: resizedWidth / srcWidth,
    scaleY: resizedHeight / srcHeight,
    offsetX: padLeft,
    offsetY: padTop,
  });
  return {
    resizedWidth,
    resizedHeight,
    padLeft,
    padTop,
    padRight: padW - padLeft,
    padBottom: padH - padTop,
    width: resizedWidth + padW,
    height: resizedHeight + padH,
    padColor,
    transform,
  };
}

/**
 * Letterboxes an image: resize keeping the aspect ratio with the pure resampler (OpenCV
 * `INTER_LINEAR`-identical by default), then pad. Resized rows are written straight into
 * the padded output.
 * @returns image [height,width,3] uint8 and the Transform back to `image`
 */
export function letterbox(image: RgbImage, options: LetterboxOptions): GeometryResult {
  assertRgbImage('image', image);
  const g = letterboxGeometry(image.width, image.height, options);
  const out = new Uint8Array(g.width * g.height * 3);
  fillRgb(out, g.padColor);
  const resampler = createResampler(
    image.data,
    image.width,
    image.height,
    3,
    g.resizedWidth,
    g.resizedHeight,
    options,
  );
  for (let y = 0; y < g.resizedHeight; y++) {
    resampler.row(y, out, ((g.padTop + y) * g.width + g.padLeft) * 3);
  }
  return { image: { data: out, width: g.width, height: g.height }, transform: g.transform };
}

/** Options of `resize`. */
export interface ResizeOptions extends ResampleOptions {
  readonly width: number;
  readonly height: number;
}

/**
 * Resizes to exactly `width × height` (aspect ratio not kept; Ultralytics `scaleFill`,
 * torchvision `Resize((h, w))`) with the pure resampler.
 * @returns image [height,width,3] uint8 and the Transform back to `image`
 */
export function resize(image: RgbImage, options: ResizeOptions): GeometryResult {
  assertRgbImage('image', image);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected {width, height}');
  }
  const { width, height } = options;
  assertImageSide('options.width', width);
  assertImageSide('options.height', height);
  const resampler = createResampler(
    image.data,
    image.width,
    image.height,
    3,
    width,
    height,
    options,
  );
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) resampler.row(y, out, y * width * 3);
  const transform = new Transform({
    srcWidth: image.width,
    srcHeight: image.height,
    dstWidth: width,
    dstHeight: height,
    scaleX: width / image.width,
    scaleY: height / image.height,
    offsetX: 0,
    offsetY: 0,
  });
  return { image: { data: out, width, height }, transform };
}

/** A crop rectangle in whole pixels. */
export interface CropRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Cuts out a rectangle (must lie inside the image).
 * @returns image [rect.height,rect.width,3] uint8 and the Transform back to `image`
 */
export function crop(image: RgbImage, rect: CropRect): GeometryResult {
  assertRgbImage('image', image);
  if (typeof rect !== 'object' || rect === null) {
    throw new InvalidArgumentError('rect', 'expected {x, y, width, height}');
  }
  const { x, y, width, height } = rect;
  for (const [k, v] of [
    ['rect.x', x],
    ['rect.y', y],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new InvalidArgumentError(k, `expected an integer >= 0, got ${v}`);
    }
  }
  assertImageSide('rect.width', width);
  assertImageSide('rect.height', height);
  if (x + width > image.width || y + height > image.height) {
    throw new InvalidArgumentError(
      'rect',
      `${width}×${height} at (${x}, ${y}) does not fit in the ${image.width}×${image.height} image`,
    );
  }
  const out = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) {
    const s = ((y + r) * image.width + x) * 3;
    out.set(image.data.subarray(s, s + width * 3), r * width * 3);
  }
  const transform = new Transform({
    srcWidth: image.width,
    srcHeight: image.height,
    dstWidth: width,
    dstHeight: height,
    scaleX: 1,
    scaleY: 1,
    offsetX: -x,
    offsetY: -y,
  });
  return { image: { data: out, width, height }, transform };
}

/** Fills interleaved RGB bytes with one colour. */
export function fillRgb(out: Uint8Array, color: Rgb, start = 0, end = out.length): void {
  const [r, g, b] = color;
  if (r === g && g === b) {
    out.fill(r, start, end);
    return;
  }
  for (let i = start; i < end; i += 3) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  }
}
