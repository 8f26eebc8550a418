/** YOLO v1: factory and public surface. */
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { parseYoloV1Config, YOLO_V1_DEFAULTS, type YoloV1Config } from './config.js';
import { decodeYoloV1 } from './decode.js';

/** Builds `yolo-v1` detectors (defaults score 0.2, IoU 0.5, 100 detections). */
export const createYoloV1Detector: DetectorFactory<YoloV1Config> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseYoloV1Config(card);
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => decodeYoloV1(outputs, ctx, config),
    defaults: YOLO_V1_DEFAULTS,
  }));
};

export {
  parseYoloV1Config,
  type ResolvedYoloV1Config,
  YOLO_V1_DEFAULTS,
  type YoloV1Config,
} from './config.js';
export { decodeYoloV1, type YoloV1DecodeParams } from './decode.js';
