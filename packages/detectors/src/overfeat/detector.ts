/**
 * The OverFeat-style detector: the fully convolutional classifier over whole pyramid levels.
 *
 *   image ─card resize─▶ base ─pyramid─▶ level [1,3,H,W] ─FCN─▶ scores [1,K+1,h,w], deltas
 *         ─projectScoreMap (cell → receptive field, base px)─▶ windows ─decodeWindowScores─▶
 *         candidates ─NMS, or OverFeat merging─▶ detections (image px)
 *
 * One network run per level replaces thousands of crop runs: neighbouring windows share the
 * convolutions. Cell (i, j) of a level is exactly the crop classifier on that window when the
 * network has no padding (tested in overfeat.test.ts).
 */
import { projectScoreMap, type ReceptiveField } from '@ocelot/backbones';
import type { RgbImage } from '@ocelot/image';
import type { Session, Tensor } from '@ocelot/runtime';
import type { Detector } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import type { ResolvedModelCard } from '../model-card.js';
import { formatDims, readFloat32Output } from '../outputs.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import { imageTensor, inputNormalization, prepareBaseImage } from '../sliding-window/base.js';
import { decodeWindowScores } from '../sliding-window/decode.js';
import { concatCandidates } from '../sliding-window/detector.js';
import { imagePyramid, type PyramidLevel } from '../sliding-window/pyramid.js';
import type { Candidates, Detections, DetectOptions, ResolvedDetectOptions } from '../types.js';
import { OVERFEAT_DEFAULTS, type ResolvedOverFeatConfig } from './config.js';
import { overfeatMerge } from './merge.js';

/** What one run did, besides the detections. */
export interface OverFeatResult {
  readonly detections: Detections;
  /** Output cells (windows) scored, over all levels. */
  readonly windows: number;
  /** Milliseconds: `pyramid`, `network`, `decode`, `postprocess`. */
  readonly timings: Readonly<Record<string, number>>;
}

/** The receptive field a config describes (square). */
export function configField(config: ResolvedOverFeatConfig): ReceptiveField {
  const axis = { size: config.receptiveField, stride: config.stride, offset: config.offset };
  return { x: axis, y: axis };
}

/**
 * Decodes one level's raw outputs (pure): cells → windows in base pixels → candidates.
 * @param scores [1, K+1, h, w] logits
 * @param deltas [1, 4, h, w] or [1, 4·(K+1), h, w], or undefined for window boxes
 * @throws ModelOutputError when the maps' sizes disagree
 */
export function decodeOverFeatLevel(
  model: string,
  scores: { readonly name: string; readonly data: Float32Array; readonly dims: readonly number[] },
  deltas:
    | { readonly name: string; readonly data: Float32Array; readonly dims: readonly number[] }
    | undefined,
  level: Pick<PyramidLevel, 'scaleX' | 'scaleY'>,
  field: ReceptiveField,
  params: {
    readonly numClasses: number;
    readonly backgroundClass: number;
    readonly options: Pick<ResolvedDetectOptions, 'scoreThreshold' | 'allowed'>;
    readonly boxCoderWeights: ResolvedOverFeatConfig['boxCoderWeights'];
  },
): Candidates {
  const d = scores.dims;
  if (d.length !== 4 || d[0] !== 1 || d[1] !== params.numClasses + 1) {
    throw new ModelOutputError(
      model,
      scores.name,
      `expected [1, ${params.numClasses + 1}, h, w] (${params.numClasses} classes + background), got ${formatDims(d)}`,
    );
  }
  if (deltas !== undefined) {
    const dd = deltas.dims;
    if (dd.length !== 4 || dd[0] !== 1 || dd[2] !== d[2] || dd[3] !== d[3]) {
      throw new ModelOutputError(
        model,
        deltas.name,
        `expected [1, 4 or ${4 * (params.numClasses + 1)}, ${d[2]}, ${d[3]}] to match the scores, got ${formatDims(dd)}`,
      );
    }
  }
  const mapping = { scaleX: level.scaleX, scaleY: level.scaleY, offsetX: 0, offsetY: 0 };
  const cells = projectScoreMap({ data: scores.data, dims: d }, field, mapping);
  const codes =
    deltas === undefined
      ? undefined
      : projectScoreMap({ data: deltas.data, dims: deltas.dims }, field, mapping).scores;
  return decodeWindowScores(cells.scores, cells.boxes, codes, {
    model,
    numClasses: params.numClasses,
    backgroundClass: params.backgroundClass,
    options: params.options,
    boxCoderWeights: params.boxCoderWeights,
    names: { scores: scores.name, ...(deltas && { deltas: deltas.name }) },
  });
}

export class OverFeatDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly session: Session;
  readonly config: ResolvedOverFeatConfig;
  readonly field: ReceptiveField;
  readonly #inputName: string;

  constructor(params: {
    readonly card: ResolvedModelCard;
    readonly session: Session;
    readonly config: ResolvedOverFeatConfig;
  }) {
    this.card = params.card;
    this.session = params.session;
    this.config = params.config;
    this.classNames = params.card.labels;
    this.field = configField(params.config);
    const inputName = params.card.input.name ?? params.session.inputs[0]?.name;
    if (inputName === undefined || !params.session.inputs.some((i) => i.name === inputName)) {
      throw new ModelCardError(
        params.card.id,
        'input.name',
        `the network has no input ${JSON.stringify(inputName)}`,
      );
    }
    this.#inputName = inputName;
  }

  /** Runs the network on one level: raw outputs by name. */
  async runLevel(level: PyramidLevel): Promise<Record<string, Tensor>> {
    const tensor = imageTensor(level.image, inputNormalization(this.card.input));
    return this.session.run({ [this.#inputName]: { type: 'float32', ...tensor } });
  }

  /**
   * Detects objects and reports the windows scored and stage timings.
   * @param image [H,W,3] uint8 RGB
   */
  async run(image: RgbImage, options?: DetectOptions): Promise<OverFeatResult> {
    const { card, config, classNames } = this;
    const resolved = resolveDetectOptions(classNames, options, card.defaults, OVERFEAT_DEFAULTS);
    const timings: Record<string, number> = { network: 0, decode: 0 };
    let t = performance.now();
    const base = prepareBaseImage(image, card.input);
    const levels = imagePyramid(base.image, config.scales, config.receptiveField);
    const table = inputNormalization(card.input);
    timings.pyramid = performance.now() - t;
    const parts: Candidates[] = [];
    let windows = 0;
    for (const level of levels) {
      t = performance.now();
      const tensor = imageTensor(level.image, table);
      const outputs = await this.session.run({
        [this.#inputName]: { type: 'float32', ...tensor },
      });
      timings.network! += performance.now() - t;
      t = performance.now();
      const scores = readFloat32Output(
        card.id,
        outputs,
        [config.scoresOutput, 0],
        4,
        '[1, K+1, h, w]',
      );
      const deltas = config.regressBoxes
        ? readFloat32Output(card.id, outputs, [config.deltasOutput, 1], 4, '[1, 4, h, w]')
        : undefined;
      windows += (scores.dims[2] ?? 0) * (scores.dims[3] ?? 0);
      parts.push(
        decodeOverFeatLevel(card.id, scores, deltas, level, this.field, {
          numClasses: classNames.length,
          backgroundClass: config.backgroundClass,
          options: resolved,
          boxCoderWeights: config.boxCoderWeights,
        }),
      );
      timings.decode! += performance.now() - t;
    }
    t = performance.now();
    let candidates = concatCandidates(parts);
    if (config.merge === 'overfeat') {
      candidates = overfeatMerge(candidates, resolved.iouThreshold, resolved.classAgnostic);
    }
    const detections = finalizeDetections(
      card.id,
      candidates,
      resolved,
      base.transform,
      classNames,
      {
        nms: config.merge !== 'overfeat',
      },
    );
    timings.postprocess = performance.now() - t;
    return { detections, windows, timings };
  }

  async detect(image: RgbImage, options?: DetectOptions): Promise<Detections> {
    return (await this.run(image, options)).detections;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
