/**
 * The adapter's tensor view: a plain `{ data, dims, type }` over a typed array. Structurally a
 * `TensorView` of @ocelot/core, and an onnxruntime `Tensor` satisfies it too.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';

/** Element types the adapter feeds and returns (onnxruntime's names). */
export type TensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

/** Typed array for each element type. `float16` is stored as raw bits in a `Uint16Array`. */
export interface TensorDataTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

/** Any typed array a tensor may hold. */
export type TensorData = TensorDataTypeMap[TensorType];

/**
 * A dense row-major tensor. `data.length` equals the product of `dims`.
 * Session outputs are always on the CPU, in arrays the caller owns (see `Session.run`).
 */
export interface Tensor<T extends TensorData = TensorData> {
  readonly data: T;
  readonly dims: readonly number[];
  readonly type: TensorType;
}

/** What `Session.run` accepts as a feed: `type` may be left out when `data` implies it. */
export interface TensorLike {
  readonly data: TensorData;
  readonly dims: readonly number[];
  readonly type?: TensorType | string;
}

const CONSTRUCTORS: { readonly [K in TensorType]: new (n: number) => TensorDataTypeMap[K] } = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/** True for the element type names the adapter handles. */
export function isTensorType(type: unknown): type is TensorType {
  return typeof type === 'string' && Object.hasOwn(CONSTRUCTORS, type);
}

/**
 * The element type a typed array implies: `Float32Array` → `float32`, `BigInt64Array` →
 * `int64`, `Uint8Array` → `uint8` (pass `type: 'bool'` for booleans), `Uint16Array` → `uint16`
 * (pass `type: 'float16'` for half floats). `undefined` for anything else.
 */
export function inferTensorType(data: unknown): TensorType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  return undefined;
}

/** Whether `data` is the typed array `type` is stored in. */
export function dataMatchesType(type: TensorType, data: unknown): boolean {
  const ctor = CONSTRUCTORS[type];
  return data instanceof ctor && data.constructor === ctor;
}

/** Number of elements of `dims`, or -1 if a dim is not a non-negative integer. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) return -1;
    n *= d;
  }
  return n;
}

/** `[1,3,64,64]` */
export function formatDims(dims: readonly (number | string | null)[] | undefined): string {
  if (dims === undefined) return '[?]';
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/**
 * Makes a tensor, checking that `data` fits `dims` and `type`.
 *
 * @param data typed array of product(dims) elements (kept, not copied)
 * @param dims e.g. `[1, 3, 640, 640]`
 * @param type element type; inferred from `data` when left out
 * @throws ShapeMismatchError when `data.length` differs from product(dims);
 *   InvalidArgumentError for bad dims or a type `data` cannot hold
 */
export function createTensor<T extends TensorData>(
  data: T,
  dims: readonly number[],
  type?: TensorType,
): Tensor<T> {
  const resolved = type ?? inferTensorType(data);
  if (resolved === undefined) {
    const got =
      data === null ? 'null' : typeof data === 'object' ? data.constructor.name : typeof data;
    throw new InvalidArgumentError('data', `expected a numeric typed array, got ${got}`);
  }
  if (!isTensorType(resolved))
    throw new InvalidArgumentError('type', `unknown tensor type ${String(resolved)}`);
  if (!dataMatchesType(resolved, data)) {
    throw new InvalidArgumentError(
      'data',
      `a ${resolved} tensor needs a ${CONSTRUCTORS[resolved].name}, got ${data.constructor.name}`,
    );
  }
  if (!Array.isArray(dims)) throw new InvalidArgumentError('dims', 'expected an array of integers');
  const n = elementCount(dims);
  if (n < 0)
    throw new InvalidArgumentError(
      'dims',
      `expected non-negative integers, got ${formatDims(dims)}`,
    );
  if (n !== data.length) {
    throw new ShapeMismatchError(
      'data',
      `${formatDims(dims)} (${n} elements)`,
      `${data.length} elements`,
    );
  }
  return { data, dims: [...dims], type: resolved };
}

/**
 * A zero-filled tensor.
 * @param type element type
 * @param dims non-negative integers
 */
export function zerosTensor<K extends TensorType>(
  type: K,
  dims: readonly number[],
): Tensor<TensorDataTypeMap[K]> {
  if (!isTensorType(type))
    throw new InvalidArgumentError('type', `unknown tensor type ${String(type)}`);
  const n = elementCount(dims);
  if (n < 0)
    throw new InvalidArgumentError(
      'dims',
      `expected non-negative integers, got ${formatDims(dims)}`,
    );
  const Ctor = CONSTRUCTORS[type] as new (n: number) => TensorDataTypeMap[K];
  return { data: new Ctor(n), dims: [...dims], type };
}
