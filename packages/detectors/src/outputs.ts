import type { Tensor } from '@ocelot/runtime';
import { ModelOutputError } from './errors.js';

/** A float32 output checked for presence, type and rank. */
export interface Float32Output {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Reads output `name` (or, when `name` is a number, the output at that position) as float32
 * with the given rank; `shape` describes the expected layout for the error message.
 * @throws ModelOutputError naming the model, the output and expected vs given
 */
export function readFloat32Output(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  name: string | number,
  rank: number,
  shape: string,
): Float32Output {
  const key = typeof name === 'number' ? Object.keys(outputs)[name] : name;
  const t = key === undefined ? undefined : outputs[key];
  if (t === undefined) {
    throw new ModelOutputError(
      model,
      String(name),
      `missing; the model returned ${Object.keys(outputs).join(', ') || 'nothing'}`,
    );
  }
  if (!(t.data instanceof Float32Array)) {
    throw new ModelOutputError(model, key!, `expected float32, got ${t.type}`);
  }
  if (t.dims.length !== rank) {
    throw new ModelOutputError(model, key!, `expected shape ${shape}, got [${t.dims.join(', ')}]`);
  }
  return { data: t.data, dims: t.dims };
}
