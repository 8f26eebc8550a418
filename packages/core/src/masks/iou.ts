/**
 * IoU of RLE masks and of COCO xywh boxes with pycocotools' crowd semantics (maskApi.c `rleIou`
 * and `bbIou`), plus IoU of dense binary masks.
 */
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { assertRle, bboxOfCounts, type Rle, rleEncode } from './rle.js';

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

/** Per-RLE data for IoU: bbox (xywh as pycocotools), area and cumulative run boundaries. */
interface Prepared {
  h: number;
  w: number;
  area: number;
  /** ends[j] = sum of counts[0..j]: fg run k spans [ends[2k], ends[2k+1]). */
  ends: Uint32Array | null;
}

function prepare(rles: readonly Rle[], name: string, boxes: Float64Array): Prepared[] {
  const out: Prepared[] = new Array(rles.length);
  for (let i = 0; i < rles.length; i++) {
    const r = rles[i]!;
    assertRle(`${name}[${i}]`, r);
    const [h, w] = r.size;
    bboxOfCounts(r.counts, h, w, boxes, 4 * i);
    let area = 0;
    const counts = r.counts;
    for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
    out[i] = { h, w, area: area >>> 0, ends: null };
  }
  return out;
}

function endsOf(p: Prepared, counts: Uint32Array): Uint32Array {
  if (p.ends === null) {
    const ends = new Uint32Array(counts.length);
    let s = 0;
    for (let j = 0; j < counts.length; j++) {
      s += counts[j]!;
      ends[j] = s;
    }
    p.ends = ends;
  }
  return p.ends;
}

/** Index of the first foreground run (by k, spanning ends[2k]..ends[2k+1]) that ends after pos. */
function firstRunEndingAfter(ends: Uint32Array, pos: number): number {
  let lo = 0;
  let hi = ends.length >> 1; // number of fg runs
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[2 * mid + 1]! <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Foreground pixels common to two RLEs of the same size, counted over the column range
 * [x0, x1] only (outside it at least one mask is empty, by its bounding box).
 */
function intersection(ea: Uint32Array, eb: Uint32Array, lo: number, hi: number): number {
  const na = ea.length >> 1;
  const nb = eb.length >> 1;
  let a = firstRunEndingAfter(ea, lo);
  let b = firstRunEndingAfter(eb, lo);
  let inter = 0;
  while (a < na && b < nb) {
    const sa = ea[2 * a]!;
    const sb = eb[2 * b]!;
    if (sa >= hi || sb >= hi) break;
    const fa = ea[2 * a + 1]!;
    const fb = eb[2 * b + 1]!;
    const s = Math.max(sa, sb);
    if (fa < fb) {
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
  const db = new Float64Array(4 * nd);
  const gb = new Float64Array(4 * ng);
  const pd = prepare(dt, 'dt', db);
  const pg = prepare(gt, 'gt', gb);
  const out = new Float64Array(nd * ng);
  for (let g = 0; g < ng; g++) {
    const G = pg[g]!;
    const gx = gb[4 * g]!;
    const gy = gb[4 * g + 1]!;
    const gx2 = gb[4 * g + 2]! + gx;
    const gy2 = gb[4 * g + 3]! + gy;
    const crowd = iscrowd !== undefined && Boolean(iscrowd[g]);
    for (let d = 0; d < nd; d++) {
      const dx = db[4 * d]!;
      const dy = db[4 * d + 1]!;
      // The bbIou pre-check of maskApi.c: only pairs with overlapping boxes are looked at.
      const bw = Math.min(db[4 * d + 2]! + dx, gx2) - Math.max(dx, gx);
      if (bw <= 0) continue;
      const bh = Math.min(db[4 * d + 3]! + dy, gy2) - Math.max(dy, gy);
      if (bh <= 0) continue;
      const D = pd[d]!;
      if (D.h !== G.h || D.w !== G.w) {
        out[d * ng + g] = -1;
        continue;
      }
      // Positions (column-major) where both masks may be non-empty.
      const lo = Math.max(dx, gx) * G.h;
      const hi = Math.min(db[4 * d + 2]! + dx, gx2) * G.h;
      const inter = intersection(endsOf(D, dt[d]!.counts), endsOf(G, gt[g]!.counts), lo, hi);
      if (inter === 0) continue;
      const union = crowd ? D.area : D.area + G.area - inter;
      out[d * ng + g] = inter / union;
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
