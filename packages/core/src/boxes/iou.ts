/**
 * Pairwise IoU family (`torchvision.ops.box_iou`, `generalized_box_iou`, `distance_box_iou`,
 * `complete_box_iou`), computed with torchvision's float32 operation order so that results
 * agree with torchvision 0.14 to the last bit for IoU and GIoU and to ~1e-7 for DIoU / CIoU
 * (whose `atan` differs by an ulp between libm and torch's vectorised kernel).
 *
 * Degenerate boxes: where torchvision divides 0 by 0 and returns NaN, these functions return
 * the value the formula takes with that term set to 0, so no NaN ever leaves them:
 * - IoU of two zero-area boxes (union 0) is 0 (torchvision: NaN). Pycocotools' box IoU is
 *   also 0 whenever the intersection is empty.
 * - GIoU's enclosing-box term is 0 when the enclosing box has zero area, so two coincident or
 *   collinear zero-area boxes have GIoU 0 (torchvision: NaN).
 * - CIoU's aspect-ratio term is 0 for a pair in which either box is a single point
 *   (w = h = 0, so atan(w/h) is atan(0/0)); torchvision gives NaN. A zero height with a
 *   positive width is not special: atan(w/0) = π/2 as in torchvision.
 */
import type { Boxes } from '../types.js';
import { assertBoxes } from '../validate.js';

const f32 = Math.fround;
/** torchvision's default `eps` for DIoU / CIoU, as the float32 torch adds. */
const EPS = f32(1e-7);
/** 4 / π² as the float32 scalar torch multiplies by. */
const FOUR_OVER_PI_SQ = f32(4 / (Math.PI * Math.PI));

/** Column-wise copies of an N×4 array plus areas: the inner loops read them contiguously. */
interface Columns {
  x1: Float32Array;
  y1: Float32Array;
  x2: Float32Array;
  y2: Float32Array;
  area: Float32Array;
}

function columns(boxes: Float32Array, n: number): Columns {
  const x1 = new Float32Array(n);
  const y1 = new Float32Array(n);
  const x2 = new Float32Array(n);
  const y2 = new Float32Array(n);
  const area = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const a = boxes[o]!;
    const b = boxes[o + 1]!;
    const c = boxes[o + 2]!;
    const d = boxes[o + 3]!;
    x1[i] = a;
    y1[i] = b;
    x2[i] = c;
    y2[i] = d;
    area[i] = f32(c - a) * f32(d - b);
  }
  return { x1, y1, x2, y2, area };
}

/**
 * Pairwise intersection over union (`torchvision.ops.box_iou`).
 *
 * @param boxes1 [N,4] xyxy
 * @param boxes2 [M,4] xyxy
 * @returns [N,M] row-major IoU in [0, 1]; 0 for a pair whose union is empty (see module notes)
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a negative width or height
 */
export function boxIou(boxes1: Boxes, boxes2: Boxes): Float32Array {
  const n = assertBoxes('boxes1', boxes1);
  const m = assertBoxes('boxes2', boxes2);
  const out = new Float32Array(n * m);
  if (n === 0 || m === 0) return out;
  const { x1, y1, x2, y2, area } = columns(boxes2, m);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const ax1 = boxes1[o]!;
    const ay1 = boxes1[o + 1]!;
    const ax2 = boxes1[o + 2]!;
    const ay2 = boxes1[o + 3]!;
    const aArea = f32(f32(ax2 - ax1) * f32(ay2 - ay1));
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const bx1 = x1[j]!;
      const bx2 = x2[j]!;
      const ix1 = Math.max(ax1, bx1);
      const ix2 = Math.min(ax2, bx2);
      if (!(ix2 > ix1)) continue; // out is zero-filled: no overlap, IoU 0
      const by1 = y1[j]!;
      const by2 = y2[j]!;
      const iy1 = Math.max(ay1, by1);
      const iy2 = Math.min(ay2, by2);
      if (!(iy2 > iy1)) continue;
      const inter = f32(f32(ix2 - ix1) * f32(iy2 - iy1));
      const union = f32(f32(aArea + area[j]!) - inter);
      // union > 0 whenever inter > 0 unless both areas underflow; keep the 0/0 → 0 rule.
      if (union > 0) out[row + j] = inter / union;
    }
  }
  return out;
}

/**
 * Pairwise generalized IoU (`torchvision.ops.generalized_box_iou`):
 * IoU − (enclosing area − union) / enclosing area.
 *
 * @param boxes1 [N,4] xyxy
 * @param boxes2 [M,4] xyxy
 * @returns [N,M] row-major GIoU in [−1, 1] up to float32 rounding (torchvision's float32 union
 *   can round an ulp above the enclosing area); see module notes for zero-area boxes
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a negative width or height
 */
export function generalizedBoxIou(boxes1: Boxes, boxes2: Boxes): Float32Array {
  const n = assertBoxes('boxes1', boxes1);
  const m = assertBoxes('boxes2', boxes2);
  const out = new Float32Array(n * m);
  if (n === 0 || m === 0) return out;
  const { x1, y1, x2, y2, area } = columns(boxes2, m);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const ax1 = boxes1[o]!;
    const ay1 = boxes1[o + 1]!;
    const ax2 = boxes1[o + 2]!;
    const ay2 = boxes1[o + 3]!;
    const aArea = f32(f32(ax2 - ax1) * f32(ay2 - ay1));
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const bx1 = x1[j]!;
      const by1 = y1[j]!;
      const bx2 = x2[j]!;
      const by2 = y2[j]!;
      const iw = f32(Math.min(ax2, bx2) - Math.max(ax1, bx1));
      const ih = f32(Math.min(ay2, by2) - Math.max(ay1, by1));
      const inter = iw > 0 && ih > 0 ? f32(iw * ih) : 0;
      const union = f32(f32(aArea + area[j]!) - inter);
      const iou = union > 0 ? f32(inter / union) : 0;
      const ew = f32(Math.max(ax2, bx2) - Math.min(ax1, bx1));
      const eh = f32(Math.max(ay2, by2) - Math.min(ay1, by1));
      const enclosing = f32(ew * eh);
      out[row + j] = enclosing > 0 ? iou - f32(f32(enclosing - union) / enclosing) : iou;
    }
  }
  return out;
}

/** Shared DIoU / CIoU kernel; `complete` adds CIoU's aspect-ratio term. */
function diouKernel(boxes1: Float32Array, boxes2: Float32Array, complete: boolean): Float32Array {
  const n = assertBoxes('boxes1', boxes1);
  const m = assertBoxes('boxes2', boxes2);
  const out = new Float32Array(n * m);
  if (n === 0 || m === 0) return out;
  const { x1, y1, x2, y2, area } = columns(boxes2, m);
  // Per-box centres and aspect angles of boxes2, in torchvision's float32 steps.
  const cx = new Float32Array(m);
  const cy = new Float32Array(m);
  const angle = new Float32Array(m);
  const point = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    cx[j] = f32(x1[j]! + x2[j]!) / 2;
    cy[j] = f32(y1[j]! + y2[j]!) / 2;
    const w = f32(x2[j]! - x1[j]!);
    const h = f32(y2[j]! - y1[j]!);
    point[j] = w === 0 && h === 0 ? 1 : 0;
    angle[j] = point[j] ? 0 : Math.atan(f32(w / h));
  }
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const ax1 = boxes1[o]!;
    const ay1 = boxes1[o + 1]!;
    const ax2 = boxes1[o + 2]!;
    const ay2 = boxes1[o + 3]!;
    const aw = f32(ax2 - ax1);
    const ah = f32(ay2 - ay1);
    const aArea = f32(aw * ah);
    const acx = f32(ax1 + ax2) / 2;
    const acy = f32(ay1 + ay2) / 2;
    const aPoint = aw === 0 && ah === 0;
    const aAngle = aPoint ? 0 : f32(Math.atan(f32(aw / ah)));
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const bx1 = x1[j]!;
      const by1 = y1[j]!;
      const bx2 = x2[j]!;
      const by2 = y2[j]!;
      const iw = f32(Math.min(ax2, bx2) - Math.max(ax1, bx1));
      const ih = f32(Math.min(ay2, by2) - Math.max(ay1, by1));
      const inter = iw > 0 && ih > 0 ? f32(iw * ih) : 0;
      const union = f32(f32(aArea + area[j]!) - inter);
      const iou = union > 0 ? f32(inter / union) : 0;
      const ew = f32(Math.max(ax2, bx2) - Math.min(ax1, bx1));
      const eh = f32(Math.max(ay2, by2) - Math.min(ay1, by1));
      const diagonal = f32(f32(f32(ew * ew) + f32(eh * eh)) + EPS);
      const dx = f32(acx - cx[j]!);
      const dy = f32(acy - cy[j]!);
      const centres = f32(f32(dx * dx) + f32(dy * dy));
      const diou = f32(iou - f32(centres / diagonal));
      if (!complete) {
        out[row + j] = diou;
        continue;
      }
      let v = 0;
      if (!aPoint && point[j] === 0) {
        const d = f32(aAngle - angle[j]!);
        v = f32(FOUR_OVER_PI_SQ * f32(d * d));
      }
      const alpha = f32(v / f32(f32(f32(1 - iou) + v) + EPS));
      out[row + j] = diou - f32(alpha * v);
    }
  }
  return out;
}

/**
 * Pairwise distance IoU (`torchvision.ops.distance_box_iou`, eps = 1e-7):
 * IoU − (squared centre distance) / (squared enclosing diagonal + eps).
 *
 * @param boxes1 [N,4] xyxy
 * @param boxes2 [M,4] xyxy
 * @returns [N,M] row-major DIoU in [−1, 1] (see module notes for zero-area boxes)
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a negative width or height
 */
export function distanceBoxIou(boxes1: Boxes, boxes2: Boxes): Float32Array {
  return diouKernel(boxes1, boxes2, false);
}

/**
 * Pairwise complete IoU (`torchvision.ops.complete_box_iou`, eps = 1e-7): DIoU − α·v with
 * v = 4/π² (atan(w₁/h₁) − atan(w₂/h₂))² and α = v / (1 − IoU + v + eps).
 *
 * @param boxes1 [N,4] xyxy
 * @param boxes2 [M,4] xyxy
 * @returns [N,M] row-major CIoU in (−2, 1] (DIoU > −1 and α·v ≤ v ≤ 1)
 * @throws InvalidArgumentError on a bad length, NaN/±Infinity or a negative width or height
 */
export function completeBoxIou(boxes1: Boxes, boxes2: Boxes): Float32Array {
  return diouKernel(boxes1, boxes2, true);
}
