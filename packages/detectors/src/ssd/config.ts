/**
 * SSD / SSDlite config (torchvision layout). The graph ends at the head: `bbox_regression`
 * [1, A, 4] (deltas against the default boxes, BoxCoder weights (10, 10, 5, 5)) and
 * `cls_logits` [1, A, C+1] (background at column 0). Default boxes come from core's
 * `DefaultBoxGenerator` with the options here, or from a graph output.
 */
import {
  type BoxCoderWeights,
  type DefaultBoxOptions,
  SSD300_DEFAULT_BOXES,
  SSDLITE320_DEFAULT_BOXES,
} from '@ocelot/core';
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { DetectOptions } from '../types.js';
import type { MinSizePriorsOptions } from './priors.js';

/** Default boxes generated like torchvision's `DefaultBoxGenerator`. */
export interface SsdDefaultBoxesConfig extends Partial<DefaultBoxOptions> {
  readonly type: 'default-boxes';
  /** Start from torchvision's generator options for `ssd300_vgg16` / `ssdlite320_mobilenet_v3_large`. */
  readonly preset?: 'ssd300' | 'ssdlite320';
  /** `[height, width]` of each head level's feature map, in head order. */
  readonly featureMapSizes: readonly (readonly [number, number])[];
}

/** Priors the graph returns itself. */
export interface SsdPriorsOutputConfig {
  readonly type: 'output';
  /** Output name, [A, 4] or [1, A, 4]. */
  readonly name: string;
  /** Default `xyxy`. */
  readonly format?: 'xyxy' | 'cxcywh';
  /** Coordinates in 0..1 (multiplied by the input size) instead of pixels. Default false. */
  readonly normalized?: boolean;
}

/**
 * Priors from strides and absolute sizes, as UltraFace / FaceBoxes-style heads define them
 * (`minSizePriors`): per level a ⌈W/s⌉ × ⌈H/s⌉ grid, one square prior per size per cell.
 */
export interface SsdMinSizePriorsConfig extends MinSizePriorsOptions {
  readonly type: 'min-sizes';
}

export interface SsdConfig {
  readonly priors: SsdDefaultBoxesConfig | SsdPriorsOutputConfig | SsdMinSizePriorsConfig;
  /** Box coder weights (wx, wy, ww, wh). Default torchvision's SSD (10, 10, 5, 5). */
  readonly boxCoderWeights?: BoxCoderWeights;
  /** Regression output name. Default `bbox_regression` (else output 0). */
  readonly boxOutput?: string;
  /** Classification output name. Default `cls_logits` (else output 1). */
  readonly scoreOutput?: string;
  /** `logits` (default): softmax is applied here. `probabilities`: the graph already did. */
  readonly scores?: 'logits' | 'probabilities';
}

declare module '../registry.js' {
  interface DetectorConfigs {
    ssd: SsdConfig;
    ssdlite: SsdConfig;
  }
}

/** torchvision `SSD` defaults (score_thresh, nms_thresh, detections_per_img, topk_candidates). */
export const SSD_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.01,
  iouThreshold: 0.45,
  maxDetections: 200,
  preNmsTopK: 400,
});

/** torchvision `ssdlite320_mobilenet_v3_large` defaults. */
export const SSDLITE_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.001,
  iouThreshold: 0.55,
  maxDetections: 300,
  preNmsTopK: 300,
});

/** A validated config with its defaults applied. */
export interface ResolvedSsdConfig {
  readonly priors:
    | {
        readonly type: 'default-boxes';
        readonly featureMapSizes: readonly { height: number; width: number }[];
        readonly options: DefaultBoxOptions;
      }
    | {
        readonly type: 'output';
        readonly name: string;
        readonly format: 'xyxy' | 'cxcywh';
        readonly normalized: boolean;
      }
    | { readonly type: 'min-sizes'; readonly options: MinSizePriorsOptions };
  readonly boxCoderWeights: BoxCoderWeights;
  readonly boxOutput: readonly (string | number)[];
  readonly scoreOutput: readonly (string | number)[];
  readonly scores: 'logits' | 'probabilities';
}

/**
 * Validates `card.architecture` for `ssd` / `ssdlite`.
 * @throws ModelCardError naming the field
 */
export function parseSsdConfig(card: ModelCard): ResolvedSsdConfig {
  const r = ConfigReader.of(card).only([
    'priors',
    'boxCoderWeights',
    'boxOutput',
    'scoreOutput',
    'scores',
  ]);
  const p =
    r.object('priors') ??
    r.fail(
      'priors',
      'missing: { type: "default-boxes", featureMapSizes, … }, { type: "output", name } or { type: "min-sizes", strides, minSizes }',
    );
  const type =
    p.oneOf('type', ['default-boxes', 'output', 'min-sizes'] as const) ??
    p.fail('type', 'missing ("default-boxes", "output" or "min-sizes")');
  let priors: ResolvedSsdConfig['priors'];
  if (type === 'default-boxes') {
    p.only([
      'preset',
      'featureMapSizes',
      'aspectRatios',
      'minRatio',
      'maxRatio',
      'scales',
      'steps',
      'clip',
    ]);
    const preset = p.oneOf('preset', ['ssd300', 'ssdlite320'] as const);
    const base: DefaultBoxOptions =
      preset === 'ssd300'
        ? SSD300_DEFAULT_BOXES
        : preset === 'ssdlite320'
          ? SSDLITE320_DEFAULT_BOXES
          : { aspectRatios: [] };
    const aspectRatios = p.numberLists('aspectRatios', { above: 0 }) ?? base.aspectRatios;
    if (aspectRatios.length === 0)
      p.fail(
        'aspectRatios',
        'missing (one list of extra aspect ratios per feature map), or give a preset',
      );
    const featureMapSizes =
      p.sizes('featureMapSizes') ??
      p.fail('featureMapSizes', 'missing: [[height, width], …] per head level');
    if (featureMapSizes.length !== aspectRatios.length) {
      p.fail(
        'featureMapSizes',
        `expected ${aspectRatios.length} sizes (one per aspectRatios entry), got ${featureMapSizes.length}`,
      );
    }
    const minRatio = p.has('minRatio') ? p.number('minRatio', 0, { above: 0 }) : base.minRatio;
    const maxRatio = p.has('maxRatio') ? p.number('maxRatio', 0, { above: 0 }) : base.maxRatio;
    const scales =
      p.numberList('scales', { above: 0 }, aspectRatios.length + 1) ??
      (p.has('minRatio') || p.has('maxRatio') ? undefined : base.scales);
    const steps = p.numberList('steps', { above: 0 }, aspectRatios.length) ?? base.steps;
    const options: DefaultBoxOptions = {
      aspectRatios,
      ...(minRatio !== undefined && { minRatio }),
      ...(maxRatio !== undefined && { maxRatio }),
      ...(scales !== undefined && { scales }),
      ...(steps !== undefined && { steps }),
      clip: p.boolean('clip', base.clip ?? true),
    };
    priors = { type, featureMapSizes, options };
  } else if (type === 'min-sizes') {
    p.only(['strides', 'minSizes', 'clamp', 'offset']);
    const strides =
      p.numberList('strides', { above: 0 }) ?? p.fail('strides', 'missing: one stride per level');
    const minSizes =
      p.numberLists('minSizes', { above: 0 }, strides.length) ??
      p.fail('minSizes', 'missing: one list of box sizes (pixels) per level');
    priors = {
      type,
      options: {
        strides,
        minSizes,
        clamp: p.boolean('clamp', true),
        offset: p.number('offset', 0.5, { min: 0, max: 1 }),
      },
    };
  } else {
    p.only(['name', 'format', 'normalized']);
    priors = {
      type,
      name: p.string('name') ?? p.fail('name', 'missing: the output that holds the priors'),
      format: p.oneOf('format', ['xyxy', 'cxcywh'] as const, 'xyxy'),
      normalized: p.boolean('normalized', false),
    };
  }
  const weights = r.numberList('boxCoderWeights', { above: 0 }, 4) ?? [10, 10, 5, 5];
  const boxOutput = r.string('boxOutput');
  const scoreOutput = r.string('scoreOutput');
  return {
    priors,
    boxCoderWeights: weights as unknown as BoxCoderWeights,
    boxOutput: boxOutput !== undefined ? [boxOutput] : ['bbox_regression', 0],
    scoreOutput: scoreOutput !== undefined ? [scoreOutput] : ['cls_logits', 1],
    scores: r.oneOf('scores', ['logits', 'probabilities'] as const, 'logits'),
  };
}
