/** DETR: factory and public surface. */
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { DETR_DEFAULTS, type DetrConfig, parseDetrConfig } from './config.js';
import { decodeDetr } from './decode.js';

/** Builds `detr` detectors (no NMS; defaults score 0.5, 100 detections). */
export const createDetrDetector: DetectorFactory<DetrConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseDetrConfig(card);
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => decodeDetr(outputs, ctx, config),
    defaults: DETR_DEFAULTS,
    nms: false,
  }));
};

export {
  DETR_DEFAULTS,
  type DetrConfig,
  parseDetrConfig,
  type ResolvedDetrConfig,
} from './config.js';
export { type DetrDecodeParams, decodeDetr, normalizedCxcywhToPixels } from './decode.js';
