/**
 * Typed errors of @ocelot/metrics. All subclass core's `InvalidArgumentError` (and so
 * `OcelotError`), so a caller can catch one base type; `code` is stable for programs.
 */
import { InvalidArgumentError } from '@ocelot/core';

/**
 * A COCO ground-truth or result structure is malformed: a missing or ill-typed field, a
 * non-finite number, a negative box size, a duplicate id. `argument` is `"groundTruth"` or
 * `"detections"`; `path` names the record and field, e.g. `detections[12].score`.
 */
export class CocoFormatError extends InvalidArgumentError {
  /** Where the problem is, e.g. `"groundTruth.annotations[3].bbox"`. */
  readonly path: string;
  constructor(argument: string, path: string, message: string, code = 'E_COCO_FORMAT') {
    super(argument, `${path}: ${message}`, code);
    this.path = path;
  }
}

/**
 * A detection names an `image_id` that the ground truth does not have. pycocotools'
 * `loadRes` asserts "Results do not correspond to current coco set" in this case.
 */
export class UnknownImageError extends CocoFormatError {
  /** Index of the offending record in the detections array. */
  readonly index: number;
  /** The unknown image id. */
  readonly imageId: number | string;
  constructor(index: number, imageId: number | string) {
    super(
      'detections',
      `detections[${index}].image_id`,
      `image id ${JSON.stringify(imageId)} is not in groundTruth.images (pycocotools: "Results do not correspond to current coco set")`,
      'E_COCO_UNKNOWN_IMAGE',
    );
    this.index = index;
    this.imageId = imageId;
  }
}
