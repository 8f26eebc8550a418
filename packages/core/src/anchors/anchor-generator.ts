/**
 * Anchor generation identical to torchvision's `models/detection/anchor_utils.AnchorGenerator`
 * (0.14): zero-centred cell anchors per level, rounded half-to-even in float32, tiled over each
 * feature map with integer strides `imageSize // featureSize`.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { ImageSize } from '../types.js';
import { assertInteger } from '../validate.js';

/** Spatial size of one feature map (the last two dims of its NCHW tensor). */
export interface FeatureMapSize {
  readonly height: number;
  readonly width: number;
}

/** Stride of one feature level in input pixels, per axis. */
export interface LevelStride {
  readonly height: number;
  readonly width: number;
}

/** Options of an anchor generator: one entry per feature level. */
export interface AnchorGeneratorOptions {
  /**
   * Anchor sizes per level, in pixels (the side of the square anchor of aspect ratio 1).
   * FPN Faster R-CNN: `[[32], [64], [128], [256], [512]]`.
   */
  readonly sizes: readonly (readonly number[])[];
  /**
   * Aspect ratios (height / width) per level, or one list used for every level.
   * torchvision's default is `[0.5, 1, 2]`.
   */
  readonly aspectRatios: readonly (readonly number[])[] | readonly number[];
}

/** Faster / Mask R-CNN with FPN (torchvision `_default_anchorgen`): 3 anchors per location. */
export const FASTER_RCNN_FPN_ANCHORS: AnchorGeneratorOptions = Object.freeze({
  sizes: [[32], [64], [128], [256], [512]],
  aspectRatios: [0.5, 1, 2],
});

/**
 * RetinaNet (torchvision `_default_anchorgen`): sizes `x, int(x·2^(1/3)), int(x·2^(2/3))` for
 * x in 32…512 and ratios 0.5, 1, 2: 9 anchors per location.
 */
export const RETINANET_ANCHORS: AnchorGeneratorOptions = Object.freeze({
  sizes: [32, 64, 128, 256, 512].map((x) => [
    x,
    Math.trunc(x * 2 ** (1 / 3)),
    Math.trunc(x * 2 ** (2 / 3)),
  ]),
  aspectRatios: [0.5, 1, 2],
});

/** Round half to even, as `torch.round` does (JS `Math.round` rounds half up). */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  // Math.round(2.5) = 3 and Math.round(-2.5) = -2; step back to the even neighbour on ties.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function assertPositiveList(name: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new InvalidArgumentError(name, 'expected a non-empty array of positive numbers');
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(
        `${name}[${i}]`,
        `expected a positive finite number, got ${v}`,
      );
    }
  }
}

/** Expands and checks options: returns per-level ratio lists. */
function normalizeOptions(options: AnchorGeneratorOptions): {
  sizes: readonly (readonly number[])[];
  ratios: readonly (readonly number[])[];
} {
  const { sizes, aspectRatios } = options ?? ({} as AnchorGeneratorOptions);
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new InvalidArgumentError(
      'options.sizes',
      'expected one non-empty list of sizes per level',
    );
  }
  sizes.forEach((s, i) => {
    assertPositiveList(`options.sizes[${i}]`, s);
  });
  if (!Array.isArray(aspectRatios) || aspectRatios.length === 0) {
    throw new InvalidArgumentError('options.aspectRatios', 'expected a non-empty array');
  }
  let ratios: readonly (readonly number[])[];
  if (aspectRatios.every((r) => typeof r === 'number')) {
    assertPositiveList('options.aspectRatios', aspectRatios as readonly number[]);
    ratios = sizes.map(() => aspectRatios as readonly number[]);
  } else {
    ratios = aspectRatios as readonly (readonly number[])[];
    if (ratios.length !== sizes.length) {
      throw new ShapeMismatchError(
        'options.aspectRatios',
        `one list per level (${sizes.length} levels, as options.sizes)`,
        `${ratios.length} lists`,
      );
    }
    ratios.forEach((r, i) => {
      assertPositiveList(`options.aspectRatios[${i}]`, r);
    });
  }
  return { sizes, ratios };
}

/**
 * Zero-centred anchors of one level, torchvision's `generate_anchors`: for each ratio r and
 * size s (ratio-major), `w = s / sqrt(r)`, `h = s · sqrt(r)`, box `[-w, -h, w, h] / 2` rounded
 * half-to-even, all in float32.
 * @param sizes anchor sizes of the level, pixels
 * @param aspectRatios height / width ratios of the level
 * @returns [R·S, 4] xyxy, row `r·S + s`
 */
export function cellAnchors(
  sizes: readonly number[],
  aspectRatios: readonly number[],
): Float32Array {
  assertPositiveList('sizes', sizes);
  assertPositiveList('aspectRatios', aspectRatios);
  const f = Math.fround;
  const out = new Float32Array(sizes.length * aspectRatios.length * 4);
  let o = 0;
  for (const ratio of aspectRatios) {
    const hRatio = f(Math.sqrt(f(ratio)));
    const wRatio = f(1 / hRatio);
    for (const size of sizes) {
      const s = f(size);
      const ws = f(wRatio * s);
      const hs = f(hRatio * s);
      out[o++] = roundHalfToEven(f(-ws / 2));
      out[o++] = roundHalfToEven(f(-hs / 2));
      out[o++] = roundHalfToEven(f(ws / 2));
      out[o++] = roundHalfToEven(f(hs / 2));
    }
  }
  return out;
}

function assertFeatureSizes(featureSizes: readonly FeatureMapSize[], levels: number): void {
  if (!Array.isArray(featureSizes) || featureSizes.length !== levels) {
    throw new ShapeMismatchError(
      'featureSizes',
      `${levels} feature maps (one per level of the options)`,
      Array.isArray(featureSizes) ? `${featureSizes.length}` : String(featureSizes),
    );
  }
  featureSizes.forEach((s, i) => {
    assertInteger(`featureSizes[${i}].height`, s?.height, 1);
    assertInteger(`featureSizes[${i}].width`, s?.width, 1);
  });
}

function assertImageSize(imageSize: ImageSize): void {
  assertInteger('imageSize.height', imageSize?.height, 1);
  assertInteger('imageSize.width', imageSize?.width, 1);
}

/**
 * Strides of each level as torchvision computes them: `imageSize // featureSize` per axis.
 * `imageSize` is the size of the (padded) batch tensor fed to the backbone.
 * @throws InvalidArgumentError when a feature map is larger than the image (stride 0)
 */
export function anchorStrides(
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
): LevelStride[] {
  assertImageSize(imageSize);
  if (!Array.isArray(featureSizes)) {
    throw new InvalidArgumentError('featureSizes', 'expected an array of { height, width }');
  }
  assertFeatureSizes(featureSizes, featureSizes.length);
  return featureSizes.map((s, i) => {
    const height = Math.floor(imageSize.height / s.height);
    const width = Math.floor(imageSize.width / s.width);
    if (height === 0 || width === 0) {
      throw new InvalidArgumentError(
        `featureSizes[${i}]`,
        `feature map ${s.height}x${s.width} is larger than the image ${imageSize.height}x${imageSize.width}`,
      );
    }
    return { height, width };
  });
}

/** Anchors per spatial location of each level: `sizes[l].length · aspectRatios[l].length`. */
export function numAnchorsPerLocation(options: AnchorGeneratorOptions): number[] {
  const { sizes, ratios } = normalizeOptions(options);
  return sizes.map((s, i) => s.length * ratios[i]!.length);
}

function tileLevel(
  base: Float32Array,
  size: FeatureMapSize,
  stride: LevelStride,
  out: Float32Array,
  offset: number,
): number {
  const a = base.length / 4;
  let o = offset;
  for (let y = 0; y < size.height; y++) {
    const sy = y * stride.height;
    for (let x = 0; x < size.width; x++) {
      const sx = x * stride.width;
      for (let k = 0; k < a; k++) {
        const b = 4 * k;
        // float32 adds, as torch adds the int64 shifts to float32 cell anchors
        out[o++] = sx + base[b]!;
        out[o++] = sy + base[b + 1]!;
        out[o++] = sx + base[b + 2]!;
        out[o++] = sy + base[b + 3]!;
      }
    }
  }
  return o;
}

function tileLevels(
  bases: readonly Float32Array[],
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
  concatenate: boolean,
): Float32Array[] {
  assertFeatureSizes(featureSizes, bases.length);
  const strides = anchorStrides(featureSizes, imageSize);
  const counts = bases.map((b, l) => featureSizes[l]!.height * featureSizes[l]!.width * b.length);
  if (!concatenate) {
    return bases.map((b, l) => {
      const out = new Float32Array(counts[l]!);
      tileLevel(b, featureSizes[l]!, strides[l]!, out, 0);
      return out;
    });
  }
  const out = new Float32Array(counts.reduce((a, b) => a + b, 0));
  let o = 0;
  bases.forEach((b, l) => {
    o = tileLevel(b, featureSizes[l]!, strides[l]!, out, o);
  });
  return [out];
}

/**
 * Anchors of every level, separately (torchvision `grid_anchors`).
 * @param featureSizes one `{ height, width }` per level
 * @param imageSize the size of the (padded) input tensor, pixels
 * @returns per level, [H·W·A, 4] xyxy ordered by row, column, then cell anchor
 */
export function gridAnchorsPerLevel(
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
  options: AnchorGeneratorOptions,
): Float32Array[] {
  const { sizes, ratios } = normalizeOptions(options);
  const bases = sizes.map((s, l) => cellAnchors(s, ratios[l]!));
  return tileLevels(bases, featureSizes, imageSize, false);
}

/**
 * All anchors of an image, torchvision `AnchorGenerator.forward`: levels concatenated in order;
 * within a level, for each location (row-major), each cell anchor.
 * @param featureSizes one `{ height, width }` per level
 * @param imageSize the size of the (padded) input tensor, pixels
 * @returns [Σ H·W·A, 4] xyxy pixels
 */
export function gridAnchors(
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
  options: AnchorGeneratorOptions,
): Float32Array {
  const { sizes, ratios } = normalizeOptions(options);
  const bases = sizes.map((s, l) => cellAnchors(s, ratios[l]!));
  return tileLevels(bases, featureSizes, imageSize, true)[0]!;
}

/**
 * A torchvision-style anchor generator that only holds its options and cell anchors; see
 * {@link gridAnchors}. Defaults to torchvision's `sizes=((128, 256, 512),)`,
 * `aspect_ratios=((0.5, 1.0, 2.0),)`.
 */
export class AnchorGenerator {
  readonly sizes: readonly (readonly number[])[];
  readonly aspectRatios: readonly (readonly number[])[];
  /** Zero-centred anchors per level, [A_l, 4] xyxy. */
  readonly cellAnchors: readonly Float32Array[];

  constructor(
    options: AnchorGeneratorOptions = { sizes: [[128, 256, 512]], aspectRatios: [0.5, 1, 2] },
  ) {
    const { sizes, ratios } = normalizeOptions(options);
    this.sizes = sizes;
    this.aspectRatios = ratios;
    this.cellAnchors = sizes.map((s, l) => cellAnchors(s, ratios[l]!));
  }

  /** Anchors per spatial location of each level. */
  numAnchorsPerLocation(): number[] {
    return this.cellAnchors.map((c) => c.length / 4);
  }

  /** All anchors, levels concatenated: [Σ H·W·A, 4] xyxy. See {@link gridAnchors}. */
  generate(featureSizes: readonly FeatureMapSize[], imageSize: ImageSize): Float32Array {
    return tileLevels(this.cellAnchors, featureSizes, imageSize, true)[0]!;
  }

  /** Anchors per level. See {@link gridAnchorsPerLevel}. */
  generatePerLevel(featureSizes: readonly FeatureMapSize[], imageSize: ImageSize): Float32Array[] {
    return tileLevels(this.cellAnchors, featureSizes, imageSize, false);
  }

  /** The options as a plain serialisable object. */
  options(): AnchorGeneratorOptions {
    return { sizes: this.sizes, aspectRatios: this.aspectRatios };
  }
}
