/**
 * The sliding-window detector: the crop classifier on every window of an image pyramid.
 *
 *   image ─card resize─▶ base ─pyramid─▶ levels ─windows (stride)─▶ crops [B,3,w,w]
 *         ─classifier, one run per batch─▶ logits ─decodeWindowScores─▶ candidates (base px)
 *         ─finalizeDetections (NMS, cap, back to the image)─▶ detections
 *
 * Slow by design: every window is classified from scratch, so neighbouring windows recompute
 * the same convolutions — what OverFeat's fully convolutional version shares.
 */
import type { RgbImage } from '@ocelot/image';
import type { Session } from '@ocelot/runtime';
import type { Detector } from '../detector.js';
import { ModelCardError } from '../errors.js';
import type { ResolvedModelCard } from '../model-card.js';
import { readFloat32Output } from '../outputs.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import type { Candidates, Detections, DetectOptions } from '../types.js';
import { inputNormalization, prepareBaseImage } from './base.js';
import { type ResolvedSlidingWindowConfig, SLIDING_WINDOW_DEFAULTS } from './config.js';
import { decodeWindowScores } from './decode.js';
import { cropsToTensor, imagePyramid, windowGrid } from './pyramid.js';

/** What one run did, besides the detections. */
export interface SlidingWindowResult {
  readonly detections: Detections;
  /** Windows classified, over all levels. */
  readonly windows: number;
  /** Classifier runs (batches). */
  readonly batches: number;
  /** Milliseconds: `pyramid`, `crops` (cutting + normalising), `classifier`, `decode`, `postprocess`. */
  readonly timings: Readonly<Record<string, number>>;
}

/** Concatenates candidate sets. */
export function concatCandidates(parts: readonly Candidates[]): Candidates {
  let n = 0;
  for (const p of parts) n += p.scores.length;
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  const labels = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    boxes.set(p.boxes, 4 * o);
    scores.set(p.scores, o);
    labels.set(p.labels, o);
    o += p.scores.length;
  }
  return { boxes, scores, labels };
}

export class SlidingWindowDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly session: Session;
  readonly config: ResolvedSlidingWindowConfig;
  readonly #inputName: string;

  constructor(params: {
    readonly card: ResolvedModelCard;
    readonly session: Session;
    readonly config: ResolvedSlidingWindowConfig;
  }) {
    this.card = params.card;
    this.session = params.session;
    this.config = params.config;
    this.classNames = params.card.labels;
    const inputName = params.card.input.name ?? params.session.inputs[0]?.name;
    if (inputName === undefined || !params.session.inputs.some((i) => i.name === inputName)) {
      throw new ModelCardError(
        params.card.id,
        'input.name',
        `the classifier has no input ${JSON.stringify(inputName)}`,
      );
    }
    this.#inputName = inputName;
    const dims = params.session.inputs.find((i) => i.name === inputName)?.dims;
    const side = dims?.[3];
    if (typeof side === 'number' && side !== params.config.window) {
      throw new ModelCardError(
        params.card.id,
        'architecture.window',
        `${params.config.window}, but the classifier takes ${side}×${side} crops`,
      );
    }
  }

  /**
   * Classifies every window and returns detections with counts and stage timings.
   * @param image [H,W,3] uint8 RGB
   */
  async run(image: RgbImage, options?: DetectOptions): Promise<SlidingWindowResult> {
    const { card, config, classNames } = this;
    const resolved = resolveDetectOptions(
      classNames,
      options,
      card.defaults,
      SLIDING_WINDOW_DEFAULTS,
    );
    const timings: Record<string, number> = { pyramid: 0, crops: 0, classifier: 0, decode: 0 };
    let t = performance.now();
    const base = prepareBaseImage(image, card.input);
    const levels = imagePyramid(base.image, config.scales, config.window);
    const table = inputNormalization(card.input);
    timings.pyramid = performance.now() - t;
    const { window, stride, batchSize } = config;
    const buffer = new Float32Array(batchSize * 3 * window * window);
    const parts: Candidates[] = [];
    let windows = 0;
    let batches = 0;
    for (const level of levels) {
      const corners = windowGrid(level.image.width, level.image.height, window, stride);
      const m = corners.length / 2;
      windows += m;
      for (let from = 0; from < m; from += batchSize) {
        const count = Math.min(batchSize, m - from);
        t = performance.now();
        const crops = cropsToTensor(level.image, corners, from, count, window, table, buffer);
        timings.crops! += performance.now() - t;
        t = performance.now();
        const outputs = await this.session.run({
          [this.#inputName]: { type: 'float32', data: crops, dims: [count, 3, window, window] },
        });
        timings.classifier! += performance.now() - t;
        batches++;
        t = performance.now();
        const logits = readFloat32Output(card.id, outputs, [config.scoresOutput, 0], 2, '[N, K+1]');
        const deltas = config.regressBoxes
          ? readFloat32Output(card.id, outputs, [config.deltasOutput, 1], 2, '[N, 4]')
          : undefined;
        // windows of this batch in base-image pixels
        const boxes = new Float32Array(4 * count);
        for (let k = 0; k < count; k++) {
          const x = corners[2 * (from + k)]!;
          const y = corners[2 * (from + k) + 1]!;
          boxes[4 * k] = x / level.scaleX;
          boxes[4 * k + 1] = y / level.scaleY;
          boxes[4 * k + 2] = (x + window) / level.scaleX;
          boxes[4 * k + 3] = (y + window) / level.scaleY;
        }
        parts.push(
          decodeWindowScores(logits.data, boxes, deltas?.data, {
            model: card.id,
            numClasses: classNames.length,
            backgroundClass: config.backgroundClass,
            options: resolved,
            boxCoderWeights: config.boxCoderWeights,
            names: { scores: logits.name, ...(deltas && { deltas: deltas.name }) },
          }),
        );
        timings.decode! += performance.now() - t;
      }
    }
    t = performance.now();
    const detections = finalizeDetections(
      card.id,
      concatCandidates(parts),
      resolved,
      base.transform,
      classNames,
    );
    timings.postprocess = performance.now() - t;
    return { detections, windows, batches, timings };
  }

  async detect(image: RgbImage, options?: DetectOptions): Promise<Detections> {
    return (await this.run(image, options)).detections;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
