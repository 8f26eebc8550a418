/**
 * `registerBuiltins(registry)`: adds Ocelot's one-stage and set-prediction architectures. Nothing
 * registers on import (the package is `"sideEffects": false`).
 */

import { createDetrDetector } from './detr/index.js';
import { createFastRcnnDetector } from './fast-rcnn/index.js';
import { createFasterRcnnDetector } from './faster-rcnn/index.js';
import { createNanoDetDetector } from './nanodet/index.js';
import { createOverFeatDetector } from './overfeat/index.js';
import { createRcnnDetector } from './rcnn/index.js';
import type { DetectorRegistry } from './registry.js';
import { createRetinaNetDetector } from './retinanet/index.js';
import { createRtDetrDetector } from './rt-detr/index.js';
import { createSlidingWindowDetector } from './sliding-window/index.js';
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
  registry.register('sliding-window', createSlidingWindowDetector);
  registry.register('overfeat', createOverFeatDetector);
  registry.register('rcnn', createRcnnDetector);
  registry.register('fast-rcnn', createFastRcnnDetector);
  return registry;
}
