/** YOLO-seg (Ultralytics v8 / YOLO11 segmentation exports): segmenter, factory, public surface. */
import type { Rle } from '@ocelot/core';
import {
  type BuildContext,
  ModelCardError,
  prepareInput,
  type ResolvedModelCard,
  resolveModelCard,
  ULTRALYTICS_V8_DEFAULTS,
} from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import { parseUltralyticsMetadata, type Session } from '@ocelot/runtime';
import type { ResolvedInstanceOptions } from '../instance/options.js';
import { assertCardTask, type SegmenterFactory } from '../registry.js';
import { InstanceSegmenterBase } from '../segmenter.js';
import type { InstanceSegmentation } from '../types.js';
import { parseYoloSegConfig, type ResolvedYoloSegConfig, type YoloSegConfig } from './config.js';
import { decodeYoloSegDetections, readPrototypes } from './decode.js';
import { protoMasks } from './masks.js';

/**
 * A YOLO-seg model: letterbox → session.run → detections (NMS) → prototype masks in original
 * pixels. Defaults are Ultralytics `predict`'s (conf 0.25, iou 0.7, max_det 300).
 */
export class YoloSegSegmenter extends InstanceSegmenterBase {
  readonly session: Session;
  readonly config: ResolvedYoloSegConfig;
  readonly #inputName: string;

  constructor(card: ResolvedModelCard, session: Session, config: ResolvedYoloSegConfig) {
    super(card, card.labels, ULTRALYTICS_V8_DEFAULTS);
    this.session = session;
    this.config = config;
    const inputName = card.input.name ?? session.inputs[0]?.name;
    if (inputName === undefined || !session.inputs.some((i) => i.name === inputName)) {
      throw new ModelCardError(
        card.id,
        'input.name',
        `the model has no input ${JSON.stringify(inputName)}; its inputs are ${session.inputs.map((i) => i.name).join(', ') || '(none)'}`,
      );
    }
    this.#inputName = inputName;
  }

  protected async segmentResolved(
    image: RgbImage,
    resolved: ResolvedInstanceOptions,
  ): Promise<InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>> {
    const input = prepareInput(image, this.card.input);
    const t = input.tensor;
    const outputs = await this.session.run({
      [this.#inputName]: { type: 'float32', data: t.data, dims: t.dims },
    });
    const model = this.card.id;
    const protos = readPrototypes(model, outputs, this.config.protoOutput);
    const det = decodeYoloSegDetections(
      outputs,
      {
        model,
        options: resolved.detect,
        inputSize: { width: input.transform.dstWidth, height: input.transform.dstHeight },
        numClasses: this.classNames.length,
        metadata: this.session.metadata,
      },
      this.config,
      protos.channels,
    );
    const boxes = input.transform.toImage(det.boxes, { clip: true });
    const masks = protoMasks(protos, det.coefficients, det.boxes, boxes, {
      mode: this.config.maskResolution,
      threshold: resolved.maskThreshold,
      transform: input.transform,
      format: resolved.maskFormat,
    });
    return {
      boxes,
      scores: det.scores,
      labels: det.labels,
      labelNames: Array.from(det.labels, (l) => this.classNames[l]!),
      imageSize: { width: image.width, height: image.height },
      masks,
    } as InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}

/**
 * Builds `yolo-seg` segmenters. Labels and the input size come from the card, else from the
 * model's `names` / `imgsz` metadata; a `stride` in the metadata must divide the input size;
 * a `task` in the metadata must be `segment`.
 */
export const createYoloSegSegmenter: SegmenterFactory<YoloSegConfig, YoloSegSegmenter> = async (
  rawCard,
  context: BuildContext,
) => {
  assertCardTask(rawCard, 'instance-segment');
  const config = parseYoloSegConfig(rawCard);
  const session = await context.loadSession('model');
  try {
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
    if (meta.task !== undefined && meta.task !== 'segment') {
      throw new ModelCardError(
        card.id,
        'architecture.type',
        `the model's task is "${meta.task}"; yolo-seg reads segment models`,
      );
    }
    return new YoloSegSegmenter(card, session, config);
  } catch (error) {
    await session.dispose();
    throw error;
  }
};

export { resolveInstanceOptionsForCard } from '../segmenter.js';
export { parseYoloSegConfig, type ResolvedYoloSegConfig, type YoloSegConfig } from './config.js';
export {
  decodeYoloSegDetections,
  type Prototypes,
  readPrototypes,
  type YoloSegDecodeParams,
  type YoloSegDetections,
} from './decode.js';
export { type ProtoMaskParams, protoMasks } from './masks.js';
