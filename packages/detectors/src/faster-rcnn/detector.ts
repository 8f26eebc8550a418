/**
 * The registry face of Faster R-CNN: a `Detector` built from a `faster-rcnn` model card whose
 * files are `backbone`, `rpnHead` and `boxHead` graphs.
 */
import { AnchorGenerator, InvalidArgumentError } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import type { Session } from '@ocelot/runtime';
import type { Detector } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { type ModelCard, type ResolvedModelCard, resolveModelCard } from '../model-card.js';
import { resolveDetectOptions } from '../postprocess.js';
import type { BuildContext, DetectorFactory } from '../registry.js';
import { RcnnBoxCoder } from '../two-stage/box-coder.js';
import { TorchvisionRoIPooler } from '../two-stage/pooler.js';
import { sessionBackbone, sessionBoxHead, sessionRpnHead } from '../two-stage/heads.js';
import type { Detections, DetectOptions } from '../types.js';
import {
  FASTER_RCNN_DEFAULTS,
  type FasterRcnnConfig,
  parseFasterRcnnConfig,
  type ResolvedFasterRcnnConfig,
} from './config.js';
import { FasterRCNN, type FasterRCNNResult, type FasterRCNNRunOptions } from './faster-rcnn.js';

/** The file roles a `faster-rcnn` card lists. */
export const FASTER_RCNN_FILE_ROLES = ['backbone', 'rpnHead', 'boxHead'] as const;

/** A `Detector` over a composed {@link FasterRCNN}. */
export class FasterRcnnDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  /** The composed model: run it directly for proposals, features and timings. */
  readonly model: FasterRCNN;
  readonly #defaults: DetectOptions;

  constructor(card: ResolvedModelCard, model: FasterRCNN, defaults: DetectOptions) {
    this.card = card;
    this.model = model;
    this.classNames = model.classNames;
    this.#defaults = defaults;
    try {
      resolveDetectOptions(this.classNames, card.defaults);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new ModelCardError(
          card.id,
          error.argument.replace(/^options\./, 'defaults.'),
          error.message.replace(/^[^:]*: /, ''),
        );
      }
      throw error;
    }
  }

  /** Per-call options mapped onto the box head (`preNmsTopK` does not apply: RPN settings are in the card). */
  runOptions(options?: DetectOptions): FasterRCNNRunOptions {
    const o = resolveDetectOptions(this.classNames, options, this.card.defaults, this.#defaults);
    return {
      scoreThresh: o.scoreThreshold,
      nmsThresh: o.iouThreshold,
      detectionsPerImg: o.maxDetections,
      allowed: o.allowed,
      classAgnostic: o.classAgnostic,
    };
  }

  async detect(image: RgbImage, options?: DetectOptions): Promise<Detections> {
    return (await this.model.run(image, this.runOptions(options))).detections;
  }

  /** `detect` with every intermediate result (proposals, features, timings). */
  run(
    image: RgbImage,
    options?: DetectOptions & Pick<FasterRCNNRunOptions, 'proposals' | 'proposalSpace'>,
  ): Promise<FasterRCNNResult> {
    const { proposals, proposalSpace, ...detect } = options ?? {};
    return this.model.run(image, {
      ...this.runOptions(detect),
      ...(proposals !== undefined && { proposals }),
      ...(proposalSpace !== undefined && { proposalSpace }),
    });
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

function checkSignatures(
  id: string,
  sessions: { backbone: Session; rpnHead: Session; boxHead: Session },
  featureNames: readonly string[],
): void {
  const outs = (s: Session) => s.outputs.map((o) => o.name);
  const rpnInputs = sessions.rpnHead.inputs.map((i) => i.name);
  const perLevel = rpnInputs.length === 1 && !featureNames.includes(rpnInputs[0]!);
  const need = perLevel
    ? ['objectness', 'bbox_deltas']
    : featureNames.flatMap((n) => [`objectness_${n}`, `bbox_deltas_${n}`]);
  for (const o of need) {
    if (!outs(sessions.rpnHead).includes(o)) {
      throw new ModelOutputError(
        `${id}/rpnHead`,
        o,
        `missing; the RPN head returns ${outs(sessions.rpnHead).join(', ')}`,
      );
    }
  }
  if (!perLevel) {
    for (const name of featureNames) {
      if (!rpnInputs.includes(name)) {
        throw new ModelOutputError(
          `${id}/rpnHead`,
          name,
          `the RPN head has no input for feature map "${name}" (its inputs are ${rpnInputs.join(', ')})`,
        );
      }
    }
  }
  const box = outs(sessions.boxHead);
  if (box.length < 2) {
    throw new ModelOutputError(
      `${id}/boxHead`,
      'class_logits, box_regression',
      `missing; the box head returns ${box.join(', ') || 'nothing'}`,
    );
  }
}

/**
 * Builds a {@link FasterRCNN} from a parsed config and the three opened graphs.
 * @param id model id used in error messages
 */
export function fasterRcnnFromSessions(
  id: string,
  card: ModelCard,
  config: ResolvedFasterRcnnConfig,
  sessions: { backbone: Session; rpnHead: Session; boxHead: Session },
  classNames: readonly string[],
): FasterRCNN {
  const backbone = sessionBackbone(sessions.backbone, `${id}/backbone`, {
    ...(config.featureNames !== undefined && { outputNames: config.featureNames }),
    ...(card.input.name !== undefined && { inputName: card.input.name }),
  });
  checkSignatures(id, sessions, backbone.outputNames);
  const layout = card.input.layout ?? 'nchw';
  if (layout !== 'nchw') {
    throw new ModelCardError(
      id,
      'input.layout',
      `faster-rcnn graphs take nchw input, got ${layout}`,
    );
  }
  const mean = card.input.mean;
  const std = card.input.std;
  const triple = (v: number | readonly number[] | undefined) =>
    v === undefined ? undefined : typeof v === 'number' ? [v, v, v] : v;
  const clip = config.bboxXformClip;
  const pool = config.roiHeads;
  return new FasterRCNN({
    name: id,
    classNames,
    backbone,
    transform: {
      minSize: config.transform.minSize,
      maxSize: config.transform.maxSize,
      sizeDivisible: config.transform.sizeDivisible,
      ...(config.transform.fixedSize !== undefined && { fixedSize: config.transform.fixedSize }),
      ...(card.input.scale !== undefined && { scale: card.input.scale }),
      ...(mean !== undefined && { mean: triple(mean)! }),
      ...(std !== undefined && { std: triple(std)! }),
      ...(card.input.channelOrder !== undefined && { channelOrder: card.input.channelOrder }),
    },
    rpn: {
      head: sessionRpnHead(sessions.rpnHead, `${id}/rpnHead`),
      anchorGenerator: new AnchorGenerator(config.anchors),
      boxCoder: new RcnnBoxCoder(config.rpn.boxCoderWeights, clip),
      preNmsTopN: config.rpn.preNmsTopN,
      postNmsTopN: config.rpn.postNmsTopN,
      nmsThresh: config.rpn.nmsThresh,
      scoreThresh: config.rpn.scoreThresh,
      minSize: config.rpn.minSize,
    },
    roiHeads: {
      boxHead: sessionBoxHead(sessions.boxHead, `${id}/boxHead`),
      featureNames: pool.featureNames,
      boxRoiPool: new TorchvisionRoIPooler({
        outputSize: pool.outputSize,
        samplingRatio: pool.samplingRatio,
        canonicalScale: pool.canonicalScale,
        canonicalLevel: pool.canonicalLevel,
      }),
      boxCoder: new RcnnBoxCoder(pool.boxCoderWeights, clip),
      scoreThresh: pool.scoreThresh,
      nmsThresh: pool.nmsThresh,
      detectionsPerImg: pool.detectionsPerImg,
    },
  });
}

/** Opens the card's graphs by role; disposes those already open if one fails. */
export async function loadSessions<R extends string>(
  context: BuildContext,
  roles: readonly R[],
): Promise<Record<R, Session>> {
  const opened: Partial<Record<R, Session>> = {};
  try {
    for (const role of roles) opened[role] = await context.loadSession(role);
  } catch (error) {
    await Promise.all(Object.values<Session | undefined>(opened).map((s) => s?.dispose()));
    throw error;
  }
  return opened as Record<R, Session>;
}

/**
 * Builds `faster-rcnn` detectors: torchvision 0.14's test-time Faster R-CNN over the card's
 * `backbone`, `rpnHead` and `boxHead` graphs (defaults: score > 0.05, IoU 0.5, 100 per image,
 * or the card's `architecture.roiHeads`).
 */
export const createFasterRcnnDetector: DetectorFactory<FasterRcnnConfig> = async (
  card,
  context,
) => {
  const config = parseFasterRcnnConfig(card);
  const t = config.transform;
  const side = t.fixedSize ?? { width: t.maxSize, height: t.maxSize };
  const resolved = resolveModelCard(card, { inputSize: side });
  for (const role of FASTER_RCNN_FILE_ROLES) {
    if (card.files[role] === undefined) {
      throw new ModelCardError(
        card.id,
        `files.${role}`,
        `missing; faster-rcnn needs ${FASTER_RCNN_FILE_ROLES.join(', ')} (the card has ${Object.keys(card.files).join(', ')})`,
      );
    }
  }
  const sessions = await loadSessions(context, FASTER_RCNN_FILE_ROLES);
  try {
    const model = fasterRcnnFromSessions(card.id, card, config, sessions, resolved.labels);
    return new FasterRcnnDetector(resolved, model, {
      ...FASTER_RCNN_DEFAULTS,
      scoreThreshold: config.roiHeads.scoreThresh,
      iouThreshold: config.roiHeads.nmsThresh,
      maxDetections: config.roiHeads.detectionsPerImg,
    });
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.dispose()));
    throw error;
  }
};
