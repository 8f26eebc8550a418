/** U-Net (softmax over C, or one sigmoid channel): factory and public surface. Decoding is the shared semantic decode (semantic/decode.ts). */
import type { SegmenterFactory } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { createOnnxSemanticSegmenter } from '../semantic/segmenter.js';
import { type UNetConfig, parseUNetConfig } from './config.js';

/** Builds `unet` segmenters from a card (`task: "segment"`, `files.model`, labels, input size). */
export const createUNetSegmenter: SegmenterFactory<UNetConfig, SemanticSegmenter> = (
  card,
  context,
) => createOnnxSemanticSegmenter(card, context, parseUNetConfig(card));

export { type UNetConfig, parseUNetConfig } from './config.js';
