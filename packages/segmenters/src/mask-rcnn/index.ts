/**
 * Mask R-CNN on the composed Faster R-CNN of @ocelot/detectors: the detections' FINAL boxes
 * (network-input pixels) are pooled with `multiScaleRoIAlign` (14×14, sampling ratio 2, the
 * card's `roiHeads.mask`), run through `mask_head.onnx`, and the predicted class's mask is
 * sigmoided and pasted into the image (decode.ts).
 */
import { MultiScaleRoIAlign, type Rle, type TensorView } from '@ocelot/core';
import {
  type BuildContext,
  FASTER_RCNN_DEFAULTS,
  type FasterRCNN,
  fasterRcnnFromSessions,
  loadSessions,
  ModelCardError,
  ModelOutputError,
  type ResolvedModelCard,
  readFloat32Output,
  resolveModelCard,
} from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import type { Session } from '@ocelot/runtime';
import type { ResolvedInstanceOptions } from '../instance/options.js';
import { assertCardTask, type SegmenterFactory } from '../registry.js';
import { InstanceSegmenterBase } from '../segmenter.js';
import type { InstanceSegmentation } from '../types.js';
import { type MaskRcnnConfig, parseMaskRcnnConfig, type ResolvedMaskRcnnConfig } from './config.js';
import { maskProbabilities, pasteInstanceMasks } from './decode.js';

/** The file roles a `mask-rcnn` card lists. */
export const MASK_RCNN_FILE_ROLES = ['backbone', 'rpnHead', 'boxHead', 'maskHead'] as const;

/** A mask head: RoI-aligned features in, mask logits out. */
export interface MaskHeadRunner {
  /**
   * @param maskFeatures [K, C, S, S]
   * @returns [K, classes+1, M, M] mask logits
   */
  run(maskFeatures: TensorView<Float32Array>): Promise<TensorView<Float32Array>>;
  dispose?(): Promise<void>;
}

/** A `mask_head.onnx` graph (`mask_features` → `mask_logits`) as a {@link MaskHeadRunner}. */
export function sessionMaskHead(session: Session, model: string): MaskHeadRunner {
  const inputName = session.inputs[0]?.name ?? 'mask_features';
  return {
    async run(maskFeatures) {
      const outputs = await session.run({
        [inputName]: { type: 'float32', data: maskFeatures.data, dims: maskFeatures.dims },
      });
      const out = readFloat32Output(model, outputs, ['mask_logits', 0], 4, '[K, classes+1, M, M]');
      return { data: out.data, dims: out.dims };
    },
    dispose: () => session.dispose(),
  };
}

/** Instance segmentation with torchvision 0.14's Mask R-CNN, one image at a time. */
export class MaskRcnnSegmenter extends InstanceSegmenterBase {
  /** The composed Faster R-CNN (run it directly for proposals, features and timings). */
  readonly model: FasterRCNN;
  readonly maskHead: MaskHeadRunner;
  readonly maskPool: MultiScaleRoIAlign;
  readonly maskFeatureNames: readonly string[];

  constructor(
    card: ResolvedModelCard,
    model: FasterRCNN,
    maskHead: MaskHeadRunner,
    config: ResolvedMaskRcnnConfig,
  ) {
    const h = config.fasterRcnn.roiHeads;
    super(card, model.classNames, {
      ...FASTER_RCNN_DEFAULTS,
      scoreThreshold: h.scoreThresh,
      iouThreshold: h.nmsThresh,
      maxDetections: h.detectionsPerImg,
    });
    this.model = model;
    this.maskHead = maskHead;
    const m = config.mask;
    for (const n of m.featureNames) {
      if (!model.backbone.outputNames.includes(n)) {
        throw new ModelCardError(
          card.id,
          'architecture.roiHeads.mask.featureNames',
          `"${n}" is not a backbone output (${model.backbone.outputNames.join(', ')})`,
        );
      }
    }
    this.maskFeatureNames = m.featureNames;
    this.maskPool = new MultiScaleRoIAlign({
      outputSize: m.outputSize,
      samplingRatio: m.samplingRatio,
      canonicalScale: m.canonicalScale,
      canonicalLevel: m.canonicalLevel,
    });
  }

  protected async segmentResolved(
    image: RgbImage,
    o: ResolvedInstanceOptions,
  ): Promise<InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>> {
    const r = await this.model.run(image, {
      scoreThresh: o.detect.scoreThreshold,
      nmsThresh: o.detect.iouThreshold,
      detectionsPerImg: o.detect.maxDetections,
      allowed: o.detect.allowed,
      classAgnostic: o.detect.classAgnostic,
    });
    const det = r.detections;
    const D = det.labels.length;
    let masks: Rle[] | Uint8Array[] = [];
    if (D > 0) {
      // 1. RoI Align of the final boxes (network-input pixels) on the mask pooler's levels
      const pooled = this.maskPool.forward(
        this.maskFeatureNames.map((n) => r.features[n]!),
        [r.inputDetections.boxes],
        [r.input.imageSize],
      );
      // 2. mask head → 3. the predicted class's sigmoid → 4. pasted into the original image
      const graph = `${this.card.id}/maskHead`;
      const logits = await this.maskHead.run(pooled);
      const probs = maskProbabilities(graph, logits, det.labels, this.classNames.length);
      masks = pasteInstanceMasks(probs, det.boxes, det.imageSize, o.maskThreshold, o.maskFormat);
    }
    return { ...det, masks } as InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.model.dispose(), this.maskHead.dispose?.()]);
  }
}

/**
 * Builds `mask-rcnn` segmenters from a card with `backbone`, `rpnHead`, `boxHead` and
 * `maskHead` files (tooling/python/export/torchvision_rcnn_split.py writes them).
 */
export const createMaskRcnnSegmenter: SegmenterFactory<MaskRcnnConfig, MaskRcnnSegmenter> = async (
  card,
  context: BuildContext,
) => {
  assertCardTask(card, 'instance-segment');
  const config = parseMaskRcnnConfig(card);
  const t = config.fasterRcnn.transform;
  const resolved = resolveModelCard(card, {
    inputSize: t.fixedSize ?? { width: t.maxSize, height: t.maxSize },
  });
  for (const role of MASK_RCNN_FILE_ROLES) {
    if (card.files[role] === undefined) {
      throw new ModelCardError(
        card.id,
        `files.${role}`,
        `missing; mask-rcnn needs ${MASK_RCNN_FILE_ROLES.join(', ')} (the card has ${Object.keys(card.files).join(', ')})`,
      );
    }
  }
  const sessions = await loadSessions(context, MASK_RCNN_FILE_ROLES);
  try {
    if (
      !sessions.maskHead.outputs.some((x) => x.name === 'mask_logits') &&
      sessions.maskHead.outputs.length !== 1
    ) {
      throw new ModelOutputError(
        `${card.id}/maskHead`,
        'mask_logits',
        `missing; the mask head returns ${sessions.maskHead.outputs.map((x) => x.name).join(', ') || 'nothing'}`,
      );
    }
    const model = fasterRcnnFromSessions(
      card.id,
      card,
      config.fasterRcnn,
      sessions,
      resolved.labels,
    );
    return new MaskRcnnSegmenter(
      resolved,
      model,
      sessionMaskHead(sessions.maskHead, `${card.id}/maskHead`),
      config,
    );
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.dispose()));
    throw error;
  }
};

export { type MaskRcnnConfig, parseMaskRcnnConfig, type ResolvedMaskRcnnConfig } from './config.js';
export { maskProbabilities, pasteInstanceMasks } from './decode.js';
