/**
 * Validation of COCO instances files and COCO results files. Each check names the record
 * (`annotations[12] (id 345)`) and the field (`bbox`), so a bad file is fixed in one look.
 */
import {
  describeValue,
  IssueCollector,
  type ValidationModeOptions,
  type ValidationReport,
} from '../errors.js';
import { checkSegmentation } from './segmentation.js';
import type { CocoDataset } from './types.js';

/** Options of `validateCoco`. */
export interface CocoValidationOptions extends ValidationModeOptions {
  /**
   * Pixels a box or polygon may reach past the image border before it is reported
   * (default 1: COCO's own files have boxes a fraction of a pixel outside the image).
   */
  readonly boxTolerance?: number;
  /** Report annotations without a `segmentation` (needed for `segm` evaluation). */
  readonly requireSegmentation?: boolean;
}

/** Options of `validateCocoResults`. */
export interface CocoResultsValidationOptions extends ValidationModeOptions {
  /**
   * The ground truth the results belong to: when given, every `image_id` and `category_id`
   * must exist in it and RLE sizes must match the images.
   */
  readonly groundTruth?: CocoDataset;
  /** Report detections without a `segmentation` (needed for `segm` evaluation). */
  readonly requireSegmentation?: boolean;
  /** Report detections without a `bbox` (needed for `bbox` evaluation). */
  readonly requireBbox?: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function idSuffix(record: Json, key = 'id'): string {
  const id = record[key];
  return typeof id === 'number' || typeof id === 'string' ? ` (${key} ${id})` : '';
}

/**
 * Checks the integer id field `key` of `record` and that it is not a duplicate. Returns the id,
 * or `undefined` when missing / malformed (already reported).
 */
function checkId(
  issues: IssueCollector,
  record: Json,
  name: string,
  key: string,
  seen: Map<number, string> | undefined,
  what: string,
): number | undefined {
  const id = record[key];
  if (id === undefined) {
    issues.add('E_MISSING_FIELD', name, key, `missing ${what}`);
    return undefined;
  }
  if (!isInteger(id)) {
    issues.add('E_TYPE', name, key, `expected an integer ${what}, got ${describeValue(id)}`);
    return undefined;
  }
  if (seen) {
    const first = seen.get(id);
    if (first !== undefined) {
      issues.add('E_DUPLICATE_ID', name, key, `duplicate ${what} ${id} (first used by ${first})`);
    } else {
      seen.set(id, name);
    }
  }
  return id;
}

/** Checks a `[x, y, w, h]` box; `strictSize` rejects zero width / height too. */
function checkBbox(
  issues: IssueCollector,
  bbox: unknown,
  name: string,
  strictSize: boolean,
  image: { width: number; height: number } | undefined,
  tolerance: number,
): void {
  if (!Array.isArray(bbox) || bbox.length !== 4) {
    issues.add(
      'E_MALFORMED_BBOX',
      name,
      'bbox',
      `expected [x, y, width, height], got ${describeValue(bbox)}`,
    );
    return;
  }
  for (let k = 0; k < 4; k++) {
    const v = bbox[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.add(
        'E_MALFORMED_BBOX',
        name,
        `bbox[${k}]`,
        `expected a finite number, got ${describeValue(v)}`,
      );
      return;
    }
  }
  const [x, y, w, h] = bbox as [number, number, number, number];
  if (strictSize ? w <= 0 || h <= 0 : w < 0 || h < 0) {
    issues.add(
      'E_NON_POSITIVE_SIZE',
      name,
      'bbox',
      `box [${x}, ${y}, ${w}, ${h}] has ${strictSize ? 'non-positive' : 'negative'} width or height`,
    );
    return;
  }
  if (image) {
    const over = Math.max(-x, -y, x + w - image.width, y + h - image.height);
    if (over > tolerance) {
      issues.add(
        'E_BOX_OUTSIDE_IMAGE',
        name,
        'bbox',
        `box [${x}, ${y}, ${w}, ${h}] reaches ${round(over)} px outside the ${image.width}x${image.height} image (tolerance ${tolerance} px)`,
      );
    }
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function arrayField(issues: IssueCollector, root: Json, key: string): unknown[] | undefined {
  const value = root[key];
  if (value === undefined) {
    issues.add('E_MISSING_FIELD', '', key, `missing "${key}" array`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.add('E_TYPE', '', key, `expected an array, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

/**
 * Validates a COCO instances file (already parsed from JSON): structure and types, duplicate
 * image / category / annotation ids, non-positive image and box sizes, boxes and polygons
 * outside their image (beyond `boxTolerance`), annotations of unknown images or categories,
 * malformed polygons and RLE (counts must sum to height*width, size must match the image).
 *
 * @param data the parsed JSON value
 * @returns a report (mode `'collect'`); in mode `'throw'` (default) the first issue throws a
 *   `DatasetValidationError` instead
 */
export function validateCoco(data: unknown, options: CocoValidationOptions = {}): ValidationReport {
  const issues = new IssueCollector(options);
  const tolerance = options.boxTolerance ?? 1;
  if (!isObject(data)) {
    issues.add(
      'E_TYPE',
      '',
      '',
      `expected a COCO object {images, annotations, categories}, got ${describeValue(data)}`,
    );
    return issues.report();
  }
  const images = arrayField(issues, data, 'images');
  const annotations = arrayField(issues, data, 'annotations');
  const categories = arrayField(issues, data, 'categories');

  const imageIds = new Map<number, string>();
  const imageSizes = new Map<number, { width: number; height: number }>();
  images?.forEach((image, i) => {
    const name = `images[${i}]`;
    if (!isObject(image)) {
      issues.add('E_TYPE', name, '', `expected an object, got ${describeValue(image)}`);
      return;
    }
    const full = `${name}${idSuffix(image)}`;
    const id = checkId(issues, image, full, 'id', imageIds, 'image id');
    let sizeOk = true;
    for (const key of ['width', 'height'] as const) {
      const v = image[key];
      if (v === undefined) {
        issues.add('E_MISSING_FIELD', full, key, `missing ${key}`);
        sizeOk = false;
      } else if (typeof v !== 'number' || !Number.isInteger(v)) {
        issues.add(
          'E_TYPE',
          full,
          key,
          `expected an integer number of pixels, got ${describeValue(v)}`,
        );
        sizeOk = false;
      } else if (v <= 0) {
        issues.add('E_NON_POSITIVE_SIZE', full, key, `${key} must be positive, got ${v}`);
        sizeOk = false;
      }
    }
    if (image.file_name !== undefined && typeof image.file_name !== 'string') {
      issues.add(
        'E_TYPE',
        full,
        'file_name',
        `expected a string, got ${describeValue(image.file_name)}`,
      );
    }
    if (id !== undefined && sizeOk) {
      imageSizes.set(id, { width: image.width as number, height: image.height as number });
    }
  });

  const categoryIds = new Map<number, string>();
  categories?.forEach((category, i) => {
    const name = `categories[${i}]`;
    if (!isObject(category)) {
      issues.add('E_TYPE', name, '', `expected an object, got ${describeValue(category)}`);
      return;
    }
    const full = `${name}${idSuffix(category)}`;
    checkId(issues, category, full, 'id', categoryIds, 'category id');
    if (typeof category.name !== 'string') {
      issues.add(
        category.name === undefined ? 'E_MISSING_FIELD' : 'E_TYPE',
        full,
        'name',
        category.name === undefined
          ? 'missing name'
          : `expected a string, got ${describeValue(category.name)}`,
      );
    }
  });

  const annotationIds = new Map<number, string>();
  annotations?.forEach((annotation, i) => {
    const name = `annotations[${i}]`;
    if (!isObject(annotation)) {
      issues.add('E_TYPE', name, '', `expected an object, got ${describeValue(annotation)}`);
      return;
    }
    const full = `${name}${idSuffix(annotation)}`;
    checkId(issues, annotation, full, 'id', annotationIds, 'annotation id');
    const imageId = checkId(issues, annotation, full, 'image_id', undefined, 'image id');
    if (imageId !== undefined && images && !imageIds.has(imageId)) {
      issues.add('E_UNKNOWN_IMAGE', full, 'image_id', `image id ${imageId} is not in "images"`);
    }
    const categoryId = checkId(issues, annotation, full, 'category_id', undefined, 'category id');
    if (categoryId !== undefined && categories && !categoryIds.has(categoryId)) {
      issues.add(
        'E_UNKNOWN_CATEGORY',
        full,
        'category_id',
        `category id ${categoryId} is not in "categories"`,
      );
    }
    const image = imageId === undefined ? undefined : imageSizes.get(imageId);
    if (annotation.bbox === undefined) issues.add('E_MISSING_FIELD', full, 'bbox', 'missing bbox');
    else checkBbox(issues, annotation.bbox, full, true, image, tolerance);
    const area = annotation.area;
    if (area === undefined) issues.add('E_MISSING_FIELD', full, 'area', 'missing area');
    else if (typeof area !== 'number' || !Number.isFinite(area) || area < 0) {
      issues.add(
        'E_TYPE',
        full,
        'area',
        `expected a non-negative number, got ${describeValue(area)}`,
      );
    }
    const crowd = annotation.iscrowd;
    if (crowd !== undefined && crowd !== 0 && crowd !== 1) {
      issues.add('E_TYPE', full, 'iscrowd', `expected 0 or 1, got ${describeValue(crowd)}`);
    }
    if (annotation.segmentation !== undefined) {
      checkSegmentation(issues, annotation.segmentation, {
        record: full,
        imageSize: image ? [image.height, image.width] : undefined,
        tolerance,
        allowPolygons: true,
      });
    } else if (options.requireSegmentation) {
      issues.add(
        'E_MISSING_FIELD',
        full,
        'segmentation',
        'missing segmentation (needed for segm evaluation)',
      );
    }
  });
  return issues.report();
}

/**
 * Validates a COCO results file (a JSON array of detections): `image_id`, `category_id`,
 * a finite `score`, and a `bbox` (`[x, y, w, h]`, no negative size) and/or an RLE
 * `segmentation`. With `groundTruth`, ids must exist there and RLE sizes must match the image.
 *
 * @param data the parsed JSON value
 * @returns a report (mode `'collect'`); in mode `'throw'` (default) the first issue throws
 */
export function validateCocoResults(
  data: unknown,
  options: CocoResultsValidationOptions = {},
): ValidationReport {
  const issues = new IssueCollector(options);
  if (!Array.isArray(data)) {
    issues.add(
      'E_TYPE',
      '',
      '',
      `expected a COCO results array of detections, got ${describeValue(data)}`,
    );
    return issues.report();
  }
  const gt = options.groundTruth;
  const images = gt ? new Map(gt.images.map((im) => [im.id, im])) : undefined;
  const categories = gt ? new Set(gt.categories.map((c) => c.id)) : undefined;
  for (let i = 0; i < data.length; i++) {
    const det = data[i];
    const name = `[${i}]`;
    if (!isObject(det)) {
      issues.add('E_TYPE', name, '', `expected a detection object, got ${describeValue(det)}`);
      continue;
    }
    const full = `${name}${idSuffix(det, 'image_id')}`;
    const imageId = checkId(issues, det, full, 'image_id', undefined, 'image id');
    const image = imageId === undefined ? undefined : images?.get(imageId);
    if (imageId !== undefined && images && !image) {
      issues.add(
        'E_UNKNOWN_IMAGE',
        full,
        'image_id',
        `image id ${imageId} is not in the ground truth`,
      );
    }
    const categoryId = checkId(issues, det, full, 'category_id', undefined, 'category id');
    if (categoryId !== undefined && categories && !categories.has(categoryId)) {
      issues.add(
        'E_UNKNOWN_CATEGORY',
        full,
        'category_id',
        `category id ${categoryId} is not in the ground truth's categories`,
      );
    }
    const score = det.score;
    if (score === undefined) issues.add('E_MISSING_FIELD', full, 'score', 'missing score');
    else if (typeof score !== 'number' || !Number.isFinite(score)) {
      issues.add('E_TYPE', full, 'score', `expected a finite number, got ${describeValue(score)}`);
    }
    if (det.bbox === undefined && det.segmentation === undefined) {
      issues.add('E_MISSING_FIELD', full, 'bbox', 'a detection needs a bbox or a segmentation');
      continue;
    }
    if (det.bbox !== undefined) checkBbox(issues, det.bbox, full, false, undefined, 0);
    else if (options.requireBbox)
      issues.add('E_MISSING_FIELD', full, 'bbox', 'missing bbox (needed for bbox evaluation)');
    if (det.segmentation !== undefined) {
      checkSegmentation(issues, det.segmentation, {
        record: full,
        imageSize: image ? [image.height, image.width] : undefined,
        tolerance: 0,
        allowPolygons: false,
      });
    } else if (options.requireSegmentation) {
      issues.add(
        'E_MISSING_FIELD',
        full,
        'segmentation',
        'missing segmentation (needed for segm evaluation)',
      );
    }
  }
  return issues.report();
}
