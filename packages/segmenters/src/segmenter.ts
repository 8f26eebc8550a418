import type { Rle } from '@ocelot/core';
import { type ModelCard, ModelCardError, type ResolvedModelCard } from '@ocelot/detectors';
import { assertRgbImage, type RgbImage } from '@ocelot/image';
import { type ResolvedInstanceOptions, resolveInstanceOptions } from './instance/options.js';
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

/**
 * Detects and segments objects in one image.
 * @param image [H,W,3] uint8 RGB
 * @returns detections in `image` pixels with COCO RLE masks (`maskFormat: 'binary'` for
 *   [H,W] 0/1 maps), sorted by decreasing score
 */
export interface SegmentInstances {
  (
    image: RgbImage,
    options?: InstanceSegmentOptions & { readonly maskFormat?: 'rle' },
  ): Promise<InstanceSegmentation<Rle>>;
  (
    image: RgbImage,
    options: InstanceSegmentOptions & { readonly maskFormat: 'binary' },
  ): Promise<InstanceSegmentation<Uint8Array>>;
  (
    image: RgbImage,
    options?: InstanceSegmentOptions,
  ): Promise<InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>>;
}

/** Image in, detections with one mask each out (Mask R-CNN, YOLO-seg). */
export interface InstanceSegmenter extends SegmenterBase {
  readonly kind: 'instance';
  /** Detects and segments objects in one image: see {@link SegmentInstances}. */
  readonly segment: SegmentInstances;
}

/** Any segmenter; tell them apart by `kind`. */
export type Segmenter = SemanticSegmenter | InstanceSegmenter;

/**
 * Checks the card's `defaults` at build time, naming `defaults.<option>`.
 * @throws ModelCardError
 */
export function resolveInstanceOptionsForCard(
  card: ModelCard,
  classNames: readonly string[],
): void {
  try {
    resolveInstanceOptions(classNames, card.defaults as InstanceSegmentOptions | undefined);
  } catch (error) {
    if (error instanceof Error && 'argument' in error) {
      throw new ModelCardError(
        card.id,
        String((error as { argument: string }).argument).replace(/^options\./, 'defaults.'),
        error.message.replace(/^[^:]*: /, ''),
      );
    }
    throw error;
  }
}

/**
 * What every instance segmenter does around its network: `segment` checks the image, layers
 * the call's options over the card's `defaults` over the architecture's, and hands them to
 * `segmentResolved`; disposing is `dispose`.
 */
export abstract class InstanceSegmenterBase implements InstanceSegmenter {
  readonly kind = 'instance' as const;
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly #defaults: InstanceSegmentOptions;

  /**
   * @param defaults the architecture's options, under the card's `defaults`
   * @throws ModelCardError naming `defaults.<option>` when the card's defaults are invalid
   */
  constructor(
    card: ResolvedModelCard,
    classNames: readonly string[],
    defaults: InstanceSegmentOptions,
  ) {
    this.card = card;
    this.classNames = classNames;
    this.#defaults = defaults;
    resolveInstanceOptionsForCard(card, classNames);
  }

  readonly segment = (async (image: RgbImage, options?: InstanceSegmentOptions) => {
    assertRgbImage('image', image);
    const resolved = resolveInstanceOptions(
      this.classNames,
      options,
      this.card.defaults as InstanceSegmentOptions | undefined,
      this.#defaults,
    );
    return this.segmentResolved(image, resolved);
  }) as SegmentInstances;

  /**
   * The architecture's part of `segment`.
   * @param image [H,W,3] uint8 RGB, checked
   * @param options the call's options, resolved and checked
   */
  protected abstract segmentResolved(
    image: RgbImage,
    options: ResolvedInstanceOptions,
  ): Promise<InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>>;

  abstract dispose(): Promise<void>;

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
