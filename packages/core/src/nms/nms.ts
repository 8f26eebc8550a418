/**
 * Hard NMS: `nms` (torchvision.ops.nms) and class-aware `batchedNms`
 * (torchvision.ops.batched_nms), returning the same indices in the same order as
 * torchvision 0.14 on the CPU.
 */
import type { Boxes } from '../types.js';
import {
  assertClassIds,
  assertIouThreshold,
  assertScores,
  checkBoxes,
  readCount,
  readOptions,
} from './checks.js';
import { classAwareKeep } from './class-aware.js';
import { greedyNms, NmsWorkspace } from './kernel.js';
import { descendingKey, sortByScoreDescending, torchUnstableSortDescending } from './sort.js';

/** Options of {@link nms} and {@link batchedNms}. */
export interface NmsOptions {
  /**
   * Stop once this many boxes are kept (the result is then the first `maxOutput` of the
   * uncapped result). An integer ≥ 0, or Infinity (the default).
   */
  readonly maxOutput?: number;
}

/**
 * Non-maximum suppression, identical to `torchvision.ops.nms` (0.14, CPU): visits boxes by
 * decreasing score and drops every box whose IoU with an already kept box is strictly greater
 * than `iouThreshold`. IoU is computed in float32 exactly as torchvision's kernel does, so the
 * kept indices are the same even for IoUs at the threshold.
 *
 * Equal scores are visited in increasing index order (torchvision sorts with a stable sort).
 * A zero-area box is never suppressed and never suppresses (its IoU is 0, or 0/0 = NaN in
 * torchvision, never above the threshold).
 *
 * Runs in O(N) (radix sort) for the score order plus, per box visited, a test against the
 * kept boxes that can overlap it: linearly, oldest first, while boxes meet their suppressor
 * early (clustered boxes), else through a multi-level grid of kept boxes, so 100k sparse
 * boxes with most of them kept are fast as well. With a `maxOutput` below N/4 the scores
 * are not all sorted: ranges of the best scores are collected and sorted batch by batch,
 * only as far as the greedy loop gets before it has kept `maxOutput` boxes.
 *
 * @param boxes [N,4] xyxy
 * @param scores [N]
 * @param iouThreshold in [0, 1]; boxes overlapping a kept box by more than this are dropped
 * @param options `maxOutput`
 * @returns kept indices [K] into `boxes`, by decreasing score
 * @throws InvalidArgumentError on mismatched lengths, NaN/±Infinity, negative box sizes, a
 *   threshold outside [0, 1] or a bad `maxOutput`
 */
export function nms(
  boxes: Boxes,
  scores: Float32Array,
  iouThreshold: number,
  options?: NmsOptions,
): Int32Array {
  const n = checkBoxes('boxes', boxes);
  assertScores('scores', scores, n);
  assertIouThreshold('iouThreshold', iouThreshold);
  const maxOutput = readCount('options.maxOutput', readOptions('options', options).maxOutput);
  if (n === 0 || maxOutput === 0) return new Int32Array(0);
  const keep = new Int32Array(Math.min(n, maxOutput));
  const kept =
    maxOutput < n / 4
      ? cappedNms(boxes, scores, n, iouThreshold, keep)
      : greedyNms(
          boxes,
          sortedOrder(scores, n),
          0,
          n,
          iouThreshold,
          maxOutput,
          keep,
          0,
          sharedWorkspace,
        );
  return kept === keep.length ? keep : keep.slice(0, kept);
}

/** `nms` runs to completion without calling user code, so one workspace serves every call. */
const sharedWorkspace = new NmsWorkspace();

/** All indices by decreasing score, ties by increasing index. */
function sortedOrder(scores: Float32Array, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  sortByScoreDescending(scores, order, n);
  return order;
}

/**
 * Capped `nms` without sorting every score: the greedy loop only ever looks at a prefix of
 * the score order. Each round collects the boxes whose order key (see `descendingKey`) lies
 * in [lo, hi), sorts them stably and runs the kernel on them; if fewer than `keep.length`
 * boxes survive, the next round takes [hi, hi') with 4× more boxes and the kernel resumes.
 * Every key of a later range is larger (a lower score) than every key of an earlier one and
 * equal scores share a key, so the visiting order is exactly the full stable sort's. The
 * bounds come from the quantiles of a strided sample of keys: a poor estimate only changes
 * how many boxes a round takes, never which order they are visited in.
 */
function cappedNms(
  boxes: Float32Array,
  scores: Float32Array,
  n: number,
  iouThreshold: number,
  keep: Int32Array,
): number {
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, n);
  const m = Math.min(n, 2048, Math.max(256, n >> 6));
  const sample = new Uint32Array(m);
  for (let t = 0; t < m; t++) sample[t] = descendingKey(bits[Math.floor((t * n) / m)]!);
  sample.sort();
  const order = new Int32Array(n);
  const ws = sharedWorkspace;
  let want = Math.max(2 * keep.length, 64);
  let taken = 0; // order[0..taken) collected and sorted
  let lo = 0; // keys below lo are collected
  let kept = 0;
  while (kept < keep.length && taken < n) {
    // The sample's estimate of the key below which taken + want boxes lie, with a margin.
    const at = Math.ceil((((taken + want) * m) / n) * 1.25);
    let hi = at < m ? sample[at]! : KEY_END;
    if (hi <= lo) {
      // The estimate lies in ranges already taken: move to the next sampled key.
      let t = at;
      while (t < m && sample[t]! <= lo) t++;
      hi = t < m ? sample[t]! : KEY_END;
    }
    let end = taken;
    for (let i = 0; i < n; i++) {
      const k = descendingKey(bits[i]!);
      if (k >= lo && k < hi) order[end++] = i;
    }
    sortByScoreDescending(scores, order.subarray(taken, end), end - taken);
    kept = greedyNms(boxes, order, taken, end, iouThreshold, keep.length, keep, 0, ws, kept);
    taken = end;
    lo = hi;
    want *= 4;
  }
  return kept;
}

/** Above every order key. */
const KEY_END = 2 ** 32;

/** Above this many boxes torchvision 0.14's CPU batched_nms loops over classes. */
const TORCHVISION_PER_CLASS_ABOVE = 1000;

/**
 * Class-aware NMS (`torchvision.ops.batched_nms`): boxes suppress only boxes with the same
 * class id. Each class is suppressed separately with {@link nms}'s kernel on the original
 * coordinates, and the kept boxes are merged by decreasing score.
 *
 * Same indices as torchvision 0.14 on the CPU. Order of equal scores: like torchvision,
 * increasing index for N ≤ 1000 (torchvision's coordinate-offset path runs one stable `nms`)
 * and, for N > 1000, the order of torch 1.13's unstable CPU `sort` (torchvision's per-class
 * path ends with `scores[keep].sort(descending=True)`), which is reproduced exactly.
 *
 * Where torchvision's offset trick (N ≤ 1000) itself departs from per-class NMS this
 * function stays per-class: with negative coordinates its offsets (max coordinate + 1 per
 * class) let classes overlap and suppress each other, and shifting by large offsets rounds
 * float32 coordinates, which can flip an IoU lying within ~1e-6 of the threshold.
 *
 * @param boxes [N,4] xyxy
 * @param scores [N]
 * @param idxs [N] class id of each box (any int32 values)
 * @param iouThreshold in [0, 1]
 * @param options `maxOutput`: cap on the merged result
 * @returns kept indices [K] into `boxes`, by decreasing score
 * @throws InvalidArgumentError on mismatched lengths, NaN/±Infinity, negative box sizes, a
 *   threshold outside [0, 1] or a bad `maxOutput`
 */
export function batchedNms(
  boxes: Boxes,
  scores: Float32Array,
  idxs: Int32Array,
  iouThreshold: number,
  options?: NmsOptions,
): Int32Array {
  const n = checkBoxes('boxes', boxes);
  assertScores('scores', scores, n);
  assertClassIds('idxs', idxs, n);
  assertIouThreshold('iouThreshold', iouThreshold);
  const maxOutput = readCount('options.maxOutput', readOptions('options', options).maxOutput);
  if (n === 0 || maxOutput === 0) return new Int32Array(0);

  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  sortByScoreDescending(scores, order, n);
  // One more than the cap per class: enough to see a tie at the cut (see below).
  const perClass = maxOutput === Number.POSITIVE_INFINITY ? maxOutput : maxOutput + 1;
  const { mask, truncated } = classAwareKeep(boxes, order, idxs, iouThreshold, perClass);

  // Merge by decreasing score; ties by index (the stable order torchvision has for N <= 1000).
  let count = 0;
  const merged = new Int32Array(n);
  for (let p = 0; p < n; p++) if (mask[order[p]!]) merged[count++] = order[p]!;
  const stable = merged.subarray(0, count);
  if (n <= TORCHVISION_PER_CLASS_ABOVE || !hasTies(scores, stable, Math.min(count, perClass))) {
    return stable.slice(0, Math.min(count, maxOutput));
  }
  // torchvision's per-class path lists the kept boxes by increasing index and sorts them with
  // torch's unstable sort. Ties among the first maxOutput + 1 make that order matter; it
  // depends on the whole kept set, so get it uncapped if a class was cut short.
  let kept = stable;
  if (truncated) {
    const full = classAwareKeep(boxes, order, idxs, iouThreshold, n).mask;
    count = 0;
    for (let p = 0; p < n; p++) if (full[order[p]!]) merged[count++] = order[p]!;
    kept = merged.subarray(0, count);
  }
  const byIndex = Int32Array.from(kept).sort();
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = scores[byIndex[i]!]!;
  torchUnstableSortDescending(values, byIndex);
  return byIndex.slice(0, Math.min(count, maxOutput));
}

/** True when two of the first `count` kept boxes (listed by decreasing score) share a score. */
function hasTies(scores: Float32Array, keep: Int32Array, count: number): boolean {
  for (let i = 1; i < count; i++) if (scores[keep[i]!] === scores[keep[i - 1]!]) return true;
  return false;
}
