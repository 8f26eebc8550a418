/**
 * Box layout conversions and simple per-box geometry, with torchvision's float32 arithmetic
 * (`torchvision.ops.box_convert`, `box_area`, `clip_boxes_to_image`, `remove_small_boxes`,
 * `masks_to_boxes`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { BoxFormat, Boxes, ImageSize, NumericArray, TensorView } from '../types.js';
import { assertBoxes, assertFloatArray, assertNumberInRange, assertTensor } from '../validate.js';

const FORMATS: readonly BoxFormat[] = ['xyxy', 'xywh', 'cxcywh'];
const f32 = Math.fround;

function assertFormat(name: string, format: unknown): asserts format is BoxFormat {
  if (!FORMATS.includes(format as BoxFormat)) {
    throw new InvalidArgumentError(
      name,
      `expected one of ${FORMATS.map((s) => `'${s}'`).join(', ')}, got ${String(format)}`,
    );
  }
}

/**
 * Validates an N×4 array in any layout and returns N: finite values, and a non-negative
 * size (x2 ≥ x1, y2 ≥ y1 for xyxy; w ≥ 0, h ≥ 0 for xywh and cxcywh).
 */
function assertBoxesIn(name: string, boxes: unknown, format: BoxFormat): number {
  if (format === 'xyxy') return assertBoxes(name, boxes);
  const n = assertBoxes(name, boxes, { allowNegativeSize: true });
  const b = boxes as Float32Array;
  for (let i = 0; i < n; i++) {
    const w = b[4 * i + 2]!;
    const h = b[4 * i + 3]!;
    if (w < 0 || h < 0) {
      throw new InvalidArgumentError(
        name,
        `box ${i} has negative size (w=${w}, h=${h}) in ${format} layout`,
        'E_NEGATIVE_BOX_SIZE',
      );
    }
  }
  return n;
}

/**
 * Converts boxes between layouts, as `torchvision.ops.box_convert` does (float32 arithmetic;
 * conversions between xywh and cxcywh go through xyxy, as torchvision's do, so every output
 * value is bit-identical to torchvision's).
 *
 * @param boxes [N,4] in layout `from`
 * @param from layout of `boxes`: `'xyxy'` (corners), `'xywh'` (top-left corner, width,
 *   height) or `'cxcywh'` (centre, width, height)
 * @param to layout wanted
 * @returns a new [N,4] array in layout `to`, branded with it (a copy when `from === to`)
 * @throws InvalidArgumentError on an unknown layout, a length that is not a multiple of 4,
 *   NaN/±Infinity, or a negative width or height
 */
export function boxConvert<F extends BoxFormat, T extends BoxFormat>(
  boxes: Boxes<NoInfer<F>>,
  from: F,
  to: T,
): Boxes<T> {
  assertFormat('from', from);
  assertFormat('to', to);
  const n = assertBoxesIn('boxes', boxes, from);
  const out = new Float32Array(4 * n) as Boxes<T>;
  if ((from as BoxFormat) === to) {
    out.set(boxes);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const a = boxes[o]!;
    const b = boxes[o + 1]!;
    const c = boxes[o + 2]!;
    const d = boxes[o + 3]!;
    // Corners first, each rounded to float32 as torchvision's intermediate tensor is.
    let x1: number;
    let y1: number;
    let x2: number;
    let y2: number;
    if (from === 'xyxy') {
      x1 = a;
      y1 = b;
      x2 = c;
      y2 = d;
    } else if (from === 'xywh') {
      x1 = a;
      y1 = b;
      x2 = f32(a + c);
      y2 = f32(b + d);
    } else {
      x1 = f32(a - 0.5 * c);
      y1 = f32(b - 0.5 * d);
      x2 = f32(a + 0.5 * c);
      y2 = f32(b + 0.5 * d);
    }
    if (to === 'xyxy') {
      out[o] = x1;
      out[o + 1] = y1;
      out[o + 2] = x2;
      out[o + 3] = y2;
    } else if (to === 'xywh') {
      out[o] = x1;
      out[o + 1] = y1;
      out[o + 2] = x2 - x1;
      out[o + 3] = y2 - y1;
    } else {
      // (x1 + x2) / 2 in float32: halving is exact, so one rounding of the double sum suffices.
      out[o] = (x1 + x2) / 2;
      out[o + 1] = (y1 + y2) / 2;
      out[o + 2] = x2 - x1;
      out[o + 3] = y2 - y1;
    }
  }
  return out;
}

/**
 * Area of each box, `(x2 - x1) * (y2 - y1)` in float32 (`torchvision.ops.box_area`).
 *
 * @param boxes [N,4] xyxy
 * @returns [N] areas
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a negative width or height
 */
export function boxArea(boxes: Boxes): Float32Array {
  const n = assertBoxes('boxes', boxes);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    out[i] = f32(boxes[o + 2]! - boxes[o]!) * f32(boxes[o + 3]! - boxes[o + 1]!);
  }
  return out;
}

/**
 * Clamps x coordinates to [0, width] and y coordinates to [0, height]
 * (`torchvision.ops.clip_boxes_to_image`). Boxes with x2 < x1 (e.g. from an unconstrained
 * decoder) are accepted and clamped coordinate by coordinate, as torchvision does.
 *
 * @param boxes [N,4] xyxy
 * @param size image size in pixels
 * @param out optional [N,4] destination (may be `boxes` itself to clip in place); a new
 *   array when omitted
 * @returns the clipped [N,4] xyxy boxes (`out` when given)
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity, a negative or non-finite
 *   size, or an `out` of the wrong length
 */
export function clipBoxesToImage(boxes: Boxes, size: ImageSize, out?: Float32Array): Boxes {
  const n = assertBoxes('boxes', boxes, { allowNegativeSize: true });
  if (size === null || typeof size !== 'object') {
    throw new InvalidArgumentError('size', `expected { width, height }, got ${String(size)}`);
  }
  assertNumberInRange('size.width', size.width, 0, Number.MAX_VALUE);
  assertNumberInRange('size.height', size.height, 0, Number.MAX_VALUE);
  let dst: Float32Array;
  if (out === undefined) {
    dst = new Float32Array(4 * n);
  } else {
    assertFloatArray('out', out);
    if (out.length !== 4 * n) {
      throw new InvalidArgumentError('out', `expected length ${4 * n} (N×4), got ${out.length}`);
    }
    dst = out;
  }
  // torch clamps against the size converted to float32.
  const w = f32(size.width);
  const h = f32(size.height);
  for (let i = 0; i < 4 * n; i += 2) {
    const x = boxes[i]!;
    dst[i] = Math.min(Math.max(x, 0), w);
    const y = boxes[i + 1]!;
    dst[i + 1] = Math.min(Math.max(y, 0), h);
  }
  return dst;
}

/**
 * Indices of the boxes whose width and height are both ≥ `minSize`
 * (`torchvision.ops.remove_small_boxes`; the comparison is done in float32 as torchvision's
 * is). Boxes with a negative width or height are accepted and removed.
 *
 * @param boxes [N,4] xyxy
 * @param minSize minimum width and height in pixels, finite and ≥ 0
 * @returns kept indices [K], increasing
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a bad `minSize`
 */
export function removeSmallBoxes(boxes: Boxes, minSize: number): Int32Array {
  const n = assertBoxes('boxes', boxes, { allowNegativeSize: true });
  assertNumberInRange('minSize', minSize, 0, Number.MAX_VALUE);
  const min = f32(minSize);
  const keep = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    if (f32(boxes[o + 2]! - boxes[o]!) >= min && f32(boxes[o + 3]! - boxes[o + 1]!) >= min) {
      keep[k++] = i;
    }
  }
  return keep.slice(0, k);
}

/**
 * Tight boxes around binary masks (`torchvision.ops.masks_to_boxes`): for each mask, the
 * smallest and largest column and row index holding a non-zero value, as
 * `[xMin, yMin, xMax, yMax]`. Like torchvision the maxima are pixel indices (inclusive), so a
 * one-pixel mask at (x, y) gives `[x, y, x, y]`.
 *
 * An all-zero mask gives `[0, 0, 0, 0]` (torchvision raises an error instead; detectron2's
 * `BitMasks.get_bounding_boxes` also gives zeros). That box has zero area, so it has IoU 0
 * with every box and NMS never lets it suppress anything.
 *
 * @param masks [N,H,W] row-major; any non-zero byte counts as foreground
 * @returns [N,4] xyxy boxes
 * @throws ShapeMismatchError when `masks` is not a rank-3 view whose data length matches
 */
export function masksToBoxes(masks: TensorView<Uint8Array>): Boxes {
  if (masks === null || typeof masks !== 'object' || !(masks.data instanceof Uint8Array)) {
    throw new InvalidArgumentError('masks', 'expected a TensorView with Uint8Array data');
  }
  const [n, h, w] = assertTensor<NumericArray>('masks', masks, 3, '[N,H,W]') as [
    number,
    number,
    number,
  ];
  const data = masks.data;
  const out = new Float32Array(4 * n);
  const plane = h * w;
  for (let m = 0; m < n; m++) {
    const base = m * plane;
    let xMin = w;
    let xMax = -1;
    let yMin = -1;
    let yMax = -1;
    for (let y = 0; y < h; y++) {
      const row = base + y * w;
      // First and last non-zero column of this row.
      let first = -1;
      for (let x = 0; x < w; x++) {
        if (data[row + x] !== 0) {
          first = x;
          break;
        }
      }
      if (first < 0) continue;
      let last = first;
      for (let x = w - 1; x > first; x--) {
        if (data[row + x] !== 0) {
          last = x;
          break;
        }
      }
      if (yMin < 0) yMin = y;
      yMax = y;
      if (first < xMin) xMin = first;
      if (last > xMax) xMax = last;
    }
    if (yMin >= 0) {
      const o = 4 * m;
      out[o] = xMin;
      out[o + 1] = yMin;
      out[o + 2] = xMax;
      out[o + 3] = yMax;
    }
  }
  return out;
}
