/**
 * COCO ⇄ PASCAL VOC.
 *
 * Coordinates (default `convention: 'devkit'`): VOC boxes are 1-based inclusive pixel
 * indices, COCO boxes are continuous coordinates where pixel k spans [k, k+1). So
 *
 *     COCO → VOC:  xmin = x + 1,  ymin = y + 1,  xmax = x + w,  ymax = y + h
 *     VOC → COCO:  x = xmin − 1,  y = ymin − 1,  w = xmax − xmin + 1,  h = ymax − ymin + 1
 *
 * (a box over a whole 640×480 image is COCO [0, 0, 640, 480] and VOC (1, 1, 640, 480)). With
 * `convention: 'continuous'` the numbers are copied (xmin = x, xmax = x + w).
 *
 * Crowds: VOC has no crowd regions; its `difficult` flag plays the same role in evaluation
 * (matches to it are ignored), so by default COCO `iscrowd: 1` ⇄ VOC `difficult: 1`.
 */
import { DatasetValidationError, type ValidationIssue } from '../errors.js';
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from '../coco/types.js';
import type { VocAnnotation, VocCoordinateConvention, VocObject } from '../voc/voc.js';

/** Options of `cocoToVoc`. */
export interface CocoToVocOptions {
  /** How VOC numbers map to pixels (default `'devkit'`). */
  readonly convention?: VocCoordinateConvention;
  /**
   * `'round'` (default in the devkit convention) writes integer pixel indices clamped to the
   * image, as the devkit's own readers (`int(text)`) require; `'none'` (default in the
   * continuous convention) keeps fractional coordinates exactly.
   */
  readonly rounding?: 'round' | 'none';
  /** What crowd annotations become: `'difficult'` objects (default) or nothing (`'skip'`). */
  readonly crowd?: 'difficult' | 'skip';
  /** `<folder>` of every file (default none). */
  readonly folder?: string;
  /** `<size><depth>` (default 3). */
  readonly depth?: number;
}

/** Options of `vocToCoco`. */
export interface VocToCocoOptions {
  /** How VOC numbers map to pixels (default `'devkit'`). */
  readonly convention?: VocCoordinateConvention;
  /**
   * Category names in id order (ids 1, 2, …). Objects with other names are an error. Default:
   * the names found, sorted alphabetically.
   */
  readonly categories?: readonly string[];
  /** What difficult objects become: crowds (default), ordinary objects, or nothing. */
  readonly difficult?: 'crowd' | 'normal' | 'skip';
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/**
 * Converts COCO ground truth to one VOC annotation per image (in `images` order). Object
 * names are category names; `pose` is `Unspecified`, `truncated` 0.
 *
 * @returns VOC annotations, `filename` = the image's `file_name` (or `<id>.jpg` without one)
 */
export function cocoToVoc(dataset: CocoDataset, options: CocoToVocOptions = {}): VocAnnotation[] {
  const devkit = (options.convention ?? 'devkit') === 'devkit';
  const rounding = options.rounding ?? (devkit ? 'round' : 'none');
  const crowd = options.crowd ?? 'difficult';
  const names = new Map(dataset.categories.map((c) => [c.id, c.name]));
  const byImage = new Map<number, CocoAnnotation[]>();
  for (const annotation of dataset.annotations) {
    const list = byImage.get(annotation.image_id);
    if (list) list.push(annotation);
    else byImage.set(annotation.image_id, [annotation]);
  }
  return dataset.images.map((image) => {
    const objects: VocObject[] = [];
    for (const annotation of byImage.get(image.id) ?? []) {
      const isCrowd = annotation.iscrowd === 1;
      if (isCrowd && crowd === 'skip') continue;
      const [x, y, w, h] = annotation.bbox;
      let xmin = x + (devkit ? 1 : 0);
      let ymin = y + (devkit ? 1 : 0);
      let xmax = x + w;
      let ymax = y + h;
      if (rounding === 'round') {
        const lo = devkit ? 1 : 0;
        xmin = clamp(Math.round(x) + lo, lo, image.width);
        ymin = clamp(Math.round(y) + lo, lo, image.height);
        xmax = clamp(Math.round(x + w), xmin + (devkit ? 0 : 1), image.width);
        ymax = clamp(Math.round(y + h), ymin + (devkit ? 0 : 1), image.height);
      }
      objects.push({
        name: names.get(annotation.category_id) ?? String(annotation.category_id),
        pose: 'Unspecified',
        truncated: false,
        difficult: isCrowd,
        bndbox: { xmin, ymin, xmax, ymax },
      });
    }
    const annotation: VocAnnotation = {
      filename: image.file_name ?? `${image.id}.jpg`,
      size: { width: image.width, height: image.height, depth: options.depth ?? 3 },
      segmented: false,
      objects,
    };
    if (options.folder !== undefined) annotation.folder = options.folder;
    return annotation;
  });
}

/**
 * Converts VOC annotations (one per image) to a COCO dataset. Image ids are 1, 2, … in input
 * order; annotation ids 1, 2, … in object order; `area` is the box area.
 *
 * @throws DatasetValidationError naming `<filename>: object[i] (name)` when a name is not
 *   among `options.categories`
 */
export function vocToCoco(
  annotations: readonly VocAnnotation[],
  options: VocToCocoOptions = {},
): CocoDataset {
  const devkit = (options.convention ?? 'devkit') === 'devkit';
  const difficult = options.difficult ?? 'crowd';
  const names =
    options.categories ??
    [...new Set(annotations.flatMap((a) => a.objects.map((o) => o.name)))].sort();
  const categoryIds = new Map(names.map((name, k) => [name, k + 1]));
  const categories: CocoCategory[] = names.map((name, k) => ({ id: k + 1, name }));
  const images: CocoImage[] = [];
  const cocoAnnotations: CocoAnnotation[] = [];
  const problems: ValidationIssue[] = [];
  annotations.forEach((voc, i) => {
    const imageId = i + 1;
    images.push({
      id: imageId,
      file_name: voc.filename,
      width: voc.size.width,
      height: voc.size.height,
    });
    voc.objects.forEach((object, k) => {
      const categoryId = categoryIds.get(object.name);
      if (categoryId === undefined) {
        problems.push({
          code: 'E_UNKNOWN_CATEGORY',
          file: voc.filename,
          record: `object[${k}] (${object.name})`,
          field: 'name',
          message: `"${object.name}" is not among the categories (${names.join(', ')})`,
        });
        return;
      }
      if (object.difficult && difficult === 'skip') return;
      const b = object.bndbox;
      const x = devkit ? b.xmin - 1 : b.xmin;
      const y = devkit ? b.ymin - 1 : b.ymin;
      const w = b.xmax - b.xmin + (devkit ? 1 : 0);
      const h = b.ymax - b.ymin + (devkit ? 1 : 0);
      cocoAnnotations.push({
        id: cocoAnnotations.length + 1,
        image_id: imageId,
        category_id: categoryId,
        bbox: [x, y, w, h],
        area: w * h,
        iscrowd: object.difficult && difficult === 'crowd' ? 1 : 0,
      });
    });
  });
  if (problems.length > 0) throw new DatasetValidationError(problems);
  return { images, annotations: cocoAnnotations, categories };
}
