/**
 * OverFeat-style config: the crop classifier made fully convolutional (one graph, any input
 * size) run once per pyramid level. The graph takes `image` [1,3,H,W] and returns class logits
 * `scores` [1,K+1,h,w] and box deltas `deltas` [1,4,h,w] (or [1,4·(K+1),h,w]); cell (i, j) is
 * the window `[offset + j·stride, offset + j·stride + receptiveField)` of the level (likewise in
 * y), moved by its deltas.
 */
import type { BoxCoderWeights } from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import { readScales } from '../sliding-window/config.js';
import type { DetectOptions } from '../types.js';

export interface OverFeatConfig {
  /** Pyramid scales relative to the input size. Default [1]. */
  readonly scales?: readonly number[];
  /** Receptive field of one output cell, level pixels (the crop size). */
  readonly receptiveField: number;
  /** Level pixels between output cells. */
  readonly stride: number;
  /** Left / top edge of cell 0's field, level pixels (negative with padding). Default 0. */
  readonly offset?: number;
  /** Logit channel of the background class. Default 0. */
  readonly backgroundClass?: number;
  /**
   * How overlapping boxes become detections: `nms` (per class) or `overfeat` (OverFeat's
   * merging: boxes of a class that overlap by more than the IoU threshold are averaged,
   * weighted by score, into one). Default `nms`.
   */
  readonly merge?: 'nms' | 'overfeat';
  /** Move each cell's window by the deltas. Default true. */
  readonly regressBoxes?: boolean;
  /** Weights of the deltas' BoxCoder. Default [10, 10, 5, 5]. */
  readonly boxCoderWeights?: BoxCoderWeights;
  readonly scoresOutput?: string;
  readonly deltasOutput?: string;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    overfeat: OverFeatConfig;
  }
}

export const OVERFEAT_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  iouThreshold: 0.3,
  maxDetections: 100,
});

export type ResolvedOverFeatConfig = Required<OverFeatConfig>;

/**
 * Validates `card.architecture` for `overfeat`.
 * @throws ModelCardError naming the field
 */
export function parseOverFeatConfig(card: ModelCard): ResolvedOverFeatConfig {
  const r = ConfigReader.of(card).only([
    'scales',
    'receptiveField',
    'stride',
    'offset',
    'backgroundClass',
    'merge',
    'regressBoxes',
    'boxCoderWeights',
    'scoresOutput',
    'deltasOutput',
  ]);
  if (!r.has('receptiveField'))
    r.fail('receptiveField', 'missing: the crop size one output cell sees');
  if (!r.has('stride')) r.fail('stride', 'missing: input pixels between output cells');
  const labels = card.labels?.length ?? 1;
  return {
    scales: readScales(r),
    receptiveField: r.number('receptiveField', 0, { integer: true, min: 1 }),
    stride: r.number('stride', 0, { integer: true, min: 1 }),
    offset: r.number('offset', 0, { integer: true }),
    backgroundClass: r.number('backgroundClass', 0, { integer: true, min: 0, max: labels }),
    merge: r.oneOf('merge', ['nms', 'overfeat'] as const, 'nms'),
    regressBoxes: r.boolean('regressBoxes', true),
    boxCoderWeights: (r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      10, 10, 5, 5,
    ]) as unknown as BoxCoderWeights,
    scoresOutput: r.string('scoresOutput', 'scores'),
    deltasOutput: r.string('deltasOutput', 'deltas'),
  };
}
