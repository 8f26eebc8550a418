/**
 * RT-DETR (Zhao et al. 2024) and its descendants (D-FINE, DEIM, DEIMv2), set prediction without
 * NMS. Two kinds of export:
 *
 * - `raw` (Hugging Face / plain exports): class logits `[1, Q, C]` and normalised cx, cy, w, h
 *   boxes `[1, Q, 4]`. Scores = sigmoid over every (query, class) pair; the best
 *   `min(numTopQueries, maxDetections)` pairs are kept (label = index mod C, query = index ÷ C),
 *   then those above the threshold — RT-DETR's post-processor.
 * - `postprocessed` (RT-DETR / D-FINE / DEIM deploy graphs): the graph takes `images` and
 *   `orig_target_sizes` (int64 `[1, 2]`, width then height) and returns `labels` `[1, Q]`,
 *   `boxes` `[1, Q, 4]` (xyxy scaled by the target size) and `scores` `[1, Q]`. Ocelot feeds the
 *   network input size as the target size, so the boxes come out in input pixels and the card's
 *   input transform maps them to the image (this also works with a letterbox).
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { OutputRef } from '../outputs.js';
import type { DetectOptions } from '../types.js';

export interface RtDetrConfig {
  /** Default `raw`. */
  readonly outputs?: 'raw' | 'postprocessed';
  /** raw: logits output; default `logits`, `pred_logits`, else the first output. */
  readonly logitsOutput?: string;
  /** Boxes output; default `pred_boxes` (raw) or `boxes` (postprocessed). */
  readonly boxesOutput?: string;
  /** postprocessed: default `labels`. */
  readonly labelsOutput?: string;
  /** postprocessed: default `scores`. */
  readonly scoresOutput?: string;
  /** raw: pairs kept before the threshold. Default 300. */
  readonly numTopQueries?: number;
  /** postprocessed: the target-size input, fed when the model has it. Default `orig_target_sizes`. */
  readonly targetSizesInput?: string;
  /** postprocessed: order of the target size. Default `wh`. */
  readonly targetSizesOrder?: 'wh' | 'hw';
}

declare module '../registry.js' {
  interface DetectorConfigs {
    'rt-detr': RtDetrConfig;
  }
}

/** Hugging Face's default threshold 0.5, RT-DETR's 300 top queries. */
export const RT_DETR_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  maxDetections: 300,
});

export type ResolvedRtDetrConfig =
  | {
      readonly outputs: 'raw';
      readonly logitsOutput: OutputRef;
      readonly boxesOutput: OutputRef;
      readonly numTopQueries: number;
    }
  | {
      readonly outputs: 'postprocessed';
      readonly labelsOutput: OutputRef;
      readonly boxesOutput: OutputRef;
      readonly scoresOutput: OutputRef;
      readonly targetSizesInput: string;
      readonly targetSizesOrder: 'wh' | 'hw';
    };

/**
 * Validates `card.architecture` for `rt-detr`.
 * @throws ModelCardError naming the field
 */
export function parseRtDetrConfig(card: ModelCard): ResolvedRtDetrConfig {
  const r = ConfigReader.of(card);
  const kind = r.oneOf('outputs', ['raw', 'postprocessed'] as const, 'raw');
  const boxes = r.string('boxesOutput');
  if (kind === 'raw') {
    r.only(['outputs', 'logitsOutput', 'boxesOutput', 'numTopQueries']);
    const logits = r.string('logitsOutput');
    return {
      outputs: kind,
      logitsOutput: logits !== undefined ? [logits] : ['logits', 'pred_logits', 0],
      boxesOutput: boxes !== undefined ? [boxes] : ['pred_boxes', 1],
      numTopQueries: r.number('numTopQueries', 300, { integer: true, min: 1 }),
    };
  }
  r.only([
    'outputs',
    'labelsOutput',
    'boxesOutput',
    'scoresOutput',
    'targetSizesInput',
    'targetSizesOrder',
  ]);
  const labels = r.string('labelsOutput');
  const scores = r.string('scoresOutput');
  return {
    outputs: kind,
    labelsOutput: labels !== undefined ? [labels] : ['labels'],
    boxesOutput: boxes !== undefined ? [boxes] : ['boxes'],
    scoresOutput: scores !== undefined ? [scores] : ['scores'],
    targetSizesInput: r.string('targetSizesInput', 'orig_target_sizes'),
    targetSizesOrder: r.oneOf('targetSizesOrder', ['wh', 'hw'] as const, 'wh'),
  };
}
