/**
 * torchvision's `GeneralizedRCNNTransform` at test time (0.14), for one image:
 * normalise → resize so the shorter side is `minSize` unless the longer side would exceed
 * `maxSize` (bilinear on the normalised floats) → zero-pad bottom/right to a multiple of
 * `sizeDivisible`; and `postprocess`'s `resize_boxes` back to the original image.
 *
 * Every number follows torch's float32 arithmetic: the scale is
 * `min(minSize · (1/shorter), maxSize · (1/longer))` in float32 (a Python float divided by a
 * tensor is `tensor.reciprocal() * float`), the resized size is `floor(side · scale)` in
 * double, and the resampling is {@link resizeBilinearFloat}.
 */
import { assertInteger, type ImageSize, InvalidArgumentError, type TensorView } from '@ocelot/core';
import {
  assertRgbImage,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type RgbImage,
  toTensor,
} from '@ocelot/image';
import { resizeBilinearBytes } from './resize-float.js';

const fround = Math.fround;

/** Options of the R-CNN transform; torchvision's names in brackets. */
export interface RCNNTransformOptions {
  /** Target length of the shorter side [min_size]. Default 800. */
  readonly minSize?: number;
  /** Upper bound of the longer side [max_size]. Default 1333. */
  readonly maxSize?: number;
  /** The padded batch is a multiple of this in both sides [size_divisible]. Default 32. */
  readonly sizeDivisible?: number;
  /** Resize every image to exactly this size instead [fixed_size]. */
  readonly fixedSize?: ImageSize | undefined;
  /** Per-channel mean in 0–1 units [image_mean]. Default ImageNet's. */
  readonly mean?: readonly number[];
  /** Per-channel std in 0–1 units [image_std]. Default ImageNet's. */
  readonly std?: readonly number[];
  /** Pixel multiplier applied before the mean (ToTensor's 1/255). Default 1/255. */
  readonly scale?: number;
  /** Channel order the network expects. Default `rgb`. */
  readonly channelOrder?: 'rgb' | 'bgr';
}

/** The options with torchvision's defaults filled in. */
export type ResolvedRCNNTransformOptions = Required<Omit<RCNNTransformOptions, 'fixedSize'>> & {
  readonly fixedSize: ImageSize | undefined;
};

/** torchvision's `GeneralizedRCNNTransform` defaults for the COCO detection models. */
export const RCNN_TRANSFORM_DEFAULTS: ResolvedRCNNTransformOptions = Object.freeze({
  minSize: 800,
  maxSize: 1333,
  sizeDivisible: 32,
  fixedSize: undefined,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  scale: 1 / 255,
  channelOrder: 'rgb' as const,
});

/**
 * Fills in and checks the transform options.
 * @throws InvalidArgumentError naming the option
 */
export function resolveRCNNTransformOptions(
  options: RCNNTransformOptions = {},
): ResolvedRCNNTransformOptions {
  const o = { ...RCNN_TRANSFORM_DEFAULTS, ...stripUndefined(options) };
  for (const name of ['minSize', 'maxSize', 'sizeDivisible'] as const) {
    assertInteger(`options.${name}`, o[name], 1);
  }
  if (o.fixedSize !== undefined) {
    assertInteger('options.fixedSize.width', o.fixedSize.width, 1);
    assertInteger('options.fixedSize.height', o.fixedSize.height, 1);
  }
  for (const name of ['mean', 'std'] as const) {
    const v = o[name];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x))) {
      throw new InvalidArgumentError(
        `options.${name}`,
        `expected 3 finite numbers, got ${JSON.stringify(v)}`,
      );
    }
  }
  if (o.std.some((s) => s === 0)) throw new InvalidArgumentError('options.std', 'must not be 0');
  if (!(typeof o.scale === 'number' && Number.isFinite(o.scale) && o.scale > 0)) {
    throw new InvalidArgumentError('options.scale', `expected a number > 0, got ${o.scale}`);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The resize factor torchvision applies (`_resize_image_and_masks`):
 * `min(minSize · (1/min(h, w)), maxSize · (1/max(h, w)))`, each factor in float32.
 * @returns the float32 scale as a number
 */
export function rcnnResizeScale(size: ImageSize, minSize: number, maxSize: number): number {
  const shorter = fround(Math.min(size.width, size.height));
  const longer = fround(Math.max(size.width, size.height));
  const byMin = fround(fround(1 / shorter) * fround(minSize));
  const byMax = fround(fround(1 / longer) * fround(maxSize));
  return Math.min(byMin, byMax);
}

/**
 * The size an image is resized to: `floor(side · scale)` per side (torch's
 * `recompute_scale_factor=True` output size), or `fixedSize`.
 */
export function rcnnResizedSize(size: ImageSize, options: RCNNTransformOptions = {}): ImageSize {
  const o = resolveRCNNTransformOptions(options);
  if (o.fixedSize !== undefined) return { width: o.fixedSize.width, height: o.fixedSize.height };
  const scale = rcnnResizeScale(size, o.minSize, o.maxSize);
  return {
    width: Math.floor(size.width * scale),
    height: Math.floor(size.height * scale),
  };
}

/** One transformed image: the network input and the sizes torchvision keeps. */
export interface RCNNInput {
  /** [1, 3, paddedHeight, paddedWidth] float32, normalised, zero padding bottom/right. */
  readonly tensor: TensorView<Float32Array>;
  /** Size after resizing, before padding (torchvision's `image_sizes`). */
  readonly imageSize: ImageSize;
  /** Size of the padded tensor (what anchors are laid over). */
  readonly paddedSize: ImageSize;
  /** Size of the image given. */
  readonly originalSize: ImageSize;
}

/** Every byte value of every channel through `toTensor` with these options: [3·256]. */
function normalisationTable(o: ResolvedRCNNTransformOptions): Float32Array {
  const ramp = new Uint8Array(3 * 256);
  for (let v = 0; v < 256; v++) ramp.fill(v, 3 * v, 3 * v + 3);
  return toTensor(
    { width: 256, height: 1, data: ramp },
    { scale: o.scale, mean: o.mean, std: o.std, channelOrder: o.channelOrder },
  ).data;
}

/**
 * torchvision's `GeneralizedRCNNTransform.forward` for one image (eval mode), bit for bit.
 * @param image [H, W, 3] uint8 RGB
 * @returns the padded input tensor [1, 3, H', W'] and the sizes
 * @throws InvalidArgumentError on a malformed image or options
 */
export function rcnnTransform(image: RgbImage, options: RCNNTransformOptions = {}): RCNNInput {
  assertRgbImage('image', image);
  const o = resolveRCNNTransformOptions(options);
  const originalSize = { width: image.width, height: image.height };
  const size = rcnnResizedSize(originalSize, o);
  if (size.width < 1 || size.height < 1) {
    throw new InvalidArgumentError(
      'image',
      `${image.width}x${image.height} resizes to ${size.width}x${size.height}; too thin for minSize ${o.minSize} / maxSize ${o.maxSize}`,
    );
  }
  const d = o.sizeDivisible;
  const padded = {
    width: Math.ceil(size.width / d) * d,
    height: Math.ceil(size.height / d) * d,
  };
  // Normalise (a table of the 256 byte values per channel, made by toTensor itself), resize and
  // pad in one pass over the pixels, straight into the zero-padded input.
  const data = new Float32Array(3 * padded.width * padded.height);
  resizeBilinearBytes(
    image.data,
    image.width,
    image.height,
    normalisationTable(o),
    o.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2],
    size.height,
    size.width,
    data,
    padded.height,
    padded.width,
  );
  return {
    tensor: { data, dims: [1, 3, padded.height, padded.width] },
    imageSize: size,
    paddedSize: padded,
    originalSize,
  };
}

/**
 * torchvision's `resize_boxes`: scales xyxy boxes from one image size to another with float32
 * ratios `new / old` per axis (no clipping).
 * @param boxes [N, 4] xyxy in `from` pixels
 * @returns [N, 4] xyxy in `to` pixels
 */
export function resizeBoxes(boxes: Float32Array, from: ImageSize, to: ImageSize): Float32Array {
  const rw = fround(fround(to.width) / fround(from.width));
  const rh = fround(fround(to.height) / fround(from.height));
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i]! * rw;
    out[i + 1] = boxes[i + 1]! * rh;
    out[i + 2] = boxes[i + 2]! * rw;
    out[i + 3] = boxes[i + 3]! * rh;
  }
  return out;
}
