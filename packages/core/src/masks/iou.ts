/**
 * IoU of RLE masks and of COCO xywh boxes with pycocotools' crowd semantics (maskApi.c `rleIou`
 * and `bbIou`), plus IoU of dense binary masks.
 */
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { assertRle, type Rle, rleEncode } from './rle.js';

function assertCrowd(iscrowd: ArrayLike<boolean | number> | undefined, g: number): void {
  if (iscrowd === undefined) return;
  if (iscrowd === null || typeof iscrowd !== 'object' || iscrowd.length !== g) {
    throw new ShapeMismatchError(
      'iscrowd',
      `[G=${g}] (one flag per ground truth)`,
      `[${iscrowd?.length}]`,
    );
  }
}

function assertXywh(name: string, boxes: ArrayLike<number>): number {
  if (boxes === null || typeof boxes !== 'object' || typeof boxes.length !== 'number') {
    throw new InvalidArgumentError(name, 'expected a flat array of N×4 numbers (x, y, w, h)');
  }
  if (boxes.length % 4 !== 0) {
    throw new ShapeMismatchError(
      name,
      '[N,4] xywh',
      `[${boxes.length}] (length not a multiple of 4)`,
    );
  }
  for (let i = 0; i < boxes.length; i++) {
    const v = boxes[i]!;
    if (typeof v !== 'number' || v - v !== 0) throw new NonFiniteValueError(name, i, v);
  }
  return boxes.length / 4;
}

/**
 * IoU of boxes with crowd semantics, exactly as pycocotools `mask.iou` on boxes (maskApi.c
 * `bbIou`): for a crowd ground truth the union is the detection's area alone.
 *
 * @param dt [D,4] detections, COCO xywh
 * @param gt [G,4] ground truths, COCO xywh
 * @param iscrowd [G] crowd flags (default: none are crowd)
 * @returns [D,G] row-major, `iou[d * G + g]`
 */
export function bboxIouCoco(
  dt: ArrayLike<number>,
  gt: ArrayLike<number>,
  iscrowd?: ArrayLike<boolean | number>,
): Float64Array {
  const nd = assertXywh('dt', dt);
  const ng = assertXywh('gt', gt);
  assertCrowd(iscrowd, ng);
  const out = new Float64Array(nd * ng);
  for (let g = 0; g < ng; g++) {
    const gx = gt[4 * g]!;
    const gy = gt[4 * g + 1]!;
    const gw = gt[4 * g + 2]!;
    const gh = gt[4 * g + 3]!;
    const ga = gw * gh;
    const gx2 = gw + gx;
    const gy2 = gh + gy;
    const crowd = iscrowd !== undefined && Boolean(iscrowd[g]);
    for (let d = 0; d < nd; d++) {
      const dx = dt[4 * d]!;
      const dy = dt[4 * d + 1]!;
      const dw = dt[4 * d + 2]!;
      const dh = dt[4 * d + 3]!;
      const w = Math.min(dw + dx, gx2) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gy2) - Math.max(dy, gy);
      if (h <= 0) continue;
      const i = w * h;
      const da = dw * dh;
      out[d * ng + g] = i / (crowd ? da : da + ga - i);
    }
  }
  return out;
}

/**
 * Per-call flat storage of the prepared RLEs (D detections then G ground truths): sizes,
 * areas, pycocotools' boxes and every foreground run as [start, end) column-major positions.
 */
interface Prepared {
  h: Float64Array;
  w: Float64Array;
  area: Float64Array;
  /** xywh per RLE, as maskApi.c rleToBbox */
  box: Float64Array;
  /** runs of RLE i are run pairs [runStart[i], runStart[i + 1]) in `runs` (pairs of numbers) */
  runStart: Int32Array;
  runs: Int32Array;
}

/**
 * Validates the RLEs and computes, in one pass over each one's counts, the sum (must be h·w),
 * the area, the foreground runs and pycocotools' bounding box (maskApi.c `rleToBbox` applied to
 * the same runs, including its uint32 wrap-around for masks with only zero-length runs).
 */
function prepare(all: readonly Rle[], nd: number): Prepared {
  const n = all.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = all[i]!;
    if (
      r === null ||
      typeof r !== 'object' ||
      !(r.counts instanceof Uint32Array) ||
      !Array.isArray(r.size)
    ) {
      assertRle(i < nd ? `dt[${i}]` : `gt[${i - nd}]`, r);
    }
    total += r.counts.length >> 1;
  }
  const P: Prepared = {
    h: new Float64Array(n),
    w: new Float64Array(n),
    area: new Float64Array(n),
    box: new Float64Array(4 * n),
    runStart: new Int32Array(n + 1),
    runs: new Int32Array(2 * total),
  };
  const runs = P.runs;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = all[i]!;
    const h = r.size[0];
    const w = r.size[1];
    const counts = r.counts;
    const m = counts.length;
    P.runStart[i] = k >> 1;
    let pos = 0;
    let area = 0;
    let xs = w;
    let ys = h;
    let xe = 0;
    let ye = 0;
    for (let j = 0; j < m; j++) {
      const c = counts[j]!;
      if ((j & 1) === 1 && c > 0) {
        const end = pos + c;
        runs[k++] = pos;
        runs[k++] = end;
        area += c;
        // rleToBbox: columns of the run's first and last pixels
        const x0 = Math.floor(pos / h);
        const x1 = Math.floor((end - 1) / h);
        if (x0 < xs) xs = x0;
        if (x1 > xe) xe = x1;
        if (x0 < x1) {
          ys = 0;
          ye = h - 1;
        } else {
          const y0 = pos - x0 * h;
          const y1 = end - 1 - x1 * h;
          if (y0 < ys) ys = y0;
          if (y1 > ye) ye = y1;
        }
      }
      pos += c;
    }
    if (pos !== h * w || !Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) {
      assertRle(i < nd ? `dt[${i}]` : `gt[${i - nd}]`, r); // throws the precise error
    }
    if (pos > 0x7fffffff) {
      // int32 run positions keep the hot loop in small integers
      throw new InvalidArgumentError(
        i < nd ? `dt[${i}]` : `gt[${i - nd}]`,
        `masks of more than 2^31-1 pixels are not supported by rleIou (got ${h}×${w})`,
      );
    }
    P.h[i] = h;
    P.w[i] = w;
    P.area[i] = area >>> 0;
    const b = 4 * i;
    if (m < 2) {
      P.box[b] = P.box[b + 1] = P.box[b + 2] = P.box[b + 3] = 0;
    } else {
      P.box[b] = xs;
      P.box[b + 1] = ys;
      P.box[b + 2] = (xe - xs + 1) >>> 0;
      P.box[b + 3] = (ye - ys + 1) >>> 0;
    }
  }
  P.runStart[n] = k >> 1;
  return P;
}

/**
 * Foreground pixels common to prepared RLEs `i` and `j` (same size), looking only at positions
 * [lo, hi): outside the overlap of their boxes' columns at least one of them is empty.
 */
function intersection(P: Prepared, i: number, j: number, lo: number, hi: number): number {
  const runs = P.runs;
  // first run of each that ends after lo (binary search)
  let a = P.runStart[i]!;
  const na = P.runStart[i + 1]!;
  for (let top = na; a < top; ) {
    const mid = (a + top) >> 1;
    if (runs[2 * mid + 1]! <= lo) a = mid + 1;
    else top = mid;
  }
  let b = P.runStart[j]!;
  const nb = P.runStart[j + 1]!;
  for (let top = nb; b < top; ) {
    const mid = (b + top) >> 1;
    if (runs[2 * mid + 1]! <= lo) b = mid + 1;
    else top = mid;
  }
  let inter = 0;
  while (a < na && b < nb) {
    const sa = runs[2 * a]!;
    const sb = runs[2 * b]!;
    if (sa >= hi || sb >= hi) break;
    const fa = runs[2 * a + 1]!;
    const fb = runs[2 * b + 1]!;
    const s = Math.max(sa, sb);
    if (fa <= fb) {
      if (fa > s) inter += fa - s;
      a++;
    } else {
      if (fb > s) inter += fb - s;
      b++;
    }
  }
  return inter;
}

/**
 * IoU of RLE masks with crowd semantics, identical to pycocotools `mask.iou(dt, gt, iscrowd)`
 * (maskApi.c `rleIou`): pairs whose bounding boxes do not overlap are 0 without looking at the
 * runs; for a crowd ground truth the IoU is `|dt ∩ gt| / |dt|`; a pair of masks of different
 * sizes whose boxes overlap gives −1, as in pycocotools. Works on the run lengths directly.
 *
 * @param dt D detections
 * @param gt G ground truths
 * @param iscrowd [G] crowd flags (default: none are crowd)
 * @returns [D,G] row-major, `iou[d * G + g]`
 */
export function rleIou(
  dt: readonly Rle[],
  gt: readonly Rle[],
  iscrowd?: ArrayLike<boolean | number>,
): Float64Array {
  if (!Array.isArray(dt)) throw new InvalidArgumentError('dt', 'expected an array of RLEs');
  if (!Array.isArray(gt)) throw new InvalidArgumentError('gt', 'expected an array of RLEs');
  const nd = dt.length;
  const ng = gt.length;
  assertCrowd(iscrowd, ng);
  const out = new Float64Array(nd * ng);
  if (nd === 0 || ng === 0) return out;
  const P = prepare(dt.concat(gt), nd);
  const box = P.box;
  for (let g = 0; g < ng; g++) {
    const gi = nd + g;
    const gx = box[4 * gi]!;
    const gy = box[4 * gi + 1]!;
    const gx2 = box[4 * gi + 2]! + gx;
    const gy2 = box[4 * gi + 3]! + gy;
    const gh = P.h[gi]!;
    const gw = P.w[gi]!;
    const gArea = P.area[gi]!;
    const crowd = iscrowd !== undefined && Boolean(iscrowd[g]);
    for (let d = 0; d < nd; d++) {
      const dx = box[4 * d]!;
      const dy = box[4 * d + 1]!;
      // The bbIou pre-check of maskApi.c: only pairs with overlapping boxes are looked at.
      const dx2 = box[4 * d + 2]! + dx;
      const bw = Math.min(dx2, gx2) - Math.max(dx, gx);
      if (bw <= 0) continue;
      const bh = Math.min(box[4 * d + 3]! + dy, gy2) - Math.max(dy, gy);
      if (bh <= 0) continue;
      if (P.h[d] !== gh || P.w[d] !== gw) {
        out[d * ng + g] = -1;
        continue;
      }
      // Column-major positions where both masks may be non-empty.
      const inter = intersection(P, d, gi, Math.max(dx, gx) * gh, Math.min(dx2, gx2) * gh);
      if (inter === 0) continue;
      const dArea = P.area[d]!;
      out[d * ng + g] = inter / (crowd ? dArea : dArea + gArea - inter);
    }
  }
  return out;
}

/**
 * IoU of dense binary masks, all pairs. An empty union gives 0 (as pycocotools).
 *
 * @param a [N,H,W] row-major Uint8Array, non-zero is foreground
 * @param b [M,H,W] row-major Uint8Array
 * @param height H
 * @param width W
 * @returns [N,M] row-major, `iou[i * M + j]`
 */
export function maskIou(a: Uint8Array, b: Uint8Array, height: number, width: number): Float64Array {
  if (!Number.isInteger(height) || height < 0 || !Number.isInteger(width) || width < 0) {
    throw new InvalidArgumentError(
      'height/width',
      `expected non-negative integers, got ${height}×${width}`,
    );
  }
  const hw = height * width;
  for (const [name, m] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(m instanceof Uint8Array))
      throw new InvalidArgumentError(name, 'expected a Uint8Array [N,H,W]');
    if (hw === 0 ? m.length !== 0 : m.length % hw !== 0) {
      throw new ShapeMismatchError(name, `[N,H=${height},W=${width}]`, `[${m.length}]`);
    }
  }
  const encode = (m: Uint8Array): Rle[] => {
    const n = hw === 0 ? 0 : m.length / hw;
    const out: Rle[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = rleEncode(m.subarray(i * hw, (i + 1) * hw), height, width);
    return out;
  };
  return rleIou(encode(a), encode(b));
}
