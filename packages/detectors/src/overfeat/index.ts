/** OverFeat-style dense detection with a fully convolutional classifier: factory and surface. */
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { type OverFeatConfig, parseOverFeatConfig } from './config.js';
import { OverFeatDetector } from './detector.js';

/** Builds `overfeat` detectors from a card with a `model` file (the FCN graph). */
export const createOverFeatDetector: DetectorFactory<OverFeatConfig> = async (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseOverFeatConfig(card);
  const session = await context.loadSession('model');
  try {
    return new OverFeatDetector({ card, session, config });
  } catch (error) {
    await session.dispose();
    throw error;
  }
};

export {
  OVERFEAT_DEFAULTS,
  type OverFeatConfig,
  parseOverFeatConfig,
  type ResolvedOverFeatConfig,
} from './config.js';
export {
  configField,
  decodeOverFeatLevel,
  OverFeatDetector,
  type OverFeatResult,
} from './detector.js';
export { overfeatMerge } from './merge.js';
