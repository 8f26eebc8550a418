/**
 * Instance segmentations → COCO result records, ready for `evaluateCoco` of @ocelot/metrics
 * (or pycocotools' `loadRes`, or a results JSON file).
 */
import { InvalidArgumentError, type Rle, rleEncode, rleToCoco } from '@ocelot/core';
import type { InstanceSegmentation } from '../types.js';

/**
 * One COCO result record (the COCO results format); assignable to @ocelot/metrics'
 * `CocoDetection` (a type alias, so it needs no index signature).
 */
export type CocoResultRecord = {
  readonly image_id: number | string;
  readonly category_id: number | string;
  readonly score: number;
  /** `segm` records: compressed RLE of the mask at the image size. */
  readonly segmentation?: { size: [number, number]; counts: string };
  /** `bbox` records: `[x, y, width, height]` in image pixels. */
  readonly bbox?: [number, number, number, number];
};

export interface CocoResultOptions {
  readonly imageId: number | string;
  /**
   * COCO category id of each class index (e.g. the card's `labelIds`; COCO's 80 classes have
   * ids 1–90). Default: the class index itself.
   */
  readonly categoryIds?: readonly (number | string)[];
  /**
   * `segm` (default): `segmentation` only — as torchvision's reference evaluation writes them;
   * pycocotools then takes each result's area from its mask. `bbox`: `bbox` only. (A segm
   * record that also carried a `bbox` would make pycocotools use the box area for the small /
   * medium / large ranges.)
   */
  readonly iouType?: 'segm' | 'bbox';
}

/**
 * COCO result records of one image's instances, in detection order.
 * @throws InvalidArgumentError when a class has no category id, or masks are missing for segm
 */
export function toCocoResults(
  instances: InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>,
  options: CocoResultOptions,
): CocoResultRecord[] {
  const { imageId, categoryIds } = options;
  const iouType = options.iouType ?? 'segm';
  if (iouType !== 'segm' && iouType !== 'bbox') {
    throw new InvalidArgumentError(
      'options.iouType',
      `expected "segm" or "bbox", got ${JSON.stringify(iouType)}`,
    );
  }
  const n = instances.labels.length;
  if (iouType === 'segm' && instances.masks.length !== n) {
    throw new InvalidArgumentError(
      'instances.masks',
      `expected ${n} masks (one per detection), got ${instances.masks.length}`,
    );
  }
  const { width, height } = instances.imageSize;
  const out: CocoResultRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const label = instances.labels[i]!;
    const category = categoryIds === undefined ? label : categoryIds[label];
    if (category === undefined) {
      throw new InvalidArgumentError(
        'options.categoryIds',
        `no category id for class ${label} (${categoryIds!.length} ids given)`,
      );
    }
    const base = { image_id: imageId, category_id: category, score: instances.scores[i]! };
    if (iouType === 'bbox') {
      const b = instances.boxes;
      const x1 = b[4 * i]!;
      const y1 = b[4 * i + 1]!;
      out[i] = { ...base, bbox: [x1, y1, b[4 * i + 2]! - x1, b[4 * i + 3]! - y1] };
    } else {
      const m = instances.masks[i]!;
      const rle = m instanceof Uint8Array ? rleEncode(m, height, width) : m;
      out[i] = { ...base, segmentation: rleToCoco(rle) };
    }
  }
  return out;
}
