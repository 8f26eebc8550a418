/**
 * YOLO v1 (Redmon et al. 2016), the lecture's grid detector. The network's output is an S×S
 * grid; each cell predicts B boxes — x, y (the box centre within the cell, 0–1), w, h (relative
 * to the image; the square roots of them with `sqrtSize`, as the paper trains them), a box
 * confidence — and one set of C class probabilities shared by the cell's boxes. A box's score
 * for class c is P(c | object) · confidence; then per-class NMS.
 *
 * Layouts: `cell` — `[1, S, S, 5B+C]` (or flattened `[1, S·S·(5B+C)]`), per cell the B boxes
 * (x, y, w, h, conf) then the C probabilities; `darknet` — darknet's detection layer order, a
 * flat `[1, S·S·(C+5B)]` of all class probabilities `[S·S, C]`, then all confidences
 * `[S·S, B]`, then all boxes `[S·S, B, 4]`.
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { OutputRef } from '../outputs.js';
import type { DetectOptions } from '../types.js';

export interface YoloV1Config {
  /** S. Default 7. */
  readonly gridSize?: number;
  /** B. Default 2. */
  readonly boxesPerCell?: number;
  /** w, h are square roots (w = p²). Default true. */
  readonly sqrtSize?: boolean;
  /** Default `cell`. */
  readonly layout?: 'cell' | 'darknet';
  /** Output name; default the first output. */
  readonly output?: string;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    'yolo-v1': YoloV1Config;
  }
}

/** darknet's YOLO v1 test defaults (thresh 0.2, nms 0.5). */
export const YOLO_V1_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.2,
  iouThreshold: 0.5,
  maxDetections: 100,
});

export interface ResolvedYoloV1Config {
  readonly gridSize: number;
  readonly boxesPerCell: number;
  readonly sqrtSize: boolean;
  readonly layout: 'cell' | 'darknet';
  readonly output: OutputRef;
}

/**
 * Validates `card.architecture` for `yolo-v1`.
 * @throws ModelCardError naming the field
 */
export function parseYoloV1Config(card: ModelCard): ResolvedYoloV1Config {
  const r = ConfigReader.of(card).only([
    'gridSize',
    'boxesPerCell',
    'sqrtSize',
    'layout',
    'output',
  ]);
  const output = r.string('output');
  return {
    gridSize: r.number('gridSize', 7, { integer: true, min: 1 }),
    boxesPerCell: r.number('boxesPerCell', 2, { integer: true, min: 1 }),
    sqrtSize: r.boolean('sqrtSize', true),
    layout: r.oneOf('layout', ['cell', 'darknet'] as const, 'cell'),
    output: output !== undefined ? [output] : [0],
  };
}
