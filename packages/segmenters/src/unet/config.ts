/**
 * U-Net: `[1, C, H, W]` logits (softmax over C) or a single channel `[1, 1, H, W]` (sigmoid,
 * thresholded: labels are then `[background, foreground]`). The output is taken from the
 * first output unless `output` names another.
 */
import type { ModelCard } from '@ocelot/detectors';
import {
  parseSemanticHead,
  type ResolvedSemanticHeadConfig,
  type SemanticHeadConfig,
} from '../semantic/config.js';

export interface UNetConfig extends SemanticHeadConfig {}

declare module '../registry.js' {
  interface SegmenterConfigs {
    unet: UNetConfig;
  }
}

/**
 * Validates `card.architecture` for `unet` (default output: the first one).
 * @throws ModelCardError naming the field
 */
export function parseUNetConfig(card: ModelCard): ResolvedSemanticHeadConfig {
  const { head, reader } = parseSemanticHead(card);
  return reader.has('output') ? head : { ...head, output: 0 };
}
