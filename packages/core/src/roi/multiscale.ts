/**
 * Multi-scale RoI Align over FPN levels, as torchvision.ops.MultiScaleRoIAlign: the scale of
 * each level is inferred from its size, each RoI goes to the level given by the FPN paper's
 * eq. 1 (torchvision's LevelMapper), and the output keeps the input RoI order.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { Boxes, ImageSize, TensorView } from '../types.js';
import { assertBoxes, assertInteger } from '../validate.js';
import { type AlignParams, alignLevel, type RoIAlignLayout } from './align.js';
import {
  checkFeatures,
  checkRois,
  checkSamplingRatio,
  type Features,
  type OutputSize,
  parseOutputSize,
  type Rois,
} from './common.js';

const f32 = Math.fround;

/** Options of {@link multiScaleRoIAlign}. */
export interface MultiScaleRoIAlignOptions {
  /** Output bins per RoI: `n` for n×n or `[height, width]`. */
  readonly outputSize: OutputSize;
  /** Samples per bin along each axis; ≤ 0 for adaptive. Default 2 (torchvision's detectors). */
  readonly samplingRatio?: number;
  /** FPN eq. 1's 224: a RoI of this side goes to `canonicalLevel`. Default 224. */
  readonly canonicalScale?: number;
  /** FPN eq. 1's k0. Default 4. */
  readonly canonicalLevel?: number;
  /** RoI Align's `aligned`; torchvision's MultiScaleRoIAlign always uses false. Default false. */
  readonly aligned?: boolean;
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The scale of each pyramid level, as torchvision's `_setup_scales`: `2 ** round(log2(featureHeight
 * / maxImageHeight))` (float32 arithmetic; torchvision looks at heights only).
 *
 * @param featureHeights height of each level's feature map
 * @param imageSizes sizes of the images before the backbone (the batch's largest height counts)
 */
export function inferLevelScales(
  featureHeights: readonly number[],
  imageSizes: readonly ImageSize[],
): number[] {
  if (!Array.isArray(imageSizes) || imageSizes.length === 0) {
    throw new InvalidArgumentError('imageSizes', 'expected at least one image size');
  }
  let maxH = 0;
  imageSizes.forEach((s, i) => {
    assertInteger(`imageSizes[${i}].height`, s?.height, 1);
    assertInteger(`imageSizes[${i}].width`, s?.width, 1);
    maxH = Math.max(maxH, s.height);
  });
  return featureHeights.map((h) => 2 ** roundHalfEven(f32(Math.log2(f32(h / maxH)))));
}

/**
 * FPN level of each box, as torchvision's LevelMapper: `floor(k0 + log2(sqrt(area) / s0) + eps)`
 * clamped to [kMin, kMax], returned as 0-based indices (level − kMin). float32 arithmetic.
 *
 * @param boxes [N,4] xyxy (or, with `stride` 5 and `offset` 1, the boxes inside K×5 RoIs)
 */
export function assignFpnLevels(
  boxes: Float32Array,
  kMin: number,
  kMax: number,
  options: {
    canonicalScale?: number;
    canonicalLevel?: number;
    eps?: number;
    stride?: number;
    offset?: number;
  } = {},
): Int32Array {
  const s0 = options.canonicalScale ?? 224;
  const k0 = options.canonicalLevel ?? 4;
  const eps = f32(options.eps ?? 1e-6);
  const stride = options.stride ?? 4;
  const offset = options.offset ?? 0;
  const n = Math.floor(boxes.length / stride);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * stride + offset;
    const area = f32(f32(boxes[o + 2]! - boxes[o]!) * f32(boxes[o + 3]! - boxes[o + 1]!));
    const s = f32(Math.sqrt(area));
    const target = Math.floor(f32(f32(k0 + f32(Math.log2(f32(s / s0)))) + eps));
    out[i] = Math.min(Math.max(target, kMin), kMax) - kMin;
  }
  return out;
}

/**
 * Multi-scale RoI Align, as torchvision.ops.MultiScaleRoIAlign (aligned=false by default).
 *
 * @param features the FPN levels to pool from, finest first, each [N,C,H_l,W_l]; their
 *   inferred scales must be consecutive powers of two (e.g. 1/4, 1/8, 1/16, 1/32)
 * @param boxes either one [N_i,4] xyxy array per image, or [K,5] RoIs (batchIndex, x1, y1, x2, y2),
 *   in image coordinates
 * @param imageSizes the size of each image before the backbone
 * @param options outputSize, samplingRatio (2), canonicalScale (224), canonicalLevel (4), aligned
 * @returns [K,C,outputHeight,outputWidth] in the input RoI order
 */
export function multiScaleRoIAlign(
  features: readonly TensorView[],
  boxes: readonly Boxes[] | Rois,
  imageSizes: readonly ImageSize[],
  options: MultiScaleRoIAlignOptions,
  layout: RoIAlignLayout = 'auto',
): TensorView<Float32Array> {
  if (!Array.isArray(features) || features.length === 0) {
    throw new InvalidArgumentError(
      'features',
      'expected a non-empty array of [N,C,H,W] feature maps',
    );
  }
  const levels: Features[] = features.map((f, i) => checkFeatures(`features[${i}]`, f));
  const first = levels[0]!;
  levels.forEach((l, i) => {
    if (l.n !== first.n || l.c !== first.c) {
      throw new ShapeMismatchError(
        `features[${i}]`,
        `[N=${first.n},C=${first.c},H,W] (N and C of features[0])`,
        `[${l.n},${l.c},${l.h},${l.w}]`,
      );
    }
  });
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected { outputSize, samplingRatio?, ... }');
  }
  const [oh, ow] = parseOutputSize('options.outputSize', options.outputSize);
  const samplingRatio = checkSamplingRatio('options.samplingRatio', options.samplingRatio ?? 2);
  const canonicalScale = options.canonicalScale ?? 224;
  const canonicalLevel = options.canonicalLevel ?? 4;
  if (!(canonicalScale > 0) || !Number.isFinite(canonicalScale)) {
    throw new InvalidArgumentError(
      'options.canonicalScale',
      `expected a number > 0, got ${canonicalScale}`,
    );
  }
  assertInteger('options.canonicalLevel', canonicalLevel, 0);

  // RoIs in K×5 form, batch index = image index for per-image boxes.
  let rois: Float32Array;
  if (Array.isArray(boxes)) {
    if (boxes.length !== first.n) {
      throw new ShapeMismatchError(
        'boxes',
        `${first.n} arrays (one per image, N=${first.n})`,
        `${boxes.length}`,
      );
    }
    let total = 0;
    boxes.forEach((b, i) => {
      total += assertBoxes(`boxes[${i}]`, b);
    });
    rois = new Float32Array(5 * total);
    let k = 0;
    boxes.forEach((b, i) => {
      for (let j = 0; j < b.length; j += 4, k++) {
        rois[5 * k] = i;
        rois.set(b.subarray(j, j + 4), 5 * k + 1);
      }
    });
  } else {
    rois = checkRois('boxes', boxes as Rois, first.n);
    for (let k = 0; k < rois.length; k += 5) {
      if (rois[k + 3]! < rois[k + 1]! || rois[k + 4]! < rois[k + 2]!) {
        throw new InvalidArgumentError(
          'boxes',
          `roi ${k / 5} has negative size; the FPN level of a box needs x2 >= x1 and y2 >= y1`,
          'E_NEGATIVE_BOX_SIZE',
        );
      }
    }
  }
  if (!Array.isArray(imageSizes) || imageSizes.length !== first.n) {
    throw new ShapeMismatchError(
      'imageSizes',
      `${first.n} sizes (one per image)`,
      `${imageSizes?.length}`,
    );
  }
  const scales = inferLevelScales(
    levels.map((l) => l.h),
    imageSizes,
  );
  for (let i = 1; i < scales.length; i++) {
    if (scales[i] !== scales[i - 1]! / 2) {
      throw new InvalidArgumentError(
        'features',
        `level scales ${scales.join(', ')} are not consecutive powers of two; torchvision would leave the RoIs of the missing levels at zero`,
      );
    }
  }
  const K = rois.length / 5;
  const out = new Float32Array(K * first.c * oh * ow);
  const params = (scale: number): AlignParams => ({
    oh,
    ow,
    scale: f32(scale),
    samplingRatio,
    aligned: options.aligned === true,
  });
  if (levels.length === 1) {
    alignLevel(first, rois, null, params(scales[0]!), out, layout, 'features[0]');
  } else {
    const kMin = -Math.log2(scales[0]!);
    const kMax = -Math.log2(scales[scales.length - 1]!);
    const assigned = assignFpnLevels(rois, kMin, kMax, {
      canonicalScale,
      canonicalLevel,
      stride: 5,
      offset: 1,
    });
    const counts = new Int32Array(levels.length);
    for (let k = 0; k < K; k++) counts[assigned[k]!]!++;
    levels.forEach((level, l) => {
      const indices = new Int32Array(counts[l]!);
      let j = 0;
      for (let k = 0; k < K; k++) if (assigned[k] === l) indices[j++] = k;
      alignLevel(level, rois, indices, params(scales[l]!), out, layout, `features[${l}]`);
    });
  }
  return { data: out, dims: [K, first.c, oh, ow] };
}

/**
 * Holds {@link multiScaleRoIAlign}'s options, like torchvision.ops.MultiScaleRoIAlign (which
 * also selects feature maps by name; pass the chosen levels instead). Unlike torchvision, the
 * level scales are inferred on every call rather than cached from the first one.
 */
export class MultiScaleRoIAlign {
  readonly options: Readonly<MultiScaleRoIAlignOptions>;
  constructor(options: MultiScaleRoIAlignOptions) {
    parseOutputSize('options.outputSize', options?.outputSize);
    checkSamplingRatio('options.samplingRatio', options.samplingRatio ?? 2);
    this.options = { ...options };
  }
  /** {@link multiScaleRoIAlign} with the held options. */
  forward(
    features: readonly TensorView[],
    boxes: readonly Boxes[] | Rois,
    imageSizes: readonly ImageSize[],
  ): TensorView<Float32Array> {
    return multiScaleRoIAlign(features, boxes, imageSizes, this.options);
  }
}
