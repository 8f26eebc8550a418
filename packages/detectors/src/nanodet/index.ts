/** NanoDet (GFL head: per-side distance distributions): factory and public surface. */
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { NANODET_DEFAULTS, type NanoDetConfig, parseNanoDetConfig } from './config.js';
import { decodeNanoDet } from './decode.js';

/** Builds `nanodet` detectors (defaults score 0.05, per-class NMS 0.6, 100 detections, 1000 anchors per level). */
export const createNanoDetDetector: DetectorFactory<NanoDetConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseNanoDetConfig(card);
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => decodeNanoDet(outputs, ctx, config),
    defaults: NANODET_DEFAULTS,
  }));
};

export {
  NANODET_DEFAULTS,
  type NanoDetConfig,
  type NanoDetOutputs,
  parseNanoDetConfig,
  type ResolvedNanoDetConfig,
} from './config.js';
export {
  decodeNanoDet,
  distributionExpectation,
  type NanoDetDecodeParams,
  type NanoDetLevelGrid,
  nanoDetGrids,
} from './decode.js';
