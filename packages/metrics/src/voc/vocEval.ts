/**
 * PASCAL VOC detection AP: the classic `voc_eval` / `voc_ap` (py-faster-rcnn, Detectron) on
 * in-memory arrays, with VOC2007 11-point or VOC2010+ all-point interpolation, `difficult`
 * objects, and either the devkit's inclusive-pixel (+1) box arithmetic or continuous
 * coordinates.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { numpyMean, numpySum } from '../coco/numpy.js';

/** Interpolation of the precision–recall curve. */
export type VocInterpolation = '11point' | 'all-point';

/** Box arithmetic. */
export type VocPixelConvention = 'continuous' | 'devkit';

/** Ground truth of one image. Boxes xyxy in pixels. */
export interface VocGroundTruthImage {
  /** [N,4] xyxy. */
  readonly boxes: ArrayLike<number>;
  /** [N] class index in [0, numClasses). */
  readonly labels: ArrayLike<number>;
  /** [N] non-zero / true = difficult (neither a true nor a false positive when detected). */
  readonly difficult?: ArrayLike<number | boolean>;
}

/** Detections of one image. */
export interface VocDetectionImage {
  /** [D,4] xyxy. */
  readonly boxes: ArrayLike<number>;
  /** [D] confidence. */
  readonly scores: ArrayLike<number>;
  /** [D] class index in [0, numClasses). */
  readonly labels: ArrayLike<number>;
}

/** Options of {@link evaluateVoc}. */
export interface VocEvalOptions {
  /** A detection matches when IoU > this (strictly, as voc_eval). Default 0.5. */
  readonly iouThreshold?: number;
  /** `'all-point'` (VOC2010+, default) or `'11point'` (VOC2007). */
  readonly interpolation?: VocInterpolation;
  /**
   * `'continuous'` (default): width = x2 − x1, boxes in continuous pixel coordinates as every
   * modern detector outputs. `'devkit'`: the VOC devkit's inclusive pixel indices, width =
   * x2 − x1 + 1 in areas and intersections (what voc_eval.py computes).
   */
  readonly pixelConvention?: VocPixelConvention;
  /** Number of classes (default: 1 + the largest label seen). */
  readonly numClasses?: number;
  /** Class names for the result (index = class). */
  readonly classNames?: readonly string[];
}

/** AP and the precision–recall curve of one class. */
export interface VocClassResult {
  readonly classId: number;
  readonly name: string | undefined;
  /** Average precision; NaN when the class has no non-difficult ground truth. */
  readonly ap: number;
  /** Non-difficult ground-truth objects (`npos`). */
  readonly numGroundTruth: number;
  readonly numDetections: number;
  /**
   * [D] cumulative recall after each detection in decreasing score order (ready to plot
   * against `precision`); NaN-free only when `numGroundTruth > 0`.
   */
  readonly recall: Float64Array;
  /** [D] cumulative precision `tp / max(tp + fp, eps)` after each detection. */
  readonly precision: Float64Array;
  /** [D] detection scores in that order. */
  readonly scores: Float64Array;
  /** [D] 1 true positive, 0 false positive, 2 matched a difficult object (ignored). */
  readonly outcome: Uint8Array;
}

/** Result of {@link evaluateVoc}. */
export interface VocResult {
  /** Mean AP over classes with ground truth (NaN classes left out, as nanmean). */
  readonly map: number;
  readonly perClass: readonly VocClassResult[];
  readonly iouThreshold: number;
  readonly interpolation: VocInterpolation;
  readonly pixelConvention: VocPixelConvention;
}

const EPS = 2.220446049250313e-16; // np.finfo(np.float64).eps

/**
 * `voc_ap(rec, prec, use_07_metric)`: average precision of a precision–recall curve.
 *
 * - `'11point'`: mean over t ∈ {0, 0.1, …, 1} (numpy `arange` values) of the maximum
 *   precision at recall ≥ t (0 when none).
 * - `'all-point'`: area under the monotone precision envelope, summed where recall changes
 *   (with the sentinels recall 0 → 1, precision 0 → 0).
 *
 * @param recall [D] non-decreasing
 * @param precision [D]
 */
export function vocAp(
  recall: ArrayLike<number>,
  precision: ArrayLike<number>,
  interpolation: VocInterpolation = 'all-point',
): number {
  const n = recall.length;
  if (precision.length !== n) {
    throw new ShapeMismatchError('precision', `[D=${n}]`, `[${precision.length}]`);
  }
  if (interpolation === '11point') {
    let ap = 0;
    for (let i = 0; i <= 10; i++) {
      const t = i * 0.1; // np.arange(0., 1.1, 0.1)
      let p = Number.NEGATIVE_INFINITY;
      let any = false;
      for (let j = 0; j < n; j++) {
        if (recall[j]! >= t) {
          any = true;
          const v = precision[j]!;
          if (v > p || Number.isNaN(v)) p = v;
        }
      }
      ap = ap + (any ? p : 0) / 11;
    }
    return ap;
  }
  if (interpolation !== 'all-point') {
    throw new InvalidArgumentError(
      'interpolation',
      `expected '11point' or 'all-point', got ${String(interpolation)}`,
    );
  }
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i]!;
    mpre[i + 1] = precision[i]!;
  }
  mrec[n + 1] = 1;
  for (let i = n + 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1]!, mpre[i]!);
  const terms: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1]! - mrec[i]!) * mpre[i + 1]!);
  }
  return numpySum(terms);
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return (
    v !== null && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number'
  );
}

function checkNumbers(name: string, v: unknown, length: number, what: string): ArrayLike<number> {
  if (!isArrayLike(v)) throw new InvalidArgumentError(name, `expected an array of ${what}`);
  if (v.length !== length) {
    throw new ShapeMismatchError(name, `[${length}]`, `[${v.length}]`);
  }
  for (let i = 0; i < length; i++) {
    const x = v[i] as unknown;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(
        name,
        `element ${i} is ${String(x)}, expected a finite number`,
        'E_NON_FINITE',
      );
    }
  }
  return v;
}

function checkBoxes(name: string, v: unknown): number {
  if (!isArrayLike(v)) throw new InvalidArgumentError(name, 'expected an [N,4] xyxy array');
  if (v.length % 4 !== 0) {
    throw new ShapeMismatchError(name, '[N,4]', `[${v.length}] (length not a multiple of 4)`);
  }
  checkNumbers(name, v, v.length, 'numbers');
  const n = v.length / 4;
  for (let i = 0; i < n; i++) {
    if (v[4 * i + 2]! < v[4 * i]! || v[4 * i + 3]! < v[4 * i + 1]!) {
      throw new InvalidArgumentError(
        name,
        `box ${i} has x2 < x1 or y2 < y1 (${Array.from({ length: 4 }, (_, c) => v[4 * i + c]).join(', ')}); expected xyxy`,
        'E_NEGATIVE_BOX_SIZE',
      );
    }
  }
  return n;
}

function checkLabels(
  name: string,
  v: unknown,
  n: number,
  numClasses: number | undefined,
): ArrayLike<number> {
  const labels = checkNumbers(name, v, n, 'class indices');
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || (numClasses !== undefined && l >= numClasses)) {
      throw new InvalidArgumentError(
        name,
        `label ${l} at ${i} is not a class index in [0, ${numClasses ?? '∞'})`,
      );
    }
  }
  return labels;
}

/**
 * Evaluates detections PASCAL-VOC style, per class: detections sorted by score (ties keep
 * image and input order), each matched to the ground-truth box of its image and class with the
 * highest IoU (first on ties); a match with IoU > threshold to an unclaimed object is a true
 * positive, to an already claimed one a false positive, to a `difficult` one neither; below
 * the threshold a false positive. Then `rec = tp / npos`, `prec = tp / max(tp + fp, eps)` and
 * `voc_ap`. Identical to voc_eval.py with `pixelConvention: 'devkit'` (except that numpy's
 * unstable quicksort may order equal scores differently).
 *
 * @param groundTruth one entry per image
 * @param detections one entry per image, same order and length as `groundTruth`
 * @returns mAP and per-class AP with precision–recall arrays
 * @throws ShapeMismatchError / InvalidArgumentError naming the image and field on bad input
 */
export function evaluateVoc(
  groundTruth: readonly VocGroundTruthImage[],
  detections: readonly VocDetectionImage[],
  options: VocEvalOptions = {},
): VocResult {
  const iouThreshold = options.iouThreshold ?? 0.5;
  if (typeof iouThreshold !== 'number' || Number.isNaN(iouThreshold)) {
    throw new InvalidArgumentError(
      'options.iouThreshold',
      `expected a number, got ${String(iouThreshold)}`,
    );
  }
  const interpolation = options.interpolation ?? 'all-point';
  if (interpolation !== '11point' && interpolation !== 'all-point') {
    throw new InvalidArgumentError(
      'options.interpolation',
      `expected '11point' or 'all-point', got ${String(interpolation)}`,
    );
  }
  const pixelConvention = options.pixelConvention ?? 'continuous';
  if (pixelConvention !== 'continuous' && pixelConvention !== 'devkit') {
    throw new InvalidArgumentError(
      'options.pixelConvention',
      `expected 'continuous' or 'devkit', got ${String(pixelConvention)}`,
    );
  }
  if (
    options.numClasses !== undefined &&
    (!Number.isInteger(options.numClasses) || options.numClasses < 0)
  ) {
    throw new InvalidArgumentError(
      'options.numClasses',
      `expected an integer >= 0, got ${options.numClasses}`,
    );
  }
  if (!Array.isArray(groundTruth))
    throw new InvalidArgumentError('groundTruth', 'expected an array (one entry per image)');
  if (!Array.isArray(detections))
    throw new InvalidArgumentError('detections', 'expected an array (one entry per image)');
  if (groundTruth.length !== detections.length) {
    throw new ShapeMismatchError(
      'detections',
      `[images=${groundTruth.length}]`,
      `[${detections.length}]`,
    );
  }
  const numImages = groundTruth.length;
  const plus = pixelConvention === 'devkit' ? 1 : 0;

  // Validate and find the number of classes.
  let maxLabel = -1;
  const gtN: number[] = [];
  const dtN: number[] = [];
  for (let i = 0; i < numImages; i++) {
    const g = groundTruth[i];
    const d = detections[i];
    if (g === null || typeof g !== 'object')
      throw new InvalidArgumentError(`groundTruth[${i}]`, 'expected { boxes, labels, difficult? }');
    if (d === null || typeof d !== 'object')
      throw new InvalidArgumentError(`detections[${i}]`, 'expected { boxes, scores, labels }');
    const ng = checkBoxes(`groundTruth[${i}].boxes`, g.boxes);
    const gl = checkLabels(`groundTruth[${i}].labels`, g.labels, ng, options.numClasses);
    if (g.difficult !== undefined) {
      if (!isArrayLike(g.difficult) || g.difficult.length !== ng) {
        throw new ShapeMismatchError(
          `groundTruth[${i}].difficult`,
          `[${ng}]`,
          isArrayLike(g.difficult) ? `[${g.difficult.length}]` : typeof g.difficult,
        );
      }
    }
    const nd = checkBoxes(`detections[${i}].boxes`, d.boxes);
    checkNumbers(`detections[${i}].scores`, d.scores, nd, 'scores');
    const dl = checkLabels(`detections[${i}].labels`, d.labels, nd, options.numClasses);
    for (let j = 0; j < ng; j++) maxLabel = Math.max(maxLabel, gl[j]!);
    for (let j = 0; j < nd; j++) maxLabel = Math.max(maxLabel, dl[j]!);
    gtN.push(ng);
    dtN.push(nd);
  }
  const numClasses = options.numClasses ?? maxLabel + 1;

  const perClass: VocClassResult[] = [];
  const claimed: Uint8Array[] = groundTruth.map((_, i) => new Uint8Array(gtN[i]!));
  for (let c = 0; c < numClasses; c++) {
    let npos = 0;
    for (let i = 0; i < numImages; i++) {
      const g = groundTruth[i]!;
      claimed[i]!.fill(0);
      for (let j = 0; j < gtN[i]!; j++) {
        if (g.labels[j] === c && !g.difficult?.[j]) npos++;
      }
    }
    // Detections of class c in (image, index) order, then a stable sort by score.
    const detImg: number[] = [];
    const detIdx: number[] = [];
    for (let i = 0; i < numImages; i++) {
      const d = detections[i]!;
      for (let j = 0; j < dtN[i]!; j++) {
        if (d.labels[j] === c) {
          detImg.push(i);
          detIdx.push(j);
        }
      }
    }
    const nd = detImg.length;
    const order = Array.from({ length: nd }, (_, k) => k);
    const scoreOf = (k: number) => detections[detImg[k]!]!.scores[detIdx[k]!]!;
    order.sort((a, b) => scoreOf(b) - scoreOf(a) || a - b);
    const outcome = new Uint8Array(nd);
    const recall = new Float64Array(nd);
    const precision = new Float64Array(nd);
    const scores = new Float64Array(nd);
    let tp = 0;
    let fp = 0;
    for (let r = 0; r < nd; r++) {
      const k = order[r]!;
      const i = detImg[k]!;
      const j = detIdx[k]!;
      const db = detections[i]!.boxes;
      const bx1 = db[4 * j]!;
      const by1 = db[4 * j + 1]!;
      const bx2 = db[4 * j + 2]!;
      const by2 = db[4 * j + 3]!;
      const g = groundTruth[i]!;
      let ovmax = Number.NEGATIVE_INFINITY;
      let jmax = -1;
      for (let q = 0; q < gtN[i]!; q++) {
        if (g.labels[q] !== c) continue;
        const gx1 = g.boxes[4 * q]!;
        const gy1 = g.boxes[4 * q + 1]!;
        const gx2 = g.boxes[4 * q + 2]!;
        const gy2 = g.boxes[4 * q + 3]!;
        const iw = Math.max(Math.min(gx2, bx2) - Math.max(gx1, bx1) + plus, 0);
        const ih = Math.max(Math.min(gy2, by2) - Math.max(gy1, by1) + plus, 0);
        const inters = iw * ih;
        const uni =
          (bx2 - bx1 + plus) * (by2 - by1 + plus) +
          (gx2 - gx1 + plus) * (gy2 - gy1 + plus) -
          inters;
        const ov = uni > 0 ? inters / uni : 0;
        if (ov > ovmax) {
          ovmax = ov;
          jmax = q;
        }
      }
      if (ovmax > iouThreshold) {
        if (!g.difficult?.[jmax]) {
          if (!claimed[i]![jmax]) {
            tp++;
            claimed[i]![jmax] = 1;
            outcome[r] = 1;
          } else fp++;
        } else outcome[r] = 2;
      } else fp++;
      recall[r] = tp / npos;
      precision[r] = tp / Math.max(tp + fp, EPS);
      scores[r] = scoreOf(k);
    }
    perClass.push({
      classId: c,
      name: options.classNames?.[c],
      ap: npos > 0 ? vocAp(recall, precision, interpolation) : Number.NaN,
      numGroundTruth: npos,
      numDetections: nd,
      recall,
      precision,
      scores,
      outcome,
    });
  }
  const aps = perClass.map((r) => r.ap).filter((ap) => !Number.isNaN(ap));
  return {
    map: aps.length > 0 ? numpyMean(aps) : Number.NaN, // np.nanmean(aps)
    perClass,
    iouThreshold,
    interpolation,
    pixelConvention,
  };
}
