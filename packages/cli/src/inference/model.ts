/**
 * One loaded model of any task behind one interface: a detector (`detect` cards), a semantic
 * segmenter or an instance segmenter (`segment` / `instance-segment` cards, told apart by the
 * segmenter's `kind`). Sessions are wrapped so every prediction reports how its time split
 * between pre-processing, the network (`session.run`, summed over every graph of a composed
 * model) and post-processing.
 */
import { dirname } from 'node:path';
import { OcelotError, type Rle } from '@ocelot/core';
import {
  type BuildContext,
  buildDetector,
  createBuildContext,
  createDetectorRegistry,
  type Detections,
  type DetectOptions,
  type Detector,
  type ModelCard,
  registerBuiltins as registerDetectorBuiltins,
  type ResolvedModelCard,
} from '@ocelot/detectors';
import { loadModelCard } from '@ocelot/detectors/node';
import type { RgbImage } from '@ocelot/image';
import {
  type CreateSessionOptions,
  RunClock,
  type Session,
  type StageTimings,
  timedSession,
} from '@ocelot/runtime';
import {
  buildSegmenter,
  createSegmenterRegistry,
  type InstanceSegmentation,
  type InstanceSegmentOptions,
  registerBuiltins as registerSegmenterBuiltins,
  type Segmenter,
  type SemanticSegmentation,
  type SemanticSegmentOptions,
} from '@ocelot/segmenters';

/** What a model does with an image. */
export type ModelKind = 'detect' | 'semantic' | 'instance';

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  /** Execution providers by preference (default `['cpu']`). */
  readonly providers?: readonly string[];
  /** Intra-op threads per session (default 1). */
  readonly threads?: number;
  /** Square network input size overriding the card's (`--imgsz`). */
  readonly imgsz?: number;
  /** Receives onnxruntime warnings (default: dropped). */
  readonly onWarning?: (message: string) => void;
}

/** Per-call options of every task; each task reads the ones it knows. */
export interface PredictOptions {
  readonly scoreThreshold?: number;
  readonly iouThreshold?: number;
  readonly maxDetections?: number;
  readonly classes?: readonly (number | string)[];
  readonly classAgnostic?: boolean;
  /** Instance masks: foreground when the probability is greater. */
  readonly maskThreshold?: number;
  /** Semantic: sliding-window inference at the image's own resolution. */
  readonly tile?: boolean;
}

/** Milliseconds of one prediction (the runtime's stage split). */
export type PredictTiming = StageTimings;

/** The result of one prediction, by task. */
export type Prediction =
  | { readonly kind: 'detect'; readonly detections: Detections; readonly timing: PredictTiming }
  | {
      readonly kind: 'instance';
      readonly segmentation: InstanceSegmentation<Rle>;
      readonly timing: PredictTiming;
    }
  | {
      readonly kind: 'semantic';
      readonly segmentation: SemanticSegmentation;
      readonly timing: PredictTiming;
    };

/** A model ready to predict. */
export interface LoadedModel {
  readonly kind: ModelKind;
  /** The card with labels and input size filled in. */
  readonly card: ResolvedModelCard;
  readonly cardPath: string;
  readonly classNames: readonly string[];
  /** The execution provider of the (first) session. */
  readonly executionProvider: string;
  predict(image: RgbImage, options?: PredictOptions): Promise<Prediction>;
  dispose(): Promise<void>;
}

/** The task a card performs, as `ocelot` names it. */
export function cardKind(card: ModelCard): 'detect' | 'segment' {
  return card.task === 'detect' ? 'detect' : 'segment';
}

/**
 * Loads a card and builds its model.
 * @param cardPath path of `model.json`
 * @throws ModelCardError (card), UnknownRegistryEntryError (architecture), the runtime's
 *   ModelLoadError / ChecksumMismatchError (files)
 */
export async function openModel(
  cardPath: string,
  options: OpenModelOptions = {},
): Promise<LoadedModel> {
  let card = await loadModelCard(cardPath);
  if (options.imgsz !== undefined) {
    card = { ...card, input: { ...card.input, width: options.imgsz, height: options.imgsz } };
  }
  const sessions: Session[] = [];
  const clock = new RunClock();
  const sessionOptions: CreateSessionOptions = {
    executionProviders: options.providers ?? ['cpu'],
    threads: options.threads ?? 1,
    onWarning: options.onWarning ?? (() => {}),
  };
  const base = createBuildContext(card, { base: dirname(cardPath), session: sessionOptions });
  const context: BuildContext = {
    async loadSession(role) {
      const session = await base.loadSession(role);
      sessions.push(session);
      return timedSession(session, clock);
    },
  };

  const timed = async <T>(call: () => Promise<T>): Promise<{ value: T; timing: PredictTiming }> => {
    clock.begin();
    const value = await call();
    return { value, timing: clock.end() };
  };
  const provider = () => sessions[0]?.executionProvider ?? 'unknown';

  if (card.task === 'detect') {
    const detector: Detector = await buildDetector(
      registerDetectorBuiltins(createDetectorRegistry()),
      card,
      context,
    );
    return {
      kind: 'detect',
      card: detector.card,
      cardPath,
      classNames: detector.classNames,
      executionProvider: provider(),
      async predict(image, o = {}) {
        const { value, timing } = await timed(() => detector.detect(image, detectOptions(o)));
        return { kind: 'detect', detections: value, timing };
      },
      dispose: () => detector.dispose(),
    };
  }
  const segmenter: Segmenter = await buildSegmenter(
    registerSegmenterBuiltins(createSegmenterRegistry()),
    card,
    context,
  );
  if (segmenter.kind === 'semantic') {
    return {
      kind: 'semantic',
      card: segmenter.card,
      cardPath,
      classNames: segmenter.classNames,
      executionProvider: provider(),
      async predict(image, o = {}) {
        const semantic: SemanticSegmentOptions = {
          ...(o.classes !== undefined && { classes: o.classes }),
          ...(o.tile === true && { tile: true }),
        };
        const { value, timing } = await timed(() => segmenter.segment(image, semantic));
        return { kind: 'semantic', segmentation: value, timing };
      },
      dispose: () => segmenter.dispose(),
    };
  }
  return {
    kind: 'instance',
    card: segmenter.card,
    cardPath,
    classNames: segmenter.classNames,
    executionProvider: provider(),
    async predict(image, o = {}) {
      const instance: InstanceSegmentOptions & { maskFormat: 'rle' } = {
        ...detectOptions(o),
        ...(o.maskThreshold !== undefined && { maskThreshold: o.maskThreshold }),
        maskFormat: 'rle',
      };
      const { value, timing } = await timed(() => segmenter.segment(image, instance));
      return { kind: 'instance', segmentation: value, timing };
    },
    dispose: () => segmenter.dispose(),
  };
}

function detectOptions(o: PredictOptions): DetectOptions {
  return {
    ...(o.scoreThreshold !== undefined && { scoreThreshold: o.scoreThreshold }),
    ...(o.iouThreshold !== undefined && { iouThreshold: o.iouThreshold }),
    ...(o.maxDetections !== undefined && { maxDetections: o.maxDetections }),
    ...(o.classes !== undefined && { classes: o.classes }),
    ...(o.classAgnostic !== undefined && { classAgnostic: o.classAgnostic }),
  };
}

/**
 * Index of the background class when the model has one at index 0 (`background`,
 * `__background__`, `bg`), else -1. Semantic models label it; detectors do not report it.
 */
export function backgroundIndex(classNames: readonly string[]): number {
  const first = classNames[0]?.toLowerCase();
  return first === 'background' || first === '__background__' || first === 'bg' ? 0 : -1;
}

/**
 * COCO category id of each class: the card's `labelIds` when present; otherwise 1, 2, … over
 * the classes that are not background (background, when the model has one, gets 0).
 */
export function categoryIds(model: Pick<LoadedModel, 'card' | 'classNames'>): number[] {
  const ids = model.card.labelIds;
  if (ids !== undefined && ids.length === model.classNames.length) return [...ids];
  const bg = backgroundIndex(model.classNames);
  return model.classNames.map((_, i) => (bg === 0 ? i : i + 1));
}

/** An error raised in a worker or while predicting one image, with the file it concerns. */
export class ImageFailedError extends OcelotError {
  readonly file: string;
  constructor(file: string, message: string, code = 'E_IMAGE_FAILED') {
    super(code, message);
    this.file = file;
  }
}
