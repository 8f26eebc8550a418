import type { ImageSize } from '@ocelot/core';

/**
 * Detections of one image, as a column store: row i of every array is detection i, sorted by
 * decreasing score. Boxes are in ORIGINAL image pixels, xyxy.
 */
export interface Detections {
  /** [N,4] xyxy, original image pixels. */
  readonly boxes: Float32Array;
  /** [N] confidence in [0, 1] (or the model's score scale). */
  readonly scores: Float32Array;
  /** [N] class index into the detector's `classNames`. */
  readonly labels: Int32Array;
  /** [N] class name of each detection (`classNames[labels[i]]`). */
  readonly labelNames: readonly string[];
  /** Size of the image the boxes refer to. */
  readonly imageSize: ImageSize;
}

/**
 * What an architecture's pure `decode` returns: boxes in MODEL INPUT pixels (xyxy) with their
 * best score and class, already pre-filtered the way the architecture does it (score threshold,
 * per-level or per-class top-k). The shared post-processing runs NMS, caps and maps back.
 */
export interface Candidates {
  /** [K,4] xyxy in model-input pixels. */
  readonly boxes: Float32Array;
  /** [K] */
  readonly scores: Float32Array;
  /** [K] class index (0-based, into the card's labels). */
  readonly labels: Int32Array;
}

/** Per-call options; anything left out comes from the model card, then the architecture. */
export interface DetectOptions {
  /** Keep candidates with score ≥ this (torchvision uses `>`; decoders say which). */
  readonly scoreThreshold?: number;
  /** NMS IoU threshold; boxes overlapping a kept one by more than this are dropped. */
  readonly iouThreshold?: number;
  /** At most this many detections per image. */
  readonly maxDetections?: number;
  /** Only these classes (indices or names). */
  readonly classes?: readonly (number | string)[];
  /** Run NMS across classes instead of per class. */
  readonly classAgnostic?: boolean;
  /** Candidates kept before NMS (dense heads), by decreasing score. */
  readonly preNmsTopK?: number;
}

/** Options after defaults are applied; what decoders and post-processing read. */
export interface ResolvedDetectOptions {
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  readonly maxDetections: number;
  /** `allowed[c] === 1` when class c may be reported; `undefined` = all classes. */
  readonly allowed: Uint8Array | undefined;
  readonly classAgnostic: boolean;
  readonly preNmsTopK: number;
}
