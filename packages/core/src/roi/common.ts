/** Argument handling shared by the RoI ops. */
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import type { TensorView } from '../types.js';
import { assertFloatArray, assertInteger, assertTensor } from '../validate.js';

/** RoIs as a flat K×5 Float32Array `(batchIndex, x1, y1, x2, y2)` or a tensor view `[K,5]`. */
export type Rois = Float32Array | TensorView<Float32Array>;

/** An output size: `n` for n×n, or `[height, width]`. */
export type OutputSize = number | readonly [number, number];

export interface Features {
  data: Float32Array;
  n: number;
  c: number;
  h: number;
  w: number;
}

export function checkFeatures(name: string, features: TensorView): Features {
  if (features === null || typeof features !== 'object') {
    throw new InvalidArgumentError(
      name,
      'expected a tensor view { data, dims } of shape [N,C,H,W]',
    );
  }
  assertFloatArray(`${name}.data`, features.data);
  const [n, c, h, w] = assertTensor(name, features, 4, '[N,C,H,W]') as [
    number,
    number,
    number,
    number,
  ];
  return { data: features.data, n, c, h, w };
}

/** Validates RoIs against a batch of `batch` images; returns the flat K×5 array. */
export function checkRois(name: string, rois: Rois, batch: number): Float32Array {
  let data: Float32Array;
  if (rois instanceof Float32Array) {
    data = rois;
    if (data.length % 5 !== 0) {
      throw new ShapeMismatchError(
        name,
        '[K,5] (batchIndex, x1, y1, x2, y2)',
        `[${data.length}] (length not a multiple of 5)`,
      );
    }
  } else if (rois !== null && typeof rois === 'object' && 'dims' in rois) {
    const dims = rois.dims;
    if (dims?.length !== 2 || dims[1] !== 5) {
      throw new ShapeMismatchError(
        name,
        '[K,5] (batchIndex, x1, y1, x2, y2)',
        dims ? `[${dims.join(',')}]` : String(dims),
      );
    }
    assertFloatArray(`${name}.data`, rois.data);
    assertTensor(name, rois, 2, '[K,5]');
    data = rois.data;
  } else {
    throw new InvalidArgumentError(
      name,
      'expected a Float32Array of K×5 numbers (batchIndex, x1, y1, x2, y2)',
    );
  }
  const k = data.length / 5;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw new NonFiniteValueError(name, i, v);
  }
  for (let i = 0; i < k; i++) {
    const b = data[5 * i]!;
    if (!Number.isInteger(b) || b < 0 || b >= batch) {
      throw new InvalidArgumentError(
        name,
        `roi ${i} has batch index ${b}; expected an integer in [0, ${batch - 1}] (features have N=${batch})`,
        'E_BATCH_INDEX',
      );
    }
  }
  return data;
}

export function parseOutputSize(name: string, size: OutputSize | undefined): [number, number] {
  if (typeof size === 'number') {
    assertInteger(name, size, 1);
    return [size, size];
  }
  if (Array.isArray(size) && size.length === 2) {
    assertInteger(`${name}[0]`, size[0], 1);
    assertInteger(`${name}[1]`, size[1], 1);
    return [size[0], size[1]];
  }
  throw new InvalidArgumentError(
    name,
    `expected a positive integer or [height, width], got ${JSON.stringify(size)}`,
  );
}

export function checkScale(name: string, scale: number): number {
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) {
    throw new InvalidArgumentError(name, `expected a finite number > 0, got ${scale}`);
  }
  return scale;
}

export function checkSamplingRatio(name: string, ratio: number): number {
  if (!Number.isInteger(ratio)) {
    throw new InvalidArgumentError(name, `expected an integer (<= 0 for adaptive), got ${ratio}`);
  }
  return ratio;
}
