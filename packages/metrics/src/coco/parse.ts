/**
 * Reads COCO ground truth and results into integer-indexed columns (typed arrays), with
 * pycocotools' `COCO` / `loadRes` / `_prepare` semantics and typed errors for malformed data.
 */
import { CocoFormatError, UnknownImageError } from '../errors.js';
import { assertCocoId, describe, uniqueSortedIds } from './ids.js';
import type { CocoAnnotation, CocoDetection, CocoGroundTruth, CocoId } from './types.js';

/** How result records are read; decided by the first record, as `loadRes` does. */
export type ResultMode = 'bbox' | 'segm';

/** Evaluated ground truth and detections as columns. Only records of evaluated images/cats. */
export interface CocoColumns {
  readonly imgIds: readonly CocoId[];
  readonly catIds: readonly CocoId[];
  readonly catNames: readonly (string | undefined)[];
  /** [I] image height / width from groundTruth.images (NaN when absent). */
  readonly imgHeight: Float64Array;
  readonly imgWidth: Float64Array;

  readonly gtCount: number;
  readonly gtImg: Int32Array;
  readonly gtCat: Int32Array;
  readonly gtId: Float64Array;
  readonly gtArea: Float64Array;
  readonly gtCrowd: Uint8Array;
  /** [N×4] xywh (bbox evaluation only). */
  readonly gtBox: Float64Array;
  /** Index into groundTruth.annotations. */
  readonly gtSrc: Int32Array;

  readonly resultMode: ResultMode;
  readonly dtCount: number;
  readonly dtImg: Int32Array;
  readonly dtCat: Int32Array;
  readonly dtScore: Float64Array;
  /** bbox results: w*h; segm results: NaN (computed from the RLE when evaluated). */
  readonly dtArea: Float64Array;
  /** [N×4] xywh when the record has a bbox (bbox results always). */
  readonly dtBox: Float64Array;
  readonly dtHasBox: Uint8Array;
  /** Index into detections (pycocotools' detection id is this + 1). */
  readonly dtSrc: Int32Array;

  readonly skippedGroundTruth: number;
  readonly skippedDetections: number;
  /** The input records, for segmentations decoded lazily per group. */
  readonly annotations: readonly CocoAnnotation[];
  readonly detections: readonly CocoDetection[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function finiteNumber(argument: string, path: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new CocoFormatError(
      argument,
      path,
      value === undefined ? 'missing' : `expected a number, got ${describe(value)}`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new CocoFormatError(argument, path, `non-finite value ${value}`, 'E_NON_FINITE');
  }
  return value;
}

/**
 * Reads a COCO `[x, y, w, h]` into `out[4*i..]`, rejecting a wrong length and non-finite
 * numbers. A negative width or height is accepted, as pycocotools accepts it: such a box has
 * IoU 0 with everything and its negative area lies outside every area range.
 */
function readBox(
  argument: string,
  path: string,
  value: unknown,
  out: Float64Array,
  i: number,
): void {
  if (!Array.isArray(value) || value.length !== 4) {
    throw new CocoFormatError(
      argument,
      path,
      value === undefined
        ? 'missing (needed for bbox evaluation)'
        : `expected [x, y, width, height], got ${describe(value)}`,
    );
  }
  for (let c = 0; c < 4; c++) out[4 * i + c] = finiteNumber(argument, `${path}[${c}]`, value[c]);
}

/** Shallow check of a segmentation: polygons array or an RLE object with size and counts. */
export function checkSegmentation(argument: string, path: string, seg: unknown): void {
  if (Array.isArray(seg)) return; // polygons; checked when rasterised
  if (!isObject(seg)) {
    throw new CocoFormatError(
      argument,
      path,
      seg === undefined
        ? 'missing (needed for segm evaluation)'
        : `expected polygons or an RLE object, got ${describe(seg)}`,
    );
  }
  const size = seg.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !Number.isInteger(size[0]) ||
    !Number.isInteger(size[1]) ||
    size[0] < 0 ||
    size[1] < 0
  ) {
    throw new CocoFormatError(
      argument,
      `${path}.size`,
      `expected [height, width] of integers >= 0, got ${describe(size)}`,
    );
  }
  if (typeof seg.counts !== 'string' && !Array.isArray(seg.counts)) {
    throw new CocoFormatError(
      argument,
      `${path}.counts`,
      `expected a string or an array of run lengths, got ${describe(seg.counts)}`,
    );
  }
}

/** Validates the inputs and builds the columns of the evaluated subset. */
export function parseCoco(
  groundTruth: CocoGroundTruth,
  detections: readonly CocoDetection[],
  iouType: 'bbox' | 'segm',
  imgIdsOption: readonly CocoId[] | undefined,
  catIdsOption: readonly CocoId[] | undefined,
): CocoColumns {
  const G = 'groundTruth';
  const D = 'detections';
  if (!isObject(groundTruth)) {
    throw new CocoFormatError(
      G,
      G,
      `expected a COCO object { images, annotations, categories }, got ${describe(groundTruth)}`,
    );
  }
  const images = groundTruth.images as unknown;
  const categories = groundTruth.categories as unknown;
  const annotations = (groundTruth.annotations ?? []) as unknown;
  if (!Array.isArray(images))
    throw new CocoFormatError(
      G,
      `${G}.images`,
      images === undefined ? 'missing' : `expected an array, got ${describe(images)}`,
    );
  if (!Array.isArray(categories))
    throw new CocoFormatError(
      G,
      `${G}.categories`,
      categories === undefined ? 'missing' : `expected an array, got ${describe(categories)}`,
    );
  if (!Array.isArray(annotations))
    throw new CocoFormatError(
      G,
      `${G}.annotations`,
      `expected an array, got ${describe(annotations)}`,
    );
  if (!Array.isArray(detections))
    throw new CocoFormatError(
      D,
      D,
      `expected an array of result records, got ${describe(detections)}`,
    );

  // Images: every id the results may name (loadRes checks against all of them).
  const allImages = new Map<CocoId, { height: number; width: number }>();
  for (let i = 0; i < images.length; i++) {
    const img = images[i] as unknown;
    const path = `${G}.images[${i}]`;
    if (!isObject(img))
      throw new CocoFormatError(G, path, `expected an object, got ${describe(img)}`);
    assertCocoId(G, `${path}.id`, img.id);
    if (allImages.has(img.id))
      throw new CocoFormatError(
        G,
        `${path}.id`,
        `duplicate image id ${JSON.stringify(img.id)}`,
        'E_COCO_DUPLICATE_ID',
      );
    const h = img.height;
    const w = img.width;
    allImages.set(img.id, {
      height: typeof h === 'number' && Number.isFinite(h) ? h : Number.NaN,
      width: typeof w === 'number' && Number.isFinite(w) ? w : Number.NaN,
    });
  }
  const catNameById = new Map<CocoId, string | undefined>();
  for (let i = 0; i < categories.length; i++) {
    const cat = categories[i] as unknown;
    const path = `${G}.categories[${i}]`;
    if (!isObject(cat))
      throw new CocoFormatError(G, path, `expected an object, got ${describe(cat)}`);
    assertCocoId(G, `${path}.id`, cat.id);
    if (catNameById.has(cat.id))
      throw new CocoFormatError(
        G,
        `${path}.id`,
        `duplicate category id ${JSON.stringify(cat.id)}`,
        'E_COCO_DUPLICATE_ID',
      );
    catNameById.set(cat.id, typeof cat.name === 'string' ? cat.name : undefined);
  }

  // p.imgIds / p.catIds: np.unique of the given or all ids.
  const imgIds = uniqueSortedIds(
    imgIdsOption ? 'options.imgIds' : `${G}.images`,
    imgIdsOption ?? [...allImages.keys()],
  );
  const catIds = uniqueSortedIds(
    catIdsOption ? 'options.catIds' : `${G}.categories`,
    catIdsOption ?? [...catNameById.keys()],
  );
  const imgIndex = new Map<CocoId, number>();
  for (let i = 0; i < imgIds.length; i++) imgIndex.set(imgIds[i]!, i);
  const catIndex = new Map<CocoId, number>();
  for (let i = 0; i < catIds.length; i++) catIndex.set(catIds[i]!, i);
  const imgHeight = new Float64Array(imgIds.length).fill(Number.NaN);
  const imgWidth = new Float64Array(imgIds.length).fill(Number.NaN);
  imgIds.forEach((id, i) => {
    const info = allImages.get(id);
    if (info) {
      imgHeight[i] = info.height;
      imgWidth[i] = info.width;
    }
  });

  // Ground truth.
  const nA = annotations.length;
  const gtImg = new Int32Array(nA);
  const gtCat = new Int32Array(nA);
  const gtId = new Float64Array(nA);
  const gtArea = new Float64Array(nA);
  const gtCrowd = new Uint8Array(nA);
  const gtBox = new Float64Array(iouType === 'bbox' ? 4 * nA : 0);
  const gtSrc = new Int32Array(nA);
  const seenIds = new Set<number>();
  let gtCount = 0;
  let skippedGroundTruth = 0;
  for (let i = 0; i < nA; i++) {
    const ann = annotations[i] as unknown;
    const path = `${G}.annotations[${i}]`;
    if (!isObject(ann))
      throw new CocoFormatError(G, path, `expected an object, got ${describe(ann)}`);
    const a = ann as unknown as CocoAnnotation;
    const id = finiteNumber(G, `${path}.id`, a.id);
    if (seenIds.has(id)) {
      // pycocotools keys annotations by id: a duplicate silently replaces the first.
      throw new CocoFormatError(
        G,
        `${path}.id`,
        `duplicate annotation id ${id}`,
        'E_COCO_DUPLICATE_ID',
      );
    }
    seenIds.add(id);
    assertCocoId(G, `${path}.image_id`, a.image_id);
    assertCocoId(G, `${path}.category_id`, a.category_id);
    const im = imgIndex.get(a.image_id);
    const ca = catIndex.get(a.category_id);
    if (im === undefined || ca === undefined) {
      skippedGroundTruth++;
      continue;
    }
    const area = finiteNumber(G, `${path}.area`, a.area);
    const crowd = a.iscrowd;
    if (crowd !== undefined && typeof crowd !== 'number' && typeof crowd !== 'boolean') {
      throw new CocoFormatError(
        G,
        `${path}.iscrowd`,
        `expected 0/1 or a boolean, got ${describe(crowd)}`,
      );
    }
    const k = gtCount++;
    gtImg[k] = im;
    gtCat[k] = ca;
    gtId[k] = id;
    gtArea[k] = area;
    gtCrowd[k] = crowd ? 1 : 0;
    gtSrc[k] = i;
    if (iouType === 'bbox') readBox(G, `${path}.bbox`, a.bbox, gtBox, k);
    else checkSegmentation(G, `${path}.segmentation`, a.segmentation);
  }

  // Results, as loadRes reads them.
  const nD = detections.length;
  let resultMode: ResultMode = 'bbox';
  if (nD > 0) {
    const first = detections[0] as unknown;
    if (!isObject(first))
      throw new CocoFormatError(D, `${D}[0]`, `expected an object, got ${describe(first)}`);
    const fb = first.bbox;
    if (fb !== undefined && !(Array.isArray(fb) && fb.length === 0)) resultMode = 'bbox';
    else if (first.segmentation !== undefined) resultMode = 'segm';
    else {
      throw new CocoFormatError(
        D,
        `${D}[0]`,
        'has neither bbox nor segmentation (keypoint and caption results are not supported)',
      );
    }
  }
  const dtImg = new Int32Array(nD);
  const dtCat = new Int32Array(nD);
  const dtScore = new Float64Array(nD);
  const dtArea = new Float64Array(nD);
  const dtBox = new Float64Array(4 * nD);
  const dtHasBox = new Uint8Array(nD);
  const dtSrc = new Int32Array(nD);
  let dtCount = 0;
  let skippedDetections = 0;
  for (let i = 0; i < nD; i++) {
    const det = detections[i] as unknown;
    const path = `${D}[${i}]`;
    if (!isObject(det))
      throw new CocoFormatError(D, path, `expected an object, got ${describe(det)}`);
    const d = det as unknown as CocoDetection;
    assertCocoId(D, `${path}.image_id`, d.image_id);
    if (!allImages.has(d.image_id)) throw new UnknownImageError(i, d.image_id);
    assertCocoId(D, `${path}.category_id`, d.category_id);
    const score = finiteNumber(D, `${path}.score`, d.score);
    const k = dtCount;
    if (resultMode === 'bbox') {
      readBox(D, `${path}.bbox`, d.bbox, dtBox, k);
      dtHasBox[k] = 1;
      dtArea[k] = dtBox[4 * k + 2]! * dtBox[4 * k + 3]!;
      if (iouType === 'segm' && d.segmentation !== undefined) {
        checkSegmentation(D, `${path}.segmentation`, d.segmentation);
      }
    } else {
      checkSegmentation(D, `${path}.segmentation`, d.segmentation);
      if (d.bbox !== undefined) {
        readBox(D, `${path}.bbox`, d.bbox, dtBox, k);
        dtHasBox[k] = 1;
      } else {
        dtHasBox[k] = 0;
      }
      dtArea[k] = Number.NaN;
    }
    const im = imgIndex.get(d.image_id);
    const ca = catIndex.get(d.category_id);
    if (im === undefined || ca === undefined) {
      skippedDetections++;
      continue;
    }
    dtCount++;
    dtImg[k] = im;
    dtCat[k] = ca;
    dtScore[k] = score;
    dtSrc[k] = i;
  }

  return {
    imgIds,
    catIds,
    catNames: catIds.map((id) => catNameById.get(id)),
    imgHeight,
    imgWidth,
    gtCount,
    gtImg,
    gtCat,
    gtId,
    gtArea,
    gtCrowd,
    gtBox,
    gtSrc,
    resultMode,
    dtCount,
    dtImg,
    dtCat,
    dtScore,
    dtArea,
    dtBox,
    dtHasBox,
    dtSrc,
    skippedGroundTruth,
    skippedDetections,
    annotations: annotations as CocoAnnotation[],
    detections,
  };
}
