/**
 * `registerBuiltins(registry)`: adds Ocelot's segmentation architectures. Nothing registers on
 * import (the package is `"sideEffects": false`).
 */
import { createDeepLabV3Segmenter } from './deeplabv3/index.js';
import { createFcnSegmenter } from './fcn/index.js';
import { createLrasppSegmenter } from './lraspp/index.js';
import { createMaskRcnnSegmenter } from './mask-rcnn/index.js';
import type { SegmenterRegistry } from './registry.js';
import { createUNetSegmenter } from './unet/index.js';
import { createYoloSegSegmenter } from './yolo-seg/index.js';

/** Registers every built-in architecture; throws `DuplicateRegistrationError` if one exists. */
export function registerBuiltins(registry: SegmenterRegistry): SegmenterRegistry {
  registry.register('fcn', createFcnSegmenter);
  registry.register('deeplabv3', createDeepLabV3Segmenter);
  registry.register('lraspp', createLrasppSegmenter);
  registry.register('unet', createUNetSegmenter);
  registry.register('yolo-seg', createYoloSegSegmenter);
  registry.register('mask-rcnn', createMaskRcnnSegmenter);
  return registry;
}
