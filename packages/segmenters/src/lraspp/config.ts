/**
 * LR-ASPP (MobileNetV3 "Lite R-ASPP") in torchvision's export layout: `out` `[1, C, H, W]`
 * logits at the input size.
 */
import type { ModelCard } from '@ocelot/detectors';
import {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  type SemanticHeadConfig,
} from '../semantic/config.js';

export interface LrasppConfig extends SemanticHeadConfig {}

declare module '../registry.js' {
  interface SegmenterConfigs {
    lraspp: LrasppConfig;
  }
}

/**
 * Validates `card.architecture` for `lraspp`.
 * @throws ModelCardError naming the field
 */
export function parseLrasppConfig(card: ModelCard): ResolvedSemanticHeadConfig {
  return parseSemanticHead(card).head;
}
