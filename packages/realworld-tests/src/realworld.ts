/**
 * Where the real models and photos are, and how a zoo card is pointed at them.
 *
 * The data lives OUTSIDE the repository, in `<repo>/../shared/realworld` (override with
 * `OCELOT_REALWORLD_DIR`), and is never copied in. The cards in `models/zoo/<id>/model.json`
 * name their files relative to the card; these helpers build them with `base` set to the
 * folder that actually holds the files — the same thing a user does with
 * `buildDetector(registry, card, { base: '/my/models' })`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildDetector,
  createDetectorRegistry,
  type Detector,
  type ModelCard,
  registerBuiltins,
} from '@ocelot/detectors';
import { loadModelCard } from '@ocelot/detectors/node';
import { decodeImage, type RgbImage } from '@ocelot/image';
import type { CreateSessionOptions } from '@ocelot/runtime';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins as registerSegmenters,
  type SemanticSegmenter,
} from '@ocelot/segmenters';

/** The repository root (this file is packages/realworld-tests/src/realworld.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `<repo>/../shared/realworld`, or `OCELOT_REALWORLD_DIR`. */
export const REALWORLD_DIR =
  process.env.OCELOT_REALWORLD_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'realworld');

/** The folder holding the user-supplied model files. */
export const MODELS_DIR = join(REALWORLD_DIR, 'models');
/** The model cards. */
export const ZOO_DIR = join(REPO_ROOT, 'models', 'zoo');
export const PHOTOS_DIR = join(REALWORLD_DIR, 'coco128', 'images', 'train2017');
export const ANNOTATIONS = join(
  REALWORLD_DIR,
  'coco128',
  'annotations',
  'instances_train2017_subset16.json',
);
export const SEMANTIC_MASKS_DIR = join(REALWORLD_DIR, 'coco128', 'semantic-masks', 'train2017');

/** The zoo's cards, by id. */
export const ZOO = {
  yolox: 'yolox-nano-coco',
  nanodet: 'nanodet-m-coco',
  deimv2: 'deimv2-atto-coco',
  ultraface: 'ultraface-rfb-320',
  deeplab: 'deeplabv3-mnv2-voc',
} as const;
export type ZooId = (typeof ZOO)[keyof typeof ZOO];

/** The COCO detectors of the zoo (80 classes, `labelIds` to COCO category ids). */
export const COCO_DETECTORS: readonly ZooId[] = [ZOO.yolox, ZOO.nanodet, ZOO.deimv2];

/**
 * Why the real-world tests cannot run here, or `undefined` when they can: the shared folder,
 * its photos, annotations and every model file a zoo card names must exist.
 */
export function realworldUnavailable(): string | undefined {
  if (!existsSync(REALWORLD_DIR)) return `no ${REALWORLD_DIR}`;
  for (const p of [PHOTOS_DIR, ANNOTATIONS, SEMANTIC_MASKS_DIR]) {
    if (!existsSync(p)) return `no ${p}`;
  }
  for (const id of Object.values(ZOO)) {
    const card = JSON.parse(readFileSync(join(ZOO_DIR, id, 'model.json'), 'utf8')) as ModelCard;
    for (const file of Object.values(card.files)) {
      if (!existsSync(join(MODELS_DIR, file.path))) return `no ${join(MODELS_DIR, file.path)}`;
    }
  }
  return undefined;
}

/** Session options of every real-world run: CPU only (no GPU probing), one thread. */
export const CPU_ONE_THREAD: CreateSessionOptions = {
  executionProviders: ['cpu'],
  threads: 1,
  // some exports keep initializers among the graph inputs; onnxruntime warns once per tensor
  sessionOptions: { logSeverityLevel: 3 },
};

/** Reads and validates `models/zoo/<id>/model.json`. */
export function loadZooCard(id: ZooId): Promise<ModelCard> {
  return loadModelCard(join(ZOO_DIR, id, 'model.json'));
}

/**
 * Builds a zoo detector with its files taken from `modelsDir` (default: the shared folder),
 * sha256-checked against the card.
 */
export async function zooDetector(
  id: ZooId,
  options: { session?: CreateSessionOptions; modelsDir?: string } = {},
): Promise<Detector> {
  const card = await loadZooCard(id);
  return buildDetector(registerBuiltins(createDetectorRegistry()), card, {
    base: options.modelsDir ?? MODELS_DIR,
    session: options.session ?? CPU_ONE_THREAD,
  });
}

/** Builds a zoo semantic segmenter with its files taken from the shared folder. */
export async function zooSegmenter(
  id: ZooId,
  options: { session?: CreateSessionOptions } = {},
): Promise<SemanticSegmenter> {
  const card = await loadZooCard(id);
  const s = await buildSegmenter(registerSegmenters(createSegmenterRegistry()), card, {
    base: MODELS_DIR,
    session: options.session ?? CPU_ONE_THREAD,
  });
  if (s.kind !== 'semantic') throw new Error(`${id} is not a semantic segmenter`);
  return s;
}

/** The COCO instances JSON of the 16 photos (subset of the official train2017 file). */
export interface CocoGroundTruth {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0 | 1;
  }[];
  categories: { id: number; name: string }[];
  [extra: string]: unknown;
}

export async function loadGroundTruth(): Promise<CocoGroundTruth> {
  return JSON.parse(await readFile(ANNOTATIONS, 'utf8')) as CocoGroundTruth;
}

/** Photo `file_name` → decoded RGB image. */
export function loadPhoto(fileName: string): Promise<RgbImage> {
  return decodeImage(join(PHOTOS_DIR, fileName));
}

/** One COCO result row (`loadRes` format): bbox is x, y, w, h. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
  [extra: string]: unknown;
}

/**
 * Detections of one image → COCO results, class index mapped to a category id by the card's
 * `labelIds`.
 */
export function toCocoResults(
  imageId: number,
  detections: { boxes: Float32Array; scores: Float32Array; labels: Int32Array },
  labelIds: readonly number[],
): CocoResult[] {
  const out: CocoResult[] = [];
  for (let i = 0; i < detections.scores.length; i++) {
    const [x1, y1, x2, y2] = detections.boxes.subarray(4 * i, 4 * i + 4);
    const category = labelIds[detections.labels[i]!];
    if (category === undefined) throw new Error(`label ${detections.labels[i]} has no labelId`);
    out.push({
      image_id: imageId,
      category_id: category,
      bbox: [x1!, y1!, x2! - x1!, y2! - y1!],
      score: detections.scores[i]!,
    });
  }
  return out;
}
