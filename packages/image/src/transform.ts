/**
 * `Transform`: the one object that maps between original-image pixels and model-input pixels
 * for every resize / letterbox / crop Ocelot does, in both directions.
 *
 * Coordinates are continuous pixel-edge coordinates (the left edge of pixel 0 is x = 0, its
 * right edge x = 1; a w-wide image spans [0, w]) — the convention of xyxy boxes in torchvision
 * and Ultralytics. In that convention a half-pixel-centred resize from w to w' maps x to
 * x · w'/w exactly, so an axis-aligned resize + pad + crop is
 *
 *     model = image · scale + offset        image = (model − offset) / scale
 *
 * per axis. The scales are the ones actually applied (resized size / original size, after
 * rounding the resized size to whole pixels) and the offsets are the whole-pixel paddings
 * actually added. Rounding happens once, when the Transform is made; both directions read the
 * same numbers, so they are exact inverses. (Ultralytics' `scale_boxes` recomputes the gain
 * and padding for the inverse with different rounding, which shifts boxes by up to a pixel.)
 */
import {
  assertBoxes,
  assertFinite,
  assertFloatArray,
  InvalidArgumentError,
  ShapeMismatchError,
} from '@ocelot/core';
import { assertPixelMap, newMapArray } from './image.js';
import type { MapArray, PixelMap } from './types.js';

/** The numbers that define a `Transform`; also its JSON form (with `type` and `version`). */
export interface TransformParams {
  /** Original image size. */
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Model input size (the letterboxed / resized canvas). */
  readonly dstWidth: number;
  readonly dstHeight: number;
  /** Model pixels per image pixel, per axis. */
  readonly scaleX: number;
  readonly scaleY: number;
  /** Where image x = 0 / y = 0 lands in model pixels (left / top padding; negative for a crop). */
  readonly offsetX: number;
  readonly offsetY: number;
}

/** Plain-JSON form of a `Transform`, safe to `postMessage` or `JSON.stringify`. */
export interface TransformJSON extends TransformParams {
  readonly type: 'ocelot.transform';
  readonly version: 1;
}

/** Options of `Transform.toImage`. */
export interface ToImageOptions {
  /** Clip boxes / points to the original image, [0, srcWidth] × [0, srcHeight]. Default `true`. */
  readonly clip?: boolean;
  /** Write into this array (same length as the input) instead of allocating. */
  readonly out?: Float32Array;
}

/** Options of `Transform.maskToImage`. */
export interface MaskToImageOptions {
  /**
   * `'bilinear'` (default for float maps; half-pixel centres, as torch `interpolate(...,
   * align_corners=False)` after cropping the padding away) or `'nearest'` (default for
   * integer maps; `floor` of the mapped pixel centre, so label values are never mixed).
   */
  readonly interpolation?: 'bilinear' | 'nearest';
  /**
   * Bilinear only: return a binary `Uint8Array` (1 where the interpolated value is
   * `> threshold`) instead of floats.
   */
  readonly threshold?: number;
}

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidArgumentError(name, `expected a finite number, got ${String(v)}`);
  }
  return v;
}

function side(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidArgumentError(name, `expected a positive integer, got ${String(v)}`);
  }
  return v;
}

/**
 * An axis-aligned scale + offset between an original image and a model input, usable in both
 * directions. Immutable; `toJSON` / `Transform.fromJSON` cross worker and network boundaries.
 */
export class Transform implements TransformParams {
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly offsetX: number;
  readonly offsetY: number;

  /** Checks every field (positive integer sizes, finite positive scales, finite offsets). */
  constructor(params: TransformParams) {
    if (typeof params !== 'object' || params === null) {
      throw new InvalidArgumentError('transform', 'expected an object with the transform fields');
    }
    this.srcWidth = side('transform.srcWidth', params.srcWidth);
    this.srcHeight = side('transform.srcHeight', params.srcHeight);
    this.dstWidth = side('transform.dstWidth', params.dstWidth);
    this.dstHeight = side('transform.dstHeight', params.dstHeight);
    this.scaleX = finite('transform.scaleX', params.scaleX);
    this.scaleY = finite('transform.scaleY', params.scaleY);
    if (this.scaleX <= 0 || this.scaleY <= 0) {
      throw new InvalidArgumentError('transform.scaleX', 'scales must be > 0');
    }
    this.offsetX = finite('transform.offsetX', params.offsetX);
    this.offsetY = finite('transform.offsetY', params.offsetY);
    Object.freeze(this);
  }

  /** The identity on an image of this size. */
  static identity(width: number, height: number): Transform {
    return new Transform({
      srcWidth: width,
      srcHeight: height,
      dstWidth: width,
      dstHeight: height,
      scaleX: 1,
      scaleY: 1,
      offsetX: 0,
      offsetY: 0,
    });
  }

  /** Rebuilds a Transform from `toJSON()` output (validated; throws `InvalidArgumentError`). */
  static fromJSON(json: unknown): Transform {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<TransformJSON>;
    if (typeof j !== 'object' || j === null || j.type !== 'ocelot.transform') {
      throw new InvalidArgumentError('json', 'expected an object with type "ocelot.transform"');
    }
    if (j.version !== 1) {
      throw new InvalidArgumentError('json.version', `unsupported version ${String(j.version)}`);
    }
    return new Transform(j as TransformJSON);
  }

  /** Plain JSON (numbers only). */
  toJSON(): TransformJSON {
    return {
      type: 'ocelot.transform',
      version: 1,
      srcWidth: this.srcWidth,
      srcHeight: this.srcHeight,
      dstWidth: this.dstWidth,
      dstHeight: this.dstHeight,
      scaleX: this.scaleX,
      scaleY: this.scaleY,
      offsetX: this.offsetX,
      offsetY: this.offsetY,
    };
  }

  /**
   * The original image's footprint in model pixels, `[x1, y1, x2, y2]` (for a letterbox: the
   * unpadded region).
   */
  get contentBox(): [number, number, number, number] {
    return [
      this.offsetX,
      this.offsetY,
      this.offsetX + this.srcWidth * this.scaleX,
      this.offsetY + this.srcHeight * this.scaleY,
    ];
  }

  /** The transform from model input back to the original image (sizes swapped). */
  inverse(): Transform {
    return new Transform({
      srcWidth: this.dstWidth,
      srcHeight: this.dstHeight,
      dstWidth: this.srcWidth,
      dstHeight: this.srcHeight,
      scaleX: 1 / this.scaleX,
      scaleY: 1 / this.scaleY,
      offsetX: -this.offsetX / this.scaleX,
      offsetY: -this.offsetY / this.scaleY,
    });
  }

  /**
   * `this` followed by `next` (e.g. a crop, then a letterbox of the crop). `next`'s source
   * size must equal this transform's destination size.
   */
  compose(next: Transform): Transform {
    if (!(next instanceof Transform)) {
      throw new InvalidArgumentError('next', 'expected a Transform');
    }
    if (next.srcWidth !== this.dstWidth || next.srcHeight !== this.dstHeight) {
      throw new ShapeMismatchError(
        'next',
        `source size ${this.dstWidth}×${this.dstHeight}`,
        `${next.srcWidth}×${next.srcHeight}`,
      );
    }
    return new Transform({
      srcWidth: this.srcWidth,
      srcHeight: this.srcHeight,
      dstWidth: next.dstWidth,
      dstHeight: next.dstHeight,
      scaleX: this.scaleX * next.scaleX,
      scaleY: this.scaleY * next.scaleY,
      offsetX: this.offsetX * next.scaleX + next.offsetX,
      offsetY: this.offsetY * next.scaleY + next.offsetY,
    });
  }

  /**
   * Boxes from original-image pixels to model-input pixels. No clipping.
   * @param boxes [N,4] xyxy in image pixels
   * @returns [N,4] xyxy in model pixels (new array, or `out`)
   */
  toModel(boxes: Float32Array, out?: Float32Array): Float32Array {
    const n = assertBoxes('boxes', boxes, { allowNegativeSize: true });
    const res = outArray('out', out, n * 4);
    const { scaleX: sx, scaleY: sy, offsetX: tx, offsetY: ty } = this;
    for (let i = 0; i < n * 4; i += 4) {
      res[i] = boxes[i]! * sx + tx;
      res[i + 1] = boxes[i + 1]! * sy + ty;
      res[i + 2] = boxes[i + 2]! * sx + tx;
      res[i + 3] = boxes[i + 3]! * sy + ty;
    }
    return res;
  }

  /**
   * Boxes from model-input pixels back to original-image pixels (undo padding and scale),
   * clipped to the image unless `clip: false`.
   * @param boxes [N,4] xyxy in model pixels
   * @returns [N,4] xyxy in image pixels (new array, or `options.out`)
   */
  toImage(boxes: Float32Array, options: ToImageOptions = {}): Float32Array {
    const n = assertBoxes('boxes', boxes, { allowNegativeSize: true });
    const res = outArray('options.out', options.out, n * 4);
    const { scaleX: sx, scaleY: sy, offsetX: tx, offsetY: ty } = this;
    const clip = options.clip ?? true;
    const w = this.srcWidth;
    const h = this.srcHeight;
    for (let i = 0; i < n * 4; i += 4) {
      let x1 = (boxes[i]! - tx) / sx;
      let y1 = (boxes[i + 1]! - ty) / sy;
      let x2 = (boxes[i + 2]! - tx) / sx;
      let y2 = (boxes[i + 3]! - ty) / sy;
      if (clip) {
        x1 = x1 < 0 ? 0 : x1 > w ? w : x1;
        x2 = x2 < 0 ? 0 : x2 > w ? w : x2;
        y1 = y1 < 0 ? 0 : y1 > h ? h : y1;
        y2 = y2 < 0 ? 0 : y2 > h ? h : y2;
      }
      res[i] = x1;
      res[i + 1] = y1;
      res[i + 2] = x2;
      res[i + 3] = y2;
    }
    return res;
  }

  /**
   * Points (e.g. keypoints) from image to model pixels.
   * @param points [N,2] xy in image pixels
   * @returns [N,2] xy in model pixels
   */
  pointsToModel(points: Float32Array, out?: Float32Array): Float32Array {
    const n = assertPoints('points', points);
    const res = outArray('out', out, n * 2);
    for (let i = 0; i < n * 2; i += 2) {
      res[i] = points[i]! * this.scaleX + this.offsetX;
      res[i + 1] = points[i + 1]! * this.scaleY + this.offsetY;
    }
    return res;
  }

  /**
   * Points from model pixels back to image pixels, clipped unless `clip: false`.
   * @param points [N,2] xy in model pixels
   * @returns [N,2] xy in image pixels
   */
  pointsToImage(points: Float32Array, options: ToImageOptions = {}): Float32Array {
    const n = assertPoints('points', points);
    const res = outArray('options.out', options.out, n * 2);
    const clip = options.clip ?? true;
    for (let i = 0; i < n * 2; i += 2) {
      let x = (points[i]! - this.offsetX) / this.scaleX;
      let y = (points[i + 1]! - this.offsetY) / this.scaleY;
      if (clip) {
        x = x < 0 ? 0 : x > this.srcWidth ? this.srcWidth : x;
        y = y < 0 ? 0 : y > this.srcHeight ? this.srcHeight : y;
      }
      res[i] = x;
      res[i + 1] = y;
    }
    return res;
  }

  /**
   * A map in model space — a mask, mask probabilities or a label map, at the model input
   * size or at any lower resolution covering the same extent (e.g. a 160×160 prototype mask
   * for a 640×640 input) — back to the original image: padding removed, rescaled, in one
   * resampling step. Samples are clamped to the content region, so padding never bleeds in;
   * for a letterbox this equals cropping the padding and then resizing (Ultralytics
   * `scale_masks`).
   * @param map [h,w] in model space
   * @returns [srcHeight, srcWidth]: Float32Array for bilinear on floats, Uint8Array with a
   *   threshold, otherwise the map's own array type
   */
  maskToImage<T extends MapArray>(map: PixelMap<T>, options: MaskToImageOptions = {}): PixelMap {
    assertPixelMap('map', map);
    const isFloat = map.data instanceof Float32Array;
    const interpolation = options.interpolation ?? (isFloat ? 'bilinear' : 'nearest');
    if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
      throw new InvalidArgumentError(
        'options.interpolation',
        `expected 'bilinear' or 'nearest', got ${JSON.stringify(interpolation)}`,
      );
    }
    const W = this.srcWidth;
    const H = this.srcHeight;
    // Model pixels → map pixels.
    const mx = map.width / this.dstWidth;
    const my = map.height / this.dstHeight;
    const [cx1, cy1, cx2, cy2] = this.contentBox;
    const xs = sampleAxis(W, this.scaleX * mx, this.offsetX * mx, cx1 * mx, cx2 * mx, map.width);
    const ys = sampleAxis(H, this.scaleY * my, this.offsetY * my, cy1 * my, cy2 * my, map.height);
    const src = map.data;
    const mw = map.width;
    if (interpolation === 'nearest') {
      const out = newMapArray(src, W * H);
      for (let y = 0; y < H; y++) {
        const row = ys.nearest[y]! * mw;
        for (let x = 0; x < W; x++) out[y * W + x] = src[row + xs.nearest[x]!]!;
      }
      return { data: out, width: W, height: H };
    }
    const threshold = options.threshold;
    if (threshold !== undefined) finite('options.threshold', threshold);
    const outF = threshold === undefined ? new Float32Array(W * H) : undefined;
    const outB = threshold === undefined ? undefined : new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      const r0 = ys.i0[y]! * mw;
      const r1 = ys.i1[y]! * mw;
      const wy = ys.frac[y]!;
      for (let x = 0; x < W; x++) {
        const c0 = xs.i0[x]!;
        const c1 = xs.i1[x]!;
        const wx = xs.frac[x]!;
        const top = src[r0 + c0]! + (src[r0 + c1]! - src[r0 + c0]!) * wx;
        const bottom = src[r1 + c0]! + (src[r1 + c1]! - src[r1 + c0]!) * wx;
        const v = top + (bottom - top) * wy;
        if (outF) outF[y * W + x] = v;
        else outB![y * W + x] = v > threshold! ? 1 : 0;
      }
    }
    return { data: (outF ?? outB)!, width: W, height: H };
  }

  /**
   * A label map in model space back to the original image (nearest; labels never mixed).
   * Same as `maskToImage(map, { interpolation: 'nearest' })`.
   */
  labelMapToImage<T extends MapArray>(map: PixelMap<T>): PixelMap<T> {
    return this.maskToImage(map, { interpolation: 'nearest' }) as PixelMap<T>;
  }
}

interface AxisSamples {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly frac: Float32Array;
  readonly nearest: Int32Array;
}

/**
 * For each output pixel centre along one axis, where it falls in the map: `u = (x + 0.5) ·
 * scale + offset` in map pixel-edge units. Bilinear samples at `u − 0.5` clamped to the
 * content's pixel centres; nearest takes `floor(u)` clamped to the content's pixels.
 */
function sampleAxis(
  n: number,
  scale: number,
  offset: number,
  contentStart: number,
  contentEnd: number,
  mapSize: number,
): AxisSamples {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const frac = new Float32Array(n);
  const nearest = new Int32Array(n);
  // Content pixels [first, last] in map pixels (integral for a letterbox at model resolution).
  const first = Math.max(0, Math.min(mapSize - 1, Math.floor(contentStart + 1e-6)));
  const last = Math.max(first, Math.min(mapSize - 1, Math.ceil(contentEnd - 1e-6) - 1));
  for (let x = 0; x < n; x++) {
    const u = (x + 0.5) * scale + offset;
    let v = u - 0.5;
    if (v < first) v = first;
    if (v > last) v = last;
    const f = Math.floor(v);
    i0[x] = f;
    i1[x] = f + 1 > last ? last : f + 1;
    frac[x] = v - f;
    const k = Math.floor(u);
    nearest[x] = k < first ? first : k > last ? last : k;
  }
  return { i0, i1, frac, nearest };
}

function assertPoints(name: string, points: unknown): number {
  assertFloatArray(name, points);
  if (points.length % 2 !== 0) {
    throw new ShapeMismatchError(name, '[N,2]', `[${points.length}] (length not a multiple of 2)`);
  }
  assertFinite(name, points);
  return points.length / 2;
}

function outArray(name: string, out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  assertFloatArray(name, out);
  if (out.length !== length) throw new ShapeMismatchError(name, `[${length}]`, `[${out.length}]`);
  return out;
}
