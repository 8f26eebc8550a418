/**
 * COCO ⇄ YOLO, and VOC ⇄ YOLO through COCO.
 *
 * Coordinates: COCO [x, y, w, h] in pixels ⇄ YOLO (cx, cy, w, h) normalised:
 *     cx = (x + w/2) / W,  cy = (y + h/2) / H,  w' = w / W,  h' = h / H
 * (what Ultralytics' COCO converter computes). Polygons are divided by W and H per point.
 *
 * Class ids: by default COCO categories sorted by id become classes 0, 1, … (COCO's 80
 * categories with ids 1…90 become Ultralytics' 0…79); `classIds: 'categoryId'` keeps the
 * category id as the class id (sparse, as in the COCO128 segmentation labels).
 */
import { rleArea, rleFromPolygons } from '@ocelot/core';
import type { CocoAnnotation, CocoDataset, CocoImage } from '../coco/types.js';
import { DatasetValidationError } from '../errors.js';
import type { VocAnnotation } from '../voc/voc.js';
import { type CocoToVocOptions, cocoToVoc, type VocToCocoOptions, vocToCoco } from './coco-voc.js';
import {
  type YoloClassNames,
  type YoloLabel,
  yoloClassEntries,
  yoloClassName,
} from '../yolo/yolo.js';

/** Options of `cocoToYolo`. */
export interface CocoToYoloOptions {
  /** `'contiguous'` (default): categories sorted by id → 0, 1, …; `'categoryId'`: the id itself. */
  readonly classIds?: 'contiguous' | 'categoryId';
  /** Write polygon labels (Ultralytics segmentation) instead of boxes (default `false`). */
  readonly segmentation?: boolean;
  /**
   * With `segmentation`, what to do with objects made of several polygons: `'largest'`
   * (default) keeps the polygon of largest area; `'split'` writes one label per polygon.
   */
  readonly multiPolygon?: 'largest' | 'split';
  /** Keep crowd annotations (default `false`, as Ultralytics' converter). */
  readonly includeCrowd?: boolean;
}

/** Labels of one image, ready for `stringifyYoloLabels`. */
export interface YoloImageLabels {
  /** The COCO image the labels belong to (its `width`, `height`, `file_name`). */
  readonly image: CocoImage;
  /** The label file's name: `file_name` with its extension replaced by `.txt`. */
  readonly labelFile: string;
  readonly labels: YoloLabel[];
}

/** Result of `cocoToYolo`. */
export interface CocoToYoloResult {
  /** Class names by class id. */
  readonly names: Map<number, string>;
  /** The COCO category id of each class id (what `yoloToCoco`'s `categoryIds` takes back). */
  readonly categoryIds: Map<number, number>;
  /** One entry per COCO image, in `images` order (images without objects get no labels). */
  readonly images: YoloImageLabels[];
  /** Annotations left out and why (crowd, or RLE segmentation when polygons were asked for). */
  readonly skipped: { annotationId: number; reason: string }[];
}

/** One image for `yoloToCoco`: its labels and its size in pixels. */
export interface YoloImageInput {
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
  readonly labels: readonly YoloLabel[];
  /** COCO image id (default: position + 1). */
  readonly id?: number;
}

/** Options of `yoloToCoco`. */
export interface YoloToCocoOptions {
  /** COCO category id of each class id (default: class id + 1). */
  readonly categoryIds?: ReadonlyMap<number, number> | readonly number[];
}

function labelFileOf(image: CocoImage): string {
  const name = image.file_name ?? String(image.id);
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const base = name.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return `${dot > 0 ? base.slice(0, dot) : base}.txt`;
}

/** Shoelace area of a flat [x1, y1, …] polygon. */
function polygonArea(p: readonly number[]): number {
  let twice = 0;
  const n = p.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    twice += p[2 * i]! * p[2 * j + 1]! - p[2 * j]! * p[2 * i + 1]!;
  }
  return Math.abs(twice) / 2;
}

/**
 * Converts COCO ground truth to YOLO labels, one list per image.
 */
export function cocoToYolo(
  dataset: CocoDataset,
  options: CocoToYoloOptions = {},
): CocoToYoloResult {
  const sorted = [...dataset.categories].sort((a, b) => a.id - b.id);
  const classOf = new Map<number, number>();
  const names = new Map<number, string>();
  const categoryIds = new Map<number, number>();
  sorted.forEach((category, k) => {
    const classId = options.classIds === 'categoryId' ? category.id : k;
    classOf.set(category.id, classId);
    names.set(classId, category.name);
    categoryIds.set(classId, category.id);
  });
  const byImage = new Map<number, CocoAnnotation[]>();
  for (const annotation of dataset.annotations) {
    const list = byImage.get(annotation.image_id);
    if (list) list.push(annotation);
    else byImage.set(annotation.image_id, [annotation]);
  }
  const skipped: CocoToYoloResult['skipped'] = [];
  const images = dataset.images.map((image): YoloImageLabels => {
    const { width: W, height: H } = image;
    const labels: YoloLabel[] = [];
    for (const annotation of byImage.get(image.id) ?? []) {
      if (annotation.iscrowd === 1 && !options.includeCrowd) {
        skipped.push({ annotationId: annotation.id, reason: 'crowd' });
        continue;
      }
      const classId = classOf.get(annotation.category_id);
      if (classId === undefined) {
        throw new DatasetValidationError([
          {
            code: 'E_UNKNOWN_CATEGORY',
            file: undefined,
            record: `annotation id ${annotation.id}`,
            field: 'category_id',
            message: `category id ${annotation.category_id} is not in "categories"`,
          },
        ]);
      }
      if (options.segmentation) {
        const seg = annotation.segmentation;
        if (!Array.isArray(seg)) {
          skipped.push({
            annotationId: annotation.id,
            reason: seg ? 'RLE segmentation (no polygon)' : 'no segmentation',
          });
          continue;
        }
        let polygons = seg;
        if (options.multiPolygon !== 'split' && seg.length > 1) {
          let best = seg[0]!;
          for (const p of seg) if (polygonArea(p) > polygonArea(best)) best = p;
          polygons = [best];
        }
        for (const p of polygons) {
          labels.push({
            kind: 'polygon',
            classId,
            polygon: p.map((v, k) => (k % 2 === 0 ? v / W : v / H)),
          });
        }
      } else {
        const [x, y, w, h] = annotation.bbox;
        labels.push({
          kind: 'box',
          classId,
          box: [(x + w / 2) / W, (y + h / 2) / H, w / W, h / H],
        });
      }
    }
    return { image, labelFile: labelFileOf(image), labels };
  });
  return { names, categoryIds, images, skipped };
}

/**
 * Converts YOLO labels to COCO ground truth. Boxes: `area` = box area in pixels. Polygons:
 * `bbox` = the extent of the points, `area` = the area of the rasterised mask, computed as
 * pycocotools does (`rleFromPolygons` + `rleArea`), so `segm` evaluation sees the same areas
 * as on an official COCO file.
 *
 * @param images each image's size and labels
 * @param classNames class names by class id; a label of an unknown class is an error
 */
export function yoloToCoco(
  images: readonly YoloImageInput[],
  classNames: YoloClassNames,
  options: YoloToCocoOptions = {},
): CocoDataset {
  const mapping = options.categoryIds;
  const categoryOf = (classId: number): number =>
    mapping instanceof Map
      ? (mapping.get(classId) ?? Number.NaN)
      : Array.isArray(mapping)
        ? ((mapping as readonly number[])[classId] ?? Number.NaN)
        : classId + 1;
  const categories = yoloClassEntries(classNames).map(([classId, name]) => ({
    id: categoryOf(classId),
    name,
  }));
  const dataset: CocoDataset = { images: [], annotations: [], categories };
  images.forEach((input, i) => {
    const imageId = input.id ?? i + 1;
    const { width: W, height: H } = input;
    dataset.images.push({ id: imageId, file_name: input.fileName, width: W, height: H });
    input.labels.forEach((label, k) => {
      const categoryId = categoryOf(label.classId);
      if (yoloClassName(classNames, label.classId) === undefined || Number.isNaN(categoryId)) {
        throw new DatasetValidationError([
          {
            code: 'E_UNKNOWN_CATEGORY',
            file: input.fileName,
            record: `labels[${k}]`,
            field: 'class',
            message: `class ${label.classId} has no name or category id`,
          },
        ]);
      }
      const id = dataset.annotations.length + 1;
      if (label.kind === 'box') {
        const [cx, cy, w, h] = label.box;
        const bw = w * W;
        const bh = h * H;
        dataset.annotations.push({
          id,
          image_id: imageId,
          category_id: categoryId,
          bbox: [cx * W - bw / 2, cy * H - bh / 2, bw, bh],
          area: bw * bh,
          iscrowd: 0,
        });
      } else {
        const points = label.polygon.map((v, j) => (j % 2 === 0 ? v * W : v * H));
        let x0 = Number.POSITIVE_INFINITY;
        let y0 = Number.POSITIVE_INFINITY;
        let x1 = Number.NEGATIVE_INFINITY;
        let y1 = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < points.length; j += 2) {
          x0 = Math.min(x0, points[j]!);
          x1 = Math.max(x1, points[j]!);
          y0 = Math.min(y0, points[j + 1]!);
          y1 = Math.max(y1, points[j + 1]!);
        }
        dataset.annotations.push({
          id,
          image_id: imageId,
          category_id: categoryId,
          bbox: [x0, y0, x1 - x0, y1 - y0],
          area: rleArea(rleFromPolygons([points], H, W)),
          iscrowd: 0,
          segmentation: [points],
        });
      }
    });
  });
  return dataset;
}

/** VOC → YOLO: `vocToCoco` then `cocoToYolo` (boxes). */
export function vocToYolo(
  annotations: readonly VocAnnotation[],
  options: VocToCocoOptions & Omit<CocoToYoloOptions, 'segmentation'> = {},
): CocoToYoloResult {
  return cocoToYolo(vocToCoco(annotations, options), options);
}

/** YOLO → VOC: `yoloToCoco` then `cocoToVoc` (polygons become their bounding boxes). */
export function yoloToVoc(
  images: readonly YoloImageInput[],
  classNames: YoloClassNames,
  options: YoloToCocoOptions & CocoToVocOptions = {},
): VocAnnotation[] {
  return cocoToVoc(yoloToCoco(images, classNames, options), options);
}
