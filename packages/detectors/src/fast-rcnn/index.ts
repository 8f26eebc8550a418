/** Fast R-CNN: shared features, RoI pooling, a box head; factory and public surface. */
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { sessionBackbone, sessionBoxHead } from '../two-stage/heads.js';
import { type FastRcnnConfig, parseFastRcnnConfig } from './config.js';
import { FastRcnnDetector } from './detector.js';

/** Builds `fast-rcnn` detectors from a card with `backbone` and `boxHead` files. */
export const createFastRcnnDetector: DetectorFactory<FastRcnnConfig> = async (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseFastRcnnConfig(card);
  const backboneSession = await context.loadSession('backbone');
  let headSession: Awaited<ReturnType<typeof context.loadSession>> | undefined;
  try {
    headSession = await context.loadSession('boxHead');
    const backbone = sessionBackbone(backboneSession, `${card.id}/backbone`, {
      ...(config.featureOutput !== undefined && { outputNames: [config.featureOutput] }),
    });
    return new FastRcnnDetector({
      card,
      backbone,
      boxHead: sessionBoxHead(headSession, `${card.id}/boxHead`),
      config,
    });
  } catch (error) {
    await backboneSession.dispose();
    await headSession?.dispose();
    throw error;
  }
};

export {
  FAST_RCNN_DEFAULTS,
  type FastRcnnConfig,
  parseFastRcnnConfig,
  type ResolvedFastRcnnConfig,
} from './config.js';
export { FastRcnnDetector, type FastRcnnResult, poolProposals } from './detector.js';
