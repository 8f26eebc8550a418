/**
 * Soft-NMS (Bodla et al., "Soft-NMS — Improving Object Detection With One Line of Code",
 * ICCV 2017) with mmcv's semantics (`mmcv.ops.soft_nms`, CPU kernel `softnms_cpu`, offset 0).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Boxes } from '../types.js';
import { assertBoxes, assertNumberInRange } from '../validate.js';
import { assertIouThreshold, assertScores, readOptions } from './checks.js';

const f32 = Math.fround;

/** Options of {@link softNms}. Defaults are mmcv's. */
export interface SoftNmsOptions {
  /**
   * `'linear'` (default): a box overlapping the selected one with IoU ≥ `iouThreshold` has its
   * score multiplied by 1 − IoU. `'gaussian'`: every box's score is multiplied by
   * exp(−IoU² / sigma).
   */
  readonly method?: 'linear' | 'gaussian';
  /** Gaussian width, > 0. Default 0.5. */
  readonly sigma?: number;
  /** Linear method only: IoU at or above which scores decay, in [0, 1]. Default 0.3. */
  readonly iouThreshold?: number;
  /** Boxes whose (decayed) score falls below this are dropped. Default 0.001. */
  readonly scoreThreshold?: number;
}

/** Result of {@link softNms}. */
export interface SoftNmsResult {
  /** [K] indices into the input boxes, in selection order (non-increasing `scores`). */
  readonly indices: Int32Array;
  /** [K] the decayed score of each kept box when it was selected. */
  readonly scores: Float32Array;
}

/**
 * Soft-NMS: repeatedly selects the box with the highest current score, then decays the
 * scores of the remaining boxes by their IoU with it and drops those that fall below
 * `scoreThreshold`. This is mmcv's `softnms_cpu` step for step, in float32, including its
 * tie-breaking (the first maximum in its swap-reordered working array), with two
 * deliberate differences:
 * - boxes scoring below `scoreThreshold` from the start are dropped up front (mmcv would
 *   still return the top box when even it is below the threshold);
 * - IoU of two zero-area boxes is 0 (mmcv computes 0/0 = NaN, which turns a Gaussian-decayed
 *   score into NaN).
 *
 * O(N²) time: meant for the few hundred to few thousand boxes of one image.
 *
 * @param boxes [N,4] xyxy
 * @param scores [N]
 * @param options method, sigma, iouThreshold, scoreThreshold
 * @returns kept indices and their decayed scores
 * @throws InvalidArgumentError on mismatched lengths, NaN/±Infinity, negative box sizes or
 *   bad options
 */
export function softNms(
  boxes: Boxes,
  scores: Float32Array,
  options?: SoftNmsOptions,
): SoftNmsResult {
  const n = assertBoxes('boxes', boxes);
  assertScores('scores', scores, n);
  const o = readOptions('options', options);
  const method = o.method ?? 'linear';
  if (method !== 'linear' && method !== 'gaussian') {
    throw new InvalidArgumentError(
      'options.method',
      `expected 'linear' or 'gaussian', got ${String(method)}`,
    );
  }
  const sigma = o.sigma ?? 0.5;
  assertNumberInRange('options.sigma', sigma, Number.MIN_VALUE, Number.MAX_VALUE);
  const iouThreshold = o.iouThreshold ?? 0.3;
  assertIouThreshold('options.iouThreshold', iouThreshold);
  const scoreThreshold = o.scoreThreshold ?? 0.001;
  assertNumberInRange(
    'options.scoreThreshold',
    scoreThreshold,
    -Number.MAX_VALUE,
    Number.MAX_VALUE,
  );

  // mmcv takes these as C++ floats.
  const thr = f32(iouThreshold);
  const sig = f32(sigma);
  const minScore = f32(scoreThreshold);
  const gaussian = method === 'gaussian';

  let count = 0;
  for (let i = 0; i < n; i++) if (scores[i]! >= minScore) count++;
  const x1 = new Float32Array(count);
  const y1 = new Float32Array(count);
  const x2 = new Float32Array(count);
  const y2 = new Float32Array(count);
  const sc = new Float32Array(count);
  const area = new Float32Array(count);
  const ind = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    if (!(scores[i]! >= minScore)) continue;
    const b = 4 * i;
    x1[k] = boxes[b]!;
    y1[k] = boxes[b + 1]!;
    x2[k] = boxes[b + 2]!;
    y2[k] = boxes[b + 3]!;
    sc[k] = scores[i]!;
    area[k] = f32(boxes[b + 2]! - boxes[b]!) * f32(boxes[b + 3]! - boxes[b + 1]!);
    ind[k] = i;
    k++;
  }
  const outScores = new Float32Array(count);
  let alive = count;
  for (let i = 0; i < alive; i++) {
    let maxScore = sc[i]!;
    let maxPos = i;
    for (let pos = i + 1; pos < alive; pos++) {
      if (maxScore < sc[pos]!) {
        maxScore = sc[pos]!;
        maxPos = pos;
      }
    }
    const ix1 = x1[maxPos]!;
    const iy1 = y1[maxPos]!;
    const ix2 = x2[maxPos]!;
    const iy2 = y2[maxPos]!;
    const iarea = area[maxPos]!;
    const iind = ind[maxPos]!;
    moveTo(i, maxPos);
    x1[i] = ix1;
    y1[i] = iy1;
    x2[i] = ix2;
    y2[i] = iy2;
    sc[i] = maxScore;
    area[i] = iarea;
    ind[i] = iind;
    outScores[i] = maxScore;

    for (let pos = i + 1; pos < alive; pos++) {
      const w = f32(Math.min(ix2, x2[pos]!) - Math.max(ix1, x1[pos]!));
      const h = f32(Math.min(iy2, y2[pos]!) - Math.max(iy1, y1[pos]!));
      let ovr = 0;
      if (w > 0 && h > 0) {
        const inter = f32(w * h);
        const union = f32(f32(iarea + area[pos]!) - inter);
        ovr = union > 0 ? f32(inter / union) : 0;
      }
      let weight = 1;
      if (gaussian) weight = f32(Math.exp(f32(-f32(ovr * ovr) / sig)));
      else if (ovr >= thr) weight = f32(1 - ovr);
      sc[pos] = sc[pos]! * weight;
      if (sc[pos]! < minScore) {
        // Drop it by moving the last alive box into its slot (mmcv's order of operations).
        moveTo(alive - 1, pos);
        alive--;
        pos--;
      }
    }
  }
  return { indices: ind.slice(0, alive), scores: outScores.slice(0, alive) };

  function moveTo(from: number, to: number): void {
    x1[to] = x1[from]!;
    y1[to] = y1[from]!;
    x2[to] = x2[from]!;
    y2[to] = y2[from]!;
    sc[to] = sc[from]!;
    area[to] = area[from]!;
    ind[to] = ind[from]!;
  }
}
