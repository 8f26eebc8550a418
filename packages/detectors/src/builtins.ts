/**
 * `registerBuiltins(registry)`: adds Ocelot's one-stage and set-prediction architectures. Nothing
 * registers on import (the package is `"sideEffects": false`).
 */

import { createDetrDetector } from './detr/index.js';
import { createFasterRcnnDetector } from './faster-rcnn/index.js';
import { createNanoDetDetector } from './nanodet/index.js';
import type { DetectorRegistry } from './registry.js';
import { createRetinaNetDetector } from './retinanet/index.js';
import { createRtDetrDetector } from './rt-detr/index.js';
import { createSsdDetector, createSsdliteDetector } from './ssd/index.js';
import { createUltralyticsDetector } from './ultralytics/index.js';
import { createYoloV1Detector } from './yolo-v1/index.js';
import { createYoloxDetector } from './yolox/index.js';

/** Registers every built-in architecture; throws `DuplicateRegistrationError` if one exists. */
export function registerBuiltins(registry: DetectorRegistry): DetectorRegistry {
  registry.register('yolo-v1', createYoloV1Detector);
  registry.register('ultralytics', createUltralyticsDetector);
  registry.register('yolox', createYoloxDetector);
  registry.register('ssd', createSsdDetector);
  registry.register('ssdlite', createSsdliteDetector);
  registry.register('faster-rcnn', createFasterRcnnDetector);
  registry.register('retinanet', createRetinaNetDetector);
  registry.register('detr', createDetrDetector);
  registry.register('rt-detr', createRtDetrDetector);
  registry.register('nanodet', createNanoDetDetector);
  return registry;
}
