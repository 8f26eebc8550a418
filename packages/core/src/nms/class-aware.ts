/** Per-class grouping and class-aware greedy NMS (internal). */
import { greedyNms, NmsWorkspace } from './kernel.js';

/** Runs of `order[0..count)` grouped by class, each run keeping its order. */
export interface ClassGroups {
  /** Entries of `order`, grouped by class. */
  readonly grouped: Int32Array;
  /** Group g is `grouped[start[g]..start[g + 1])`. */
  readonly start: Int32Array;
  readonly groups: number;
}

/**
 * Stable counting sort of `order[0..count)` by `classOf[order[p]]`. Class ids may be any
 * int32: a small id range is used directly, a wide one is ranked first.
 */
export function groupByClass(order: Int32Array, count: number, classOf: Int32Array): ClassGroups {
  let lo = 2147483647;
  let hi = -2147483648;
  for (let p = 0; p < count; p++) {
    const c = classOf[order[p]!]!;
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  const slotOf = new Int32Array(count);
  let groups = 0;
  if (count > 0 && hi - lo < Math.max(4 * count, 1024)) {
    for (let p = 0; p < count; p++) slotOf[p] = classOf[order[p]!]! - lo;
    groups = hi - lo + 1;
  } else if (count > 0) {
    const ids = new Int32Array(count);
    for (let p = 0; p < count; p++) ids[p] = classOf[order[p]!]!;
    const distinct = Int32Array.from(new Set(ids)).sort();
    for (let p = 0; p < count; p++) slotOf[p] = lowerBound(distinct, ids[p]!);
    groups = distinct.length;
  }
  const start = new Int32Array(groups + 1);
  for (let p = 0; p < count; p++) start[slotOf[p]! + 1]!++;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, groups);
  const grouped = new Int32Array(count);
  for (let p = 0; p < count; p++) grouped[fill[slotOf[p]!]!++] = order[p]!;
  return { grouped, start, groups };
}

function lowerBound(sorted: Int32Array, value: number): number {
  let a = 0;
  let b = sorted.length - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! < value) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Runs the greedy kernel once per class over the class's boxes in `order` (decreasing
 * score) and returns a mask of kept boxes (indexed like `boxes`). Each class keeps at most
 * `maxPerClass`, which is enough for the first `maxPerClass` of the merged result;
 * `truncated` says whether some class reached that cap with boxes left over.
 */
export function classAwareKeep(
  boxes: Float32Array,
  order: Int32Array,
  classOf: Int32Array,
  iouThreshold: number,
  maxPerClass: number,
): { mask: Uint8Array; truncated: boolean } {
  const mask = new Uint8Array(boxes.length / 4);
  const { grouped, start, groups } = groupByClass(order, order.length, classOf);
  const ws = new NmsWorkspace();
  const keep = new Int32Array(Math.min(order.length, maxPerClass));
  let truncated = false;
  for (let g = 0; g < groups; g++) {
    const a = start[g]!;
    const b = start[g + 1]!;
    if (a === b) continue;
    const kept = greedyNms(boxes, grouped, a, b, iouThreshold, maxPerClass, keep, 0, ws);
    if (kept === maxPerClass && b - a > kept) truncated = true;
    for (let k = 0; k < kept; k++) mask[keep[k]!] = 1;
  }
  return { mask, truncated };
}
