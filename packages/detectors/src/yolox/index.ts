/** YOLOX: factory and public surface. */
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { parseYoloxConfig, YOLOX_DEFAULTS, type YoloxConfig } from './config.js';
import { decodeYolox, type YoloxGrid, yoloxGrid } from './decode.js';

/** Builds `yolox` detectors (defaults score 0.3, IoU 0.45). The anchor grid is made once. */
export const createYoloxDetector: DetectorFactory<YoloxConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseYoloxConfig(card);
  let grid: YoloxGrid | undefined;
  return createOnnxDetector(context, (session) => ({
    card,
    session,
    decode: (outputs, ctx) => {
      if (grid === undefined || grid.x.length === 0)
        grid = yoloxGrid(ctx.inputSize, config.strides);
      return decodeYolox(outputs, ctx, config, grid);
    },
    defaults: YOLOX_DEFAULTS,
  }));
};

export {
  parseYoloxConfig,
  type ResolvedYoloxConfig,
  YOLOX_DEFAULTS,
  type YoloxConfig,
} from './config.js';
export { decodeYolox, type YoloxDecodeParams, type YoloxGrid, yoloxGrid } from './decode.js';
