/** FCN (torchvision layout): factory and public surface. Decoding is the shared semantic decode (semantic/decode.ts). */
import type { SegmenterFactory } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { createOnnxSemanticSegmenter } from '../semantic/segmenter.js';
import { type FcnConfig, parseFcnConfig } from './config.js';

/** Builds `fcn` segmenters from a card (`task: "segment"`, `files.model`, labels, input size). */
export const createFcnSegmenter: SegmenterFactory<FcnConfig, SemanticSegmenter> = (card, context) =>
  createOnnxSemanticSegmenter(card, context, parseFcnConfig(card));

export { type FcnConfig, parseFcnConfig } from './config.js';
