/**
 * Sliding-window config: a crop classifier (FC form, fixed input `window`×`window`) run on every
 * `stride`-th window of an image pyramid. The graph takes `crops` [N,3,w,w] and returns class
 * logits [N,K+1] (background at `backgroundClass`) and, optionally, box deltas [N,4] or
 * [N,4·(K+1)] relative to the window.
 */
import type { BoxCoderWeights } from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { DetectOptions } from '../types.js';

export interface SlidingWindowConfig {
  /** Window side in pixels of a pyramid level (the classifier's input). Default 32. */
  readonly window?: number;
  /** Pixels between windows on each level. Default 8. */
  readonly stride?: number;
  /** Pyramid scales relative to the input size, e.g. [2, 1.41, 1, 0.71, 0.5]. Default [1]. */
  readonly scales?: readonly number[];
  /** Logit column of the background class. Default 0. */
  readonly backgroundClass?: number;
  /** Move each window by the graph's box deltas. Default false (the window is the box). */
  readonly regressBoxes?: boolean;
  /** Crops per session run. Default 256. */
  readonly batchSize?: number;
  /** Weights of the deltas' BoxCoder. Default [10, 10, 5, 5]. */
  readonly boxCoderWeights?: BoxCoderWeights;
  /** Output names. Default `scores` and `deltas`. */
  readonly scoresOutput?: string;
  readonly deltasOutput?: string;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    'sliding-window': SlidingWindowConfig;
  }
}

/** Windows are confident or not: threshold 0.5, NMS IoU 0.3, 100 detections. */
export const SLIDING_WINDOW_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  iouThreshold: 0.3,
  maxDetections: 100,
});

export type ResolvedSlidingWindowConfig = Required<SlidingWindowConfig>;

/** Reads the fields shared with OverFeat. */
export function readScales(r: ConfigReader): number[] {
  return r.numberList('scales', { above: 0, max: 64 }) ?? [1];
}

/**
 * Validates `card.architecture` for `sliding-window`.
 * @throws ModelCardError naming the field
 */
export function parseSlidingWindowConfig(card: ModelCard): ResolvedSlidingWindowConfig {
  const r = ConfigReader.of(card).only([
    'window',
    'stride',
    'scales',
    'backgroundClass',
    'regressBoxes',
    'batchSize',
    'boxCoderWeights',
    'scoresOutput',
    'deltasOutput',
  ]);
  const labels = card.labels?.length ?? 1;
  return {
    window: r.number('window', 32, { integer: true, min: 1 }),
    stride: r.number('stride', 8, { integer: true, min: 1 }),
    scales: readScales(r),
    backgroundClass: r.number('backgroundClass', 0, { integer: true, min: 0, max: labels }),
    regressBoxes: r.boolean('regressBoxes', false),
    batchSize: r.number('batchSize', 256, { integer: true, min: 1 }),
    boxCoderWeights: (r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      10, 10, 5, 5,
    ]) as unknown as BoxCoderWeights,
    scoresOutput: r.string('scoresOutput', 'scores'),
    deltasOutput: r.string('deltasOutput', 'deltas'),
  };
}
