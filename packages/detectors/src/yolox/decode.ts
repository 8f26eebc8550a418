/**
 * YOLOX post-processing up to NMS, as YOLOX's `postprocess`: per anchor the best (allowed)
 * class, score = objectness · class score, kept when score ≥ threshold (YOLOX keeps equality),
 * boxes decoded from the anchor grid. Anchors whose objectness is already below the threshold
 * are skipped before the class scan (class scores are probabilities, at most 1).
 */
import type { ImageSize } from '@ocelot/core';
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';

export interface YoloxDecodeParams {
  readonly strides: readonly number[];
  readonly sigmoid: boolean;
  readonly decoded: boolean;
  readonly output: OutputRef;
}

/** Grid cell (x, y) and stride of every anchor point, levels in order, rows then columns. */
export interface YoloxGrid {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly stride: Float32Array;
}

/**
 * The anchor points of an input size: for each stride s a ⌈H/s⌉ × ⌈W/s⌉ grid (the feature map
 * of a stride-s backbone with "same" padding), row-major.
 */
export function yoloxGrid(inputSize: ImageSize, strides: readonly number[]): YoloxGrid {
  const dims = strides.map(
    (s) => [Math.ceil(inputSize.height / s), Math.ceil(inputSize.width / s)] as const,
  );
  const n = dims.reduce((acc, [h, w]) => acc + h * w, 0);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const stride = new Float32Array(n);
  let o = 0;
  strides.forEach((s, l) => {
    const [h, w] = dims[l]!;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++, o++) {
        x[o] = c;
        y[o] = r;
        stride[o] = s;
      }
    }
  });
  return { x, y, stride };
}

const sigmoid = (v: number) => Math.fround(1 / (1 + Math.exp(-v)));

/**
 * YOLOX output → candidates in input pixels.
 * @param outputs `[1, A, 5+nc]`, A = Σ ⌈H/s⌉·⌈W/s⌉ over the strides
 * @param grid `yoloxGrid(inputSize, strides)` (pass a cached one)
 * @throws ModelOutputError on a missing output, a shape that does not fit, or non-finite values
 */
export function decodeYolox(
  outputs: Readonly<Record<string, Tensor>>,
  context: DecodeContext,
  params: YoloxDecodeParams,
  grid: YoloxGrid = yoloxGrid(context.inputSize, params.strides),
): Candidates {
  const { model, options, numClasses } = context;
  const A = grid.x.length;
  const ch = 5 + numClasses;
  const out = readFloat32Output(model, outputs, params.output, 3, `[1, A=${A}, 5+nc=${ch}]`);
  if (out.dims[0] !== 1 || out.dims[1] !== A || out.dims[2] !== ch) {
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape [1, A=${A}, 5+nc=${ch}] (A = anchor points of strides ${params.strides.join(', ')} on ${context.inputSize.width}×${context.inputSize.height}), got ${formatDims(out.dims)}`,
    );
  }
  const data = out.data;
  assertFiniteOutput(model, out.name, data);
  const { scoreThreshold, allowed, preNmsTopK } = options;
  const scores = new Float32Array(A);
  const classOf = new Int32Array(A);
  const picked = new Int32Array(A);
  let count = 0;
  for (let a = 0; a < A; a++) {
    const row = a * ch;
    const obj = params.sigmoid ? sigmoid(data[row + 4]!) : data[row + 4]!;
    if (obj < scoreThreshold) continue;
    let best = Number.NEGATIVE_INFINITY;
    let bestClass = -1;
    for (let c = 0; c < numClasses; c++) {
      if (allowed !== undefined && allowed[c] !== 1) continue;
      const v = params.sigmoid ? sigmoid(data[row + 5 + c]!) : data[row + 5 + c]!;
      if (v > best) {
        best = v;
        bestClass = c;
      }
    }
    if (bestClass < 0) continue;
    const s = Math.fround(obj * best);
    if (s >= scoreThreshold) {
      scores[a] = s;
      classOf[a] = bestClass;
      picked[count++] = a;
    }
  }
  if (count === 0) return emptyCandidates();
  const keep =
    count > preNmsTopK ? topKIndices(scores, picked, count, preNmsTopK) : picked.subarray(0, count);
  const n = keep.length;
  const boxes = new Float32Array(4 * n);
  const outScores = new Float32Array(n);
  const labels = new Int32Array(n);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const a = keep[i]!;
    const row = a * ch;
    let cx = data[row]!;
    let cy = data[row + 1]!;
    let w = data[row + 2]!;
    let h = data[row + 3]!;
    if (!params.decoded) {
      const s = grid.stride[a]!;
      cx = f(f(cx + grid.x[a]!) * s);
      cy = f(f(cy + grid.y[a]!) * s);
      w = f(f(Math.exp(w)) * s);
      h = f(f(Math.exp(h)) * s);
    }
    const hw = f(w / 2);
    const hh = f(h / 2);
    boxes[4 * i] = cx - hw;
    boxes[4 * i + 1] = cy - hh;
    boxes[4 * i + 2] = cx + hw;
    boxes[4 * i + 3] = cy + hh;
    outScores[i] = scores[a]!;
    labels[i] = classOf[a]!;
  }
  return { boxes, scores: outScores, labels };
}
