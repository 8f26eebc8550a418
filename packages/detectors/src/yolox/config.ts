/**
 * YOLOX config. The export's `output` is `[1, A, 5+nc]`: per anchor point (strides 8, 16, 32 by
 * default, row-major over each level's grid), raw x, y, w, h, then objectness and nc class
 * scores. Boxes decode as xy = (p + grid)·stride, wh = exp(p)·stride (unless the graph already
 * did it: `decoded`); score = objectness · class. The official export applies the sigmoid to
 * objectness and classes in the graph; `sigmoid: true` applies it here for exports that do not.
 *
 * The official preprocessing is a letterbox anchored top-left, padded with 114, resized size
 * rounded down, BGR 0–255: `input: { resize: 'letterbox', center: false, sizeRounding: 'floor',
 * scale: 1, channelOrder: 'bgr' }`.
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { OutputRef } from '../outputs.js';
import type { DetectOptions } from '../types.js';

export interface YoloxConfig {
  /** Strides of the head levels. Default [8, 16, 32]. */
  readonly strides?: readonly number[];
  /** Apply the sigmoid to objectness and class scores here. Default false (the graph did). */
  readonly sigmoid?: boolean;
  /** Boxes are already decoded to cx, cy, w, h pixels (`decode_in_inference`). Default false. */
  readonly decoded?: boolean;
  /** Output name; default `output`, else the first output. */
  readonly output?: string;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    yolox: YoloxConfig;
  }
}

/** YOLOX's ONNX demo defaults (score 0.3, class-aware NMS 0.45). */
export const YOLOX_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.3,
  iouThreshold: 0.45,
  maxDetections: 300,
});

export interface ResolvedYoloxConfig {
  readonly strides: readonly number[];
  readonly sigmoid: boolean;
  readonly decoded: boolean;
  readonly output: OutputRef;
}

/**
 * Validates `card.architecture` for `yolox`.
 * @throws ModelCardError naming the field
 */
export function parseYoloxConfig(card: ModelCard): ResolvedYoloxConfig {
  const r = ConfigReader.of(card).only(['strides', 'sigmoid', 'decoded', 'output']);
  const output = r.string('output');
  return {
    strides: r.numberList('strides', { integer: true, min: 1 }) ?? [8, 16, 32],
    sigmoid: r.boolean('sigmoid', false),
    decoded: r.boolean('decoded', false),
    output: output !== undefined ? [output] : ['output', 0],
  };
}
