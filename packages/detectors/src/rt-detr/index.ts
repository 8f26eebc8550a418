/** RT-DETR and its deploy exports (D-FINE, DEIM, DEIMv2): factory and public surface. */
import type { TensorLike } from '@ocelot/runtime';
import { createOnnxDetector } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import { parseRtDetrConfig, RT_DETR_DEFAULTS, type RtDetrConfig } from './config.js';
import { decodeRtDetr, decodeRtDetrPostprocessed } from './decode.js';

/**
 * Builds `rt-detr` detectors (no NMS; defaults score 0.5, 300 detections). For post-processed
 * exports with a target-size input, that input is fed the network input size.
 */
export const createRtDetrDetector: DetectorFactory<RtDetrConfig> = (rawCard, context) => {
  const card = resolveModelCard(rawCard);
  const config = parseRtDetrConfig(card);
  return createOnnxDetector(context, (session) => {
    if (config.outputs === 'raw') {
      return {
        card,
        session,
        decode: (outputs, ctx) => decodeRtDetr(outputs, ctx, config),
        defaults: RT_DETR_DEFAULTS,
        nms: false,
      };
    }
    const target = session.inputs.find((i) => i.name === config.targetSizesInput);
    const extraFeeds =
      target === undefined
        ? undefined
        : (input: {
            transform: { dstWidth: number; dstHeight: number };
          }): Record<string, TensorLike> => {
            const { dstWidth: w, dstHeight: h } = input.transform;
            const pair = config.targetSizesOrder === 'wh' ? [w, h] : [h, w];
            const data =
              target.type === 'int32'
                ? Int32Array.from(pair)
                : target.type === 'float32'
                  ? Float32Array.from(pair)
                  : BigInt64Array.from(pair.map(BigInt));
            return { [config.targetSizesInput]: { data, dims: [1, 2] } };
          };
    return {
      card,
      session,
      decode: (outputs, ctx) => decodeRtDetrPostprocessed(outputs, ctx, config),
      defaults: RT_DETR_DEFAULTS,
      nms: false,
      ...(extraFeeds !== undefined && { extraFeeds }),
    };
  });
};

export {
  parseRtDetrConfig,
  type ResolvedRtDetrConfig,
  RT_DETR_DEFAULTS,
  type RtDetrConfig,
} from './config.js';
export {
  decodeRtDetr,
  decodeRtDetrPostprocessed,
  type RtDetrPostprocessedDecodeParams,
  type RtDetrRawDecodeParams,
} from './decode.js';
