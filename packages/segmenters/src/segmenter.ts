import type { Rle } from '@ocelot/core';
import type { ResolvedModelCard } from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import type {
  InstanceSegmentation,
  InstanceSegmentOptions,
  SemanticSegmentation,
  SemanticSegmentOptions,
} from './types.js';

interface SegmenterBase {
  /** The card with labels and input size filled in. */
  readonly card: ResolvedModelCard;
  /** Class names in the model's output order. */
  readonly classNames: readonly string[];
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Image in, one class per pixel out (FCN, DeepLabV3, LR-ASPP, U-Net). */
export interface SemanticSegmenter extends SegmenterBase {
  readonly kind: 'semantic';
  /**
   * Segments one image.
   * @param image [H,W,3] uint8 RGB
   * @returns a label map at the image's own size
   */
  segment(image: RgbImage, options?: SemanticSegmentOptions): Promise<SemanticSegmentation>;
}

/** Image in, detections with one mask each out (Mask R-CNN, YOLO-seg). */
export interface InstanceSegmenter extends SegmenterBase {
  readonly kind: 'instance';
  /**
   * Detects and segments objects in one image.
   * @param image [H,W,3] uint8 RGB
   * @returns detections in `image` pixels with COCO RLE masks (`maskFormat: 'binary'` for
   *   [H,W] 0/1 maps), sorted by decreasing score
   */
  segment(
    image: RgbImage,
    options?: InstanceSegmentOptions & { readonly maskFormat?: 'rle' },
  ): Promise<InstanceSegmentation<Rle>>;
  segment(
    image: RgbImage,
    options: InstanceSegmentOptions & { readonly maskFormat: 'binary' },
  ): Promise<InstanceSegmentation<Uint8Array>>;
  segment(
    image: RgbImage,
    options?: InstanceSegmentOptions,
  ): Promise<InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>>;
}

/** Any segmenter; tell them apart by `kind`. */
export type Segmenter = SemanticSegmenter | InstanceSegmenter;
