/**
 * Pure raster drawing of instance masks, contours and semantic label maps — the part Node and
 * the browser share. Works on RGB (`RgbImage`) and, internally, on RGBA canvas pixels.
 *
 * Blending is `out = round((1 − α)·pixel + α·colour)` per channel, computed in double
 * precision, so a test (or another implementation) can reproduce every value.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { assertPixelMap, assertRgb, assertRgbImage } from '../image.js';
import type { MapArray, PixelMap, Rgb, RgbImage } from '../types.js';
import { colorFor, paletteBytes, vocPalette } from './palette.js';

/** A mask: a `PixelMap`, or a bare `Uint8Array` of `width·height` (non-zero = inside). */
export type MaskInput = PixelMap | Uint8Array;

/** Options of `drawMasks`. */
export interface MaskDrawOptions {
  /** Colour of mask i. Default: `colorFor(labels[i] ?? i)` (Ultralytics' palette). */
  readonly colors?: readonly Rgb[];
  /** Class of mask i, used to pick its colour when `colors` is not given. */
  readonly labels?: ArrayLike<number>;
  /** Opacity of the fill, 0–1. Default 0.5; 0 draws only contours. */
  readonly alpha?: number;
  /**
   * Draw each mask's outline (pixels inside the mask within `thickness` of its edge or the
   * image border) in full opacity. `true` = thickness 1, the mask's colour. Default `false`.
   */
  readonly contour?: boolean | { readonly thickness?: number; readonly color?: Rgb };
  /** For float masks: inside where value > threshold. Default 0.5. Integer masks: non-zero. */
  readonly threshold?: number;
}

/** Options of `drawLabelMap`. */
export interface LabelMapDrawOptions {
  /** `[n,3]` bytes or RGB triples indexed by label. Default: the VOC palette (256 colours). */
  readonly palette?: Uint8Array | readonly Rgb[];
  /** Opacity, 0–1. Default 0.5; 1 replaces the pixels with the palette colour. */
  readonly alpha?: number;
  /** Labels left undrawn (e.g. `[0]` for background, `[255]` for VOC's "void"). Default none. */
  readonly ignore?: readonly number[];
}

function checkAlpha(name: string, alpha: number): number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
    throw new InvalidArgumentError(name, `expected a number in [0, 1], got ${String(alpha)}`);
  }
  return alpha;
}

/** Resolves one mask to a 0/1 byte map of `width·height`. */
function insideMap(
  name: string,
  mask: MaskInput,
  width: number,
  height: number,
  threshold: number,
): Uint8Array {
  if (mask instanceof Uint8Array) {
    if (mask.length !== width * height) {
      throw new ShapeMismatchError(
        name,
        `[H=${height},W=${width}] (the image size)`,
        `${mask.length} elements`,
      );
    }
    return mask;
  }
  assertPixelMap(name, mask, { width, height });
  const d: MapArray = mask.data;
  if (d instanceof Uint8Array) return d;
  const out = new Uint8Array(width * height);
  if (d instanceof Float32Array) {
    for (let i = 0; i < out.length; i++) out[i] = d[i]! > threshold ? 1 : 0;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = d[i] !== 0 ? 1 : 0;
  }
  return out;
}

/** Pixels of `inside` within `thickness` (Chebyshev) of an outside pixel or the border. */
export function maskContour(
  inside: Uint8Array,
  width: number,
  height: number,
  thickness = 1,
): Uint8Array {
  if (!Number.isInteger(thickness) || thickness < 1) {
    throw new InvalidArgumentError('thickness', `expected an integer >= 1, got ${thickness}`);
  }
  let edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!inside[i]) continue;
      if (
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !inside[i - 1] ||
        !inside[i + 1] ||
        !inside[i - width] ||
        !inside[i + width]
      ) {
        edge[i] = 1;
      }
    }
  }
  // Grow inwards one pixel per extra thickness (8-neighbourhood), staying inside the mask.
  for (let t = 1; t < thickness; t++) {
    const next = edge.slice();
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!inside[i] || edge[i]) continue;
        for (let dy = -1; dy <= 1 && !next[i]; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < width && edge[yy * width + xx]) {
              next[i] = 1;
              break;
            }
          }
        }
      }
    }
    edge = next;
  }
  return edge;
}

/**
 * Blends masks into interleaved pixels in place (`stride` 3 for RGB, 4 for RGBA; alpha bytes
 * untouched). Shared by `drawMasks_` and the browser's canvas drawing.
 */
export function blendMasksInto(
  data: Uint8Array | Uint8ClampedArray,
  stride: 3 | 4,
  width: number,
  height: number,
  masks: readonly MaskInput[],
  options: MaskDrawOptions = {},
): void {
  if (!Array.isArray(masks)) throw new InvalidArgumentError('masks', 'expected an array of masks');
  const alpha = checkAlpha('options.alpha', options.alpha ?? 0.5);
  const threshold = options.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) {
    throw new InvalidArgumentError(
      'options.threshold',
      `expected a finite number, got ${threshold}`,
    );
  }
  const contour = options.contour ?? false;
  const contourThickness = typeof contour === 'object' ? (contour.thickness ?? 1) : 1;
  const contourColor = typeof contour === 'object' ? contour.color : undefined;
  if (contourColor !== undefined) assertRgb('options.contour.color', contourColor);
  if (options.colors !== undefined && options.colors.length < masks.length) {
    throw new InvalidArgumentError(
      'options.colors',
      `expected a colour for each of the ${masks.length} masks, got ${options.colors.length}`,
    );
  }
  const lut = new Uint8Array(256 * 3);
  masks.forEach((mask, m) => {
    const color = options.colors?.[m] ?? colorFor(options.labels?.[m] ?? m);
    assertRgb(`options.colors[${m}]`, color);
    const inside = insideMap(`masks[${m}]`, mask, width, height, threshold);
    if (alpha > 0) {
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 256; p++)
          lut[c * 256 + p] = Math.round((1 - alpha) * p + alpha * color[c]!);
      }
      for (let i = 0, o = 0; i < inside.length; i++, o += stride) {
        if (inside[i]) {
          data[o] = lut[data[o]!]!;
          data[o + 1] = lut[256 + data[o + 1]!]!;
          data[o + 2] = lut[512 + data[o + 2]!]!;
        }
      }
    }
    if (contour) {
      const edge = maskContour(inside, width, height, contourThickness);
      const [r, g, b] = contourColor ?? color;
      for (let i = 0, o = 0; i < edge.length; i++, o += stride) {
        if (edge[i]) {
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
        }
      }
    }
  });
}

/**
 * Draws instance masks onto a copy of `image` (later masks over earlier ones).
 * @param masks each [H,W] (image size); Uint8Array non-zero = inside, Float32Array > threshold
 * @returns a new image
 */
export function drawMasks(
  image: RgbImage,
  masks: readonly MaskInput[],
  options: MaskDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  const out = { data: image.data.slice(), width: image.width, height: image.height };
  blendMasksInto(out.data, 3, out.width, out.height, masks, options);
  return out;
}

/** `drawMasks` in place: writes into `image.data` and returns `image`. */
export function drawMasks_(
  image: RgbImage,
  masks: readonly MaskInput[],
  options: MaskDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  blendMasksInto(image.data, 3, image.width, image.height, masks, options);
  return image;
}

/** Blends a label map into interleaved pixels in place (`stride` 3 or 4). */
export function blendLabelMapInto(
  data: Uint8Array | Uint8ClampedArray,
  stride: 3 | 4,
  width: number,
  height: number,
  labelMap: PixelMap,
  options: LabelMapDrawOptions = {},
): void {
  assertPixelMap('labelMap', labelMap, { width, height });
  const alpha = checkAlpha('options.alpha', options.alpha ?? 0.5);
  const pal = paletteBytes('options.palette', options.palette ?? vocPalette(256));
  const n = pal.length / 3;
  const ignore = new Set(options.ignore ?? []);
  const labels = labelMap.data;
  for (let i = 0, o = 0; i < labels.length; i++, o += stride) {
    const l = labels[i]!;
    if (ignore.has(l)) continue;
    if (!(Number.isInteger(l) && l >= 0 && l < n)) {
      throw new InvalidArgumentError(
        'labelMap',
        `label ${l} at pixel ${i} has no palette colour (palette has ${n}); add it to options.ignore or extend the palette`,
      );
    }
    const p = 3 * l;
    data[o] = Math.round((1 - alpha) * data[o]! + alpha * pal[p]!);
    data[o + 1] = Math.round((1 - alpha) * data[o + 1]! + alpha * pal[p + 1]!);
    data[o + 2] = Math.round((1 - alpha) * data[o + 2]! + alpha * pal[p + 2]!);
  }
}

/**
 * Draws a semantic label map over a copy of `image` with a palette.
 * @param labelMap [H,W] class indices (image size)
 * @returns a new image
 */
export function drawLabelMap(
  image: RgbImage,
  labelMap: PixelMap,
  options: LabelMapDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  const out = { data: image.data.slice(), width: image.width, height: image.height };
  blendLabelMapInto(out.data, 3, out.width, out.height, labelMap, options);
  return out;
}

/** `drawLabelMap` in place. */
export function drawLabelMap_(
  image: RgbImage,
  labelMap: PixelMap,
  options: LabelMapDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  blendLabelMapInto(image.data, 3, image.width, image.height, labelMap, options);
  return image;
}

/**
 * A label map as a colour image (palette colours, ignored labels black).
 * @returns [H,W,3] uint8
 */
export function colorizeLabelMap(
  labelMap: PixelMap,
  options: Omit<LabelMapDrawOptions, 'alpha'> = {},
): RgbImage {
  assertPixelMap('labelMap', labelMap);
  const out = {
    data: new Uint8Array(labelMap.width * labelMap.height * 3),
    width: labelMap.width,
    height: labelMap.height,
  };
  blendLabelMapInto(out.data, 3, out.width, out.height, labelMap, { ...options, alpha: 1 });
  return out;
}
