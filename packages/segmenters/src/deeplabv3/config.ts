/**
 * DeepLabV3 (atrous backbone + ASPP head) in torchvision's export layout: `out`
 * `[1, C, H, W]` logits at the input size, optional `aux` ignored. TensorFlow / TFLite DeepLab
 * exports (`[1, h, w, C]`, e.g. the 257×257 mobile model's `[1, 257, 257, 21]`) set
 * `layout: 'nhwc'`.
 */
import type { ModelCard } from '@ocelot/detectors';
import {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  type SemanticHeadConfig,
} from '../semantic/config.js';

export interface DeepLabV3Config extends SemanticHeadConfig {}

declare module '../registry.js' {
  interface SegmenterConfigs {
    deeplabv3: DeepLabV3Config;
  }
}

/**
 * Validates `card.architecture` for `deeplabv3`.
 * @throws ModelCardError naming the field
 */
export function parseDeepLabV3Config(card: ModelCard): ResolvedSemanticHeadConfig {
  return parseSemanticHead(card).head;
}
