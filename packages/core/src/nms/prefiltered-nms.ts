/**
 * NMS for dense detection heads: score threshold and top-k before suppression, a cap after —
 * the post-processing of torchvision's RetinaNet / FCOS heads (per image) and of
 * Ultralytics-style exports, in one pass over typed arrays.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Boxes } from '../types.js';
import { assertBoxes, assertInteger, assertNumberInRange } from '../validate.js';
import { classAwareKeep } from './class-aware.js';
import {
  assertClassIds,
  assertIouThreshold,
  assertScores,
  readCount,
  readOptions,
} from './checks.js';
import { greedyNms, NmsWorkspace } from './kernel.js';
import { sortByScoreDescending } from './sort.js';

/** Options of {@link prefilteredNms}. */
export interface PrefilteredNmsOptions {
  /** C, the number of score columns: `scores` is [N,C] row-major. Default 1. */
  readonly numClasses?: number;
  /** [N] class id of each box, for single-column scores (C = 1). Default: class 0. */
  readonly labels?: Int32Array;
  /** Candidates are (box, class) pairs with score strictly above this. Default: all. */
  readonly scoreThreshold?: number;
  /** Keep only the this many best candidates before NMS. Default: all. */
  readonly preNmsTopK?: number;
  /** Return at most this many detections. Default: all. */
  readonly maxDetections?: number;
  /** Suppress across classes as well (one NMS over all candidates). Default false. */
  readonly classAgnostic?: boolean;
  /**
   * With C > 1: `true` (default) makes every (box, class) pair above the threshold a
   * candidate, so a box can be detected under several classes (torchvision RetinaNet/FCOS,
   * Ultralytics `multi_label=True`); `false` takes only each box's best class (its first
   * maximum), as Ultralytics does by default.
   */
  readonly multiLabel?: boolean;
}

/** Result of {@link prefilteredNms}: one entry per detection, by decreasing score. */
export interface PrefilteredNmsResult {
  /** [K] index of the detection's box in `boxes`. */
  readonly boxIndices: Int32Array;
  /** [K] class of the detection (its score column, or `labels[box]` for C = 1). */
  readonly labels: Int32Array;
  /** [K] the detection's score. */
  readonly scores: Float32Array;
  /** [K] flat index into `scores` (`box * C + class`). */
  readonly candidateIndices: Int32Array;
}

/**
 * Thresholds, ranks, suppresses and caps the output of a dense head:
 *
 * 1. candidates: (box, class) pairs with score > `scoreThreshold` (with `multiLabel: false`
 *    only each box's best class);
 * 2. the `preNmsTopK` best candidates, by decreasing score, ties by flat index;
 * 3. NMS with `iouThreshold` (strictly-greater suppression, torchvision's float32 IoU), per
 *    class unless `classAgnostic` — a box's candidates for different classes do not
 *    suppress each other;
 * 4. the first `maxDetections` survivors.
 *
 * @param boxes [N,4] xyxy
 * @param scores [N,C] row-major (C = `options.numClasses`, default 1)
 * @param iouThreshold in [0, 1]
 * @param options numClasses, labels, scoreThreshold, preNmsTopK, maxDetections,
 *   classAgnostic, multiLabel
 * @returns the detections, by decreasing score (ties by flat index)
 * @throws InvalidArgumentError on mismatched lengths, NaN/±Infinity, negative box sizes, a
 *   threshold outside [0, 1] or bad options
 */
export function prefilteredNms(
  boxes: Boxes,
  scores: Float32Array,
  iouThreshold: number,
  options?: PrefilteredNmsOptions,
): PrefilteredNmsResult {
  const n = assertBoxes('boxes', boxes);
  const o = readOptions('options', options);
  const c = o.numClasses ?? 1;
  assertInteger('options.numClasses', c, 1);
  assertScores('scores', scores, n * c, c === 1 ? 'N' : `N*C=${n}*${c}`);
  assertIouThreshold('iouThreshold', iouThreshold);
  let labels: Int32Array | undefined;
  if (o.labels !== undefined) {
    if (c !== 1) {
      throw new InvalidArgumentError(
        'options.labels',
        `per-box labels need single-column scores, but numClasses is ${c}`,
      );
    }
    labels = assertClassIds('options.labels', o.labels, n);
  }
  const scoreThreshold = o.scoreThreshold ?? Number.NEGATIVE_INFINITY;
  if (o.scoreThreshold !== undefined) {
    assertNumberInRange(
      'options.scoreThreshold',
      scoreThreshold,
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
    );
  }
  const topK = readCount('options.preNmsTopK', o.preNmsTopK);
  const maxDetections = readCount('options.maxDetections', o.maxDetections);
  const classAgnostic = o.classAgnostic ?? false;
  const multiLabel = o.multiLabel ?? true;

  // 1. Candidates, as flat indices into scores, increasing.
  let cand: Int32Array;
  let count = 0;
  if (multiLabel || c === 1) {
    cand = new Int32Array(n * c);
    for (let k = 0; k < n * c; k++) if (scores[k]! > scoreThreshold) cand[count++] = k;
  } else {
    cand = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      let best = b * c;
      for (let k = best + 1; k < (b + 1) * c; k++) if (scores[k]! > scores[best]!) best = k;
      if (scores[best]! > scoreThreshold) cand[count++] = best;
    }
  }
  // 2. Rank them; keep the top k.
  sortByScoreDescending(scores, cand, count);
  count = Math.min(count, topK);
  const limit = Math.min(count, maxDetections);
  if (limit === 0) {
    return {
      boxIndices: new Int32Array(0),
      labels: new Int32Array(0),
      scores: new Float32Array(0),
      candidateIndices: new Int32Array(0),
    };
  }

  // 3. NMS over the candidates' boxes, gathered in rank order (a box may appear once per class).
  const ranked = new Float32Array(4 * count);
  const classOfRank = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const k = cand[r]!;
    const b = (k / c) | 0;
    const src = 4 * b;
    const dst = 4 * r;
    ranked[dst] = boxes[src]!;
    ranked[dst + 1] = boxes[src + 1]!;
    ranked[dst + 2] = boxes[src + 2]!;
    ranked[dst + 3] = boxes[src + 3]!;
    classOfRank[r] = labels ? labels[b]! : k - b * c;
  }
  const identity = new Int32Array(count);
  for (let r = 0; r < count; r++) identity[r] = r;
  let mask: Uint8Array;
  if (classAgnostic) {
    mask = new Uint8Array(count);
    const keep = new Int32Array(limit);
    const kept = greedyNms(
      ranked,
      identity,
      0,
      count,
      iouThreshold,
      limit,
      keep,
      0,
      new NmsWorkspace(),
    );
    for (let t = 0; t < kept; t++) mask[keep[t]!] = 1;
  } else {
    mask = classAwareKeep(ranked, identity, classOfRank, iouThreshold, limit).mask;
  }

  // 4. Survivors in rank order, capped.
  const boxIndices = new Int32Array(limit);
  const outLabels = new Int32Array(limit);
  const outScores = new Float32Array(limit);
  const candidateIndices = new Int32Array(limit);
  let k = 0;
  for (let r = 0; r < count && k < limit; r++) {
    if (!mask[r]) continue;
    const flat = cand[r]!;
    const b = (flat / c) | 0;
    boxIndices[k] = b;
    outLabels[k] = classOfRank[r]!;
    outScores[k] = scores[flat]!;
    candidateIndices[k] = flat;
    k++;
  }
  return {
    boxIndices: boxIndices.slice(0, k),
    labels: outLabels.slice(0, k),
    scores: outScores.slice(0, k),
    candidateIndices: candidateIndices.slice(0, k),
  };
}
