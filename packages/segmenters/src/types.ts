import type { ImageSize, Rle } from '@ocelot/core';
import type { Detections, DetectOptions } from '@ocelot/detectors';

/**
 * A semantic segmentation of one image: one class per pixel of the ORIGINAL image.
 */
export interface SemanticSegmentation {
  /**
   * [H,W] row-major class index per pixel at the original image size (`imageSize`):
   * `Uint8Array` for up to 256 classes, else `Uint16Array`.
   */
  readonly labelMap: Uint8Array | Uint16Array;
  /** Size of the image the label map covers. */
  readonly imageSize: ImageSize;
  /** Class indices that occur in `labelMap`, increasing. */
  readonly classesPresent: Int32Array;
  /** Every class name of the model, by index (`classNames[labelMap[i]]`). */
  readonly classNames: readonly string[];
  /** Per-class probability maps, when asked for with `options.probabilities`. */
  readonly probabilities?: ClassProbabilities;
}

/** Probability maps of some classes at the original image size. */
export interface ClassProbabilities {
  /** [K] class indices, increasing. */
  readonly classes: Int32Array;
  /** K maps, each [H,W] row-major float32 in [0, 1]; `maps[k]` belongs to `classes[k]`. */
  readonly maps: readonly Float32Array[];
}

/** How tiles are blended where they overlap. */
export type TileBlend = 'linear' | 'cosine' | 'uniform';

/**
 * Sliding-window inference: the image is cut, at its own resolution, into tiles of the model's
 * input size that overlap by `overlap` pixels; the logits of overlapping tiles are averaged
 * with weights that ramp from 0 at a tile's inner edge to 1 (`linear` or `cosine` ramps;
 * `uniform` = plain average, as mmsegmentation's `slide` mode).
 */
export interface TileOptions {
  /** Overlap of neighbouring tiles in image pixels. Default: a quarter of the tile side. */
  readonly overlap?: number;
  /** Default `linear`. */
  readonly blend?: TileBlend;
}

/** Per-call options of a semantic segmenter; anything left out comes from the card's `defaults`. */
export interface SemanticSegmentOptions {
  /**
   * Only these classes (indices or names) may be predicted: each pixel gets the allowed class
   * with the highest score. Default: all classes.
   */
  readonly classes?: readonly (number | string)[];
  /**
   * Also return probability maps at the original size: `true` for every class, or a list of
   * classes (each map is H·W floats — ask only for what you need on large images).
   * Default `false`.
   */
  readonly probabilities?: boolean | readonly (number | string)[];
  /**
   * Single-channel models (one sigmoid output, e.g. a binary U-Net): a pixel is foreground
   * (label 1) when its probability is strictly greater. Default 0.5.
   */
  readonly threshold?: number;
  /** Sliding-window inference at the image's own resolution. Default `false` (resize the whole image). */
  readonly tile?: boolean | TileOptions;
}

/** How instance masks are returned. */
export type InstanceMaskFormat = 'rle' | 'binary';

/**
 * Instance segmentation of one image: `Detections` (boxes in original pixels, scores, labels,
 * sorted by decreasing score) plus one mask per detection at the original image size.
 * `M` is `Rle` (COCO run-length encoding, the default) or `Uint8Array` ([H,W] row-major 0/1).
 */
export interface InstanceSegmentation<M extends Rle | Uint8Array = Rle> extends Detections {
  /** [N] masks, row i belongs to detection i. */
  readonly masks: readonly M[];
}

/** Per-call options of an instance segmenter: the detection options plus the mask ones. */
export interface InstanceSegmentOptions extends DetectOptions {
  /** A mask pixel is foreground when its probability is strictly greater. Default 0.5. */
  readonly maskThreshold?: number;
  /** `rle` (default, COCO RLE) or `binary` ([H,W] Uint8Array 0/1 per detection). */
  readonly maskFormat?: InstanceMaskFormat;
}
