/**
 * SSD default boxes identical to torchvision's `anchor_utils.DefaultBoxGenerator` (0.14).
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { Boxes, ImageSize } from '../types.js';
import { assertInteger } from '../validate.js';
import type { FeatureMapSize } from './anchor-generator.js';

/** Options of the SSD default-box generator (torchvision `DefaultBoxGenerator`). */
export interface DefaultBoxOptions {
  /**
   * Extra aspect ratios per feature map. Each ratio r adds two boxes, `(s·√r, s/√r)` and its
   * transpose, to the two square boxes every location has.
   */
  readonly aspectRatios: readonly (readonly number[])[];
  /** s_min, used only without `scales`. Default 0.15. */
  readonly minRatio?: number;
  /** s_max, used only without `scales`. Default 0.9. */
  readonly maxRatio?: number;
  /**
   * Box scales relative to the image, at least one more than there are maps (the last one only
   * enters the extra square box √(s_k·s_k+1)). Default: s_k = s_min + (s_max − s_min)·k/(m − 1)
   * for k = 0…m−1, then 1 (or `[s_min, s_max]` for a single map).
   */
  readonly scales?: readonly number[];
  /** Pixel stride of each map, used to place centres at `(i + 0.5) · step / imageSize`. */
  readonly steps?: readonly number[];
  /** Clamp the box widths and heights to [0, 1] (in normalised cxcywh). Default true. */
  readonly clip?: boolean;
}

/** SSD300 VGG16 (torchvision `ssd300_vgg16`): 8732 boxes on maps 38, 19, 10, 5, 3, 1. */
export const SSD300_DEFAULT_BOXES: DefaultBoxOptions = Object.freeze({
  aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
  scales: [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05],
  steps: [8, 16, 32, 64, 100, 300],
});

/** SSDlite320 MobileNetV3 (torchvision `ssdlite320_mobilenet_v3_large`). */
export const SSDLITE320_DEFAULT_BOXES: DefaultBoxOptions = Object.freeze({
  aspectRatios: [
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
  ],
  minRatio: 0.2,
  maxRatio: 0.95,
});

interface ResolvedDefaultBoxOptions {
  readonly aspectRatios: readonly (readonly number[])[];
  readonly scales: readonly number[];
  readonly steps: readonly number[] | undefined;
  readonly clip: boolean;
}

/**
 * The scales torchvision estimates from `minRatio` / `maxRatio` for `numMaps` maps (with the
 * trailing 1.0 it appends), computed in double precision as Python does.
 */
export function defaultBoxScales(numMaps: number, minRatio = 0.15, maxRatio = 0.9): number[] {
  assertInteger('numMaps', numMaps, 1);
  assertFiniteNumber('minRatio', minRatio);
  assertFiniteNumber('maxRatio', maxRatio);
  if (numMaps === 1) return [minRatio, maxRatio];
  const range = maxRatio - minRatio;
  const scales: number[] = [];
  for (let k = 0; k < numMaps; k++) scales.push(minRatio + (range * k) / (numMaps - 1));
  scales.push(1);
  return scales;
}

function assertFiniteNumber(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidArgumentError(name, `expected a finite number, got ${String(v)}`);
  }
}

function resolveOptions(options: DefaultBoxOptions): ResolvedDefaultBoxOptions {
  const aspectRatios = options?.aspectRatios;
  if (!Array.isArray(aspectRatios) || aspectRatios.length === 0) {
    throw new InvalidArgumentError(
      'options.aspectRatios',
      'expected one list of aspect ratios per feature map',
    );
  }
  aspectRatios.forEach((list, k) => {
    if (!Array.isArray(list)) {
      throw new InvalidArgumentError(`options.aspectRatios[${k}]`, 'expected an array of ratios');
    }
    list.forEach((r, j) => {
      if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) {
        throw new InvalidArgumentError(
          `options.aspectRatios[${k}][${j}]`,
          `expected a positive finite number, got ${r}`,
        );
      }
    });
  });
  const m = aspectRatios.length;
  let scales: readonly number[];
  if (options.scales !== undefined) {
    scales = options.scales;
    if (!Array.isArray(scales) || scales.length < m + 1) {
      throw new ShapeMismatchError(
        'options.scales',
        `at least ${m + 1} scales (one per map plus one)`,
        Array.isArray(scales) ? `${scales.length}` : String(scales),
      );
    }
    scales.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
        throw new InvalidArgumentError(
          `options.scales[${i}]`,
          `expected a finite number >= 0, got ${s}`,
        );
      }
    });
  } else {
    const minRatio = options.minRatio ?? 0.15;
    const maxRatio = options.maxRatio ?? 0.9;
    assertFiniteNumber('options.minRatio', minRatio);
    assertFiniteNumber('options.maxRatio', maxRatio);
    if (minRatio <= 0 || maxRatio < minRatio) {
      throw new InvalidArgumentError(
        'options.minRatio',
        `expected 0 < minRatio <= maxRatio, got minRatio=${minRatio}, maxRatio=${maxRatio}`,
      );
    }
    scales = defaultBoxScales(m, minRatio, maxRatio);
  }
  const steps = options.steps;
  if (steps !== undefined) {
    if (!Array.isArray(steps) || steps.length !== m) {
      throw new ShapeMismatchError(
        'options.steps',
        `${m} steps (one per map, as options.aspectRatios)`,
        Array.isArray(steps) ? `${steps.length}` : String(steps),
      );
    }
    steps.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) {
        throw new InvalidArgumentError(
          `options.steps[${i}]`,
          `expected a positive number, got ${s}`,
        );
      }
    });
  }
  const clip = options.clip ?? true;
  if (typeof clip !== 'boolean') {
    throw new InvalidArgumentError('options.clip', `expected a boolean, got ${String(clip)}`);
  }
  return { aspectRatios, scales, steps, clip };
}

/**
 * Width-height pairs of each map (torchvision `_generate_wh_pairs`), before clipping:
 * `(s_k, s_k)`, `(s'_k, s'_k)` with s'_k = √(s_k·s_k+1), then `(s_k√r, s_k/√r)` and its
 * transpose for each ratio r. Computed in double, stored in float32.
 * @returns per map, [2 + 2R, 2] normalised (w, h)
 */
function whPairs(options: ResolvedDefaultBoxOptions): Float32Array[] {
  const { aspectRatios, scales } = options;
  return aspectRatios.map((ratios, k) => {
    const sk = scales[k]!;
    const sPrime = Math.sqrt(sk * scales[k + 1]!);
    const pairs = [sk, sk, sPrime, sPrime];
    for (const ar of ratios) {
      const sq = Math.sqrt(ar);
      const w = sk * sq;
      const h = sk / sq;
      pairs.push(w, h, h, w);
    }
    return Float32Array.from(pairs);
  });
}

function assertSizes(
  featureSizes: readonly FeatureMapSize[],
  m: number,
  imageSize: ImageSize,
): void {
  if (!Array.isArray(featureSizes) || featureSizes.length !== m) {
    throw new ShapeMismatchError(
      'featureSizes',
      `${m} feature maps (one per entry of options.aspectRatios)`,
      Array.isArray(featureSizes) ? `${featureSizes.length}` : String(featureSizes),
    );
  }
  featureSizes.forEach((s, i) => {
    assertInteger(`featureSizes[${i}].height`, s?.height, 1);
    assertInteger(`featureSizes[${i}].width`, s?.width, 1);
  });
  assertInteger('imageSize.height', imageSize?.height, 1);
  assertInteger('imageSize.width', imageSize?.width, 1);
}

function gridNormalized(
  options: ResolvedDefaultBoxOptions,
  pairs: readonly Float32Array[],
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
): Float32Array {
  const f = Math.fround;
  let total = 0;
  featureSizes.forEach((s, k) => {
    total += s.height * s.width * (pairs[k]!.length / 2);
  });
  const out = new Float32Array(total * 4);
  let o = 0;
  featureSizes.forEach((size, k) => {
    // torch divides float32 (i + 0.5) by the scalar cast to float32
    const xf = f(options.steps ? imageSize.width / options.steps[k]! : size.width);
    const yf = f(options.steps ? imageSize.height / options.steps[k]! : size.height);
    const wh = pairs[k]!;
    const p = wh.length / 2;
    const clipped = new Float32Array(wh.length);
    for (let i = 0; i < wh.length; i++) {
      clipped[i] = options.clip ? Math.min(Math.max(wh[i]!, 0), 1) : wh[i]!;
    }
    for (let y = 0; y < size.height; y++) {
      const cy = f((y + 0.5) / yf);
      for (let x = 0; x < size.width; x++) {
        const cx = f((x + 0.5) / xf);
        for (let j = 0; j < p; j++) {
          out[o++] = cx;
          out[o++] = cy;
          out[o++] = clipped[2 * j]!;
          out[o++] = clipped[2 * j + 1]!;
        }
      }
    }
  });
  return out;
}

function toPixelXyxy(normalized: Float32Array, imageSize: ImageSize): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(normalized.length);
  const w = imageSize.width;
  const h = imageSize.height;
  for (let i = 0; i < normalized.length; i += 4) {
    const cx = normalized[i]!;
    const cy = normalized[i + 1]!;
    const hw = f(0.5 * normalized[i + 2]!);
    const hh = f(0.5 * normalized[i + 3]!);
    out[i] = f(cx - hw) * w;
    out[i + 1] = f(cy - hh) * h;
    out[i + 2] = f(cx + hw) * w;
    out[i + 3] = f(cy + hh) * h;
  }
  return out;
}

/**
 * SSD default boxes in torchvision's internal form (`_grid_default_boxes`): normalised
 * (cx, cy, w, h) in [0, 1] image units; maps in order, then locations row-major, then the
 * 2 + 2R width-height pairs of the map.
 * @param featureSizes one `{ height, width }` per map
 * @param imageSize input size in pixels (used only with `steps`)
 * @returns [N, 4] normalised cxcywh
 */
export function defaultBoxesNormalized(
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
  options: DefaultBoxOptions,
): Boxes<'cxcywh'> {
  const resolved = resolveOptions(options);
  assertSizes(featureSizes, resolved.aspectRatios.length, imageSize);
  return gridNormalized(resolved, whPairs(resolved), featureSizes, imageSize);
}

/**
 * SSD default boxes as torchvision's `DefaultBoxGenerator.forward` returns them: xyxy pixels,
 * `(c ∓ wh/2) · (W, H)` in float32. Boxes may extend past the image (torchvision does not clip
 * them; `clip` only clamps the normalised sizes).
 * @param featureSizes one `{ height, width }` per map
 * @param imageSize input size in pixels
 * @returns [N, 4] xyxy pixels
 */
export function defaultBoxes(
  featureSizes: readonly FeatureMapSize[],
  imageSize: ImageSize,
  options: DefaultBoxOptions,
): Float32Array {
  return toPixelXyxy(defaultBoxesNormalized(featureSizes, imageSize, options), imageSize);
}

/**
 * A torchvision-style SSD default-box generator holding its resolved options; see
 * {@link defaultBoxes}.
 */
export class DefaultBoxGenerator {
  readonly aspectRatios: readonly (readonly number[])[];
  /** The scales in use (given, or estimated from min/max ratio), one more than maps. */
  readonly scales: readonly number[];
  readonly steps: readonly number[] | undefined;
  readonly clip: boolean;
  /** Unclipped (w, h) pairs per map, [2 + 2R, 2] normalised. */
  readonly whPairs: readonly Float32Array[];
  readonly #resolved: ResolvedDefaultBoxOptions;

  constructor(options: DefaultBoxOptions) {
    this.#resolved = resolveOptions(options);
    this.aspectRatios = this.#resolved.aspectRatios;
    this.scales = this.#resolved.scales;
    this.steps = this.#resolved.steps;
    this.clip = this.#resolved.clip;
    this.whPairs = whPairs(this.#resolved);
  }

  /** Boxes per location of each map: 2 + 2·(number of ratios). */
  numAnchorsPerLocation(): number[] {
    return this.aspectRatios.map((r) => 2 + 2 * r.length);
  }

  /** Normalised cxcywh boxes, [N, 4]. See {@link defaultBoxesNormalized}. */
  generateNormalized(
    featureSizes: readonly FeatureMapSize[],
    imageSize: ImageSize,
  ): Boxes<'cxcywh'> {
    assertSizes(featureSizes, this.aspectRatios.length, imageSize);
    return gridNormalized(this.#resolved, this.whPairs, featureSizes, imageSize);
  }

  /** xyxy pixel boxes, [N, 4]. See {@link defaultBoxes}. */
  generate(featureSizes: readonly FeatureMapSize[], imageSize: ImageSize): Float32Array {
    return toPixelXyxy(this.generateNormalized(featureSizes, imageSize), imageSize);
  }
}
