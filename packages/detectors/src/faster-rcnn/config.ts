/**
 * The `faster-rcnn` architecture config (model card `architecture`), with torchvision 0.14's
 * test-time defaults for everything left out. tooling/python/export/torchvision_rcnn_split.py
 * writes it from a torchvision model's own modules.
 *
 * ```json
 * { "type": "faster-rcnn",
 *   "featureNames": ["0", "1", "2", "3", "pool"],
 *   "transform": { "minSize": 800, "maxSize": 1333, "sizeDivisible": 32 },
 *   "anchors": { "sizes": [[32], [64], [128], [256], [512]], "aspectRatios": [0.5, 1, 2] },
 *   "rpn": { "preNmsTopN": 1000, "postNmsTopN": 1000, "nmsThresh": 0.7, "scoreThresh": 0,
 *            "minSize": 0.001, "boxCoderWeights": [1, 1, 1, 1] },
 *   "roiHeads": { "featureNames": ["0", "1", "2", "3"], "outputSize": 7, "samplingRatio": 2,
 *                 "boxCoderWeights": [10, 10, 5, 5], "scoreThresh": 0.05, "nmsThresh": 0.5,
 *                 "detectionsPerImg": 100 } }
 * ```
 *
 * Files by role: `backbone`, `rpnHead`, `boxHead` (see two-stage/heads.ts for the graph
 * contract). The card's `input` gives the normalisation (`scale`, `mean`, `std`,
 * `channelOrder`); its `resize`, `width` and `height` are not used — the R-CNN transform sizes
 * each image from `transform`.
 */
import { BBOX_XFORM_CLIP, type BoxCoderWeights } from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { DetectOptions } from '../types.js';

export interface FasterRcnnTransformConfig {
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly sizeDivisible?: number;
  /** `[width, height]`: resize every image to exactly this size (torchvision `fixed_size`). */
  readonly fixedSize?: readonly [number, number];
}

export interface FasterRcnnAnchorsConfig {
  /** Anchor sizes per level, pixels. */
  readonly sizes: readonly (readonly number[])[];
  /** Ratios (height / width) per level, or one list for every level. */
  readonly aspectRatios: readonly (readonly number[])[] | readonly number[];
}

export interface FasterRcnnRpnConfig {
  readonly preNmsTopN?: number;
  readonly postNmsTopN?: number;
  readonly nmsThresh?: number;
  readonly scoreThresh?: number;
  readonly minSize?: number;
  readonly boxCoderWeights?: BoxCoderWeights;
}

/** A RoI pooler over named levels (`MultiScaleRoIAlign`). */
export interface RoiPoolerConfig {
  readonly featureNames?: readonly string[];
  /** `n` or `[height, width]`. */
  readonly outputSize?: number | readonly [number, number];
  readonly samplingRatio?: number;
  readonly canonicalScale?: number;
  readonly canonicalLevel?: number;
}

export interface FasterRcnnRoiHeadsConfig extends RoiPoolerConfig {
  readonly boxCoderWeights?: BoxCoderWeights;
  readonly scoreThresh?: number;
  readonly nmsThresh?: number;
  readonly detectionsPerImg?: number;
  /** Mask R-CNN's mask pooler (read and kept for architectures built on this one). */
  readonly mask?: RoiPoolerConfig;
}

export interface FasterRcnnConfig {
  /** Backbone outputs in pyramid order; default: the backbone graph's outputs. */
  readonly featureNames?: readonly string[];
  readonly transform?: FasterRcnnTransformConfig;
  readonly anchors?: FasterRcnnAnchorsConfig;
  readonly rpn?: FasterRcnnRpnConfig;
  readonly roiHeads?: FasterRcnnRoiHeadsConfig;
  /** Clamp of dw, dh before exp in both box coders; default log(1000 / 16). */
  readonly bboxXformClip?: number;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    'faster-rcnn': FasterRcnnConfig;
  }
}

/** A pooler config with defaults applied. */
export interface ResolvedRoiPoolerConfig {
  readonly featureNames: readonly string[];
  readonly outputSize: readonly [number, number];
  readonly samplingRatio: number;
  readonly canonicalScale: number;
  readonly canonicalLevel: number;
}

/** `parseFasterRcnnConfig`'s result: every field present. */
export interface ResolvedFasterRcnnConfig {
  readonly featureNames: readonly string[] | undefined;
  readonly transform: {
    readonly minSize: number;
    readonly maxSize: number;
    readonly sizeDivisible: number;
    readonly fixedSize: { readonly width: number; readonly height: number } | undefined;
  };
  readonly anchors: FasterRcnnAnchorsConfig;
  readonly rpn: Required<FasterRcnnRpnConfig>;
  readonly roiHeads: ResolvedRoiPoolerConfig & {
    readonly boxCoderWeights: BoxCoderWeights;
    readonly scoreThresh: number;
    readonly nmsThresh: number;
    readonly detectionsPerImg: number;
    readonly mask: ResolvedRoiPoolerConfig | undefined;
  };
  readonly bboxXformClip: number;
}

/** torchvision's `FasterRCNN` test-time box-head defaults as detect options. */
export const FASTER_RCNN_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.05,
  iouThreshold: 0.5,
  maxDetections: 100,
});

function pooler(r: ConfigReader, defaults: ResolvedRoiPoolerConfig): ResolvedRoiPoolerConfig {
  let outputSize = defaults.outputSize;
  if (r.has('outputSize')) {
    const v = r.raw.outputSize;
    if (typeof v === 'number') {
      const n = r.number('outputSize', 0, { integer: true, min: 1 });
      outputSize = [n, n];
    } else
      outputSize = (r.numberList('outputSize', { integer: true, min: 1 }, 2) ?? []) as unknown as [
        number,
        number,
      ];
  }
  return {
    featureNames: r.stringList('featureNames') ?? defaults.featureNames,
    outputSize,
    samplingRatio: r.number('samplingRatio', defaults.samplingRatio, { integer: true }),
    canonicalScale: r.number('canonicalScale', defaults.canonicalScale, { above: 0 }),
    canonicalLevel: r.number('canonicalLevel', defaults.canonicalLevel, { integer: true, min: 0 }),
  };
}

/**
 * Validates `card.architecture` of a `faster-rcnn` card and fills in torchvision's defaults.
 * @throws ModelCardError naming the field
 */
export function parseFasterRcnnConfig(card: ModelCard): ResolvedFasterRcnnConfig {
  const r = ConfigReader.of(card).only([
    'featureNames',
    'transform',
    'anchors',
    'rpn',
    'roiHeads',
    'bboxXformClip',
  ]);
  const t = r.object('transform')?.only(['minSize', 'maxSize', 'sizeDivisible', 'fixedSize']);
  const fixed = t?.numberList('fixedSize', { integer: true, min: 1 }, 2);
  const transform = {
    minSize: t?.number('minSize', 800, { integer: true, min: 1 }) ?? 800,
    maxSize: t?.number('maxSize', 1333, { integer: true, min: 1 }) ?? 1333,
    sizeDivisible: t?.number('sizeDivisible', 32, { integer: true, min: 1 }) ?? 32,
    fixedSize: fixed === undefined ? undefined : { width: fixed[0]!, height: fixed[1]! },
  };
  const a = r.object('anchors')?.only(['sizes', 'aspectRatios']);
  let anchors: FasterRcnnAnchorsConfig = {
    sizes: [[32], [64], [128], [256], [512]],
    aspectRatios: [0.5, 1, 2],
  };
  if (a !== undefined) {
    const sizes =
      a.numberLists('sizes', { above: 0 }) ??
      a.fail('sizes', 'missing: one list of sizes per level');
    const raw = a.raw.aspectRatios;
    const aspectRatios =
      Array.isArray(raw) && raw.every((x) => typeof x === 'number')
        ? (a.numberList('aspectRatios', { above: 0 }) as number[])
        : (a.numberLists('aspectRatios', { above: 0 }, sizes.length) ?? [0.5, 1, 2]);
    anchors = { sizes, aspectRatios };
  }
  const p = r
    .object('rpn')
    ?.only(['preNmsTopN', 'postNmsTopN', 'nmsThresh', 'scoreThresh', 'minSize', 'boxCoderWeights']);
  const rpn = {
    preNmsTopN: p?.number('preNmsTopN', 1000, { integer: true, min: 1 }) ?? 1000,
    postNmsTopN: p?.number('postNmsTopN', 1000, { integer: true, min: 1 }) ?? 1000,
    nmsThresh: p?.number('nmsThresh', 0.7, { min: 0, max: 1 }) ?? 0.7,
    scoreThresh: p?.number('scoreThresh', 0, {}) ?? 0,
    minSize: p?.number('minSize', 1e-3, { min: 0 }) ?? 1e-3,
    boxCoderWeights: (p?.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      1, 1, 1, 1,
    ]) as unknown as BoxCoderWeights,
  };
  const h = r
    .object('roiHeads')
    ?.only([
      'featureNames',
      'outputSize',
      'samplingRatio',
      'canonicalScale',
      'canonicalLevel',
      'boxCoderWeights',
      'scoreThresh',
      'nmsThresh',
      'detectionsPerImg',
      'mask',
    ]);
  const boxPoolDefaults: ResolvedRoiPoolerConfig = {
    featureNames: ['0', '1', '2', '3'],
    outputSize: [7, 7],
    samplingRatio: 2,
    canonicalScale: 224,
    canonicalLevel: 4,
  };
  const m = h
    ?.object('mask')
    ?.only(['featureNames', 'outputSize', 'samplingRatio', 'canonicalScale', 'canonicalLevel']);
  const roiHeads = {
    ...(h ? pooler(h, boxPoolDefaults) : boxPoolDefaults),
    boxCoderWeights: (h?.numberList('boxCoderWeights', { above: 0 }, 4) ?? [
      10, 10, 5, 5,
    ]) as unknown as BoxCoderWeights,
    scoreThresh: h?.number('scoreThresh', 0.05, {}) ?? 0.05,
    nmsThresh: h?.number('nmsThresh', 0.5, { min: 0, max: 1 }) ?? 0.5,
    detectionsPerImg: h?.number('detectionsPerImg', 100, { integer: true, min: 1 }) ?? 100,
    mask: m ? pooler(m, { ...boxPoolDefaults, outputSize: [14, 14] }) : undefined,
  };
  return {
    featureNames: r.stringList('featureNames'),
    transform,
    anchors,
    rpn,
    roiHeads,
    bboxXformClip: r.number('bboxXformClip', BBOX_XFORM_CLIP, { above: 0 }),
  };
}
