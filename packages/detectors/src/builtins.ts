/**
 * `registerBuiltins(registry)`: adds Ocelot's one-stage and set-prediction architectures. Nothing
 * registers on import (the package is `"sideEffects": false`).
 */
import type { DetectorRegistry } from './registry.js';
import { createRetinaNetDetector } from './retinanet/index.js';
import { createSsdDetector, createSsdliteDetector } from './ssd/index.js';
import { createUltralyticsDetector } from './ultralytics/index.js';

/** Registers every built-in architecture; throws `DuplicateRegistrationError` if one exists. */
export function registerBuiltins(registry: DetectorRegistry): DetectorRegistry {
  registry.register('ssd', createSsdDetector);
  registry.register('ssdlite', createSsdliteDetector);
  registry.register('retinanet', createRetinaNetDetector);
  registry.register('ultralytics', createUltralyticsDetector);
  return registry;
}
