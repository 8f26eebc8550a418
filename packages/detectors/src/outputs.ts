/**
 * Reading raw model outputs: presence, element type, rank and dims, each failure a
 * `ModelOutputError` naming the model, the output, what was expected and what was given.
 */
import type { Tensor } from '@ocelot/runtime';
import { ModelOutputError } from './errors.js';

/** A float32 output checked for presence, type and rank. */
export interface Float32Output {
  /** The output's name in the model. */
  readonly name: string;
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** An integer output (int64 / int32 / whole-valued float) converted to int32. */
export interface Int32Output {
  readonly name: string;
  readonly data: Int32Array;
  readonly dims: readonly number[];
}

/** An output reference: a name, a position in the model's output order, or names to try. */
export type OutputRef = string | number | readonly (string | number)[];

/** `[1, 8400, 84]`-style text for error messages. */
export function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Finds an output by name or position; with a list, the first that exists.
 * @throws ModelOutputError listing what the model returned
 */
export function findOutput(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  ref: OutputRef,
): [string, Tensor] {
  const refs = typeof ref === 'string' || typeof ref === 'number' ? [ref] : ref;
  const keys = Object.keys(outputs);
  for (const r of refs) {
    const key = typeof r === 'number' ? keys[r] : r;
    if (key !== undefined && Object.hasOwn(outputs, key)) return [key, outputs[key]!];
  }
  throw new ModelOutputError(
    model,
    refs.map(String).join(' | '),
    `missing; the model returned ${keys.join(', ') || 'nothing'}`,
  );
}

function checkLength(model: string, name: string, length: number, dims: readonly number[]): void {
  let size = 1;
  for (const d of dims) size *= d;
  if (size !== length) {
    throw new ModelOutputError(
      model,
      name,
      `dims ${formatDims(dims)} describe ${size} values but the tensor holds ${length}`,
    );
  }
}

/** The error for a tensor whose dims do not fit. */
export function shapeError(
  model: string,
  output: string,
  expected: string,
  dims: readonly number[],
): ModelOutputError {
  return new ModelOutputError(model, output, `expected shape ${expected}, got ${formatDims(dims)}`);
}

/**
 * Reads output `name` (a name, a position, or names to try in order) as float32 with the
 * given rank (`undefined`: any rank, the caller checks the dims); `shape` describes the
 * expected layout for the error message.
 * @throws ModelOutputError naming the model, the output and expected vs given
 */
export function readFloat32Output(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  name: OutputRef,
  rank: number | undefined,
  shape: string,
): Float32Output {
  const [key, t] = findOutput(model, outputs, name);
  if (!(t.data instanceof Float32Array)) {
    throw new ModelOutputError(model, key, `expected float32, got ${t.type}`);
  }
  if (rank !== undefined && t.dims.length !== rank) throw shapeError(model, key, shape, t.dims);
  checkLength(model, key, t.data.length, t.dims);
  return { name: key, data: t.data, dims: t.dims };
}

/**
 * Reads an integer output (int64, int32, or whole-valued float32 as some exports emit labels)
 * as an Int32Array.
 * @throws ModelOutputError on a missing output, another type, wrong rank, or a value that is
 *   not an int32
 */
export function readInt32Output(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  name: OutputRef,
  rank: number,
  shape: string,
): Int32Output {
  const [key, t] = findOutput(model, outputs, name);
  if (t.dims.length !== rank) throw shapeError(model, key, shape, t.dims);
  checkLength(model, key, t.data.length, t.dims);
  const src = t.data;
  if (src instanceof Int32Array) return { name: key, data: src, dims: t.dims };
  const out = new Int32Array(src.length);
  if (src instanceof BigInt64Array) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (v > 2147483647n || v < -2147483648n) {
        throw new ModelOutputError(model, key, `value ${v} at flat index ${i} does not fit int32`);
      }
      out[i] = Number(v);
    }
  } else if (src instanceof Float32Array) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
        throw new ModelOutputError(
          model,
          key,
          `expected whole numbers, got ${v} at flat index ${i}`,
        );
      }
      out[i] = v;
    }
  } else {
    throw new ModelOutputError(model, key, `expected int64, int32 or float32, got ${t.type}`);
  }
  return { name: key, data: out, dims: t.dims };
}
