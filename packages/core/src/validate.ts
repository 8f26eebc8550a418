/**
 * Argument checks shared by the ops. Each throws a typed `OcelotError` naming the argument;
 * none allocates. Ops call them once at entry, never inside hot loops.
 */
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from './errors.js';
import type { NumericArray, TensorView } from './types.js';

/** Throws unless `value` is a Float32Array. */
export function assertFloatArray(name: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) {
    const got =
      value === null ? 'null' : typeof value === 'object' ? value.constructor.name : typeof value;
    throw new InvalidArgumentError(name, `expected a Float32Array, got ${got}`);
  }
}

/**
 * `Σ v·0` over `data`: 0 when every value is finite, NaN as soon as one is NaN or ±Infinity
 * (`±Infinity · 0` is NaN, and NaN stays NaN through any sum). No branch per element; eight
 * products per step added in a tree so the additions do not wait on each other. The function
 * is only this loop, so V8 optimises it once for every caller.
 */
export function timesZeroSum(data: ArrayLike<number>): number {
  const n = data.length;
  const n8 = n - (n & 7);
  let acc = 0;
  for (let i = n8; i < n; i++) acc += data[i]! * 0;
  for (let i = 0; i < n8; i += 8) {
    acc +=
      data[i]! * 0 +
      data[i + 1]! * 0 +
      (data[i + 2]! * 0 + data[i + 3]! * 0) +
      (data[i + 4]! * 0 + data[i + 5]! * 0 + (data[i + 6]! * 0 + data[i + 7]! * 0));
  }
  return acc;
}

/**
 * Throws on the first NaN / ±Infinity in `data`: one branch-free pass, and the scan that names
 * the offending index only when that pass finds something.
 */
export function assertFinite(name: string, data: ArrayLike<number>): void {
  if (timesZeroSum(data) === 0) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN for NaN and ±Infinity and 0 otherwise: one comparison per element.
    if (v - v !== 0) throw new NonFiniteValueError(name, i, v);
  }
}

/**
 * Validates an N×4 box array and returns N. Checks the type, that the length is a multiple of
 * 4, that every coordinate is finite and, unless `allowNegativeSize`, that x2 ≥ x1 and y2 ≥ y1.
 */
export function assertBoxes(
  name: string,
  boxes: unknown,
  options: { allowNegativeSize?: boolean } = {},
): number {
  assertFloatArray(name, boxes);
  if (boxes.length % 4 !== 0) {
    throw new ShapeMismatchError(name, '[N,4]', `[${boxes.length}] (length not a multiple of 4)`);
  }
  assertFinite(name, boxes);
  const n = boxes.length / 4;
  if (!options.allowNegativeSize) {
    for (let i = 0; i < n; i++) {
      const o = 4 * i;
      if (boxes[o + 2]! < boxes[o]! || boxes[o + 3]! < boxes[o + 1]!) {
        throw new InvalidArgumentError(
          name,
          `box ${i} has negative size (x1=${boxes[o]}, y1=${boxes[o + 1]}, x2=${boxes[o + 2]}, y2=${boxes[o + 3]}); expected xyxy with x2 >= x1 and y2 >= y1`,
          'E_NEGATIVE_BOX_SIZE',
        );
      }
    }
  }
  return n;
}

/** Throws unless `values.length === expected`. */
export function assertLength(
  name: string,
  values: ArrayLike<number>,
  expected: number,
  what = 'N',
): void {
  if (values.length !== expected) {
    throw new ShapeMismatchError(name, `[${what}=${expected}]`, `[${values.length}]`);
  }
}

/** Throws unless `value` is a finite number within [min, max]. */
export function assertNumberInRange(
  name: string,
  value: number,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `expected a number in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function assertInteger(name: string, value: number, min = 0): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(name, `expected an integer >= ${min}, got ${value}`);
  }
}

/**
 * Checks a tensor view's rank and that `data.length` equals the product of `dims`;
 * returns the dims. `shape` is a readable name such as `'[N,C,H,W]'`.
 */
export function assertTensor<T extends NumericArray>(
  name: string,
  tensor: TensorView<T>,
  rank: number,
  shape: string,
): readonly number[] {
  const dims = tensor?.dims;
  if (!dims || dims.length !== rank) {
    throw new ShapeMismatchError(name, shape, dims ? `[${dims.join(',')}]` : String(dims));
  }
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeMismatchError(name, shape, `[${dims.join(',')}]`);
    }
    size *= d;
  }
  if (tensor.data.length !== size) {
    throw new ShapeMismatchError(
      name,
      `${shape}=[${dims.join(',')}] (${size} elements)`,
      `${tensor.data.length} elements`,
    );
  }
  return dims;
}
