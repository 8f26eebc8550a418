/**
 * R-CNN (Girshick et al. 2014) at test time:
 *
 *   image ─card resize─▶ base ─selective search─▶ proposals (≤ 2000)
 *         ─dilate for context, warp each to S×S (RoI Align on the image)─▶ crops [P,3,S,S]
 *         ─classifier, one run per batch─▶ class logits + per-class deltas
 *         ─fastRcnnInference (softmax, decode against the proposal, per-class NMS)─▶ detections
 *
 * Every proposal goes through the whole network on its own — the cost Fast R-CNN removes by
 * running the convolutions once per image. (The paper scores crops with per-class SVMs on
 * fc7 features; a softmax classifier fine-tuned the same way does the same job here.)
 */
import { BoxCoder, roiAlign } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import type { Session } from '@ocelot/runtime';
import type { Detector } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import type { ResolvedModelCard } from '../model-card.js';
import { formatDims, readFloat32Output } from '../outputs.js';
import { resolveDetectOptions } from '../postprocess.js';
import { imageTensor, inputNormalization, prepareBaseImage } from '../sliding-window/base.js';
import { fastRcnnInference } from '../two-stage/roi-heads.js';
import type { Detections } from '../types.js';
import { RCNN_DEFAULTS, type ResolvedRcnnConfig } from './config.js';
import {
  contextBoxes,
  type ProposalBoxes,
  type ProposalRunOptions,
  proposalsFor,
  roiDetectionsToImage,
  toRois,
} from './proposals.js';

/** What one run did, besides the detections. */
export interface RcnnResult {
  readonly detections: Detections;
  readonly proposals: ProposalBoxes;
  /** Milliseconds: `proposals`, `warp`, `classifier`, `postprocess`. */
  readonly timings: Readonly<Record<string, number>>;
}

export class RcnnDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly session: Session;
  readonly config: ResolvedRcnnConfig;
  /** Side of the warped crops. */
  readonly warpSize: number;
  /** Context pixels at the warped size. */
  readonly contextPadding: number;
  readonly #inputName: string;
  readonly #boxCoder: BoxCoder;

  constructor(params: {
    readonly card: ResolvedModelCard;
    readonly session: Session;
    readonly config: ResolvedRcnnConfig;
  }) {
    const { card, session, config } = params;
    this.card = card;
    this.session = session;
    this.config = config;
    this.classNames = card.labels;
    const input = session.inputs[0];
    if (input === undefined) {
      throw new ModelCardError(card.id, 'files.classifier', 'the classifier graph has no input');
    }
    this.#inputName = input.name;
    const side = input.dims?.[3];
    const warp = config.warpSize ?? (typeof side === 'number' ? side : undefined);
    if (warp === undefined) {
      throw new ModelCardError(
        card.id,
        'architecture.warpSize',
        'missing, and the classifier input has no fixed size',
      );
    }
    if (typeof side === 'number' && side !== warp) {
      throw new ModelCardError(
        card.id,
        'architecture.warpSize',
        `${warp}, but the classifier takes ${side}×${side} crops`,
      );
    }
    this.warpSize = warp;
    this.contextPadding = config.contextPadding ?? (16 * warp) / 227;
    if (!(2 * this.contextPadding < warp)) {
      throw new ModelCardError(
        card.id,
        'architecture.contextPadding',
        `must be below half the warp size (${warp / 2}), got ${this.contextPadding}`,
      );
    }
    this.#boxCoder = new BoxCoder(config.boxCoderWeights);
  }

  /**
   * Detects objects; proposals from selective search unless `options.proposals` gives them.
   * @param image [H,W,3] uint8 RGB
   */
  async run(image: RgbImage, options?: ProposalRunOptions): Promise<RcnnResult> {
    const { card, config, classNames, warpSize } = this;
    const resolved = resolveDetectOptions(classNames, options, card.defaults, RCNN_DEFAULTS);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const base = prepareBaseImage(image, card.input);
    const proposals = proposalsFor(base, config.proposals, options);
    timings.proposals = performance.now() - t;

    t = performance.now();
    const tensor = imageTensor(base.image, inputNormalization(card.input));
    const p = proposals.boxes.length / 4;
    const warped = roiAlign(
      tensor,
      toRois(contextBoxes(proposals.boxes, warpSize, this.contextPadding)),
      {
        outputSize: warpSize,
        spatialScale: 1,
        samplingRatio: config.samplingRatio,
        aligned: true,
      },
    );
    timings.warp = performance.now() - t;

    t = performance.now();
    const C1 = classNames.length + 1;
    const logits = new Float32Array(p * C1);
    const deltas = new Float32Array(p * 4 * C1);
    const crop = 3 * warpSize * warpSize;
    for (let from = 0; from < p; from += config.batchSize) {
      const count = Math.min(config.batchSize, p - from);
      const outputs = await this.session.run({
        [this.#inputName]: {
          type: 'float32',
          data: warped.data.subarray(from * crop, (from + count) * crop),
          dims: [count, 3, warpSize, warpSize],
        },
      });
      const s = readFloat32Output(card.id, outputs, [config.scoresOutput, 0], 2, '[N, K+1]');
      const d = readFloat32Output(card.id, outputs, [config.deltasOutput, 1], 2, '[N, 4·(K+1)]');
      if (s.dims[0] !== count || s.dims[1] !== C1) {
        throw new ModelOutputError(
          card.id,
          s.name,
          `expected [${count}, ${C1}], got ${formatDims(s.dims)}`,
        );
      }
      if (d.dims[0] !== count || d.dims[1] !== 4 * C1) {
        throw new ModelOutputError(
          card.id,
          d.name,
          `expected [${count}, ${4 * C1}], got ${formatDims(d.dims)}`,
        );
      }
      logits.set(s.data, from * C1);
      deltas.set(d.data, from * 4 * C1);
    }
    timings.classifier = performance.now() - t;

    t = performance.now();
    const detections = rcnnPostprocess(card.id, logits, deltas, proposals.boxes, C1, base.image, {
      boxCoder: this.#boxCoder,
      scoreThresh: resolved.scoreThreshold,
      nmsThresh: resolved.iouThreshold,
      detectionsPerImg: resolved.maxDetections,
      allowed: resolved.allowed,
      classAgnostic: resolved.classAgnostic,
    });
    const result = roiDetectionsToImage(detections, base.transform, classNames);
    timings.postprocess = performance.now() - t;
    return { detections: result, proposals, timings };
  }

  async detect(image: RgbImage, options?: ProposalRunOptions): Promise<Detections> {
    return (await this.run(image, options)).detections;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/**
 * `fastRcnnInference` after the checks a model's raw output needs (non-finite values name the
 * output instead of surfacing as a core argument error).
 * @param logits [P, K+1]
 * @param deltas [P, 4·(K+1)]
 * @param proposals [P, 4] input pixels
 */
export function rcnnPostprocess(
  model: string,
  logits: Float32Array,
  deltas: Float32Array,
  proposals: Float32Array,
  numClassesWithBackground: number,
  size: { readonly width: number; readonly height: number },
  options: Parameters<typeof fastRcnnInference>[5],
) {
  for (const [name, data] of [
    ['class_logits', logits],
    ['box_regression', deltas],
  ] as const) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v - v !== 0)
        throw new ModelOutputError(model, name, `non-finite value ${v} at flat index ${i}`);
    }
  }
  return fastRcnnInference(logits, deltas, proposals, numClassesWithBackground, size, options);
}
