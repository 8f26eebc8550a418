/**
 * RetinaNet config (torchvision layout). The graph ends at the head and returns, per FPN level
 * l (P3…P7), class logits and box deltas in torchvision's (H, W, A) × K order, in any of these
 * forms (the decoder tells them apart by rank):
 *
 * - rank 5 `[1, H, W, A, K]` per level (`cls_logits_<l>` / `bbox_regression_<l>`): the level
 *   sizes are read from the dims — the recommended export;
 * - rank 4 `[1, A·K, H, W]` per level: the raw head convolution (permuted here);
 * - rank 3 `[1, H·W·A, K]` per level, or one concatenated `cls_logits` / `bbox_regression`
 *   `[1, Σ H·W·A, K]` as torchvision's head returns them: then `featureMapSizes` must give
 *   each level's `[height, width]`.
 *
 * Anchors come from core's `AnchorGenerator` (`RETINANET_ANCHORS` unless `anchors` says
 * otherwise), box deltas use BoxCoder weights (1, 1, 1, 1), and the class logits are
 * sigmoid-activated (no background column: the card's labels are the K columns).
 */
import { type AnchorGeneratorOptions, type BoxCoderWeights, RETINANET_ANCHORS } from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { DetectOptions } from '../types.js';

export interface RetinaNetConfig {
  /** Anchor sizes and aspect ratios per level. Default torchvision's `RETINANET_ANCHORS`. */
  readonly anchors?: AnchorGeneratorOptions;
  /** Class-logit outputs, one per level in level order (or one concatenated output). */
  readonly scoreOutputs?: readonly string[];
  /** Box-delta outputs, matching `scoreOutputs`. */
  readonly boxOutputs?: readonly string[];
  /** `[height, width]` per level; needed only for rank-3 outputs. */
  readonly featureMapSizes?: readonly (readonly [number, number])[];
  /** Default (1, 1, 1, 1). */
  readonly boxCoderWeights?: BoxCoderWeights;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    retinanet: RetinaNetConfig;
  }
}

/** torchvision `RetinaNet` defaults (score_thresh, nms_thresh, detections_per_img, topk_candidates). */
export const RETINANET_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.05,
  iouThreshold: 0.5,
  maxDetections: 300,
  preNmsTopK: 1000,
});

export interface ResolvedRetinaNetConfig {
  readonly anchors: AnchorGeneratorOptions;
  readonly scoreOutputs: readonly string[] | undefined;
  readonly boxOutputs: readonly string[] | undefined;
  readonly featureMapSizes: readonly { height: number; width: number }[] | undefined;
  readonly boxCoderWeights: BoxCoderWeights;
}

/**
 * Validates `card.architecture` for `retinanet`.
 * @throws ModelCardError naming the field
 */
export function parseRetinaNetConfig(card: ModelCard): ResolvedRetinaNetConfig {
  const r = ConfigReader.of(card).only([
    'anchors',
    'scoreOutputs',
    'boxOutputs',
    'featureMapSizes',
    'boxCoderWeights',
  ]);
  let anchors: AnchorGeneratorOptions = RETINANET_ANCHORS;
  const a = r.object('anchors');
  if (a !== undefined) {
    a.only(['sizes', 'aspectRatios']);
    const sizes =
      a.numberLists('sizes', { above: 0 }) ??
      a.fail('sizes', 'missing: anchor sizes per level, e.g. [[32, 40, 50], …]');
    const raw = a.raw.aspectRatios;
    const aspectRatios: number[] | number[][] =
      raw === undefined
        ? [0.5, 1, 2]
        : Array.isArray(raw) && raw.every((x) => typeof x === 'number')
          ? (a.numberList('aspectRatios', { above: 0 }) as number[])
          : (a.numberLists('aspectRatios', { above: 0 }, sizes.length) as number[][]);
    anchors = { sizes, aspectRatios };
  }
  const scoreOutputs = r.stringList('scoreOutputs');
  const boxOutputs = r.stringList('boxOutputs');
  if ((scoreOutputs === undefined) !== (boxOutputs === undefined)) {
    r.fail(
      scoreOutputs === undefined ? 'scoreOutputs' : 'boxOutputs',
      'give scoreOutputs and boxOutputs together',
    );
  }
  if (scoreOutputs && boxOutputs && scoreOutputs.length !== boxOutputs.length) {
    r.fail(
      'boxOutputs',
      `expected ${scoreOutputs.length} names (as scoreOutputs), got ${boxOutputs.length}`,
    );
  }
  const levels = anchors.sizes.length;
  if (scoreOutputs && scoreOutputs.length !== 1 && scoreOutputs.length !== levels) {
    r.fail(
      'scoreOutputs',
      `expected one output per level (${levels}) or one concatenated output, got ${scoreOutputs.length}`,
    );
  }
  const featureMapSizes = r.sizes('featureMapSizes');
  if (featureMapSizes && featureMapSizes.length !== levels) {
    r.fail(
      'featureMapSizes',
      `expected ${levels} sizes (one per anchor level), got ${featureMapSizes.length}`,
    );
  }
  return {
    anchors,
    scoreOutputs,
    boxOutputs,
    featureMapSizes,
    boxCoderWeights: (r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      1, 1, 1, 1,
    ]) as unknown as BoxCoderWeights,
  };
}
