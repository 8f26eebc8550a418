/**
 * Fast R-CNN box-head post-processing, torchvision 0.14's `RoIHeads.postprocess_detections`
 * for one image (the role of detectron2's `fast_rcnn_inference_single_image`).
 */
import {
  type BoxCoderLike,
  batchedNms,
  clipBoxesToImage,
  type ImageSize,
  InvalidArgumentError,
  nms,
  removeSmallBoxes,
} from '@ocelot/core';
import { decodeSelected } from './box-coder.js';
import { softmaxRows } from './torch-math.js';

/** Test-time box-head settings; torchvision's names and defaults in brackets. */
export interface FastRcnnInferenceOptions {
  /** Decodes per-class deltas against the proposals [BoxCoder((10, 10, 5, 5))]; `RcnnBoxCoder` for torch's exact numbers. */
  readonly boxCoder: BoxCoderLike;
  /** Keep class scores strictly above this [box_score_thresh = 0.05]. */
  readonly scoreThresh: number;
  /** IoU threshold of the per-class NMS [box_nms_thresh = 0.5]. */
  readonly nmsThresh: number;
  /** At most this many detections [box_detections_per_img = 100]. */
  readonly detectionsPerImg: number;
  /** Boxes narrower or lower than this are dropped, pixels (torchvision: 1e-2). Default 1e-2. */
  readonly minSize?: number;
  /** `allowed[c] === 1` when class c (0-based, background excluded) may be reported. */
  readonly allowed?: Uint8Array | undefined;
  /** One NMS across classes instead of one per class. Default false. */
  readonly classAgnostic?: boolean;
}

/** Detections of one image in network-input pixels. */
export interface RoiDetections {
  /** [D, 4] xyxy, clipped to the resized image. */
  readonly boxes: Float32Array;
  /** [D] softmax probability of the class. */
  readonly scores: Float32Array;
  /** [D] class index, 0-based without the background (torchvision's label − 1). */
  readonly labels: Int32Array;
  /** [D] index of the proposal each detection was regressed from. */
  readonly proposalIndices: Int32Array;
}

/**
 * Box-head outputs → final detections for one image.
 *
 * 1. class probabilities = softmax over the C+1 logits of each proposal (torch's float32
 *    kernel);
 * 2. candidates = every (proposal, class ≥ 1) pair with probability > `scoreThresh`, in
 *    proposal-major order (torchvision's `reshape(-1)` order, which decides ties in NMS);
 * 3. their boxes = `boxCoder.decode(box_regression[k, class], proposal k)`, clipped to
 *    `imageSize` (decoding only the candidates gives the same numbers: it is per box);
 * 4. boxes narrower or lower than 1e-2 px dropped;
 * 5. NMS per class at `nmsThresh` (torchvision's `batched_nms`), keeping the best
 *    `detectionsPerImg`.
 *
 * @param classLogits [K, C+1], background at column 0
 * @param boxRegression [K, 4·(C+1)] deltas per class
 * @param proposals [K, 4] xyxy in network-input pixels
 * @param imageSize the resized image before padding
 * @returns detections by decreasing score
 * @throws InvalidArgumentError when the sizes disagree
 */
export function fastRcnnInference(
  classLogits: Float32Array,
  boxRegression: Float32Array,
  proposals: Float32Array,
  numClassesWithBackground: number,
  imageSize: ImageSize,
  options: FastRcnnInferenceOptions,
): RoiDetections {
  const K = proposals.length / 4;
  const C1 = numClassesWithBackground;
  if (!Number.isInteger(K) || classLogits.length !== K * C1) {
    throw new InvalidArgumentError(
      'classLogits',
      `expected [K=${K}, ${C1}] (${K * C1} values), got ${classLogits.length}`,
    );
  }
  if (boxRegression.length !== K * 4 * C1) {
    throw new InvalidArgumentError(
      'boxRegression',
      `expected [K=${K}, ${4 * C1}] (${K * 4 * C1} values), got ${boxRegression.length}`,
    );
  }
  // 1. probabilities
  const probs = softmaxRows(classLogits, K, C1);

  // 2. candidates above the threshold, proposal-major, background dropped
  const allowed = options.allowed;
  const picked = new Int32Array(K * (C1 - 1));
  let n = 0;
  for (let k = 0; k < K; k++) {
    for (let c = 1; c < C1; c++) {
      if (allowed !== undefined && allowed[c - 1] !== 1) continue;
      if (probs[k * C1 + c]! > options.scoreThresh) picked[n++] = k * C1 + c;
    }
  }

  // 3. decode and clip the candidates' boxes
  const deltas = new Float32Array(4 * n);
  const refs = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const j = picked[i]!;
    const k = Math.floor(j / C1);
    deltas.set(boxRegression.subarray(4 * j, 4 * j + 4), 4 * i);
    refs.set(proposals.subarray(4 * k, 4 * k + 4), 4 * i);
  }
  // picked[i] = k·(C+1) + c is also the code's index in torch's [K, C+1] dw tensor
  const decoded = decodeSelected(options.boxCoder, deltas, refs, picked.subarray(0, n), K * C1);
  const boxes = clipBoxesToImage(decoded, imageSize, decoded);

  // 4. drop empty boxes
  const keep = removeSmallBoxes(boxes, options.minSize ?? 1e-2);
  const m = keep.length;
  const b = new Float32Array(4 * m);
  const s = new Float32Array(m);
  const l = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const j = keep[i]!;
    b.set(boxes.subarray(4 * j, 4 * j + 4), 4 * i);
    s[i] = probs[picked[j]!]!;
    l[i] = (picked[j]! % C1) - 1;
  }

  // 5. NMS (per class unless agnostic), capped
  const order = options.classAgnostic
    ? nms(b, s, options.nmsThresh, { maxOutput: options.detectionsPerImg })
    : batchedNms(b, s, l, options.nmsThresh, { maxOutput: options.detectionsPerImg });
  const D = order.length;
  const outBoxes = new Float32Array(4 * D);
  const outScores = new Float32Array(D);
  const outLabels = new Int32Array(D);
  const proposalIndices = new Int32Array(D);
  for (let i = 0; i < D; i++) {
    const j = order[i]!;
    outBoxes.set(b.subarray(4 * j, 4 * j + 4), 4 * i);
    outScores[i] = s[j]!;
    outLabels[i] = l[j]!;
    proposalIndices[i] = Math.floor(picked[keep[j]!]! / C1);
  }
  return { boxes: outBoxes, scores: outScores, labels: outLabels, proposalIndices };
}
