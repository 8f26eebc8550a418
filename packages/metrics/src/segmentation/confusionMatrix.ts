/**
 * Semantic segmentation metrics from a streaming confusion matrix: the FCN paper's pixel
 * accuracy, mean accuracy, mean IU and frequency-weighted IU (Long et al. 2015, and
 * torchvision's references/segmentation `ConfusionMatrix`), plus per-class IoU, Dice,
 * sensitivity and specificity (BraTS).
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { numpySum } from '../coco/numpy.js';

/** Integer label maps accepted by `update`. */
export type LabelMap =
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | readonly number[];

/** Options of {@link SegmentationConfusionMatrix}. */
export interface SegmentationConfusionMatrixOptions {
  /** Target value to skip (e.g. 255 for VOC / Cityscapes borders). Default 255. `null`: none. */
  readonly ignoreIndex?: number | null;
  /**
   * What to do with a target value outside [0, numClasses) that is not `ignoreIndex`:
   * `'error'` (default) throws; `'ignore'` skips the pixel as torchvision's reference does.
   */
  readonly outOfRangeTarget?: 'error' | 'ignore';
}

/** Everything computed from a confusion matrix. Arrays are per class. */
export interface SegmentationMetrics {
  /** Σ n_ii / Σ t_i (FCN "pixel accuracy"; torchvision `acc_global`). NaN with no pixels. */
  readonly pixelAccuracy: number;
  /** nanmean over classes of n_ii / t_i (FCN "mean accuracy"). */
  readonly meanAccuracy: number;
  /** nanmean over classes of the IoU (FCN "mean IU"). */
  readonly meanIoU: number;
  /** Σ over classes with t_i > 0 of (t_i / Σ t) · IoU_i (FCN "frequency weighted IU"). */
  readonly frequencyWeightedIoU: number;
  /** nanmean of `dice`. */
  readonly meanDice: number;
  /** n_ii / (t_i + p_i − n_ii); NaN when the class is absent from both. */
  readonly iou: Float64Array;
  /** 2 n_ii / (t_i + p_i); NaN when the class is absent from both. */
  readonly dice: Float64Array;
  /** Per-class accuracy = sensitivity = recall: n_ii / t_i; NaN when t_i = 0. */
  readonly accuracy: Float64Array;
  /** Same numbers as `accuracy` (BraTS name). */
  readonly sensitivity: Float64Array;
  /** TN / (TN + FP) with TN = N − t_i − p_i + n_ii, FP = p_i − n_ii; NaN when TN + FP = 0. */
  readonly specificity: Float64Array;
  /** n_ii / p_i; NaN when p_i = 0. */
  readonly precision: Float64Array;
  /** t_i: target pixels per class. */
  readonly targetPixels: Float64Array;
  /** p_i: predicted pixels per class. */
  readonly predictedPixels: Float64Array;
}

/**
 * `np.nanmean`: numpy replaces NaNs by 0, sums the whole array and divides by the count of
 * non-NaN values (NaN if there are none).
 */
function nanMean(values: Float64Array): number {
  const v = new Float64Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isNaN(x)) {
      v[i] = x;
      count++;
    }
  }
  return count === 0 ? Number.NaN : numpySum(v) / count;
}

/**
 * Metrics from a K×K confusion matrix `hist[target * K + pred]` (rows = ground truth,
 * columns = prediction), with numpy's float64 arithmetic as the FCN `score.py` computes them.
 *
 * NaN handling (as the FCN code and torchvision: `np.nanmean`): a class absent from the
 * targets has NaN accuracy and is left out of the mean accuracy; a class absent from both
 * targets and predictions has NaN IoU and Dice and is left out of their means; a class
 * predicted but never present has IoU 0 and counts. Frequency-weighted IU only sums classes
 * present in the targets.
 *
 * @param hist [K×K] row-major counts
 * @param numClasses K
 */
export function segmentationMetricsFromMatrix(
  hist: ArrayLike<number>,
  numClasses: number,
): SegmentationMetrics {
  const K = numClasses;
  if (!Number.isInteger(K) || K < 1)
    throw new InvalidArgumentError('numClasses', `expected an integer >= 1, got ${K}`);
  if (hist === null || typeof hist !== 'object' || hist.length !== K * K) {
    throw new ShapeMismatchError('hist', `[${K}×${K}]`, `[${hist?.length}]`);
  }
  const diag = new Float64Array(K);
  const t = new Float64Array(K);
  const p = new Float64Array(K);
  const rowBuf = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    diag[i] = hist[i * K + i]!;
    for (let j = 0; j < K; j++) rowBuf[j] = hist[i * K + j]!;
    t[i] = numpySum(rowBuf); // hist.sum(1)
  }
  for (let j = 0; j < K; j++) {
    let s = 0; // hist.sum(0): numpy adds rows one after another for axis 0
    for (let i = 0; i < K; i++) s += hist[i * K + j]!;
    p[j] = s;
  }
  const total = numpySum(t); // equals hist.sum() for integer counts below 2^53
  const iou = new Float64Array(K);
  const dice = new Float64Array(K);
  const accuracy = new Float64Array(K);
  const specificity = new Float64Array(K);
  const precision = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const n = diag[i]!;
    iou[i] = n / (t[i]! + p[i]! - n);
    dice[i] = (2 * n) / (t[i]! + p[i]!);
    accuracy[i] = n / t[i]!;
    precision[i] = n / p[i]!;
    const fp = p[i]! - n;
    const tn = total - t[i]! - p[i]! + n;
    specificity[i] = tn / (tn + fp);
  }
  // FCN: freq = hist.sum(1) / hist.sum(); (freq[freq > 0] * iu[freq > 0]).sum()
  const fw: number[] = [];
  for (let i = 0; i < K; i++) {
    const freq = t[i]! / total;
    if (freq > 0) fw.push(freq * iou[i]!);
  }
  return {
    pixelAccuracy: numpySum(diag) / total,
    meanAccuracy: nanMean(accuracy),
    meanIoU: nanMean(iou),
    frequencyWeightedIoU: numpySum(fw),
    meanDice: nanMean(dice),
    iou,
    dice,
    accuracy,
    sensitivity: accuracy.slice(),
    specificity,
    precision,
    targetPixels: t,
    predictedPixels: p,
  };
}

/**
 * A K×K confusion matrix accumulated over any number of label maps without keeping them:
 * `matrix[target * K + pred]` counts pixels (rows = ground truth, columns = prediction, as
 * torchvision's and the FCN code's `hist`). Two matrices (e.g. from worker threads) merge
 * by adding counts.
 *
 * @example
 * const cm = new SegmentationConfusionMatrix(21, { ignoreIndex: 255 });
 * for (const [pred, target] of pairs) cm.update(pred, target);
 * const { meanIoU, pixelAccuracy } = cm.compute();
 */
export class SegmentationConfusionMatrix {
  readonly numClasses: number;
  readonly ignoreIndex: number | null;
  readonly outOfRangeTarget: 'error' | 'ignore';
  /** [K×K] counts as float64 (exact up to 2^53 pixels). */
  readonly matrix: Float64Array;
  /** Pixels skipped so far (ignoreIndex or, with `'ignore'`, out-of-range targets). */
  ignoredPixels = 0;

  constructor(numClasses: number, options: SegmentationConfusionMatrixOptions = {}) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new InvalidArgumentError('numClasses', `expected an integer >= 1, got ${numClasses}`);
    }
    const ignoreIndex = options.ignoreIndex === undefined ? 255 : options.ignoreIndex;
    if (ignoreIndex !== null && !Number.isInteger(ignoreIndex)) {
      throw new InvalidArgumentError(
        'options.ignoreIndex',
        `expected an integer or null, got ${ignoreIndex}`,
      );
    }
    const oor = options.outOfRangeTarget ?? 'error';
    if (oor !== 'error' && oor !== 'ignore') {
      throw new InvalidArgumentError(
        'options.outOfRangeTarget',
        `expected 'error' or 'ignore', got ${String(oor)}`,
      );
    }
    this.numClasses = numClasses;
    this.ignoreIndex = ignoreIndex;
    this.outOfRangeTarget = oor;
    this.matrix = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one prediction / target pair of label maps.
   * @param pred [H·W] (any layout, same as target) predicted class per pixel, in [0, K)
   * @param target [H·W] true class per pixel, in [0, K) or `ignoreIndex`
   * @throws ShapeMismatchError when the lengths differ; InvalidArgumentError naming the pixel
   *   for a prediction outside [0, K) or (by default) an unexpected target value
   */
  update(pred: LabelMap, target: LabelMap): this {
    const K = this.numClasses;
    if (pred === null || typeof pred !== 'object' || typeof pred.length !== 'number') {
      throw new InvalidArgumentError('pred', 'expected a label map (typed array)');
    }
    if (target === null || typeof target !== 'object' || typeof target.length !== 'number') {
      throw new InvalidArgumentError('target', 'expected a label map (typed array)');
    }
    if (pred.length !== target.length) {
      throw new ShapeMismatchError(
        'pred',
        `[${target.length}] (the target's length)`,
        `[${pred.length}]`,
      );
    }
    const n = pred.length;
    const ign = this.ignoreIndex ?? Number.NaN;
    const mat = this.matrix;
    // Counts of this update in a uint32 buffer first (cheaper increments), then added.
    const counts = new Uint32Array(K * K);
    let ignored = 0;
    for (let i = 0; i < n; i++) {
      const t = target[i]!;
      const p = pred[i]!;
      if (t === ign) {
        ignored++;
        continue;
      }
      if (!(t >= 0 && t < K && (t | 0) === t)) {
        if (this.outOfRangeTarget === 'ignore') {
          ignored++;
          continue;
        }
        throw new InvalidArgumentError(
          'target',
          `value ${t} at pixel ${i} is neither a class in [0, ${K}) nor ignoreIndex ${this.ignoreIndex}`,
        );
      }
      if (!(p >= 0 && p < K && (p | 0) === p)) {
        throw new InvalidArgumentError(
          'pred',
          `value ${p} at pixel ${i} is not a class in [0, ${K})`,
        );
      }
      counts[t * K + p]!++;
    }
    for (let i = 0; i < K * K; i++) mat[i]! += counts[i]!;
    this.ignoredPixels += ignored;
    return this;
  }

  /** Adds another matrix's counts (same K) into this one. */
  merge(other: SegmentationConfusionMatrix): this {
    if (!(other instanceof SegmentationConfusionMatrix) || other.numClasses !== this.numClasses) {
      throw new ShapeMismatchError(
        'other',
        `a SegmentationConfusionMatrix of ${this.numClasses} classes`,
        other instanceof SegmentationConfusionMatrix ? `${other.numClasses} classes` : typeof other,
      );
    }
    for (let i = 0; i < this.matrix.length; i++) this.matrix[i]! += other.matrix[i]!;
    this.ignoredPixels += other.ignoredPixels;
    return this;
  }

  /** Sets every count to 0. */
  reset(): void {
    this.matrix.fill(0);
    this.ignoredPixels = 0;
  }

  /** All metrics; see {@link segmentationMetricsFromMatrix} for the NaN rules. */
  compute(): SegmentationMetrics {
    return segmentationMetricsFromMatrix(this.matrix, this.numClasses);
  }
}
