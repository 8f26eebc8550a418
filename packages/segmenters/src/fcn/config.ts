/**
 * FCN (Long et al. 2015) in torchvision's export layout: `out` `[1, C, H, W]` logits at the
 * input size (torchvision's `FCN` upsamples inside the model), optional `aux` ignored.
 * FCN-32s / 16s / 8s (and 4s, one more skip of the same kind) differ inside the network, not in
 * the output, so `variant` is only recorded for people reading the card.
 */
import type { ModelCard } from '@ocelot/detectors';
import {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  type SemanticHeadConfig,
} from '../semantic/config.js';

export interface FcnConfig extends SemanticHeadConfig {
  /** Which skip architecture the network has (documentation only). */
  readonly variant?: '32s' | '16s' | '8s' | '4s';
}

declare module '../registry.js' {
  interface SegmenterConfigs {
    fcn: FcnConfig;
  }
}

/**
 * Validates `card.architecture` for `fcn`.
 * @throws ModelCardError naming the field
 */
export function parseFcnConfig(card: ModelCard): ResolvedSemanticHeadConfig {
  const { head, reader } = parseSemanticHead(card, ['variant']);
  reader.oneOf('variant', ['32s', '16s', '8s', '4s'] as const);
  return head;
}
