/**
 * Checks of COCO segmentations (polygons, uncompressed and compressed RLE). Compressed counts
 * are decoded with @ocelot/core's RLE codec so the run lengths can be summed.
 */
import { rleFromString } from '@ocelot/core';
import { describeValue, type IssueCollector } from '../errors.js';

/** Where a segmentation sits, for messages. */
export interface SegmentationContext {
  readonly record: string;
  /** `[height, width]` of the image, when the image is known. */
  readonly imageSize: readonly [number, number] | undefined;
  /** Pixels a polygon point may lie outside the image. */
  readonly tolerance: number;
  /** Results files only allow RLE. */
  readonly allowPolygons: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates one `segmentation` value; reports into `issues`. */
export function checkSegmentation(
  issues: IssueCollector,
  segmentation: unknown,
  context: SegmentationContext,
): void {
  const { record } = context;
  if (Array.isArray(segmentation)) {
    if (!context.allowPolygons) {
      issues.add(
        'E_MALFORMED_SEGMENTATION',
        record,
        'segmentation',
        'a results file must give segmentations as RLE ({size, counts}), not polygons',
      );
      return;
    }
    checkPolygons(issues, segmentation, context);
    return;
  }
  if (isObject(segmentation)) {
    checkRle(issues, segmentation, context);
    return;
  }
  issues.add(
    'E_MALFORMED_SEGMENTATION',
    record,
    'segmentation',
    `expected polygons (an array of [x1,y1,x2,y2,...]) or RLE ({size, counts}), got ${describeValue(segmentation)}`,
  );
}

function checkPolygons(
  issues: IssueCollector,
  polygons: unknown[],
  context: SegmentationContext,
): void {
  const { record, imageSize, tolerance } = context;
  if (polygons.length === 0) {
    issues.add('E_MALFORMED_POLYGON', record, 'segmentation', 'empty polygon list');
    return;
  }
  for (let p = 0; p < polygons.length; p++) {
    const polygon = polygons[p];
    const field = `segmentation[${p}]`;
    if (!Array.isArray(polygon)) {
      issues.add(
        'E_MALFORMED_POLYGON',
        record,
        field,
        `expected an array of coordinates, got ${describeValue(polygon)}`,
      );
      continue;
    }
    if (polygon.length % 2 !== 0) {
      issues.add(
        'E_MALFORMED_POLYGON',
        record,
        field,
        `odd number of coordinates (${polygon.length}); expected x,y pairs`,
      );
      continue;
    }
    if (polygon.length < 6) {
      issues.add(
        'E_MALFORMED_POLYGON',
        record,
        field,
        `${polygon.length / 2} point(s); a polygon needs at least 3 (6 coordinates)`,
      );
      continue;
    }
    for (let k = 0; k < polygon.length; k++) {
      const v = polygon[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issues.add(
          'E_MALFORMED_POLYGON',
          record,
          `${field}[${k}]`,
          `expected a finite number, got ${describeValue(v)}`,
        );
        break;
      }
      if (imageSize) {
        const limit = k % 2 === 0 ? imageSize[1] : imageSize[0];
        if (v < -tolerance || v > limit + tolerance) {
          issues.add(
            'E_POLYGON_OUTSIDE_IMAGE',
            record,
            `${field}[${k}]`,
            `${k % 2 === 0 ? 'x' : 'y'}=${v} lies outside the image (0..${limit}, tolerance ${tolerance} px)`,
          );
          break;
        }
      }
    }
  }
}

function checkRle(
  issues: IssueCollector,
  rle: Record<string, unknown>,
  context: SegmentationContext,
): void {
  const { record, imageSize } = context;
  const size = rle.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)
  ) {
    issues.add(
      'E_MALFORMED_RLE',
      record,
      'segmentation.size',
      `expected [height, width] as two positive integers, got ${describeValue(size)}`,
    );
    return;
  }
  const [h, w] = size as [number, number];
  if (imageSize && (imageSize[0] !== h || imageSize[1] !== w)) {
    issues.add(
      'E_RLE_SIZE',
      record,
      'segmentation.size',
      `[${h}, ${w}] does not match the image's [height, width] = [${imageSize[0]}, ${imageSize[1]}]`,
    );
  }
  const counts = rle.counts;
  let total = 0;
  if (Array.isArray(counts)) {
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
        issues.add(
          'E_MALFORMED_RLE',
          record,
          `segmentation.counts[${k}]`,
          `expected a non-negative integer run length, got ${describeValue(c)}`,
        );
        return;
      }
      total += c;
    }
  } else if (typeof counts === 'string') {
    let decoded: ArrayLike<number>;
    try {
      decoded = rleFromString(counts, h, w).counts;
    } catch (error) {
      const reason =
        error instanceof Error ? error.message.replace(/^counts: /, '') : String(error);
      issues.add('E_MALFORMED_RLE', record, 'segmentation.counts', `bad compressed RLE: ${reason}`);
      return;
    }
    for (let k = 0; k < decoded.length; k++) {
      const c = decoded[k]!;
      if (c < 0) {
        issues.add(
          'E_MALFORMED_RLE',
          record,
          'segmentation.counts',
          `decodes to a negative run length at run ${k}`,
        );
        return;
      }
      total += c;
    }
  } else {
    issues.add(
      'E_MALFORMED_RLE',
      record,
      'segmentation.counts',
      `expected an array of run lengths or a compressed RLE string, got ${describeValue(counts)}`,
    );
    return;
  }
  if (total !== h * w) {
    issues.add(
      'E_MALFORMED_RLE',
      record,
      'segmentation.counts',
      `run lengths sum to ${total}, expected height*width = ${h}*${w} = ${h * w}`,
    );
  }
}
