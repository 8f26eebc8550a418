/** RetinaNet (torchvision layout): factory and public surface. */
import { AnchorGenerator, type FeatureMapSize, type ImageSize } from '@ocelot/core';
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import {
  parseRetinaNetConfig,
  RETINANET_DEFAULTS,
  type ResolvedRetinaNetConfig,
  type RetinaNetConfig,
} from './config.js';
import { decodeRetinaNet, type RetinaNetDecodeParams } from './decode.js';

/**
 * Decode parameters for a config: the anchor generator's anchors are computed once per
 * (feature sizes, input size) and reused.
 */
export function retinaNetDecodeParams(config: ResolvedRetinaNetConfig): RetinaNetDecodeParams {
  const generator = new AnchorGenerator(config.anchors);
  let key = '';
  let cached: Float32Array[] = [];
  return {
    anchorsPerLocation: generator.numAnchorsPerLocation(),
    anchorsFor(featureSizes: readonly FeatureMapSize[], imageSize: ImageSize) {
      const k = `${imageSize.width}x${imageSize.height}:${featureSizes.map((s) => `${s.height}x${s.width}`).join(',')}`;
      if (k !== key) {
        cached = generator.generatePerLevel(featureSizes, imageSize);
        key = k;
      }
      return cached;
    },
    boxCoderWeights: config.boxCoderWeights,
    scoreOutputs: config.scoreOutputs,
    boxOutputs: config.boxOutputs,
    featureMapSizes: config.featureMapSizes,
  };
}

/** Builds `retinanet` detectors (defaults score 0.05, IoU 0.5, 300 detections, top-k 1000 per level). */
export const createRetinaNetDetector: DetectorFactory<RetinaNetConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const params = retinaNetDecodeParams(parseRetinaNetConfig(card));
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => decodeRetinaNet(outputs, ctx, params),
    defaults: RETINANET_DEFAULTS,
  }));
};

export {
  parseRetinaNetConfig,
  RETINANET_DEFAULTS,
  type ResolvedRetinaNetConfig,
  type RetinaNetConfig,
} from './config.js';
export {
  decodeRetinaNet,
  decodeRetinaNetLevels,
  type RetinaNetDecodeParams,
  type RetinaNetLevel,
  readRetinaNetLevels,
} from './decode.js';
