/**
 * DETR decoding: per query, softmax over the logits, best real class (within the allow-list),
 * kept when its probability > threshold; boxes from normalised cx, cy, w, h to input pixels.
 * No NMS (queries are a set); the detector keeps the `maxDetections` best.
 */
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output, shapeError } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import type { Candidates } from '../types.js';

export interface DetrDecodeParams {
  readonly logitsOutput: OutputRef;
  readonly boxesOutput: OutputRef;
  readonly noObjectClass: boolean;
}

/**
 * Normalised cx, cy, w, h → xyxy input pixels, in float32 as `center_to_corners` then × size.
 * @param src [Q, 4]
 * @param rows which rows to convert
 */
export function normalizedCxcywhToPixels(
  src: Float32Array,
  rows: Int32Array,
  count: number,
  width: number,
  height: number,
): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(4 * count);
  for (let i = 0; i < count; i++) {
    const o = 4 * rows[i]!;
    const cx = src[o]!;
    const cy = src[o + 1]!;
    const hw = f(0.5 * src[o + 2]!);
    const hh = f(0.5 * src[o + 3]!);
    out[4 * i] = f(cx - hw) * width;
    out[4 * i + 1] = f(cy - hh) * height;
    out[4 * i + 2] = f(cx + hw) * width;
    out[4 * i + 3] = f(cy + hh) * height;
  }
  return out;
}

/** Reads `[1, Q, 4]` boxes matching Q queries. */
export function readQueryBoxes(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  ref: OutputRef,
  queries: number,
) {
  const boxes = readFloat32Output(model, outputs, ref, 3, `[1, Q=${queries}, 4]`);
  if (boxes.dims[0] !== 1 || boxes.dims[1] !== queries || boxes.dims[2] !== 4) {
    throw shapeError(
      model,
      boxes.name,
      `[1, Q=${queries}, 4] (normalised cx, cy, w, h)`,
      boxes.dims,
    );
  }
  assertFiniteOutput(model, boxes.name, boxes.data);
  return boxes;
}

/**
 * DETR outputs → one candidate per query whose best real-class probability > threshold.
 * @param outputs logits `[1, Q, C+1]` and boxes `[1, Q, 4]`
 * @throws ModelOutputError on missing outputs, shapes that do not fit the labels, non-finite values
 */
export function decodeDetr(
  outputs: Readonly<Record<string, Tensor>>,
  context: DecodeContext,
  params: DetrDecodeParams,
): Candidates {
  const { model, options, numClasses: C, inputSize } = context;
  const K = params.noObjectClass ? C + 1 : C;
  const logits = readFloat32Output(model, outputs, params.logitsOutput, 3, `[1, Q, ${K}]`);
  const [, Q, k] = logits.dims as [number, number, number];
  if (logits.dims[0] !== 1 || k !== K) {
    throw new ModelOutputError(
      model,
      logits.name,
      `expected shape [1, Q, ${params.noObjectClass ? `C+1=${K}` : `C=${K}`}] (${C} labels${params.noObjectClass ? ' + no-object' : ''}), got ${formatDims(logits.dims)}`,
    );
  }
  assertFiniteOutput(model, logits.name, logits.data);
  const boxes = readQueryBoxes(model, outputs, params.boxesOutput, Q);
  const { scoreThreshold, allowed } = options;
  const data = logits.data;
  const rows = new Int32Array(Q);
  const scores = new Float32Array(Q);
  const labels = new Int32Array(Q);
  const e = new Float64Array(K);
  let count = 0;
  for (let q = 0; q < Q; q++) {
    const row = q * K;
    let max = data[row]!;
    for (let c = 1; c < K; c++) max = Math.max(max, data[row + c]!);
    let sum = 0;
    for (let c = 0; c < K; c++) {
      const v = Math.fround(Math.exp(Math.fround(data[row + c]! - max)));
      e[c] = v;
      sum += v;
    }
    const inv = Math.fround(1 / Math.fround(sum));
    let best = -1;
    let bestClass = -1;
    for (let c = 0; c < C; c++) {
      if (allowed !== undefined && allowed[c] !== 1) continue;
      const p = Math.fround(e[c]! * inv);
      if (p > best) {
        best = p;
        bestClass = c;
      }
    }
    if (bestClass >= 0 && best > scoreThreshold) {
      rows[count] = q;
      scores[count] = best;
      labels[count] = bestClass;
      count++;
    }
  }
  if (count === 0) return emptyCandidates();
  return {
    boxes: normalizedCxcywhToPixels(boxes.data, rows, count, inputSize.width, inputSize.height),
    scores: scores.slice(0, count),
    labels: labels.slice(0, count),
  };
}
