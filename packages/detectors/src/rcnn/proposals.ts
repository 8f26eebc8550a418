/**
 * The pieces R-CNN and Fast R-CNN share around their networks: proposals (selective search, or
 * given per call in image or input pixels), R-CNN's context dilation, and detections mapped
 * back to the image.
 */
import { assertBoxes, clipBoxesToImage, InvalidArgumentError } from '@ocelot/core';
import type { Transform } from '@ocelot/image';
import type { ResolvedProposalConfig } from '../selective-search/config.js';
import { selectiveSearch } from '../selective-search/selective-search.js';
import type { BaseImage } from '../sliding-window/base.js';
import type { RoiDetections } from '../two-stage/roi-heads.js';
import type { Detections, DetectOptions } from '../types.js';

/** Per-call options of the proposal-based detectors. */
export interface ProposalRunOptions extends DetectOptions {
  /**
   * [P, 4] xyxy proposals from elsewhere (an RPN, a cache, another method): the configured
   * proposal method is skipped.
   */
  readonly proposals?: Float32Array;
  /** Pixels of `proposals`: `image` (the image given, default) or `input` (the base image). */
  readonly proposalSpace?: 'image' | 'input';
}

/** Proposals in base-image pixels and where they came from. */
export interface ProposalBoxes {
  /** [P, 4] xyxy in base (network-input) pixels. */
  readonly boxes: Float32Array;
  readonly source: 'selective-search' | 'external';
}

/**
 * The proposals of one image: `options.proposals` mapped to base pixels and clipped, or the
 * configured method run on the base image.
 * @throws InvalidArgumentError naming `options.proposals` / `options.proposalSpace`
 */
export function proposalsFor(
  base: BaseImage,
  config: ResolvedProposalConfig,
  options: ProposalRunOptions | undefined,
): ProposalBoxes {
  const given = options?.proposals;
  if (given === undefined) {
    return {
      boxes: selectiveSearch(base.image, config.selectiveSearch),
      source: 'selective-search',
    };
  }
  assertBoxes('options.proposals', given);
  const space = options?.proposalSpace ?? 'image';
  if (space !== 'image' && space !== 'input') {
    throw new InvalidArgumentError(
      'options.proposalSpace',
      `expected 'image' or 'input', got ${JSON.stringify(space)}`,
    );
  }
  const boxes = space === 'image' ? base.transform.toModel(given) : given.slice();
  clipBoxesToImage(boxes, { width: base.image.width, height: base.image.height }, boxes);
  return { boxes, source: 'external' };
}

/**
 * R-CNN's context padding: each box grown about its centre so that, once warped to
 * `warpSize`×`warpSize`, the original box is surrounded by `padding` pixels of context
 * (scale factor S / (S − 2p) per axis).
 * @param boxes [P, 4] xyxy
 * @returns [P, 4] xyxy dilated boxes (may extend past the image)
 */
export function contextBoxes(boxes: Float32Array, warpSize: number, padding: number): Float32Array {
  if (!(padding >= 0 && 2 * padding < warpSize)) {
    throw new InvalidArgumentError(
      'contextPadding',
      `expected 0 <= padding < warpSize / 2 (${warpSize / 2}), got ${padding}`,
    );
  }
  const f = warpSize / (warpSize - 2 * padding);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const cx = 0.5 * (boxes[i]! + boxes[i + 2]!);
    const cy = 0.5 * (boxes[i + 1]! + boxes[i + 3]!);
    const hw = 0.5 * f * (boxes[i + 2]! - boxes[i]!);
    const hh = 0.5 * f * (boxes[i + 3]! - boxes[i + 1]!);
    out[i] = cx - hw;
    out[i + 1] = cy - hh;
    out[i + 2] = cx + hw;
    out[i + 3] = cy + hh;
  }
  return out;
}

/** [P, 4] boxes as RoIs [P, 5] of batch image 0. */
export function toRois(boxes: Float32Array): Float32Array {
  const n = boxes.length / 4;
  const rois = new Float32Array(5 * n);
  for (let i = 0; i < n; i++) rois.set(boxes.subarray(4 * i, 4 * i + 4), 5 * i + 1);
  return rois;
}

/** Box-head detections (input pixels) → `Detections` in the pixels of the image given. */
export function roiDetectionsToImage(
  detections: RoiDetections,
  transform: Transform,
  classNames: readonly string[],
): Detections {
  return {
    boxes: transform.toImage(detections.boxes, { clip: true }),
    scores: detections.scores,
    labels: detections.labels,
    labelNames: Array.from(detections.labels, (l) => classNames[l]!),
    imageSize: { width: transform.srcWidth, height: transform.srcHeight },
  };
}
