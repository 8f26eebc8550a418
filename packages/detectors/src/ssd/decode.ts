/**
 * SSD post-processing up to NMS, torchvision 0.14's `SSD.postprocess_detections` step for step:
 *
 * 1. scores = softmax over the C+1 columns of `cls_logits` (background = column 0);
 * 2. boxes = BoxCoder(10, 10, 5, 5).decode(bbox_regression, default boxes), clipped to the
 *    input;
 * 3. for each class 1…C (in the allow-list): keep anchors with score > threshold (strictly),
 *    then the `preNmsTopK` best (torchvision's `topk_candidates`, 400 / 300 for SSDlite);
 * 4. candidates concatenated class by class — the order `batched_nms` sees, which decides
 *    equal-score ties — and handed to the shared NMS (0.45) + cap (200).
 *
 * Boxes are decoded only for the selected candidates (the decode is per anchor, so the numbers
 * are the same as decoding all of them first).
 */
import { type BoxCoderWeights, clipBoxesToImage, decodeBoxDeltas } from '@ocelot/core';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output, shapeError } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';

/** What `decodeSsd` needs besides the outputs. */
export interface SsdDecodeParams {
  /** [A,4] xyxy default boxes in input pixels, in head order. */
  readonly priors: Float32Array;
  readonly boxCoderWeights: BoxCoderWeights;
  readonly boxOutput: OutputRef;
  readonly scoreOutput: OutputRef;
  /** `logits`: softmax here; `probabilities`: already normalised. */
  readonly scores: 'logits' | 'probabilities';
}

/**
 * Class probabilities, class-major: `out[c·A + a]` = softmax(logits[a, :])[c], in float32.
 * @param logits [A, K]
 */
export function softmaxClassMajor(
  logits: Float32Array,
  anchors: number,
  classes: number,
): Float32Array {
  const out = new Float32Array(anchors * classes);
  const e = new Float64Array(classes);
  for (let a = 0; a < anchors; a++) {
    const row = a * classes;
    let max = logits[row]!;
    for (let c = 1; c < classes; c++) max = Math.max(max, logits[row + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = Math.fround(Math.exp(Math.fround(logits[row + c]! - max)));
      e[c] = v;
      sum += v;
    }
    // torch multiplies by the float32 reciprocal of the float32 sum
    const inv = Math.fround(1 / Math.fround(sum));
    for (let c = 0; c < classes; c++) out[c * anchors + a] = e[c]! * inv;
  }
  return out;
}

/**
 * Raw SSD head outputs → per-class candidates in input pixels.
 * @param outputs `bbox_regression` [1, A, 4] and `cls_logits` [1, A, C+1]
 * @returns candidates class by class (labels 0…C−1 = columns 1…C), each class by decreasing score
 * @throws ModelOutputError on missing outputs, wrong shapes (A must match the priors, C+1 the
 *   labels plus background) or non-finite values
 */
export function decodeSsd(
  outputs: Parameters<typeof readFloat32Output>[1],
  context: DecodeContext,
  params: SsdDecodeParams,
): Candidates {
  const { model, options, numClasses, inputSize } = context;
  const numAnchors = params.priors.length / 4;
  const K = numClasses + 1;
  const box = readFloat32Output(model, outputs, params.boxOutput, 3, `[1, A=${numAnchors}, 4]`);
  if (box.dims[0] !== 1 || box.dims[1] !== numAnchors || box.dims[2] !== 4) {
    throw shapeError(
      model,
      box.name,
      `[1, A=${numAnchors}, 4] (A = number of default boxes)`,
      box.dims,
    );
  }
  const cls = readFloat32Output(
    model,
    outputs,
    params.scoreOutput,
    3,
    `[1, A=${numAnchors}, C+1=${K}]`,
  );
  if (cls.dims[0] !== 1 || cls.dims[1] !== numAnchors || cls.dims[2] !== K) {
    throw shapeError(
      model,
      cls.name,
      `[1, A=${numAnchors}, C+1=${K}] (${numClasses} labels + background at column 0)`,
      cls.dims,
    );
  }
  assertFiniteOutput(model, cls.name, cls.data);
  assertFiniteOutput(model, box.name, box.data);

  const probs =
    params.scores === 'logits'
      ? softmaxClassMajor(cls.data, numAnchors, K)
      : transpose(cls.data, numAnchors, K);
  const { scoreThreshold, preNmsTopK, allowed } = options;
  const picked: Int32Array[] = [];
  const pickedLabels: number[] = [];
  let total = 0;
  const passing = new Int32Array(numAnchors);
  for (let c = 1; c < K; c++) {
    if (allowed !== undefined && allowed[c - 1] !== 1) continue;
    const column = probs.subarray(c * numAnchors, (c + 1) * numAnchors);
    let count = 0;
    for (let a = 0; a < numAnchors; a++) if (column[a]! > scoreThreshold) passing[count++] = a;
    if (count === 0) continue;
    const top = topKIndices(column, passing, count, preNmsTopK);
    picked.push(top);
    pickedLabels.push(c);
    total += top.length;
  }
  if (total === 0) return emptyCandidates();

  const deltas = new Float32Array(4 * total);
  const anchors = new Float32Array(4 * total);
  const scores = new Float32Array(total);
  const labels = new Int32Array(total);
  let o = 0;
  picked.forEach((top, j) => {
    const c = pickedLabels[j]!;
    for (let i = 0; i < top.length; i++, o++) {
      const a = top[i]!;
      deltas.set(box.data.subarray(4 * a, 4 * a + 4), 4 * o);
      anchors.set(params.priors.subarray(4 * a, 4 * a + 4), 4 * o);
      scores[o] = probs[c * numAnchors + a]!;
      labels[o] = c - 1;
    }
  });
  const decoded = decodeBoxDeltas(deltas, anchors, { weights: params.boxCoderWeights });
  // torchvision clips to the resized image (`image_sizes`), not to a padded tensor
  const clip = context.resizedSize ?? inputSize;
  const boxes = clipBoxesToImage(decoded, { width: clip.width, height: clip.height });
  return { boxes, scores, labels };
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/**
 * Reads priors returned by the graph as xyxy input pixels.
 * @param data [A,4] or [1,A,4]
 */
export function priorsFromOutput(
  model: string,
  name: string,
  data: Float32Array,
  dims: readonly number[],
  format: 'xyxy' | 'cxcywh',
  normalized: boolean,
  inputSize: { width: number; height: number },
): Float32Array {
  const ok =
    (dims.length === 2 && dims[1] === 4) || (dims.length === 3 && dims[0] === 1 && dims[2] === 4);
  if (!ok)
    throw new ModelOutputError(
      model,
      name,
      `expected shape [A, 4] or [1, A, 4], got ${formatDims(dims)}`,
    );
  assertFiniteOutput(model, name, data);
  const sx = normalized ? inputSize.width : 1;
  const sy = normalized ? inputSize.height : 1;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    let x1 = data[i]!;
    let y1 = data[i + 1]!;
    let x2 = data[i + 2]!;
    let y2 = data[i + 3]!;
    if (format === 'cxcywh') {
      const cx = x1;
      const cy = y1;
      x1 = cx - x2 / 2;
      x2 = cx + x2 / 2;
      y1 = cy - y2 / 2;
      y2 = cy + y2 / 2;
    }
    out[i] = x1 * sx;
    out[i + 1] = y1 * sy;
    out[i + 2] = x2 * sx;
    out[i + 3] = y2 * sy;
  }
  return out;
}
