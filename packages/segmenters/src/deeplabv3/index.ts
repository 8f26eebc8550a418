/** DeepLabV3 (torchvision layout, or NHWC TensorFlow exports): factory and public surface. Decoding is the shared semantic decode (semantic/decode.ts). */
import type { SegmenterFactory } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { createOnnxSemanticSegmenter } from '../semantic/segmenter.js';
import { type DeepLabV3Config, parseDeepLabV3Config } from './config.js';

/** Builds `deeplabv3` segmenters from a card (`task: "segment"`, `files.model`, labels, input size). */
export const createDeepLabV3Segmenter: SegmenterFactory<DeepLabV3Config, SemanticSegmenter> = (
  card,
  context,
) => createOnnxSemanticSegmenter(card, context, parseDeepLabV3Config(card));

export { type DeepLabV3Config, parseDeepLabV3Config } from './config.js';
