/**
 * Datasets of synthetic scenes: scene i of a dataset seeded `seed` is
 * `generateScene(deriveSeed(seed, i), options)`, so any scene can be regenerated alone, and
 * the COCO ground truth of the whole set is built from the scenes' annotations.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from '../coco/types.js';
import { assertSeed, deriveSeed } from './random.js';
import {
  generateResolvedScene,
  type ResolvedSceneOptions,
  resolveSceneOptions,
  type SceneOptions,
  type SyntheticScene,
} from './scene.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';

/** Options of `generateDataset`. */
export interface SyntheticDatasetOptions extends SceneOptions {
  /** Dataset seed, integer in [0, 2^32). Different seeds give independent sets (splits). */
  readonly seed: number;
  /** Number of scenes. */
  readonly count: number;
  /** Index of the first scene (default 0): generate a large set in chunks. */
  readonly start?: number;
}

/** Options of `scenesToCoco`. */
export interface ScenesToCocoOptions {
  /** File name of scene i (default `000000.png`, `000001.png`, … from `firstImageId − 1`). */
  readonly fileName?: (index: number, scene: SyntheticScene) => string;
  /** Image id of the first scene (default 1); image ids are consecutive. */
  readonly firstImageId?: number;
  /** Annotation id of the first object (default 1); annotation ids are consecutive. */
  readonly firstAnnotationId?: number;
  /** `info` block of the dataset. */
  readonly info?: Record<string, unknown>;
}

/** A generated dataset: the scenes and their COCO ground truth. */
export interface SyntheticDataset {
  /** COCO instances JSON of every scene (image i ↔ `scenes[i]`). */
  readonly coco: CocoDataset;
  readonly scenes: SyntheticScene[];
  /** Category id ↔ shape name (ids 1 … K). */
  readonly categories: CocoCategory[];
}

/** The COCO categories of a shape list: ids 1 … K in list order, supercategory `shape`. */
export function syntheticCategories(shapes: readonly ShapeName[] = SHAPE_NAMES): CocoCategory[] {
  return shapes.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' }));
}

/** The default file name of scene `index`: six-digit zero-padded, `.png`. */
export function syntheticFileName(index: number): string {
  return `${String(index).padStart(6, '0')}.png`;
}

/**
 * COCO instances JSON for scenes (all generated with the same `shapes`). Annotations carry
 * bbox, area and segmentation of the visible pixels, `iscrowd: 0`.
 * @throws InvalidArgumentError when scenes disagree on their categories
 */
export function scenesToCoco(
  scenes: readonly SyntheticScene[],
  options: ScenesToCocoOptions = {},
): CocoDataset {
  const firstImageId = options.firstImageId ?? 1;
  let annotationId = options.firstAnnotationId ?? 1;
  const fileName = options.fileName ?? ((i: number) => syntheticFileName(firstImageId - 1 + i));
  const shapes = scenes[0]?.categories ?? SHAPE_NAMES;
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  scenes.forEach((scene, i) => {
    if (scene.categories.join() !== shapes.join()) {
      throw new InvalidArgumentError(
        `scenes[${i}].categories`,
        `[${scene.categories.join(', ')}] differs from scenes[0]'s [${shapes.join(', ')}]`,
      );
    }
    const imageId = firstImageId + i;
    images.push({
      id: imageId,
      width: scene.width,
      height: scene.height,
      file_name: fileName(i, scene),
      seed: scene.seed,
    });
    for (const obj of scene.objects) {
      annotations.push({
        id: annotationId++,
        image_id: imageId,
        category_id: obj.categoryId,
        bbox: [...obj.bbox],
        area: obj.area,
        iscrowd: 0,
        segmentation: obj.segmentation,
      });
    }
  });
  return {
    ...(options.info !== undefined && { info: options.info }),
    images,
    annotations,
    categories: syntheticCategories(shapes),
  };
}

/** Validates the dataset-level options; returns `[seed, count, start, sceneOptions]`. */
export function resolveDatasetOptions(
  options: SyntheticDatasetOptions,
): [seed: number, count: number, start: number, scene: ResolvedSceneOptions] {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected { seed, count, … }');
  }
  assertSeed('options.seed', options.seed);
  const { count } = options;
  const start = options.start ?? 0;
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError('options.count', `expected an integer >= 0, got ${count}`);
  }
  if (!Number.isInteger(start) || start < 0 || start + count > 4294967296) {
    throw new InvalidArgumentError('options.start', `expected an integer >= 0, got ${start}`);
  }
  return [options.seed, count, start, resolveSceneOptions(options)];
}

/**
 * Generates `count` scenes and their COCO ground truth. Holds every scene in memory (about
 * 6·W·H bytes each); for large training sets use `@ocelot/datasets/node`'s
 * `writeSyntheticDataset`, which streams.
 * @param options `{ seed, count, start?, …SceneOptions }`
 */
export function generateDataset(options: SyntheticDatasetOptions): SyntheticDataset {
  const [seed, count, start, sceneOptions] = resolveDatasetOptions(options);
  const scenes: SyntheticScene[] = [];
  for (let i = 0; i < count; i++) {
    scenes.push(generateResolvedScene(deriveSeed(seed, start + i), sceneOptions));
  }
  const coco = scenesToCoco(scenes, {
    firstImageId: start + 1,
    info: { description: 'Ocelot synthetic shapes', seed, start, count },
  });
  return { coco, scenes, categories: coco.categories };
}
