/**
 * Fast R-CNN (Girshick 2015) at test time:
 *
 *   image ─card resize─▶ base ─backbone (once)─▶ feature map [1,C,H/s,W/s]
 *         ─selective search (or given proposals)─▶ proposals
 *         ─roiPool S×S per proposal─▶ [P,C,S,S] ─box head─▶ class logits + per-class deltas
 *         ─fastRcnnInference (softmax, decode, per-class NMS)─▶ detections
 *
 * The convolutions run once per image instead of once per proposal (R-CNN); only the small FC
 * head runs per proposal. Faster R-CNN then replaces selective search with an RPN on the same
 * features.
 */
import { BoxCoder, roiAlign, roiPool, type TensorView } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import type { Detector } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import type { ResolvedModelCard } from '../model-card.js';
import { formatDims } from '../outputs.js';
import { resolveDetectOptions } from '../postprocess.js';
import { rcnnPostprocess } from '../rcnn/detector.js';
import {
  type ProposalBoxes,
  type ProposalRunOptions,
  proposalsFor,
  roiDetectionsToImage,
  toRois,
} from '../rcnn/proposals.js';
import { imageTensor, inputNormalization, prepareBaseImage } from '../sliding-window/base.js';
import type { BoxHeadRunner, FeatureBackbone } from '../two-stage/heads.js';
import type { Detections } from '../types.js';
import { FAST_RCNN_DEFAULTS, type ResolvedFastRcnnConfig } from './config.js';

/** What one run did, besides the detections. */
export interface FastRcnnResult {
  readonly detections: Detections;
  readonly proposals: ProposalBoxes;
  /** The pooled map the box head read. */
  readonly features: TensorView<Float32Array>;
  /** Milliseconds: `proposals`, `backbone`, `pool`, `boxHead`, `postprocess`. */
  readonly timings: Readonly<Record<string, number>>;
}

/** Pools every proposal from a feature map with the configured pooler. */
export function poolProposals(
  features: TensorView<Float32Array>,
  proposals: Float32Array,
  config: Pick<
    ResolvedFastRcnnConfig,
    'pooler' | 'poolSize' | 'spatialScale' | 'samplingRatio' | 'aligned'
  >,
): TensorView<Float32Array> {
  const rois = toRois(proposals);
  if (config.pooler === 'roi-align') {
    return roiAlign(features, rois, {
      outputSize: config.poolSize,
      spatialScale: config.spatialScale,
      samplingRatio: config.samplingRatio,
      aligned: config.aligned,
    });
  }
  return roiPool(features, rois, {
    outputSize: config.poolSize,
    spatialScale: config.spatialScale,
  });
}

export class FastRcnnDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly backbone: FeatureBackbone;
  readonly boxHead: BoxHeadRunner;
  readonly config: ResolvedFastRcnnConfig;
  readonly #boxCoder: BoxCoder;

  constructor(params: {
    readonly card: ResolvedModelCard;
    readonly backbone: FeatureBackbone;
    readonly boxHead: BoxHeadRunner;
    readonly config: ResolvedFastRcnnConfig;
  }) {
    this.card = params.card;
    this.backbone = params.backbone;
    this.boxHead = params.boxHead;
    this.config = params.config;
    this.classNames = params.card.labels;
    this.#boxCoder = new BoxCoder(params.config.boxCoderWeights);
  }

  /**
   * Detects objects; proposals from selective search unless `options.proposals` gives them.
   * @param image [H,W,3] uint8 RGB
   */
  async run(image: RgbImage, options?: ProposalRunOptions): Promise<FastRcnnResult> {
    const { card, config, classNames } = this;
    const resolved = resolveDetectOptions(classNames, options, card.defaults, FAST_RCNN_DEFAULTS);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const base = prepareBaseImage(image, card.input);
    const proposals = proposalsFor(base, config.proposals, options);
    timings.proposals = performance.now() - t;

    t = performance.now();
    const maps = await this.backbone.run(imageTensor(base.image, inputNormalization(card.input)));
    const name = this.backbone.outputNames[0]!;
    const features = maps[name]!;
    timings.backbone = performance.now() - t;

    t = performance.now();
    const pooled = poolProposals(features, proposals.boxes, config);
    timings.pool = performance.now() - t;

    t = performance.now();
    const p = proposals.boxes.length / 4;
    const C1 = classNames.length + 1;
    const head =
      p === 0
        ? {
            classLogits: { data: new Float32Array(0), dims: [0, C1] },
            boxRegression: { data: new Float32Array(0), dims: [0, 4 * C1] },
          }
        : await this.boxHead.run(pooled);
    timings.boxHead = performance.now() - t;
    const { classLogits, boxRegression } = head;
    if (classLogits.dims[0] !== p || classLogits.dims[1] !== C1) {
      throw new ModelOutputError(
        `${card.id}/boxHead`,
        'class_logits',
        `expected [${p}, ${C1}] (${classNames.length} classes + background), got ${formatDims(classLogits.dims)}`,
      );
    }
    if (boxRegression.dims[0] !== p || boxRegression.dims[1] !== 4 * C1) {
      throw new ModelOutputError(
        `${card.id}/boxHead`,
        'box_regression',
        `expected [${p}, ${4 * C1}], got ${formatDims(boxRegression.dims)}`,
      );
    }

    t = performance.now();
    const detections = rcnnPostprocess(
      `${card.id}/boxHead`,
      classLogits.data,
      boxRegression.data,
      proposals.boxes,
      C1,
      base.image,
      {
        boxCoder: this.#boxCoder,
        scoreThresh: resolved.scoreThreshold,
        nmsThresh: resolved.iouThreshold,
        detectionsPerImg: resolved.maxDetections,
        allowed: resolved.allowed,
        classAgnostic: resolved.classAgnostic,
      },
    );
    const result = roiDetectionsToImage(detections, base.transform, classNames);
    timings.postprocess = performance.now() - t;
    return { detections: result, proposals, features: pooled, timings };
  }

  async detect(image: RgbImage, options?: ProposalRunOptions): Promise<Detections> {
    return (await this.run(image, options)).detections;
  }

  async dispose(): Promise<void> {
    await this.backbone.dispose?.();
    await this.boxHead.dispose?.();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
