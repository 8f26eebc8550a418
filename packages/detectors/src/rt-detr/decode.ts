/**
 * RT-DETR decoding (see config.ts): sigmoid over all (query, class) pairs, top-k, threshold —
 * or the filtering of an already post-processed export. No NMS.
 */
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { normalizedCxcywhToPixels, readQueryBoxes } from '../detr/decode.js';
import { ModelOutputError } from '../errors.js';
import {
  formatDims,
  type OutputRef,
  readFloat32Output,
  readInt32Output,
  shapeError,
} from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';

type Outputs = Readonly<Record<string, Tensor>>;

export interface RtDetrRawDecodeParams {
  readonly logitsOutput: OutputRef;
  readonly boxesOutput: OutputRef;
  readonly numTopQueries: number;
}

/**
 * Raw RT-DETR outputs → the best `min(numTopQueries, maxDetections)` (query, class) pairs with
 * sigmoid score > threshold (allowed classes only, chosen before the top-k).
 * @param outputs logits `[1, Q, C]`, boxes `[1, Q, 4]` normalised cx, cy, w, h
 * @throws ModelOutputError on missing outputs, shapes that do not fit the labels, non-finite values
 */
export function decodeRtDetr(
  outputs: Outputs,
  context: DecodeContext,
  params: RtDetrRawDecodeParams,
): Candidates {
  const { model, options, numClasses: C, inputSize } = context;
  const logits = readFloat32Output(model, outputs, params.logitsOutput, 3, `[1, Q, C=${C}]`);
  const [, Q, k] = logits.dims as [number, number, number];
  if (logits.dims[0] !== 1 || k !== C) {
    throw new ModelOutputError(
      model,
      logits.name,
      `expected shape [1, Q, C=${C}] (one column per label, sigmoid scores), got ${formatDims(logits.dims)}`,
    );
  }
  assertFiniteOutput(model, logits.name, logits.data);
  const boxes = readQueryBoxes(model, outputs, params.boxesOutput, Q);
  const { scoreThreshold, allowed, maxDetections } = options;
  // sigmoid is monotonic: only logits that can clear the threshold are evaluated
  const floor =
    scoreThreshold > 0 && scoreThreshold < 1
      ? Math.log(scoreThreshold / (1 - scoreThreshold)) - 1e-4
      : Number.NEGATIVE_INFINITY;
  const n = Q * C;
  const scores = new Float32Array(n);
  const picked = new Int32Array(n);
  let count = 0;
  const data = logits.data;
  for (let q = 0; q < Q; q++) {
    for (let c = 0; c < C; c++) {
      const i = q * C + c;
      const v = data[i]!;
      if (v <= floor || (allowed !== undefined && allowed[c] !== 1)) continue;
      const s = Math.fround(1 / (1 + Math.exp(-v)));
      if (s > scoreThreshold) {
        scores[i] = s;
        picked[count++] = i;
      }
    }
  }
  if (count === 0) return emptyCandidates();
  const top = topKIndices(scores, picked, count, Math.min(params.numTopQueries, maxDetections));
  const m = top.length;
  const queries = new Int32Array(m);
  const outScores = new Float32Array(m);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const idx = top[i]!;
    const q = Math.floor(idx / C);
    queries[i] = q;
    labels[i] = idx - q * C;
    outScores[i] = scores[idx]!;
  }
  return {
    boxes: normalizedCxcywhToPixels(boxes.data, queries, m, inputSize.width, inputSize.height),
    scores: outScores,
    labels,
  };
}

export interface RtDetrPostprocessedDecodeParams {
  readonly labelsOutput: OutputRef;
  readonly boxesOutput: OutputRef;
  readonly scoresOutput: OutputRef;
}

/**
 * Already post-processed outputs (labels `[1, Q]`, boxes `[1, Q, 4]` xyxy in input pixels,
 * scores `[1, Q]`) → the rows with score > threshold in allowed classes.
 * @throws ModelOutputError on missing outputs, shapes that disagree, non-finite values or
 *   labels outside the card's labels
 */
export function decodeRtDetrPostprocessed(
  outputs: Outputs,
  context: DecodeContext,
  params: RtDetrPostprocessedDecodeParams,
): Candidates {
  const { model, options, numClasses: C } = context;
  const scores = readFloat32Output(model, outputs, params.scoresOutput, 2, '[1, Q]');
  const Q = scores.dims[1]!;
  if (scores.dims[0] !== 1) throw shapeError(model, scores.name, '[1, Q]', scores.dims);
  const labels = readInt32Output(model, outputs, params.labelsOutput, 2, `[1, Q=${Q}]`);
  if (labels.dims[0] !== 1 || labels.dims[1] !== Q)
    throw shapeError(model, labels.name, `[1, Q=${Q}] (as ${scores.name})`, labels.dims);
  const boxes = readFloat32Output(model, outputs, params.boxesOutput, 3, `[1, Q=${Q}, 4]`);
  if (boxes.dims[0] !== 1 || boxes.dims[1] !== Q || boxes.dims[2] !== 4) {
    throw shapeError(model, boxes.name, `[1, Q=${Q}, 4] (xyxy)`, boxes.dims);
  }
  assertFiniteOutput(model, scores.name, scores.data);
  assertFiniteOutput(model, boxes.name, boxes.data);
  const { scoreThreshold, allowed } = options;
  const rows = new Int32Array(Q);
  let count = 0;
  for (let q = 0; q < Q; q++) {
    const c = labels.data[q]!;
    if (c < 0 || c >= C) {
      throw new ModelOutputError(
        model,
        labels.name,
        `label ${c} of query ${q} is not one of 0..${C - 1} (the card has ${C} labels)`,
      );
    }
    if (scores.data[q]! > scoreThreshold && (allowed === undefined || allowed[c] === 1))
      rows[count++] = q;
  }
  const outBoxes = new Float32Array(4 * count);
  const outScores = new Float32Array(count);
  const outLabels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const q = rows[i]!;
    outBoxes.set(boxes.data.subarray(4 * q, 4 * q + 4), 4 * i);
    outScores[i] = scores.data[q]!;
    outLabels[i] = labels.data[q]!;
  }
  return { boxes: outBoxes, scores: outScores, labels: outLabels };
}
