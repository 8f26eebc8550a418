/**
 * The plugin's config type and its validation. The `declare module` block adds `centernet` to
 * @ocelot/detectors' `DetectorConfigs`, so `registry.register('centernet', …)` and
 * `DetectorConfig` know its fields — Ocelot's own code is not touched.
 */
import { ConfigReader, type DetectOptions, type ModelCard } from '@ocelot/detectors';

/** `architecture` of a CenterNet model card. */
export interface CenterNetConfig {
  /** Output stride of the heatmaps in input pixels. Default 4. */
  readonly stride?: number;
  /** Peaks kept before the threshold (CenterNet's K). Default 100. */
  readonly topK?: number;
  /** The heatmap holds logits (sigmoid applied here). Default true. */
  readonly logits?: boolean;
  /** Output names. Defaults `heatmap`, `wh`, `offset`. */
  readonly heatmapOutput?: string;
  readonly sizeOutput?: string;
  readonly offsetOutput?: string;
}

declare module '@ocelot/detectors' {
  interface DetectorConfigs {
    centernet: CenterNetConfig;
  }
}

/** CenterNet's demo defaults: K = 100 peaks, threshold 0.3; no NMS (the max-pool is the NMS). */
export const CENTERNET_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.3,
  maxDetections: 100,
});

export type ResolvedCenterNetConfig = Required<CenterNetConfig>;

/**
 * Validates `card.architecture`.
 * @throws ModelCardError naming the field
 */
export function parseCenterNetConfig(card: ModelCard): ResolvedCenterNetConfig {
  const r = ConfigReader.of(card).only([
    'stride',
    'topK',
    'logits',
    'heatmapOutput',
    'sizeOutput',
    'offsetOutput',
  ]);
  return {
    stride: r.number('stride', 4, { above: 0 }),
    topK: r.number('topK', 100, { integer: true, min: 1 }),
    logits: r.boolean('logits', true),
    heatmapOutput: r.string('heatmapOutput', 'heatmap'),
    sizeOutput: r.string('sizeOutput', 'wh'),
    offsetOutput: r.string('offsetOutput', 'offset'),
  };
}
