/** Argument checks shared by the NMS family (internal). */
import { InvalidArgumentError } from '../errors.js';
import {
  assertBoxes,
  assertFinite,
  assertFloatArray,
  assertLength,
  assertNumberInRange,
} from '../validate.js';

/** Scores: a finite Float32Array of length `n`. */
export function assertScores(name: string, scores: unknown, n: number, what = 'N'): Float32Array {
  assertFloatArray(name, scores);
  assertLength(name, scores, n, what);
  assertFinite(name, scores);
  return scores;
}

/** Class ids: an Int32Array of length `n`. */
export function assertClassIds(name: string, ids: unknown, n: number): Int32Array {
  if (!(ids instanceof Int32Array)) {
    const got = ids === null ? 'null' : typeof ids === 'object' ? ids.constructor.name : typeof ids;
    throw new InvalidArgumentError(name, `expected an Int32Array of class ids, got ${got}`);
  }
  assertLength(name, ids, n);
  return ids;
}

/** An IoU threshold in [0, 1]. */
export function assertIouThreshold(name: string, value: number): void {
  assertNumberInRange(name, value, 0, 1);
}

/** An optional output cap: an integer ≥ 0 or Infinity. Returns Infinity when absent. */
export function readCount(name: string, value: number | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, `expected an integer >= 0 or Infinity, got ${value}`);
  }
  return value;
}

/** An options bag: undefined or a plain object. */
export function readOptions<T extends object>(name: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(name, `expected an options object, got ${String(options)}`);
  }
  return options;
}

/** Float32 areas of N×4 xyxy boxes, as torchvision computes them. */
export function areasOf(boxes: Float32Array, n: number): Float32Array {
  const areas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    areas[i] = Math.fround(boxes[o + 2]! - boxes[o]!) * Math.fround(boxes[o + 3]! - boxes[o + 1]!);
  }
  return areas;
}

/**
 * `assertBoxes` (no negative sizes) in a single pass: finite coordinates and x2 ≥ x1,
 * y2 ≥ y1. On any bad box it defers to `assertBoxes`, so the errors are the same.
 */
export function checkBoxes(name: string, boxes: unknown): number {
  if (!(boxes instanceof Float32Array) || boxes.length % 4 !== 0) return assertBoxes(name, boxes);
  const len = boxes.length;
  for (let o = 0; o < len; o += 4) {
    const x1 = boxes[o]!;
    const y1 = boxes[o + 1]!;
    const x2 = boxes[o + 2]!;
    const y2 = boxes[o + 3]!;
    // v - v is NaN for NaN and ±Infinity, 0 otherwise.
    if (x1 - x1 + (y1 - y1) + (x2 - x2) + (y2 - y2) !== 0 || x2 < x1 || y2 < y1) {
      return assertBoxes(name, boxes);
    }
  }
  return len / 4;
}
