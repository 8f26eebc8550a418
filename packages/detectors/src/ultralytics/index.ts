/** Ultralytics exports (v8 / YOLO11, v5 / v7, end-to-end): factory and public surface. */
import { parseUltralyticsMetadata } from '@ocelot/runtime';
import { createOnnxDetector } from '../detector.js';
import { ModelCardError } from '../errors.js';
import { resolveModelCard } from '../model-card.js';
import type { DetectorFactory } from '../registry.js';
import {
  parseUltralyticsConfig,
  ULTRALYTICS_END2END_DEFAULTS,
  ULTRALYTICS_V5_DEFAULTS,
  ULTRALYTICS_V8_DEFAULTS,
  type UltralyticsConfig,
} from './config.js';
import { decodeUltralytics, type UltralyticsDecodeParams } from './decode.js';

/** Tasks whose `output0` carries detect boxes (segment / pose add channels after the classes). */
const BOX_TASKS = ['detect', 'segment', 'pose'];

/**
 * Builds `ultralytics` detectors. Labels and input size come from the card, else from the
 * model's `names` / `imgsz` metadata; `stride` metadata, when present, must divide the input
 * size.
 */
export const createUltralyticsDetector: DetectorFactory<UltralyticsConfig> = (rawCard, context) => {
  const config = parseUltralyticsConfig(rawCard);
  return createOnnxDetector(context, (session) => {
    const meta = parseUltralyticsMetadata(session.metadata);
    const card = resolveModelCard(rawCard, {
      ...(meta.names !== undefined && { labels: meta.names }),
      ...(meta.imgsz !== undefined && { inputSize: meta.imgsz }),
    });
    if (meta.names !== undefined && card.labels.length !== meta.names.length) {
      throw new ModelCardError(
        card.id,
        'labels',
        `the card lists ${card.labels.length} labels but the model's names metadata has ${meta.names.length}`,
      );
    }
    if (
      meta.stride !== undefined &&
      (card.input.width % meta.stride !== 0 || card.input.height % meta.stride !== 0)
    ) {
      throw new ModelCardError(
        card.id,
        'input.width',
        `input ${card.input.width}×${card.input.height} is not a multiple of the model's stride ${meta.stride}`,
      );
    }
    if (meta.task !== undefined && !BOX_TASKS.includes(meta.task)) {
      throw new ModelCardError(
        card.id,
        'architecture.type',
        `the model's task is "${meta.task}"; the ultralytics decoder reads detect, segment and pose outputs`,
      );
    }
    const params: UltralyticsDecodeParams = {
      head: config.head,
      layout: config.layout,
      output: config.output,
      extraChannels:
        config.extraChannels ?? (meta.task === 'segment' || meta.task === 'pose' ? 'any' : 0),
    };
    return {
      card,
      session,
      decode: (outputs, ctx) => decodeUltralytics(outputs, ctx, params),
      defaults:
        config.head === 'v5'
          ? ULTRALYTICS_V5_DEFAULTS
          : config.head === 'end2end'
            ? ULTRALYTICS_END2END_DEFAULTS
            : ULTRALYTICS_V8_DEFAULTS,
      nms: config.head !== 'end2end',
    };
  });
};

export {
  parseUltralyticsConfig,
  type ResolvedUltralyticsConfig,
  ULTRALYTICS_END2END_DEFAULTS,
  ULTRALYTICS_V5_DEFAULTS,
  ULTRALYTICS_V8_DEFAULTS,
  type UltralyticsConfig,
  type UltralyticsHead,
} from './config.js';
export {
  decodeUltralytics,
  decodeUltralyticsDense,
  decodeUltralyticsEnd2End,
  type UltralyticsDecodeParams,
  ultralyticsLayout,
} from './decode.js';
