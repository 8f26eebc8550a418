/**
 * `generateScene(seed, options)`: one deterministic synthetic scene — shapes of several
 * classes, sizes, colours and rotations, partly occluding each other, on a textured background
 * — with pixel-exact instance masks, a semantic label map and COCO annotations.
 */
import { InvalidArgumentError, rleEncode, rleToBbox, rleToCoco } from '@ocelot/core';
import type { Rgb, RgbImage } from '@ocelot/image';
import type { CocoBbox, CocoSegmentation } from '../coco/types.js';
import { BACKGROUND_KINDS, type BackgroundKind, paintBackground } from './background.js';
import { assertSeed, SeededRandom } from './random.js';
import {
  isPolygonShape,
  rasterizeShape,
  SHAPE_NAMES,
  type ShapeGeometry,
  type ShapeName,
  type ShapeRaster,
  shapeAreaFactor,
  shapePolygon,
} from './shapes.js';
import { sinCos } from './trig.js';

/** Relative frequency of small / medium / large objects (COCO area ranges). */
export interface SizeMix {
  /** area < 32² px. */
  readonly small: number;
  /** 32² ≤ area < 96² px. */
  readonly medium: number;
  /** area ≥ 96² px. */
  readonly large: number;
}

/** Options of `generateScene` (every field has a default). */
export interface SceneOptions {
  /** Image width in pixels; default 256. */
  readonly width?: number;
  /** Image height in pixels; default 256. */
  readonly height?: number;
  /** Classes, in category-id order (ids 1, 2, …); default all of `SHAPE_NAMES`. */
  readonly shapes?: readonly ShapeName[];
  /** Objects the generator tries to place, `[min, max]` inclusive; default [3, 8]. */
  readonly objects?: readonly [min: number, max: number];
  /** How often each COCO size range is drawn; default { small: 0.3, medium: 0.45, large: 0.25 }. */
  readonly sizes?: SizeMix;
  /**
   * Least fraction of an object that must stay visible; a new shape that would hide more of
   * an earlier one is moved (and left out after `maxPlacementAttempts`). Default 0.5.
   */
  readonly minVisibleFraction?: number;
  /** Background textures to draw from; default all of `BACKGROUND_KINDS`. */
  readonly backgrounds?: readonly BackgroundKind[];
  /** Uniform per-pixel noise added to every channel, ± this many levels; default 10. */
  readonly noiseAmplitude?: number;
  /** Positions tried per object before it is left out; default 30. */
  readonly maxPlacementAttempts?: number;
}

/** One annotated object of a scene. Everything describes its VISIBLE pixels. */
export interface SyntheticObject {
  /** Category id, 1-based index into the scene's `shapes`. */
  readonly categoryId: number;
  readonly shape: ShapeName;
  /** Bounding box of the visible pixels, COCO xywh (integer pixel extents). */
  readonly bbox: CocoBbox;
  /** Visible pixels. */
  readonly area: number;
  /** Pixels the shape would cover unoccluded. */
  readonly fullArea: number;
  /** true when a later shape hides part of it. */
  readonly occluded: boolean;
  /**
   * COCO segmentation that decodes (pycocotools / @ocelot/core) to exactly the visible mask:
   * the polygon for an unoccluded polygon shape, compressed RLE otherwise.
   */
  readonly segmentation: CocoSegmentation;
  /** How it was drawn. */
  readonly geometry: ShapeGeometry;
  readonly color: Rgb;
}

/** One generated scene. */
export interface SyntheticScene {
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  /** The picture, [H,W,3] RGB. */
  readonly image: RgbImage;
  /** [H,W] semantic labels: 0 background, else the category id of the visible object. */
  readonly labelMap: Uint8Array;
  /** [H,W] instances: 0 background, i + 1 where `objects[i]` is visible. */
  readonly instanceMap: Uint16Array;
  /** Annotated objects in drawing order (later ones are on top). */
  readonly objects: readonly SyntheticObject[];
  readonly background: BackgroundKind;
  /** Category names by id − 1 (the `shapes` option). */
  readonly categories: readonly ShapeName[];
}

/** Options with defaults applied and validated. */
export interface ResolvedSceneOptions {
  readonly width: number;
  readonly height: number;
  readonly shapes: readonly ShapeName[];
  readonly objects: readonly [number, number];
  readonly sizes: SizeMix;
  readonly minVisibleFraction: number;
  readonly backgrounds: readonly BackgroundKind[];
  readonly noiseAmplitude: number;
  readonly maxPlacementAttempts: number;
}

const DEFAULT_SIZES: SizeMix = { small: 0.3, medium: 0.45, large: 0.25 };
/** sqrt(area) ranges of the three size classes, pixels. */
const SIZE_RANGES: readonly (readonly [number, number])[] = [
  [14, 31],
  [33, 95],
  [97, 134],
];

function intOption(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new InvalidArgumentError(name, `expected an integer in [${lo}, ${hi}], got ${v}`);
  }
  return v;
}

function numberOption(name: string, v: number, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) {
    throw new InvalidArgumentError(name, `expected a number in [${lo}, ${hi}], got ${v}`);
  }
  return v;
}

function listOption<T extends string>(
  name: string,
  v: readonly T[],
  allowed: readonly T[],
): readonly T[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new InvalidArgumentError(name, `expected a non-empty array of ${allowed.join(', ')}`);
  }
  const seen = new Set<T>();
  for (const item of v) {
    if (!allowed.includes(item)) {
      throw new InvalidArgumentError(
        name,
        `unknown value ${JSON.stringify(item)}; expected one of ${allowed.join(', ')}`,
      );
    }
    if (seen.has(item)) throw new InvalidArgumentError(name, `duplicate ${JSON.stringify(item)}`);
    seen.add(item);
  }
  return [...v];
}

/**
 * Applies defaults to scene options and validates them.
 * @throws InvalidArgumentError naming the option
 */
export function resolveSceneOptions(options: SceneOptions = {}): ResolvedSceneOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected an object');
  }
  const width = intOption('options.width', options.width ?? 256, 32, 8192);
  const height = intOption('options.height', options.height ?? 256, 32, 8192);
  const shapes = listOption('options.shapes', options.shapes ?? SHAPE_NAMES, SHAPE_NAMES);
  const objects = options.objects ?? [3, 8];
  if (!Array.isArray(objects) || objects.length !== 2) {
    throw new InvalidArgumentError('options.objects', 'expected [min, max]');
  }
  const minObjects = intOption('options.objects[0]', objects[0], 0, 1000);
  const maxObjects = intOption('options.objects[1]', objects[1], minObjects, 1000);
  const sizes = options.sizes ?? DEFAULT_SIZES;
  for (const key of ['small', 'medium', 'large'] as const) {
    numberOption(`options.sizes.${key}`, sizes[key], 0, Number.MAX_VALUE);
  }
  if (sizes.small + sizes.medium + sizes.large <= 0) {
    throw new InvalidArgumentError('options.sizes', 'at least one weight must be positive');
  }
  return {
    width,
    height,
    shapes,
    objects: [minObjects, maxObjects],
    sizes: { small: sizes.small, medium: sizes.medium, large: sizes.large },
    minVisibleFraction: numberOption(
      'options.minVisibleFraction',
      options.minVisibleFraction ?? 0.5,
      0,
      1,
    ),
    backgrounds: listOption(
      'options.backgrounds',
      options.backgrounds ?? BACKGROUND_KINDS,
      BACKGROUND_KINDS,
    ),
    noiseAmplitude: intOption('options.noiseAmplitude', options.noiseAmplitude ?? 10, 0, 127),
    maxPlacementAttempts: intOption(
      'options.maxPlacementAttempts',
      options.maxPlacementAttempts ?? 30,
      1,
      10000,
    ),
  };
}

function randomColor(rng: SeededRandom): [number, number, number] {
  return [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, v));
}

function shiftedColor(rng: SeededRandom, c: Rgb, amount: number): [number, number, number] {
  return [
    clampByte(c[0] + rng.int(-amount, amount + 1)),
    clampByte(c[1] + rng.int(-amount, amount + 1)),
    clampByte(c[2] + rng.int(-amount, amount + 1)),
  ];
}

/**
 * A colour far (L1 ≥ 110) from both background colours and (L1 ≥ 70) from the objects
 * already placed, so every boundary is visible; the best of 40 draws when none qualifies.
 */
function objectColor(rng: SeededRandom, background: readonly Rgb[], placed: readonly Rgb[]): Rgb {
  let best: Rgb = [0, 0, 0];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let attempt = 0; attempt < 40; attempt++) {
    const c = randomColor(rng);
    let toBackground = Number.POSITIVE_INFINITY;
    for (const b of background) toBackground = Math.min(toBackground, distance(c, b));
    let toObjects = Number.POSITIVE_INFINITY;
    for (const o of placed) toObjects = Math.min(toObjects, distance(c, o));
    if (toBackground >= 110 && toObjects >= 70) return c;
    const score = Math.min(toBackground - 110, toObjects - 70);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

interface Placed {
  readonly geometry: ShapeGeometry;
  readonly polygon: number[] | undefined;
  readonly color: Rgb;
  /** Second colour and direction of a two-tone fill, or undefined for a flat fill. */
  readonly gradient: { readonly to: Rgb; readonly c: number; readonly s: number } | undefined;
  readonly fullArea: number;
  visibleArea: number;
}

/**
 * Generates one scene. The same `(seed, options)` gives byte-identical pixels, maps and
 * annotations on every run and in every JavaScript engine (seeded mulberry32, integer and
 * IEEE-754 basic arithmetic only).
 *
 * Objects are drawn in order, later ones on top. A new shape is placed so that every earlier
 * object keeps at least `minVisibleFraction` of its pixels visible; after
 * `maxPlacementAttempts` failed positions the new shape is left out, so no object is ever
 * hidden beyond that fraction and no unannotated fragment is drawn.
 *
 * @param seed integer in [0, 2^32)
 * @param options see `SceneOptions`
 * @returns the scene: RGB [H,W,3], label map [H,W], instance map [H,W], annotated objects
 * @throws InvalidArgumentError on a bad seed or option
 */
export function generateScene(seed: number, options: SceneOptions = {}): SyntheticScene {
  assertSeed('seed', seed);
  const opts = resolveSceneOptions(options);
  return generateResolvedScene(seed, opts);
}

/** `generateScene` with options already resolved (the dataset generator resolves once). */
export function generateResolvedScene(seed: number, opts: ResolvedSceneOptions): SyntheticScene {
  const { width, height, shapes } = opts;
  const rng = new SeededRandom(seed);
  const n = width * height;

  // 1. Background.
  const background = rng.pick(opts.backgrounds);
  const bgA = randomColor(rng);
  const bgB = shiftedColor(rng, bgA, 70);
  const bgPixels = new Uint8Array(n * 3);
  paintBackground(rng, background, bgA, bgB, width, height, bgPixels);

  // 2. Place shapes, keeping every earlier object visible enough.
  const instanceMap = new Uint16Array(n);
  const placed: Placed[] = [];
  const [minObjects, maxObjects] = opts.objects;
  const target = rng.int(minObjects, maxObjects + 1);
  const sizeWeights = [opts.sizes.small, opts.sizes.medium, opts.sizes.large];
  const maxRadius = Math.min(width, height) / 2 - 2;
  for (let k = 0; k < target; k++) {
    const classIndex = rng.int(0, shapes.length);
    const shape = shapes[classIndex]!;
    const range = SIZE_RANGES[rng.weighted(sizeWeights)]!;
    const sqrtArea = rng.uniform(range[0], range[1]);
    const innerRatio =
      shape === 'star' ? rng.uniform(0.4, 0.55) : shape === 'ring' ? rng.uniform(0.45, 0.7) : 0;
    const radius = Math.min(maxRadius, sqrtArea / Math.sqrt(shapeAreaFactor(shape, innerRatio)));
    const rotation = rng.uniform(0, 2 * Math.PI);
    const color = objectColor(
      rng,
      [bgA, bgB],
      placed.map((p) => p.color),
    );
    let gradient: Placed['gradient'];
    if (rng.chance(0.3)) {
      const [s, c] = sinCos(rng.uniform(0, 2 * Math.PI));
      gradient = { to: shiftedColor(rng, color, 45), c, s };
    }
    for (let attempt = 0; attempt < opts.maxPlacementAttempts; attempt++) {
      const margin = radius + 1;
      const geometry: ShapeGeometry = {
        shape,
        cx: rng.uniform(margin, width - margin),
        cy: rng.uniform(margin, height - margin),
        radius,
        rotation,
        innerRatio,
      };
      const polygon = isPolygonShape(shape) ? shapePolygon(geometry) : undefined;
      const raster = rasterizeShape(geometry, width, height, polygon);
      if (raster.area === 0 || !keepsOthersVisible(raster, instanceMap, placed, opts, width)) {
        continue;
      }
      const id = placed.length + 1;
      for (let y = raster.y0; y <= raster.y1; y++) {
        for (let i = y * width + raster.x0, end = y * width + raster.x1; i <= end; i++) {
          if (raster.mask[i] === 0) continue;
          const below = instanceMap[i]!;
          if (below !== 0) placed[below - 1]!.visibleArea--;
          instanceMap[i] = id;
        }
      }
      placed.push({
        geometry,
        polygon,
        color,
        gradient,
        fullArea: raster.area,
        visibleArea: raster.area,
      });
      break;
    }
  }

  // 3. Pixels: background, shape fills, then noise.
  const data = bgPixels;
  const labelMap = new Uint8Array(n);
  const categoryOf = new Uint8Array(placed.length + 1);
  placed.forEach((p, i) => {
    categoryOf[i + 1] = shapes.indexOf(p.geometry.shape) + 1;
  });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const id = instanceMap[p]!;
      if (id === 0) continue;
      labelMap[p] = categoryOf[id]!;
      const obj = placed[id - 1]!;
      let r = obj.color[0];
      let g = obj.color[1];
      let b = obj.color[2];
      const grad = obj.gradient;
      if (grad !== undefined) {
        const geo = obj.geometry;
        const u = ((x + 0.5 - geo.cx) * grad.c + (y + 0.5 - geo.cy) * grad.s) / (2 * geo.radius);
        const m = u < -0.5 ? 0 : u > 0.5 ? 1 : u + 0.5;
        r = Math.round(r + (grad.to[0] - r) * m);
        g = Math.round(g + (grad.to[1] - g) * m);
        b = Math.round(b + (grad.to[2] - b) * m);
      }
      data[3 * p] = r;
      data[3 * p + 1] = g;
      data[3 * p + 2] = b;
    }
  }
  const amp = opts.noiseAmplitude;
  if (amp > 0) {
    for (let i = 0; i < data.length; i++) {
      data[i] = clampByte(data[i]! + rng.int(-amp, amp + 1));
    }
  }

  // 4. Annotations of the visible pixels.
  const objects = placed.map((p, i): SyntheticObject => {
    const occluded = p.visibleArea !== p.fullArea;
    const mask = new Uint8Array(n);
    const id = i + 1;
    for (let j = 0; j < n; j++) if (instanceMap[j] === id) mask[j] = 1;
    const rle = rleEncode(mask, height, width);
    const box = rleToBbox(rle);
    const segmentation: CocoSegmentation =
      p.polygon !== undefined && !occluded ? [p.polygon.slice()] : rleToCoco(rle);
    return {
      categoryId: categoryOf[id]!,
      shape: p.geometry.shape,
      bbox: [box[0]!, box[1]!, box[2]!, box[3]!],
      area: p.visibleArea,
      fullArea: p.fullArea,
      occluded,
      segmentation,
      geometry: p.geometry,
      color: p.color,
    };
  });

  return {
    seed,
    width,
    height,
    image: { data, width, height },
    labelMap,
    instanceMap,
    objects,
    background,
    categories: shapes,
  };
}

/** true when drawing `raster` on top leaves every placed object visible enough. */
function keepsOthersVisible(
  raster: ShapeRaster,
  instanceMap: Uint16Array,
  placed: readonly Placed[],
  opts: ResolvedSceneOptions,
  width: number,
): boolean {
  if (placed.length === 0) return true;
  const covered = new Int32Array(placed.length + 1);
  let any = false;
  for (let y = raster.y0; y <= raster.y1; y++) {
    for (let i = y * width + raster.x0, end = y * width + raster.x1; i <= end; i++) {
      if (raster.mask[i] === 0) continue;
      const below = instanceMap[i]!;
      if (below !== 0) {
        covered[below] = covered[below]! + 1;
        any = true;
      }
    }
  }
  if (!any) return true;
  for (let j = 1; j <= placed.length; j++) {
    const c = covered[j]!;
    if (c === 0) continue;
    const p = placed[j - 1]!;
    if (p.visibleArea - c < opts.minVisibleFraction * p.fullArea || p.visibleArea - c <= 0) {
      return false;
    }
  }
  return true;
}
