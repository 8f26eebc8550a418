/**
 * R-CNN config: proposals → each warped (with context) to the classifier's input → class logits
 * and per-class box deltas → per-class NMS. The graph takes `crops` [N,3,S,S] and returns
 * `class_logits` [N,K+1] (background at column 0, torchvision's layout) and `box_regression`
 * [N,4·(K+1)] — deltas of the object relative to the PROPOSAL (not the dilated crop), as
 * R-CNN's bounding-box regression.
 */
import type { BoxCoderWeights } from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import {
  type ProposalConfig,
  type ResolvedProposalConfig,
  readProposalConfig,
} from '../selective-search/config.js';
import type { DetectOptions } from '../types.js';

export interface RcnnConfig {
  /** Where proposals come from. Default selective search `fast`, 2000 proposals. */
  readonly proposals?: ProposalConfig;
  /** Side S of the warped crop. Default: the graph's input side. */
  readonly warpSize?: number;
  /**
   * Context around each proposal, pixels at the warped size: the proposal is dilated so that
   * after warping it is surrounded by this many pixels of image (R-CNN's p = 16 at 227).
   * Default 16·S/227. 0 warps the tight box.
   */
  readonly contextPadding?: number;
  /** Bilinear samples per output pixel and axis when warping (RoI Align). Default 2. */
  readonly samplingRatio?: number;
  /** Crops per classifier run. Default 256. */
  readonly batchSize?: number;
  /** Default [10, 10, 5, 5]. */
  readonly boxCoderWeights?: BoxCoderWeights;
  readonly scoresOutput?: string;
  readonly deltasOutput?: string;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    rcnn: RcnnConfig;
  }
}

/** Score 0.5, per-class NMS 0.3 (R-CNN's test-time NMS), 100 detections. */
export const RCNN_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  iouThreshold: 0.3,
  maxDetections: 100,
});

export interface ResolvedRcnnConfig {
  readonly proposals: ResolvedProposalConfig;
  readonly warpSize: number | undefined;
  readonly contextPadding: number | undefined;
  readonly samplingRatio: number;
  readonly batchSize: number;
  readonly boxCoderWeights: BoxCoderWeights;
  readonly scoresOutput: string;
  readonly deltasOutput: string;
}

/**
 * Validates `card.architecture` for `rcnn`.
 * @throws ModelCardError naming the field
 */
export function parseRcnnConfig(card: ModelCard): ResolvedRcnnConfig {
  const r = ConfigReader.of(card).only([
    'proposals',
    'warpSize',
    'contextPadding',
    'samplingRatio',
    'batchSize',
    'boxCoderWeights',
    'scoresOutput',
    'deltasOutput',
  ]);
  return {
    proposals: readProposalConfig(r),
    warpSize: r.has('warpSize') ? r.number('warpSize', 0, { integer: true, min: 1 }) : undefined,
    contextPadding: r.has('contextPadding') ? r.number('contextPadding', 0, { min: 0 }) : undefined,
    samplingRatio: r.number('samplingRatio', 2, { integer: true, min: 1 }),
    batchSize: r.number('batchSize', 256, { integer: true, min: 1 }),
    boxCoderWeights: (r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      10, 10, 5, 5,
    ]) as unknown as BoxCoderWeights,
    scoresOutput: r.string('scoresOutput', 'class_logits'),
    deltasOutput: r.string('deltasOutput', 'box_regression'),
  };
}
