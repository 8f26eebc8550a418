/**
 * The single-session semantic segmenter `fcn`, `deeplabv3`, `lraspp` and `unet` build:
 * image → (resize / letterbox per the card, or tiles) → session.run → `decodeSemantic` → label
 * map at the original size.
 */
import { InvalidArgumentError } from '@ocelot/core';
import {
  type BuildContext,
  ModelCardError,
  type ModelCard,
  prepareInput,
  type ResolvedInputSpec,
  type ResolvedModelCard,
  resolveModelCard,
} from '@ocelot/detectors';
import { assertRgbImage, crop, letterboxToTensor, type RgbImage } from '@ocelot/image';
import type { Session, Tensor, TensorLike } from '@ocelot/runtime';
import { assertCardTask } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import type { SemanticSegmentation, SemanticSegmentOptions } from '../types.js';
import type { ResolvedSemanticHeadConfig } from './config.js';
import {
  binaryScoreThreshold,
  decodeSemantic,
  readScoreMap,
  restrictBinary,
  scoreActivation,
  type SemanticDecodeParams,
} from './decode.js';
import { type ResolvedSemanticOptions, resolveSemanticOptions } from './options.js';
import { TiledSegmentation } from './tiling.js';

export interface OnnxSemanticSegmenterParams {
  readonly card: ResolvedModelCard;
  readonly session: Session;
  readonly decode: SemanticDecodeParams;
  /** The architecture's defaults; the card's `defaults` override them. */
  readonly defaults?: SemanticSegmentOptions;
}

/** A semantic segmenter over one ONNX session. */
export class OnnxSemanticSegmenter implements SemanticSegmenter {
  readonly kind = 'semantic' as const;
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly session: Session;
  readonly #params: OnnxSemanticSegmenterParams;
  readonly #inputName: string;
  /**
   * The last input tensor's buffer, written again by the next `segment` instead of allocating
   * (and zero-filling) a new one: it only feeds `session.run`, never reaches the caller.
   */
  #inputBuffer: Float32Array | undefined;
  /** True while a `segment` uses `#inputBuffer`; an overlapping call allocates its own. */
  #inputBusy = false;

  constructor(params: OnnxSemanticSegmenterParams) {
    this.#params = params;
    this.card = params.card;
    this.session = params.session;
    this.classNames = params.card.labels;
    try {
      resolveSemanticOptions(this.classNames, this.#cardDefaults(), params.defaults);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new ModelCardError(
          this.card.id,
          error.argument.replace(/^options\./, 'defaults.'),
          error.message.replace(/^[^:]*: /, ''),
        );
      }
      throw error;
    }
    const inputName = params.card.input.name ?? params.session.inputs[0]?.name;
    if (inputName === undefined || !params.session.inputs.some((i) => i.name === inputName)) {
      throw new ModelCardError(
        params.card.id,
        'input.name',
        `the model has no input ${JSON.stringify(inputName)}; its inputs are ${params.session.inputs.map((i) => i.name).join(', ') || '(none)'}`,
      );
    }
    this.#inputName = inputName;
  }

  #cardDefaults(): SemanticSegmentOptions | undefined {
    return this.card.defaults as SemanticSegmentOptions | undefined;
  }

  async segment(image: RgbImage, options?: SemanticSegmentOptions): Promise<SemanticSegmentation> {
    assertRgbImage('image', image);
    const resolved = resolveSemanticOptions(
      this.classNames,
      options,
      this.#cardDefaults(),
      this.#params.defaults,
    );
    if (resolved.tile) return this.#segmentTiled(image, resolved);
    const own = !this.#inputBusy;
    let input: ReturnType<typeof prepareInput>;
    let outputs: Record<string, Tensor>;
    if (own) this.#inputBusy = true;
    try {
      input = prepareInput(image, this.card.input, own ? this.#inputBuffer : undefined);
      if (own) this.#inputBuffer = input.tensor.data;
      outputs = await this.session.run({ [this.#inputName]: tensorOf(input.tensor) });
    } finally {
      if (own) this.#inputBusy = false;
    }
    return decodeSemantic(
      outputs,
      {
        model: this.card.id,
        classNames: this.classNames,
        transform: input.transform,
        options: resolved,
      },
      this.#params.decode,
    );
  }

  /** Sliding-window inference at the image's own resolution (see tiling.ts). */
  async #segmentTiled(
    image: RgbImage,
    options: ResolvedSemanticOptions,
  ): Promise<SemanticSegmentation> {
    const decode = this.#params.decode;
    if (decode.values === 'labels') {
      throw new InvalidArgumentError(
        'options.tile',
        'tiles are blended on class scores; this model outputs labels (architecture.values "labels")',
      );
    }
    const spec = this.card.input;
    const tile = options.tile!;
    const overlap = tile.overlap ?? Math.floor(Math.min(spec.width, spec.height) / 4);
    let tiler: TiledSegmentation | undefined;
    let tiles = [{ x: 0, y: 0, width: 0, height: 0 }];
    for (let t = 0; t < tiles.length; t++) {
      const rect = tiler ? tiles[t]! : firstTile(image, spec);
      const input = tileInput(image, rect, spec);
      const outputs = await this.session.run({ [this.#inputName]: input });
      const scores = readScoreMap(this.card.id, outputs, decode, this.classNames.length);
      if (!tiler) {
        const activation = scoreActivation(decode, scores.channels);
        tiler = new TiledSegmentation(
          image.width,
          image.height,
          spec.width,
          spec.height,
          overlap,
          tile.blend,
          {
            channels: scores.channels,
            allowed: scores.channels === 1 ? undefined : options.allowed,
            binaryThreshold: binaryScoreThreshold(activation, options.threshold),
            ...(options.probabilities && {
              probabilities: { classes: options.probabilities, activation },
            }),
          },
        );
        tiles = [...tiler.tiles];
      }
      tiler.add(scores);
    }
    const result = tiler!.result();
    let present = result.classesPresent;
    const allowed = options.allowed;
    if (tiler!.channels === 1 && allowed !== undefined && allowed[0] !== allowed[1]) {
      restrictBinary(result.labelMap, allowed);
      present = Int32Array.of(allowed[1] === 1 ? 1 : 0);
    }
    return {
      labelMap: result.labelMap,
      imageSize: { width: image.width, height: image.height },
      classesPresent: present,
      classNames: this.classNames,
      ...(result.probabilities && { probabilities: result.probabilities }),
    };
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

function tensorOf(t: { data: Float32Array; dims: readonly number[] }): TensorLike {
  return { type: 'float32', data: t.data, dims: t.dims };
}

/** The first tile's rectangle (its size decides the plan, which needs no model output). */
function firstTile(
  image: RgbImage,
  spec: ResolvedInputSpec,
): { x: number; y: number; width: number; height: number } {
  return {
    x: 0,
    y: 0,
    width: Math.min(image.width, spec.width),
    height: Math.min(image.height, spec.height),
  };
}

/**
 * One tile as the model input: the crop at the input's top-left, never rescaled, padded right
 * and bottom (only when the image is smaller than the input) with the card's pad value
 * (default 0), normalised as the card says.
 */
export function tileInput(
  image: RgbImage,
  rect: { x: number; y: number; width: number; height: number },
  spec: ResolvedInputSpec,
): TensorLike {
  const tile = crop(image, rect).image;
  const { tensor } = letterboxToTensor(tile, {
    size: { width: spec.width, height: spec.height },
    center: false,
    scaleUp: false,
    padValue: spec.padValue ?? 0,
    ...(spec.scale !== undefined && { scale: spec.scale }),
    ...(spec.mean !== undefined && { mean: spec.mean }),
    ...(spec.std !== undefined && { std: spec.std }),
    ...(spec.channelOrder !== undefined && { channelOrder: spec.channelOrder }),
    ...(spec.layout !== undefined && { layout: spec.layout }),
  });
  return tensorOf(tensor);
}

/**
 * Builds an `OnnxSemanticSegmenter` for a card: checks the task, needs labels and the input
 * size in the card, opens `files.model`, and disposes the session if the card does not fit it.
 */
export async function createOnnxSemanticSegmenter(
  rawCard: ModelCard,
  context: BuildContext,
  head: ResolvedSemanticHeadConfig,
  defaults?: SemanticSegmentOptions,
): Promise<OnnxSemanticSegmenter> {
  assertCardTask(rawCard, 'segment');
  const card = resolveModelCard(rawCard);
  if (card.labels.length > 65536) {
    throw new ModelCardError(
      card.id,
      'labels',
      `at most 65536 classes fit a label map, got ${card.labels.length}`,
    );
  }
  const session = await context.loadSession('model');
  try {
    return new OnnxSemanticSegmenter({
      card,
      session,
      decode: head,
      ...(defaults !== undefined && { defaults }),
    });
  } catch (error) {
    await session.dispose();
    throw error;
  }
}
