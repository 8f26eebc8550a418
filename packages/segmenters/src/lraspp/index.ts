/** LR-ASPP (torchvision layout): factory and public surface. Decoding is the shared semantic decode (semantic/decode.ts). */
import type { SegmenterFactory } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { createOnnxSemanticSegmenter } from '../semantic/segmenter.js';
import { type LrasppConfig, parseLrasppConfig } from './config.js';

/** Builds `lraspp` segmenters from a card (`task: "segment"`, `files.model`, labels, input size). */
export const createLrasppSegmenter: SegmenterFactory<LrasppConfig, SemanticSegmenter> = (
  card,
  context,
) => createOnnxSemanticSegmenter(card, context, parseLrasppConfig(card));

export { type LrasppConfig, parseLrasppConfig } from './config.js';
