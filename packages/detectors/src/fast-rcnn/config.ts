/**
 * Fast R-CNN config: a backbone graph once per image (`images` [1,3,H,W] → a feature map
 * [1,C,H/s,W/s]), RoI pooling of every proposal in TypeScript (core's `roiPool`, or
 * `roiAlign`), and a box-head graph on the pooled features (`box_features` [P,C,S,S] →
 * `class_logits` [P,K+1] and `box_regression` [P,4·(K+1)], the contract of
 * two-stage/heads.ts, so a Faster R-CNN box head fits too).
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

export interface FastRcnnConfig {
  /** Where proposals come from. Default selective search `fast`, 2000 proposals. */
  readonly proposals?: ProposalConfig;
  /** `roi-pool` (Fast R-CNN's max pooling, default) or `roi-align`. */
  readonly pooler?: 'roi-pool' | 'roi-align';
  /** Pooled size S (S×S bins). Default 7. */
  readonly poolSize?: number;
  /** Feature-map cells per input pixel (1 / the backbone stride), e.g. 0.25. */
  readonly spatialScale: number;
  /** RoI Align only. Default 2. */
  readonly samplingRatio?: number;
  /** RoI Align only: half-pixel offset (torchvision `aligned`). Default true. */
  readonly aligned?: boolean;
  /** The backbone output to pool from. Default the backbone's first output. */
  readonly featureOutput?: string;
  /** Default [10, 10, 5, 5]. */
  readonly boxCoderWeights?: BoxCoderWeights;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    'fast-rcnn': FastRcnnConfig;
  }
}

/** Score 0.5, per-class NMS 0.3, 100 detections. */
export const FAST_RCNN_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  iouThreshold: 0.3,
  maxDetections: 100,
});

export interface ResolvedFastRcnnConfig {
  readonly proposals: ResolvedProposalConfig;
  readonly pooler: 'roi-pool' | 'roi-align';
  readonly poolSize: number;
  readonly spatialScale: number;
  readonly samplingRatio: number;
  readonly aligned: boolean;
  readonly featureOutput: string | undefined;
  readonly boxCoderWeights: BoxCoderWeights;
}

/**
 * Validates `card.architecture` for `fast-rcnn`.
 * @throws ModelCardError naming the field
 */
export function parseFastRcnnConfig(card: ModelCard): ResolvedFastRcnnConfig {
  const r = ConfigReader.of(card).only([
    'proposals',
    'pooler',
    'poolSize',
    'spatialScale',
    'samplingRatio',
    'aligned',
    'featureOutput',
    'boxCoderWeights',
  ]);
  if (!r.has('spatialScale')) {
    r.fail('spatialScale', 'missing: feature cells per input pixel (1 / backbone stride)');
  }
  return {
    proposals: readProposalConfig(r),
    pooler: r.oneOf('pooler', ['roi-pool', 'roi-align'] as const, 'roi-pool'),
    poolSize: r.number('poolSize', 7, { integer: true, min: 1 }),
    spatialScale: r.number('spatialScale', 1, { above: 0, max: 1 }),
    samplingRatio: r.number('samplingRatio', 2, { integer: true, min: 1 }),
    aligned: r.boolean('aligned', true),
    featureOutput: r.string('featureOutput'),
    boxCoderWeights: (r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      10, 10, 5, 5,
    ]) as unknown as BoxCoderWeights,
  };
}
