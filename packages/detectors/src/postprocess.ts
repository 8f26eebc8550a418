/**
 * The post-processing every detector shares, after its architecture-specific decode:
 * resolve options → (decode) → class filter → NMS (per class or agnostic) → cap → map boxes to
 * the original image. Pure functions over typed arrays.
 */
import { batchedNms, InvalidArgumentError, nms, timesZeroSum } from '@ocelot/core';
import type { Transform } from '@ocelot/image';
import { ModelOutputError } from './errors.js';
import type { Candidates, Detections, DetectOptions, ResolvedDetectOptions } from './types.js';
import { sortByScore } from './select.js';

/** Library defaults when neither the call, the card nor the architecture sets a value. */
export const DEFAULT_DETECT_OPTIONS: Readonly<Required<Omit<DetectOptions, 'classes'>>> = {
  scoreThreshold: 0.25,
  iouThreshold: 0.45,
  maxDetections: 300,
  classAgnostic: false,
  preNmsTopK: 30_000,
};

/**
 * Merges per-call options over the card's defaults over the architecture's defaults and checks
 * them. Class names in `classes` are looked up in `classNames`.
 * @throws InvalidArgumentError naming the option
 */
export function resolveDetectOptions(
  classNames: readonly string[],
  ...layers: (DetectOptions | undefined)[]
): ResolvedDetectOptions {
  const merged: { -readonly [K in keyof DetectOptions]?: DetectOptions[K] } = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined && (merged as Record<string, unknown>)[k] === undefined) {
        (merged as Record<string, unknown>)[k] = v;
      }
    }
  }
  const o = { ...DEFAULT_DETECT_OPTIONS, ...merged };
  const unit = (name: string, v: number) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new InvalidArgumentError(`options.${name}`, `expected a number in [0, 1], got ${v}`);
    }
  };
  unit('iouThreshold', o.iouThreshold);
  if (typeof o.scoreThreshold !== 'number' || Number.isNaN(o.scoreThreshold)) {
    throw new InvalidArgumentError(
      'options.scoreThreshold',
      `expected a number, got ${o.scoreThreshold}`,
    );
  }
  for (const name of ['maxDetections', 'preNmsTopK'] as const) {
    const v = o[name];
    if (!(v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && v >= 0))) {
      throw new InvalidArgumentError(`options.${name}`, `expected an integer >= 0, got ${v}`);
    }
  }
  let allowed: Uint8Array | undefined;
  if (merged.classes !== undefined) {
    allowed = new Uint8Array(classNames.length);
    for (const c of merged.classes) {
      const index = typeof c === 'number' ? c : classNames.indexOf(c);
      if (!Number.isInteger(index) || index < 0 || index >= classNames.length) {
        throw new InvalidArgumentError(
          'options.classes',
          `unknown class ${JSON.stringify(c)}; the model has ${classNames.length} classes (${classNames.slice(0, 5).join(', ')}${classNames.length > 5 ? ', …' : ''})`,
        );
      }
      allowed[index] = 1;
    }
  }
  return {
    scoreThreshold: o.scoreThreshold,
    iouThreshold: o.iouThreshold,
    maxDetections: o.maxDetections,
    allowed,
    classAgnostic: o.classAgnostic,
    preNmsTopK: o.preNmsTopK,
  };
}

/**
 * Throws `ModelOutputError` on the first NaN / ±Infinity in a raw output. Decoders call it once
 * on the score tensor: a NaN compares false with every threshold and would otherwise vanish
 * silently, hiding a broken model or input.
 */
export function assertFiniteOutput(model: string, output: string, data: ArrayLike<number>): void {
  // Outputs hold up to millions of values: one branch-free pass, and the scan that names the
  // offending index only when that pass finds something.
  if (timesZeroSum(data) === 0) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      throw new ModelOutputError(model, output, `non-finite value ${v} at flat index ${i}`);
    }
  }
}

/** Candidates with no rows. */
export function emptyCandidates(): Candidates {
  return { boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) };
}

/** How {@link finalizeDetections} suppresses duplicates. */
export interface FinalizeOptions {
  /** `false` for set-prediction models (DETR) whose outputs are already unique. Default true. */
  readonly nms?: boolean;
  /** Clip boxes to the original image. Default true. */
  readonly clip?: boolean;
}

/**
 * Class filter → NMS → cap → original-image boxes.
 *
 * Steps:
 * 1. drop candidates of classes not in `options.allowed`;
 * 2. boxes with x2 < x1 (or y2 < y1), which a raw regression can emit, become zero-width
 *    (zero-height) boxes at x1 — they then never suppress anything, as in torchvision;
 * 3. per-class NMS (`batchedNms`, torchvision's offset trick) or class-agnostic `nms`,
 *    stopping at `maxDetections`; set-prediction models skip NMS and keep the top scores;
 * 4. boxes mapped through `transform.toImage` (undo letterbox / resize), clipped.
 *
 * @param candidates boxes in model-input pixels
 * @returns detections sorted by decreasing score
 * @throws ModelOutputError when a candidate box or score is not finite
 */
export function finalizeDetections(
  model: string,
  candidates: Candidates,
  options: ResolvedDetectOptions,
  transform: Transform,
  classNames: readonly string[],
  finalize: FinalizeOptions = {},
): Detections {
  const { boxes, scores, labels } = candidates;
  const k = scores.length;
  if (boxes.length !== 4 * k || labels.length !== k) {
    throw new ModelOutputError(
      model,
      'candidates',
      `boxes [${boxes.length / 4},4], scores [${k}] and labels [${labels.length}] disagree`,
    );
  }
  assertFiniteOutput(model, 'candidate boxes', boxes);
  assertFiniteOutput(model, 'candidate scores', scores);

  // 1–2: allowed classes, sanitised boxes, in one compacting pass.
  const allowed = options.allowed;
  const index = new Int32Array(k);
  let m = 0;
  for (let i = 0; i < k; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= classNames.length) {
      throw new ModelOutputError(
        model,
        'candidate labels',
        `class ${c} at ${i} outside 0..${classNames.length - 1}`,
      );
    }
    if (allowed === undefined || allowed[c] === 1) index[m++] = i;
  }
  const b = new Float32Array(4 * m);
  const s = new Float32Array(m);
  const l = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const i = index[j]!;
    const x1 = boxes[4 * i]!;
    const y1 = boxes[4 * i + 1]!;
    b[4 * j] = x1;
    b[4 * j + 1] = y1;
    b[4 * j + 2] = Math.max(x1, boxes[4 * i + 2]!);
    b[4 * j + 3] = Math.max(y1, boxes[4 * i + 3]!);
    s[j] = scores[i]!;
    l[j] = labels[i]!;
  }

  // 3: suppression and cap.
  let keep: Int32Array;
  if (finalize.nms === false) {
    keep = topByScore(s, options.maxDetections);
  } else if (options.classAgnostic) {
    keep = nms(b, s, options.iouThreshold, { maxOutput: options.maxDetections });
  } else {
    keep = batchedNms(b, s, l, options.iouThreshold, { maxOutput: options.maxDetections });
  }

  const n = keep.length;
  const outBoxes = new Float32Array(4 * n);
  const outScores = new Float32Array(n);
  const outLabels = new Int32Array(n);
  const names: string[] = new Array(n);
  for (let j = 0; j < n; j++) {
    const i = keep[j]!;
    outBoxes.set(b.subarray(4 * i, 4 * i + 4), 4 * j);
    outScores[j] = s[i]!;
    outLabels[j] = l[i]!;
    names[j] = classNames[l[i]!]!;
  }
  // 4: back to the original image.
  const imageBoxes = transform.toImage(outBoxes, { clip: finalize.clip !== false });
  return {
    boxes: imageBoxes,
    scores: outScores,
    labels: outLabels,
    labelNames: names,
    imageSize: { width: transform.srcWidth, height: transform.srcHeight },
  };
}

/** Indices of the `limit` highest scores, by decreasing score (stable for ties). */
export function topByScore(scores: Float32Array, limit: number): Int32Array {
  const order = new Int32Array(scores.length);
  let nan = false;
  for (let i = 0; i < order.length; i++) {
    order[i] = i;
    if (Number.isNaN(scores[i]!)) nan = true;
  }
  // NaN compares as a tie with everything in the comparison; sortByScore's keys assume no NaN
  if (nan) order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  else sortByScore(scores, order);
  return order.slice(0, Math.min(limit, order.length));
}
