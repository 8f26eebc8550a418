/**
 * Prediction-to-ground-truth matching identical to torchvision's
 * `models/detection/_utils.Matcher` and `SSDMatcher` (0.14).
 */
import { InvalidArgumentError } from '../errors.js';
import type { TensorView } from '../types.js';
import { assertFinite, assertTensor } from '../validate.js';

/** Match value of a prediction whose best quality is below the low threshold. */
export const BELOW_LOW_THRESHOLD = -1;
/** Match value of a prediction whose best quality is in [low, high). */
export const BETWEEN_THRESHOLDS = -2;

/** A [G, N] quality matrix (e.g. IoU of G ground truths × N predictions), row-major. */
export type MatchQualityMatrix = TensorView<Float32Array> | TensorView<Float64Array>;

/** Options of {@link matchPredictions}. */
export interface MatcherOptions {
  /** Qualities ≥ this are matches. RPN 0.7, RetinaNet 0.5, RoI heads 0.5. */
  readonly highThreshold: number;
  /** Qualities in [low, high) give BETWEEN_THRESHOLDS, below give BELOW_LOW_THRESHOLD. RPN 0.3. */
  readonly lowThreshold: number;
  /**
   * Give each ground truth its best predictions (all ties) even if their quality is low.
   * RPN and RetinaNet: true. Default false.
   */
  readonly allowLowQualityMatches?: boolean;
}

function checkMatrix(matchQuality: MatchQualityMatrix): [number, number] {
  const data = matchQuality?.data;
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw new InvalidArgumentError(
      'matchQuality.data',
      'expected a Float32Array or Float64Array [G, N] matrix',
    );
  }
  const dims = assertTensor<Float32Array | Float64Array>('matchQuality', matchQuality, 2, '[G,N]');
  assertFinite('matchQuality', data);
  return [dims[0]!, dims[1]!];
}

function checkThreshold(name: string, v: number): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new InvalidArgumentError(name, `expected a number, got ${String(v)}`);
  }
}

/**
 * For each prediction, the best ground truth (first on ties, as torch's `max(dim=0)` on CPU)
 * and its quality. One pass over the matrix in memory order.
 */
function bestGtPerPrediction(
  q: Float32Array | Float64Array,
  g: number,
  n: number,
): { values: Float64Array; indices: Int32Array } {
  const values = new Float64Array(n);
  const indices = new Int32Array(n);
  values.set(q.subarray(0, n));
  for (let r = 1; r < g; r++) {
    const row = r * n;
    for (let c = 0; c < n; c++) {
      const v = q[row + c]!;
      if (v > values[c]!) {
        values[c] = v;
        indices[c] = r;
      }
    }
  }
  return { values, indices };
}

/**
 * torchvision's `Matcher.__call__`: each prediction gets the index of its best ground truth if
 * that quality is ≥ `highThreshold`, BETWEEN_THRESHOLDS (−2) if in [low, high), else
 * BELOW_LOW_THRESHOLD (−1). With `allowLowQualityMatches`, for each ground truth every
 * prediction tied for its highest quality gets back its own best ground truth (even when that
 * quality is low, even 0 — torchvision's behaviour, kept). Thresholds are compared in the
 * matrix's precision (float32 for a Float32Array, as torch compares a float32 tensor).
 *
 * Divergence: torchvision raises on an empty matrix; here G = 0 gives all −1 (what
 * torchvision's RPN and RoI heads assign when an image has no boxes) and N = 0 gives `[]`.
 * @param matchQuality [G, N] qualities, ground truths × predictions
 * @returns [N] matched ground-truth index in [0, G), or −1 / −2
 */
export function matchPredictions(
  matchQuality: MatchQualityMatrix,
  options: MatcherOptions,
): Int32Array {
  const [g, n] = checkMatrix(matchQuality);
  const {
    highThreshold,
    lowThreshold,
    allowLowQualityMatches = false,
  } = options ?? ({} as MatcherOptions);
  checkThreshold('options.highThreshold', highThreshold);
  checkThreshold('options.lowThreshold', lowThreshold);
  if (lowThreshold > highThreshold) {
    throw new InvalidArgumentError(
      'options.lowThreshold',
      `must be <= highThreshold (${highThreshold}), got ${lowThreshold}`,
    );
  }
  const matches = new Int32Array(n);
  if (n === 0) return matches;
  if (g === 0) return matches.fill(BELOW_LOW_THRESHOLD);

  const q = matchQuality.data;
  const f32 = q instanceof Float32Array;
  const high = f32 ? Math.fround(highThreshold) : highThreshold;
  const low = f32 ? Math.fround(lowThreshold) : lowThreshold;
  const { values, indices } = bestGtPerPrediction(q, g, n);
  for (let c = 0; c < n; c++) {
    const v = values[c]!;
    matches[c] = v < low ? BELOW_LOW_THRESHOLD : v < high ? BETWEEN_THRESHOLDS : indices[c]!;
  }
  if (allowLowQualityMatches) {
    for (let r = 0; r < g; r++) {
      const row = r * n;
      let best = q[row]!;
      for (let c = 1; c < n; c++) if (q[row + c]! > best) best = q[row + c]!;
      for (let c = 0; c < n; c++) if (q[row + c] === best) matches[c] = indices[c]!;
    }
  }
  return matches;
}

/**
 * torchvision's `SSDMatcher`: a Matcher with high = low = `threshold` and no low-quality
 * matches, after which each ground truth g (in order) claims its best prediction
 * (first on ties) — `matches[argmax_n q[g, n]] = g`, a later ground truth winning a shared one.
 * @param matchQuality [G, N] qualities
 * @returns [N] matched ground-truth index or −1
 */
export function ssdMatchPredictions(
  matchQuality: MatchQualityMatrix,
  threshold: number,
): Int32Array {
  const matches = matchPredictions(matchQuality, {
    highThreshold: threshold,
    lowThreshold: threshold,
  });
  const [g, n] = matchQuality.dims as [number, number];
  if (n === 0) return matches;
  const q = matchQuality.data;
  for (let r = 0; r < g; r++) {
    const row = r * n;
    let bestIndex = 0;
    for (let c = 1; c < n; c++) if (q[row + c]! > q[row + bestIndex]!) bestIndex = c;
    matches[bestIndex] = r;
  }
  return matches;
}

/**
 * torchvision's `Matcher(high_threshold, low_threshold, allow_low_quality_matches)`, holding
 * its options; see {@link matchPredictions}.
 */
export class Matcher {
  static readonly BELOW_LOW_THRESHOLD = BELOW_LOW_THRESHOLD;
  static readonly BETWEEN_THRESHOLDS = BETWEEN_THRESHOLDS;
  readonly highThreshold: number;
  readonly lowThreshold: number;
  readonly allowLowQualityMatches: boolean;

  constructor(highThreshold: number, lowThreshold: number, allowLowQualityMatches = false) {
    checkThreshold('highThreshold', highThreshold);
    checkThreshold('lowThreshold', lowThreshold);
    if (lowThreshold > highThreshold) {
      throw new InvalidArgumentError(
        'lowThreshold',
        `must be <= highThreshold (${highThreshold}), got ${lowThreshold}`,
      );
    }
    this.highThreshold = highThreshold;
    this.lowThreshold = lowThreshold;
    this.allowLowQualityMatches = allowLowQualityMatches;
  }

  /** @param matchQuality [G, N] @returns [N] matched gt index, −1 or −2 */
  match(matchQuality: MatchQualityMatrix): Int32Array {
    return matchPredictions(matchQuality, this);
  }
}

/** torchvision's `SSDMatcher(threshold)`; see {@link ssdMatchPredictions}. */
export class SSDMatcher {
  readonly threshold: number;

  constructor(threshold: number) {
    checkThreshold('threshold', threshold);
    this.threshold = threshold;
  }

  /** @param matchQuality [G, N] @returns [N] matched gt index or −1 */
  match(matchQuality: MatchQualityMatrix): Int32Array {
    return ssdMatchPredictions(matchQuality, this.threshold);
  }
}
