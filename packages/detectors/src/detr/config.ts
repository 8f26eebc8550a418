/**
 * DETR (Carion et al. 2020), set prediction: one prediction per object query, no anchors and no
 * NMS. Outputs: class logits `[1, Q, C+1]` (the last column is "no object") and boxes
 * `[1, Q, 4]` as normalised cx, cy, w, h. Score of a query = the largest softmax probability
 * over the real classes (as DETR's `PostProcess` and Hugging Face's
 * `post_process_object_detection`); kept when > threshold.
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { OutputRef } from '../outputs.js';
import type { DetectOptions } from '../types.js';

export interface DetrConfig {
  /** Logits output; default `pred_logits`, `logits`, else the first output. */
  readonly logitsOutput?: string;
  /** Boxes output; default `pred_boxes`, else the second output. */
  readonly boxesOutput?: string;
  /** The last logit column is "no object" (DETR). Default true. */
  readonly noObjectClass?: boolean;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    detr: DetrConfig;
  }
}

/** Hugging Face's default threshold 0.5; DETR has 100 queries. */
export const DETR_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.5,
  maxDetections: 100,
});

export interface ResolvedDetrConfig {
  readonly logitsOutput: OutputRef;
  readonly boxesOutput: OutputRef;
  readonly noObjectClass: boolean;
}

/**
 * Validates `card.architecture` for `detr`.
 * @throws ModelCardError naming the field
 */
export function parseDetrConfig(card: ModelCard): ResolvedDetrConfig {
  const r = ConfigReader.of(card).only(['logitsOutput', 'boxesOutput', 'noObjectClass']);
  const logits = r.string('logitsOutput');
  const boxes = r.string('boxesOutput');
  return {
    logitsOutput: logits !== undefined ? [logits] : ['pred_logits', 'logits', 0],
    boxesOutput: boxes !== undefined ? [boxes] : ['pred_boxes', 1],
    noObjectClass: r.boolean('noObjectClass', true),
  };
}
