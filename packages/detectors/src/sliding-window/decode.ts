/**
 * Window scores → candidates: the decode shared by the sliding-window detector (one crop per
 * window) and OverFeat (one score-map cell per window). Pure: typed arrays in, typed arrays out.
 */
import { type BoxCoderWeights, decodeBoxDeltas } from '@ocelot/core';
import { ModelOutputError } from '../errors.js';
import { assertFiniteOutput } from '../postprocess.js';
import { softmaxRows } from '../two-stage/torch-math.js';
import type { Candidates, ResolvedDetectOptions } from '../types.js';

/** What {@link decodeWindowScores} needs besides the arrays. */
export interface WindowDecodeParams {
  /** Model id, for errors. */
  readonly model: string;
  /** Object classes K (the card's labels); the scores have K + 1 columns with a background. */
  readonly numClasses: number;
  /** Column of the background class in the scores. */
  readonly backgroundClass: number;
  /** Threshold (≥) and allowed classes. */
  readonly options: Pick<ResolvedDetectOptions, 'scoreThreshold' | 'allowed'>;
  /** Codes of `deltas` (torchvision BoxCoder weights). Default (10, 10, 5, 5). */
  readonly boxCoderWeights?: BoxCoderWeights;
  /** Names of the outputs the arrays came from, for errors. */
  readonly names?: { readonly scores?: string; readonly deltas?: string };
}

const DEFAULT_WEIGHTS: BoxCoderWeights = [10, 10, 5, 5];

/**
 * Turns per-window class logits into candidates.
 *
 * 1. softmax over each window's K + 1 logits (torch's float32 kernel);
 * 2. every (window, class ≠ background) with probability ≥ `scoreThreshold` (and allowed) is a
 *    candidate, window-major;
 * 3. its box is the window, or — with `deltas` — the window moved by the regression
 *    (BoxCoder decode against the window: class-agnostic [N,4] or per class [N,4·(K+1)]).
 *
 * @param logits [N, K+1] raw class scores
 * @param windows [N, 4] xyxy windows in model-input pixels
 * @param deltas optional [N, 4] or [N, 4·(K+1)] box deltas relative to each window
 * @returns candidates in model-input pixels with 0-based labels (background excluded)
 * @throws ModelOutputError on sizes that disagree or non-finite logits / deltas
 */
export function decodeWindowScores(
  logits: Float32Array,
  windows: Float32Array,
  deltas: Float32Array | undefined,
  params: WindowDecodeParams,
): Candidates {
  const { model, numClasses: K, backgroundClass: bg } = params;
  const scoresName = params.names?.scores ?? 'scores';
  const deltasName = params.names?.deltas ?? 'deltas';
  const C1 = K + 1;
  const n = windows.length / 4;
  if (!Number.isInteger(n)) {
    throw new ModelOutputError(model, 'windows', `expected [N,4], got ${windows.length} values`);
  }
  if (logits.length !== n * C1) {
    throw new ModelOutputError(
      model,
      scoresName,
      `expected [N=${n}, ${C1}] (${K} classes + background), got ${logits.length} values`,
    );
  }
  if (!(Number.isInteger(bg) && bg >= 0 && bg < C1)) {
    throw new ModelOutputError(model, scoresName, `background column ${bg} outside 0..${K}`);
  }
  assertFiniteOutput(model, scoresName, logits);
  let perClass = false;
  if (deltas !== undefined) {
    if (deltas.length === 4 * n * C1 && C1 > 1) perClass = true;
    else if (deltas.length !== 4 * n) {
      throw new ModelOutputError(
        model,
        deltasName,
        `expected [N=${n}, 4] or [N=${n}, ${4 * C1}], got ${deltas.length} values`,
      );
    }
    assertFiniteOutput(model, deltasName, deltas);
  }
  const probs = softmaxRows(logits, n, C1);
  const { scoreThreshold, allowed } = params.options;

  // 2. candidates: (window, column) pairs
  let count = 0;
  const picked = new Int32Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C1; c++) {
      if (c === bg) continue;
      const label = c < bg ? c : c - 1;
      if (allowed !== undefined && allowed[label] !== 1) continue;
      if (probs[i * C1 + c]! >= scoreThreshold) picked[count++] = i * C1 + c;
    }
  }

  // 3. boxes
  const boxes = new Float32Array(4 * count);
  const scores = new Float32Array(count);
  const labels = new Int32Array(count);
  const codes = deltas === undefined ? undefined : new Float32Array(4 * count);
  for (let j = 0; j < count; j++) {
    const p = picked[j]!;
    const i = Math.floor(p / C1);
    const c = p - i * C1;
    boxes.set(windows.subarray(4 * i, 4 * i + 4), 4 * j);
    scores[j] = probs[p]!;
    labels[j] = c < bg ? c : c - 1;
    if (codes !== undefined) {
      const o = perClass ? 4 * p : 4 * i;
      codes.set(deltas!.subarray(o, o + 4), 4 * j);
    }
  }
  if (codes === undefined || count === 0) return { boxes, scores, labels };
  const moved = decodeBoxDeltas(codes, boxes, {
    weights: params.boxCoderWeights ?? DEFAULT_WEIGHTS,
  });
  return { boxes: moved, scores, labels };
}
