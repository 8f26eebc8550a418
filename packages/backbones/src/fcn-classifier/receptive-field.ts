/**
 * Receptive-field arithmetic for a stack of convolutions and poolings: which input pixels each
 * output cell sees. The recurrence, per axis, layer by layer (Dumoulin & Visin, "A guide to
 * convolution arithmetic"; Araujo et al., "Computing receptive fields of CNNs"):
 *
 *     jump_out  = jump_in · stride                     input pixels between neighbouring cells
 *     size_out  = size_in + (kernel − 1) · dilation · jump_in
 *     start_out = start_in − padding · jump_in         left edge of cell 0's field
 *
 * starting from one input pixel (jump 1, size 1, start 0). Cell i then sees the input pixels
 * [start + i·jump, start + i·jump + size) in pixel-edge coordinates — a box per cell, which is
 * what turns a fully convolutional classifier's score map into detections.
 */
import { InvalidArgumentError } from '@ocelot/core';

/** A size given once for both axes or as `[height, width]`. */
export type Pair = number | readonly [number, number];

/**
 * One layer that moves the receptive field. A fully connected layer of a classifier made
 * fully convolutional is a `conv` whose kernel is the feature-map size it read; later FC
 * layers are 1×1 convs; element-wise layers (ReLU, batch norm, dropout) do not appear.
 */
export interface LayerSpec {
  readonly type: 'conv' | 'pool';
  /** Optional label shown in traces, e.g. `conv1` or `fc6`. */
  readonly name?: string;
  readonly kernel: Pair;
  /** Default 1 for conv, the kernel for pool (as torch's MaxPool2d). */
  readonly stride?: Pair;
  /** Zero padding on each side. Default 0. */
  readonly padding?: Pair;
  /** Default 1. */
  readonly dilation?: Pair;
  /** Pool only: `ceil_mode` (output size rounds up). Default false. */
  readonly ceilMode?: boolean;
}

/** Receptive field along one axis. */
export interface AxisField {
  /** Input pixels one output cell sees. */
  readonly size: number;
  /** Input pixels between neighbouring output cells. */
  readonly stride: number;
  /** Left (top) edge of output cell 0's field in input pixels; negative with padding. */
  readonly offset: number;
}

/** Receptive field of a layer stack (or of one prefix of it, in a trace). */
export interface ReceptiveField {
  readonly x: AxisField;
  readonly y: AxisField;
}

/** One step of {@link receptiveFieldTrace}. */
export interface ReceptiveFieldStep extends ReceptiveField {
  readonly layer: LayerSpec;
  readonly index: number;
}

function pair(name: string, v: Pair | undefined, fallback: number, min: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  const [a, b] =
    typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : [NaN, NaN];
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < min || b < min) {
    throw new InvalidArgumentError(
      name,
      `expected an integer >= ${min} or [height, width] of them, got ${JSON.stringify(v)}`,
    );
  }
  return [a, b];
}

/** Kernel, stride, padding, dilation of a layer as [height, width] pairs, checked. */
function layerPairs(layer: LayerSpec, i: number) {
  const name = `layers[${i}]`;
  if (
    layer === null ||
    typeof layer !== 'object' ||
    (layer.type !== 'conv' && layer.type !== 'pool')
  ) {
    throw new InvalidArgumentError(
      `${name}.type`,
      `expected 'conv' or 'pool', got ${JSON.stringify(layer?.type)}`,
    );
  }
  const kernel = pair(`${name}.kernel`, layer.kernel, NaN, 1);
  const stride =
    layer.type === 'pool'
      ? pair(`${name}.stride`, layer.stride ?? layer.kernel, 1, 1)
      : pair(`${name}.stride`, layer.stride, 1, 1);
  const padding = pair(`${name}.padding`, layer.padding, 0, 0);
  const dilation = pair(`${name}.dilation`, layer.dilation, 1, 1);
  return { kernel, stride, padding, dilation };
}

/**
 * The receptive field after every layer of `layers`.
 * @param layers convolutions and poolings, input first
 * @returns one step per layer; the last is the whole stack's field
 * @throws InvalidArgumentError naming the layer and field on a malformed layer
 */
export function receptiveFieldTrace(layers: readonly LayerSpec[]): ReceptiveFieldStep[] {
  if (!Array.isArray(layers))
    throw new InvalidArgumentError('layers', 'expected an array of layers');
  let y: AxisField = { size: 1, stride: 1, offset: 0 };
  let x: AxisField = { size: 1, stride: 1, offset: 0 };
  return layers.map((layer, index) => {
    const { kernel, stride, padding, dilation } = layerPairs(layer, index);
    const step = (f: AxisField, a: 0 | 1): AxisField => ({
      size: f.size + (kernel[a] - 1) * dilation[a] * f.stride,
      stride: f.stride * stride[a],
      offset: f.offset - padding[a] * f.stride,
    });
    y = step(y, 0);
    x = step(x, 1);
    return { layer, index, x, y };
  });
}

/**
 * Receptive field of a whole layer stack (one input pixel for an empty stack).
 * @throws InvalidArgumentError on a malformed layer
 */
export function receptiveField(layers: readonly LayerSpec[]): ReceptiveField {
  const trace = receptiveFieldTrace(layers);
  const last = trace[trace.length - 1];
  return last ?? { x: { size: 1, stride: 1, offset: 0 }, y: { size: 1, stride: 1, offset: 0 } };
}

/**
 * Output map size of the stack for an input size, as torch computes it layer by layer:
 * `floor((n + 2p − d(k − 1) − 1) / s) + 1` (`ceil` for a pool with `ceilMode`, without a last
 * window that starts in the right padding). A side that shrinks below 1 gives 0 cells.
 * @param input input height and width
 * @returns the output map's height and width
 */
export function outputSize(
  layers: readonly LayerSpec[],
  input: { readonly width: number; readonly height: number },
): { width: number; height: number } {
  if (input === null || typeof input !== 'object') {
    throw new InvalidArgumentError('input', 'expected { width, height }');
  }
  for (const side of ['width', 'height'] as const) {
    if (!Number.isInteger(input[side]) || input[side] < 0) {
      throw new InvalidArgumentError(
        `input.${side}`,
        `expected an integer >= 0, got ${input[side]}`,
      );
    }
  }
  let h = input.height;
  let w = input.width;
  layers.forEach((layer, i) => {
    const { kernel, stride, padding, dilation } = layerPairs(layer, i);
    const one = (n: number, a: 0 | 1): number => {
      if (n <= 0) return 0;
      const span = n + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1;
      if (span < 0) return 0;
      if (layer.type === 'pool' && layer.ceilMode) {
        let out = Math.ceil(span / stride[a]) + 1;
        if ((out - 1) * stride[a] >= n + padding[a]) out--;
        return out;
      }
      return Math.floor(span / stride[a]) + 1;
    };
    h = one(h, 0);
    w = one(w, 1);
  });
  return { width: w, height: h };
}
