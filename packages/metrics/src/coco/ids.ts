import { CocoFormatError } from '../errors.js';
import type { CocoId } from './types.js';

/** Throws unless `value` is a finite number or a string (a usable COCO image/category id). */
export function assertCocoId(
  argument: string,
  path: string,
  value: unknown,
): asserts value is CocoId {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new CocoFormatError(argument, path, `expected a finite id, got ${value}`);
    }
    return;
  }
  if (typeof value !== 'string') {
    throw new CocoFormatError(
      argument,
      path,
      value === undefined ? 'missing' : `expected a number or string id, got ${describe(value)}`,
    );
  }
}

/**
 * `np.unique(ids)`: deduplicated and sorted ascending (numbers numerically, strings by code
 * unit). Mixing numbers and strings is rejected, as numpy cannot order them either.
 */
export function uniqueSortedIds(argument: string, ids: readonly CocoId[]): CocoId[] {
  let numbers = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    assertCocoId(argument, `${argument}[${i}]`, id);
    if (typeof id === 'number') numbers++;
  }
  if (numbers !== 0 && numbers !== ids.length) {
    throw new CocoFormatError(argument, argument, 'ids mix numbers and strings; use one kind');
  }
  const unique = [...new Set(ids)];
  if (numbers > 0) (unique as number[]).sort((a, b) => a - b);
  else (unique as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return unique;
}

/** Short description of a JSON value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}
