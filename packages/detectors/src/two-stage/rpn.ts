/**
 * Region Proposal Network post-processing, torchvision 0.14's `RegionProposalNetwork.forward`
 * at test time after the head: permute the head outputs to anchor order, keep the top-n
 * anchors per level by objectness, decode, sigmoid, clip, drop tiny boxes and low scores,
 * NMS per level, keep the best `postNmsTopN`.
 */
import {
  type BoxCoderLike,
  batchedNms,
  clipBoxesToImage,
  type ImageSize,
  InvalidArgumentError,
  removeSmallBoxes,
} from '@ocelot/core';
import { topKIndices } from '../select.js';
import { decodeSelected } from './box-coder.js';
import { sigmoidInto } from './torch-math.js';

/** The RPN head's raw outputs for one level of one image, as `RPNHead` returns them. */
export interface RpnLevelOutput {
  /** [1, A, H, W] objectness logits, flat. */
  readonly objectness: Float32Array;
  /** [1, 4A, H, W] box deltas (dx, dy, dw, dh per anchor), flat. */
  readonly deltas: Float32Array;
  readonly height: number;
  readonly width: number;
  /** A: anchors per location. */
  readonly anchorsPerLocation: number;
}

/** Test-time RPN settings; torchvision's names and defaults in brackets. */
export interface RpnPostprocessOptions {
  /** Anchors kept per level before NMS, by objectness [pre_nms_top_n testing = 1000]. */
  readonly preNmsTopN: number;
  /** Proposals kept after NMS [post_nms_top_n testing = 1000]. */
  readonly postNmsTopN: number;
  /** IoU threshold of the per-level NMS [nms_thresh = 0.7]. */
  readonly nmsThresh: number;
  /** Proposals need a sigmoid score ≥ this [score_thresh = 0.0]. */
  readonly scoreThresh: number;
  /** Proposals need width and height ≥ this, pixels [min_size = 1e-3]. */
  readonly minSize: number;
  /** Decodes deltas against anchors [BoxCoder(weights=(1, 1, 1, 1))]; `RcnnBoxCoder` for torch's exact numbers. */
  readonly boxCoder: BoxCoderLike;
}

/** Proposals of one image, by decreasing score. */
export interface Proposals {
  /** [P, 4] xyxy in network-input pixels (the resized, unpadded image). */
  readonly boxes: Float32Array;
  /** [P] objectness probabilities. */
  readonly scores: Float32Array;
  /** [P] pyramid level (0-based) each proposal came from. */
  readonly levels: Int32Array;
}

/**
 * The anchor-ordered view of one level: `permute_and_flatten` gives anchor `(y·W + x)·A + a`
 * the logit at `[a, y, x]` and the deltas at `[4a + k, y, x]`.
 * @returns the [H·W·A] logits in anchor order
 */
export function flattenObjectness(level: RpnLevelOutput): Float32Array {
  const { objectness, height: h, width: w, anchorsPerLocation: a } = level;
  const plane = h * w;
  const out = new Float32Array(plane * a);
  for (let k = 0; k < a; k++) {
    const src = k * plane;
    for (let p = 0; p < plane; p++) out[p * a + k] = objectness[src + p]!;
  }
  return out;
}

function checkLevel(name: string, level: RpnLevelOutput, anchors: Float32Array): number {
  const { height: h, width: w, anchorsPerLocation: a } = level;
  const n = h * w * a;
  if (level.objectness.length !== n) {
    throw new InvalidArgumentError(
      `${name}.objectness`,
      `expected ${n} values ([1, ${a}, ${h}, ${w}]), got ${level.objectness.length}`,
    );
  }
  if (level.deltas.length !== 4 * n) {
    throw new InvalidArgumentError(
      `${name}.deltas`,
      `expected ${4 * n} values ([1, ${4 * a}, ${h}, ${w}]), got ${level.deltas.length}`,
    );
  }
  if (anchors.length !== 4 * n) {
    throw new InvalidArgumentError(
      `anchors of ${name}`,
      `expected ${n} anchors (H·W·A), got ${anchors.length / 4}`,
    );
  }
  return n;
}

/**
 * torchvision's `filter_proposals` for one image, preceded by the decode of the selected
 * anchors (decoding is per anchor, so decoding only the kept ones gives the same boxes).
 *
 * 1. per level, the `preNmsTopN` anchors with the highest objectness logits (torch `topk`;
 *    equal logits keep the lower anchor index first), levels concatenated in order;
 * 2. their deltas decoded against their anchors (`boxCoder`, weights (1, 1, 1, 1); an
 *    `RcnnBoxCoder` reproduces torch's exp bit for bit);
 * 3. scores = sigmoid(logits), as torch computes it;
 * 4. boxes clipped to `imageSize`;
 * 5. boxes narrower or lower than `minSize` dropped, then scores below `scoreThresh`;
 * 6. NMS per level (`batchedNms` with the level as class, IoU `nmsThresh`), keeping the best
 *    `postNmsTopN`.
 *
 * @param levels the head outputs per level, finest first
 * @param anchors per level, [H·W·A, 4] xyxy (`AnchorGenerator.generatePerLevel`)
 * @param imageSize the resized image before padding (`image_sizes`)
 * @returns proposals by decreasing score
 * @throws InvalidArgumentError when a level's sizes disagree with its outputs or anchors
 */
export function rpnProposals(
  levels: readonly RpnLevelOutput[],
  anchors: readonly Float32Array[],
  imageSize: ImageSize,
  options: RpnPostprocessOptions,
): Proposals {
  if (levels.length !== anchors.length) {
    throw new InvalidArgumentError(
      'anchors',
      `expected one array per level (${levels.length}), got ${anchors.length}`,
    );
  }
  // 1. top-n per level
  const picked: { level: number; top: Int32Array; logits: Float32Array; offset: number }[] = [];
  let total = 0;
  let anchorCount = 0;
  levels.forEach((level, l) => {
    const n = checkLevel(`levels[${l}]`, level, anchors[l]!);
    const logits = flattenObjectness(level);
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    const top = topKIndices(logits, all, n, Math.min(options.preNmsTopN, n));
    picked.push({ level: l, top, logits, offset: anchorCount });
    total += top.length;
    anchorCount += n;
  });

  // 2. gather logits, deltas and anchors of the kept anchors, then decode
  const logits = new Float32Array(total);
  const deltas = new Float32Array(4 * total);
  const selected = new Float32Array(4 * total);
  const levelOf = new Int32Array(total);
  const positions = new Int32Array(total);
  let o = 0;
  for (const { level: l, top, logits: flat, offset } of picked) {
    const { deltas: raw, height: h, width: w, anchorsPerLocation: a } = levels[l]!;
    const plane = h * w;
    const levelAnchors = anchors[l]!;
    for (let i = 0; i < top.length; i++, o++) {
      const j = top[i]!;
      const p = Math.floor(j / a);
      const k = j - p * a;
      logits[o] = flat[j]!;
      for (let c = 0; c < 4; c++) deltas[4 * o + c] = raw[(4 * k + c) * plane + p]!;
      selected.set(levelAnchors.subarray(4 * j, 4 * j + 4), 4 * o);
      levelOf[o] = l;
      positions[o] = offset + j;
    }
  }
  // (torch decodes every anchor of the image; `positions` tells an RcnnBoxCoder where each
  // selected one sat, which decides torch's vector or scalar exp)
  const decoded = decodeSelected(options.boxCoder, deltas, selected, positions, anchorCount);

  // 3. scores
  const scores = sigmoidInto(logits, new Float32Array(total));

  // 4. clip
  const clipped = clipBoxesToImage(decoded, imageSize, decoded);

  // 5. small boxes, low scores
  const big = removeSmallBoxes(clipped, options.minSize);
  let m = 0;
  const keep = new Int32Array(big.length);
  for (let i = 0; i < big.length; i++) {
    if (scores[big[i]!]! >= options.scoreThresh) keep[m++] = big[i]!;
  }
  const boxes = new Float32Array(4 * m);
  const kept = new Float32Array(m);
  const lv = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const j = keep[i]!;
    boxes.set(clipped.subarray(4 * j, 4 * j + 4), 4 * i);
    kept[i] = scores[j]!;
    lv[i] = levelOf[j]!;
  }

  // 6. NMS per level, capped
  const order = batchedNms(boxes, kept, lv, options.nmsThresh, {
    maxOutput: options.postNmsTopN,
  });
  const outBoxes = new Float32Array(4 * order.length);
  const outScores = new Float32Array(order.length);
  const outLevels = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    outBoxes.set(boxes.subarray(4 * j, 4 * j + 4), 4 * i);
    outScores[i] = kept[j]!;
    outLevels[i] = lv[j]!;
  }
  return { boxes: outBoxes, scores: outScores, levels: outLevels };
}
