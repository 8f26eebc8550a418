/**
 * Ultralytics exports. `head` selects the output layout:
 *
 * - `v8` (YOLOv8 / YOLO11 detect, also the box part of segment / pose): `output0`
 *   `[1, 4+nc, A]` — cx, cy, w, h in input pixels, then nc class scores already sigmoid, no
 *   objectness; some exports transpose it to `[1, A, 4+nc]` (`layout`, else read from the shape:
 *   the smaller dim is the channels). Segment / pose outputs carry extra channels after the
 *   class scores (mask coefficients, keypoints), accepted when the model's `task` metadata says
 *   so or `extraChannels` gives their number.
 * - `v5` (YOLOv5 / v7): `[1, A, 5+nc]` — cx, cy, w, h, objectness, nc class scores; score =
 *   objectness · class.
 * - `end2end` (YOLOv10, YOLO26, `nms=True` exports): `[1, N, 6]` — x1, y1, x2, y2, score, class;
 *   already suppressed, so no NMS runs.
 *
 * The card may leave `labels` and `input.width` / `input.height` out: they are then read from
 * the model's `names` and `imgsz` metadata (Ultralytics writes both).
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { OutputRef } from '../outputs.js';
import type { DetectOptions } from '../types.js';

export type UltralyticsHead = 'v8' | 'v5' | 'end2end';

export interface UltralyticsConfig {
  /** Default `v8`. */
  readonly head?: UltralyticsHead;
  /** `v8` / `v5` only; default: from the output shape. */
  readonly layout?: 'channels-first' | 'anchors-first';
  /** Output name; default `output0`, else the first output. */
  readonly output?: string;
  /** Channels after the class scores (e.g. 32 mask coefficients). Default: 0, or any when the model's task is segment / pose. */
  readonly extraChannels?: number;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    ultralytics: UltralyticsConfig;
  }
}

/** Ultralytics `predict` defaults for v8 / YOLO11 (conf 0.25, iou 0.7, max_det 300, max_nms 30000). */
export const ULTRALYTICS_V8_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.25,
  iouThreshold: 0.7,
  maxDetections: 300,
  preNmsTopK: 30_000,
});

/** YOLOv5 `detect.py` defaults (conf 0.25, iou 0.45, max_det 1000). */
export const ULTRALYTICS_V5_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.25,
  iouThreshold: 0.45,
  maxDetections: 1000,
  preNmsTopK: 30_000,
});

/** End-to-end exports: conf 0.25, at most 300. */
export const ULTRALYTICS_END2END_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.25,
  maxDetections: 300,
});

export interface ResolvedUltralyticsConfig {
  readonly head: UltralyticsHead;
  readonly layout: 'channels-first' | 'anchors-first' | undefined;
  readonly output: OutputRef;
  readonly extraChannels: number | undefined;
}

/**
 * Validates `card.architecture` for `ultralytics`.
 * @throws ModelCardError naming the field
 */
export function parseUltralyticsConfig(card: ModelCard): ResolvedUltralyticsConfig {
  const r = ConfigReader.of(card).only(['head', 'layout', 'output', 'extraChannels']);
  const head = r.oneOf('head', ['v8', 'v5', 'end2end'] as const, 'v8');
  const layout = r.oneOf('layout', ['channels-first', 'anchors-first'] as const);
  if (layout !== undefined && head === 'end2end')
    r.fail('layout', 'end2end outputs are always [1, N, 6]');
  const output = r.string('output');
  return {
    head,
    layout,
    output: output !== undefined ? [output] : ['output0', 0],
    extraChannels: r.has('extraChannels')
      ? r.number('extraChannels', 0, { integer: true, min: 0 })
      : undefined,
  };
}
