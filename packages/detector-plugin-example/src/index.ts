/**
 * @ocelot/detector-plugin-example — adds a `centernet` architecture to an @ocelot/detectors
 * registry from outside the package:
 *
 * ```ts
 * const registry = registerBuiltins(createDetectorRegistry());
 * register(registry); // this plugin
 * const detector = await buildDetector(registry, card, { base: 'models/centernet' });
 * ```
 */
import {
  createOnnxDetector,
  type DetectorFactory,
  type DetectorRegistry,
  resolveModelCard,
} from '@ocelot/detectors';
import { CENTERNET_DEFAULTS, type CenterNetConfig, parseCenterNetConfig } from './config.js';
import { decodeCenterNet } from './decode.js';

/** Builds a `centernet` detector from a card: one session, the decode above, no NMS. */
export const createCenterNetDetector: DetectorFactory<CenterNetConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseCenterNetConfig(card);
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => decodeCenterNet(outputs, ctx, config),
    defaults: CENTERNET_DEFAULTS,
    nms: false,
  }));
};

/** The plugin entry point: adds `centernet` to `registry` (throws if the name is taken). */
export function register(registry: DetectorRegistry): DetectorRegistry {
  return registry.register('centernet', createCenterNetDetector);
}

export {
  CENTERNET_DEFAULTS,
  type CenterNetConfig,
  parseCenterNetConfig,
  type ResolvedCenterNetConfig,
} from './config.js';
export { decodeCenterNet } from './decode.js';
