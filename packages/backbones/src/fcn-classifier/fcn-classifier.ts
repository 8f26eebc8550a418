/**
 * A classifier made fully convolutional — the step from sliding windows to OverFeat. A crop
 * classifier (convolutions, then fully connected layers) becomes a network that takes any
 * image size: the first FC layer is a convolution whose kernel is the last feature-map size,
 * later FC layers are 1×1 convolutions. Run on a whole image it returns a score map whose cell
 * (i, j) is the classifier's answer for the window its receptive field covers — every window
 * at the network's stride, sharing all the convolution work.
 *
 * The weight conversion happens where the weights are (tooling/python/train/classic_common.py
 * `fc_stack_to_conv`); this module describes the result — its layers, receptive field, window
 * and stride — and turns its score maps into boxes.
 */
import { InvalidArgumentError, type TensorView } from '@ocelot/core';
import type { Normalization } from '../spec.js';
import {
  type LayerSpec,
  outputSize,
  type ReceptiveField,
  receptiveField,
} from './receptive-field.js';

/** A fully convolutional classifier described as data. */
export interface FcnClassifierSpec {
  readonly name: string;
  readonly description?: string;
  readonly normalization: Normalization;
  /** The layers that move the receptive field, the converted FC layers included. */
  readonly layers: readonly LayerSpec[];
  /** Classes of the score map, background included. */
  readonly numClasses: number;
  /** Score-map channel of the background class, or -1 for none. */
  readonly backgroundClass: number;
  /** Computed from `layers`. */
  readonly receptiveField: ReceptiveField;
  /** The crop size the FC form was trained on: the window one output cell sees. */
  readonly window: { readonly width: number; readonly height: number };
}

/** What {@link defineFcnClassifierSpec} needs; the receptive field and window are computed. */
export type FcnClassifierSpecInput = Omit<FcnClassifierSpec, 'receptiveField' | 'window'>;

/**
 * Checks a spec, computes its receptive field and window, and returns it frozen. The window is
 * the receptive field size; it must map to exactly one output cell (the crop classifier's single
 * answer) — a stack whose FC kernel does not match the crop is refused.
 * @throws InvalidArgumentError naming the field
 */
export function defineFcnClassifierSpec(input: FcnClassifierSpecInput): FcnClassifierSpec {
  if (input === null || typeof input !== 'object') {
    throw new InvalidArgumentError('spec', 'expected an object');
  }
  if (typeof input.name !== 'string' || input.name === '') {
    throw new InvalidArgumentError('spec.name', 'expected a non-empty string');
  }
  if (!Number.isInteger(input.numClasses) || input.numClasses < 1) {
    throw new InvalidArgumentError(
      'spec.numClasses',
      `expected an integer >= 1, got ${input.numClasses}`,
    );
  }
  if (
    !Number.isInteger(input.backgroundClass) ||
    input.backgroundClass < -1 ||
    input.backgroundClass >= input.numClasses
  ) {
    throw new InvalidArgumentError(
      'spec.backgroundClass',
      `expected -1 (none) or a class index below ${input.numClasses}, got ${input.backgroundClass}`,
    );
  }
  if (!Array.isArray(input.layers) || input.layers.length === 0) {
    throw new InvalidArgumentError('spec.layers', 'expected a non-empty array of layers');
  }
  const field = receptiveField(input.layers);
  const window = { width: field.x.size, height: field.y.size };
  const cells = outputSize(input.layers, window);
  if (cells.width !== 1 || cells.height !== 1) {
    throw new InvalidArgumentError(
      'spec.layers',
      `a ${window.width}×${window.height} window (the receptive field) gives a ${cells.width}×${cells.height} map; a converted classifier gives 1×1`,
    );
  }
  return Object.freeze({
    ...input,
    layers: Object.freeze([...input.layers]),
    receptiveField: field,
    window: Object.freeze(window),
  });
}

/** Model-input pixels → image pixels: `image = (model − offset) / scale` per axis. */
export interface PixelMapping {
  readonly scaleX: number;
  readonly scaleY: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

/** Boxes and scores of every cell of a score map. */
export interface ProjectedScoreMap {
  /** [h·w, 4] xyxy of each cell's receptive field in image pixels, cells in row-major order. */
  readonly boxes: Float32Array;
  /** [h·w, C] the map's values, cell-major (channels last). */
  readonly scores: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Turns a fully convolutional classifier's score map into one box per cell: cell (i, j) is the
 * window `[offset + j·stride, offset + j·stride + size)` (and likewise in y) of the network
 * input, mapped to image pixels through `mapping` (an @ocelot/image `Transform` fits; default
 * identity). Values are copied channels-last so each cell's scores are contiguous.
 * @param map [C, h, w] or [1, C, h, w] float32
 * @param field the network's receptive field (`spec.receptiveField`)
 * @returns boxes [h·w, 4] in image pixels and scores [h·w, C]
 * @throws ShapeMismatch-style InvalidArgumentError on a map of another rank or a batch > 1
 */
export function projectScoreMap(
  map: TensorView<Float32Array>,
  field: ReceptiveField,
  mapping?: PixelMapping,
): ProjectedScoreMap {
  if (map === null || typeof map !== 'object' || !(map.data instanceof Float32Array)) {
    throw new InvalidArgumentError('map', 'expected a float32 tensor view { data, dims }');
  }
  const dims = map.dims;
  if (!Array.isArray(dims) || (dims.length !== 3 && !(dims.length === 4 && dims[0] === 1))) {
    throw new InvalidArgumentError(
      'map',
      `expected dims [C, h, w] or [1, C, h, w], got [${dims?.join(', ')}]`,
    );
  }
  const [c, h, w] = dims.slice(-3) as [number, number, number];
  if (map.data.length !== c * h * w) {
    throw new InvalidArgumentError(
      'map',
      `dims [${dims.join(', ')}] need ${c * h * w} values, got ${map.data.length}`,
    );
  }
  const { x: fx, y: fy } = field;
  const sx = mapping?.scaleX ?? 1;
  const sy = mapping?.scaleY ?? 1;
  const ox = mapping?.offsetX ?? 0;
  const oy = mapping?.offsetY ?? 0;
  if (!(sx > 0) || !(sy > 0) || !Number.isFinite(ox) || !Number.isFinite(oy)) {
    throw new InvalidArgumentError(
      'mapping',
      `expected positive scales and finite offsets, got ${JSON.stringify(mapping)}`,
    );
  }
  const n = h * w;
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n * c);
  const src = map.data;
  for (let i = 0; i < h; i++) {
    const y1 = (fy.offset + i * fy.stride - oy) / sy;
    const y2 = (fy.offset + i * fy.stride + fy.size - oy) / sy;
    for (let j = 0; j < w; j++) {
      const cell = i * w + j;
      boxes[4 * cell] = (fx.offset + j * fx.stride - ox) / sx;
      boxes[4 * cell + 1] = y1;
      boxes[4 * cell + 2] = (fx.offset + j * fx.stride + fx.size - ox) / sx;
      boxes[4 * cell + 3] = y2;
    }
  }
  for (let k = 0; k < c; k++) {
    const plane = k * n;
    for (let cell = 0; cell < n; cell++) scores[cell * c + k] = src[plane + cell]!;
  }
  return { boxes, scores, height: h, width: w, channels: c };
}
