/** R-CNN: proposals, each warped and classified on its own; factory and public surface. */
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { parseRcnnConfig, type RcnnConfig } from './config.js';
import { RcnnDetector } from './detector.js';

/** Builds `rcnn` detectors from a card with a `classifier` file. */
export const createRcnnDetector: DetectorFactory<RcnnConfig> = async (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseRcnnConfig(card);
  const session = await context.loadSession('classifier');
  try {
    return new RcnnDetector({ card, session, config });
  } catch (error) {
    await session.dispose();
    throw error;
  }
};

export {
  parseRcnnConfig,
  RCNN_DEFAULTS,
  type RcnnConfig,
  type ResolvedRcnnConfig,
} from './config.js';
export { RcnnDetector, type RcnnResult, rcnnPostprocess } from './detector.js';
export {
  contextBoxes,
  type ProposalBoxes,
  type ProposalRunOptions,
  proposalsFor,
  roiDetectionsToImage,
  toRois,
} from './proposals.js';
