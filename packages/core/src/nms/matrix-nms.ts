/**
 * Matrix NMS (Wang et al., "SOLOv2: Dynamic and Fast Instance Segmentation", NeurIPS 2020),
 * applied to boxes as PaddleDetection's `matrix_nms` does.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Boxes } from '../types.js';
import { assertBoxes, assertNumberInRange } from '../validate.js';
import { groupByClass } from './class-aware.js';
import { areasOf, assertClassIds, assertScores, readCount, readOptions } from './checks.js';
import { sortByScoreDescending } from './sort.js';

const f32 = Math.fround;

/** Options of {@link matrixNms}. */
export interface MatrixNmsOptions {
  /** [N] class ids: boxes only decay boxes of their own class. Omitted: one class. */
  readonly labels?: Int32Array;
  /** Decay kernel: `'gaussian'` (default) or `'linear'`. */
  readonly kernel?: 'gaussian' | 'linear';
  /** Gaussian kernel width (the paper's σ, multiplying IoU²), > 0. Default 2. */
  readonly sigma?: number;
  /** Only boxes with score strictly above this are candidates. Default: all boxes. */
  readonly scoreThreshold?: number;
  /** Keep at most this many candidates (the highest-scored) before decaying. Default: all. */
  readonly preNmsTopK?: number;
  /** Keep boxes whose decayed score is strictly above this. Default: all candidates. */
  readonly postThreshold?: number;
  /** Return at most this many boxes (highest decayed scores). Default: all. */
  readonly maxDetections?: number;
}

/** Result of {@link matrixNms}. */
export interface MatrixNmsResult {
  /** [K] indices into the input boxes, by decreasing decayed score. */
  readonly indices: Int32Array;
  /** [K] decayed scores. */
  readonly scores: Float32Array;
}

/**
 * Matrix NMS: every candidate's score is decayed in parallel by its overlap with
 * higher-scored candidates of the same class, instead of being suppressed one by one:
 *
 *   decay_j = min(1, min over same-class i ranked above j of f(IoU_ij) / f(c_i)),
 *   c_i = max IoU of i with a same-class candidate ranked above i,
 *
 * with f(x) = exp(−σx²) (gaussian) or f(x) = 1 − x (linear); the decayed score is
 * score_j · decay_j. Candidates are ranked by score, ties by index. This is SOLOv2's
 * `matrix_nms` (with box IoU in place of mask IoU) and Paddle's `matrix_nms` per class.
 * In the linear kernel a term with c_i = 1 (box i duplicates a higher one, so it is decayed
 * to 0 itself) is skipped, where SOLOv2's code divides by zero.
 *
 * IoU is computed as {@link boxIou} does (float32, 0 for an empty union); the decay in double
 * precision, rounded to float32 once when multiplied into the score. O(K²) in the number of
 * candidates per class.
 *
 * @param boxes [N,4] xyxy
 * @param scores [N]
 * @param options labels, kernel, sigma, scoreThreshold, preNmsTopK, postThreshold, maxDetections
 * @returns kept indices and decayed scores, by decreasing decayed score (ties by rank)
 * @throws InvalidArgumentError on mismatched lengths, NaN/±Infinity, negative box sizes or
 *   bad options
 */
export function matrixNms(
  boxes: Boxes,
  scores: Float32Array,
  options?: MatrixNmsOptions,
): MatrixNmsResult {
  const n = assertBoxes('boxes', boxes);
  assertScores('scores', scores, n);
  const o = readOptions('options', options);
  const labels = o.labels === undefined ? undefined : assertClassIds('options.labels', o.labels, n);
  const kernel = o.kernel ?? 'gaussian';
  if (kernel !== 'gaussian' && kernel !== 'linear') {
    throw new InvalidArgumentError(
      'options.kernel',
      `expected 'gaussian' or 'linear', got ${String(kernel)}`,
    );
  }
  const sigma = o.sigma ?? 2;
  assertNumberInRange('options.sigma', sigma, Number.MIN_VALUE, Number.MAX_VALUE);
  const scoreThreshold = o.scoreThreshold ?? Number.NEGATIVE_INFINITY;
  if (o.scoreThreshold !== undefined) {
    assertNumberInRange(
      'options.scoreThreshold',
      scoreThreshold,
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
    );
  }
  const postThreshold = o.postThreshold ?? Number.NEGATIVE_INFINITY;
  if (o.postThreshold !== undefined) {
    assertNumberInRange(
      'options.postThreshold',
      postThreshold,
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
    );
  }
  const topK = readCount('options.preNmsTopK', o.preNmsTopK);
  const maxDetections = readCount('options.maxDetections', o.maxDetections);

  // 1. Candidates above the score threshold, by decreasing score, the first topK.
  const order = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (scores[i]! > scoreThreshold) order[count++] = i;
  sortByScoreDescending(scores, order, count);
  count = Math.min(count, topK);
  const empty = { indices: new Int32Array(0), scores: new Float32Array(0) };
  if (count === 0 || maxDetections === 0) return empty;

  // 2. Decay factors per class, over candidates in rank order.
  const rankOf = new Int32Array(n);
  for (let r = 0; r < count; r++) rankOf[order[r]!] = r;
  const areas = areasOf(boxes, n);
  const decay = new Float64Array(count).fill(1);
  const compensate = new Float64Array(count);
  const groups = groupByClass(order, count, labels ?? new Int32Array(n));
  const gaussian = kernel === 'gaussian';
  for (let g = 0; g < groups.groups; g++) {
    const a = groups.start[g]!;
    const b = groups.start[g + 1]!;
    // Pass 1: c_i = max IoU with a higher-ranked box of the class.
    for (let p = a + 1; p < b; p++) {
      const j = groups.grouped[p]!;
      let c = 0;
      for (let q = a; q < p; q++) c = Math.max(c, iou(boxes, areas, groups.grouped[q]!, j));
      compensate[rankOf[j]!] = c;
    }
    // Pass 2: decay_j = min over higher-ranked i of f(IoU_ij) / f(c_i).
    for (let p = a + 1; p < b; p++) {
      const j = groups.grouped[p]!;
      let d = 1;
      for (let q = a; q < p; q++) {
        const i = groups.grouped[q]!;
        const x = iou(boxes, areas, i, j);
        const c = compensate[rankOf[i]!]!;
        let r: number;
        if (gaussian) r = Math.exp(-sigma * (x * x - c * c));
        else if (c < 1) r = (1 - x) / (1 - c);
        else continue;
        if (r < d) d = r;
      }
      decay[rankOf[j]!] = d;
    }
  }

  // 3. Decayed scores above the post threshold, by decreasing decayed score.
  const decayed = new Float32Array(count);
  const kept = new Int32Array(count);
  let k = 0;
  for (let r = 0; r < count; r++) {
    decayed[r] = scores[order[r]!]! * decay[r]!;
    if (decayed[r]! > postThreshold) kept[k++] = r;
  }
  sortByScoreDescending(decayed, kept, k);
  k = Math.min(k, maxDetections);
  const indices = new Int32Array(k);
  const out = new Float32Array(k);
  for (let t = 0; t < k; t++) {
    indices[t] = order[kept[t]!]!;
    out[t] = decayed[kept[t]!]!;
  }
  return { indices, scores: out };
}

/** boxIou's float32 IoU of boxes i and j, 0 for an empty union. */
function iou(boxes: Float32Array, areas: Float32Array, i: number, j: number): number {
  const a = 4 * i;
  const b = 4 * j;
  const w = f32(Math.min(boxes[a + 2]!, boxes[b + 2]!) - Math.max(boxes[a]!, boxes[b]!));
  if (!(w > 0)) return 0;
  const h = f32(Math.min(boxes[a + 3]!, boxes[b + 3]!) - Math.max(boxes[a + 1]!, boxes[b + 1]!));
  if (!(h > 0)) return 0;
  const inter = f32(w * h);
  const union = f32(f32(areas[i]! + areas[j]!) - inter);
  return union > 0 ? f32(inter / union) : 0;
}
