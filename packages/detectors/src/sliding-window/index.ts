/** Sliding-window detection over an image pyramid: factory and public surface. */
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { parseSlidingWindowConfig, type SlidingWindowConfig } from './config.js';
import { SlidingWindowDetector } from './detector.js';

/** Builds `sliding-window` detectors from a card with a `classifier` file. */
export const createSlidingWindowDetector: DetectorFactory<SlidingWindowConfig> = async (
  rawCard,
  context,
) => {
  const card = resolveModelCard(rawCard);
  const config = parseSlidingWindowConfig(card);
  const session = await context.loadSession('classifier');
  try {
    return new SlidingWindowDetector({ card, session, config });
  } catch (error) {
    await session.dispose();
    throw error;
  }
};

export { type BaseImage, imageTensor, inputNormalization, prepareBaseImage } from './base.js';
export {
  parseSlidingWindowConfig,
  type ResolvedSlidingWindowConfig,
  SLIDING_WINDOW_DEFAULTS,
  type SlidingWindowConfig,
} from './config.js';
export { decodeWindowScores, type WindowDecodeParams } from './decode.js';
export { concatCandidates, SlidingWindowDetector, type SlidingWindowResult } from './detector.js';
export {
  cropsToTensor,
  imagePyramid,
  type PyramidLevel,
  pyramidSide,
  windowGrid,
} from './pyramid.js';
