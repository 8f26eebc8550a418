import type { ImageSize } from '@ocelot/core';
import { InvalidArgumentError } from '@ocelot/core';
import type { RgbImage, TensorResult } from '@ocelot/image';
import type { Session, Tensor, TensorLike } from '@ocelot/runtime';
import { ModelCardError } from './errors.js';
import type { ResolvedModelCard } from './model-card.js';
import { finalizeDetections, resolveDetectOptions } from './postprocess.js';
import { prepareInput } from './preprocess.js';
import type { Candidates, Detections, DetectOptions, ResolvedDetectOptions } from './types.js';

/** A ready-to-use detector: image in, detections in original pixels out. */
export interface Detector {
  /** The card with labels and input size filled in (from the model when the card left them out). */
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  /**
   * Detects objects in one image.
   * @param image [H,W,3] uint8 RGB
   * @returns detections sorted by decreasing score, boxes in `image` pixels
   */
  detect(image: RgbImage, options?: DetectOptions): Promise<Detections>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What a pure decode gets besides the raw outputs. */
export interface DecodeContext {
  /** Model id, for error messages. */
  readonly model: string;
  readonly options: ResolvedDetectOptions;
  /** Size of the network input in pixels (the space candidate boxes are in). */
  readonly inputSize: ImageSize;
  /**
   * Size of the resized image inside the input, before padding (torchvision's `image_sizes`,
   * what its detectors clip boxes to). Equals `inputSize` for `stretch`; smaller for a padded
   * `torchvision` transform or a letterbox. Absent means `inputSize`.
   */
  readonly resizedSize?: ImageSize;
  readonly numClasses: number;
  /** ONNX metadata_props (e.g. Ultralytics `names`, `stride`). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** An architecture's decode: raw outputs → pre-filtered candidates in model-input pixels. */
export type DecodeFn = (
  outputs: Readonly<Record<string, Tensor>>,
  context: DecodeContext,
) => Candidates;

export interface OnnxDetectorParams {
  readonly card: ResolvedModelCard;
  readonly session: Session;
  readonly decode: DecodeFn;
  /** The architecture's defaults (e.g. torchvision's score/NMS thresholds); the card overrides. */
  readonly defaults?: DetectOptions;
  /** `false` for set-prediction models. Default true. */
  readonly nms?: boolean;
  /** Feeds besides the image (e.g. DETR-style `orig_target_sizes`). */
  readonly extraFeeds?: (input: TensorResult, image: RgbImage) => Record<string, TensorLike>;
  /** Class names; default `card.labels`. */
  readonly classNames?: readonly string[];
}

/**
 * Checks the card's `defaults` once, when the detector is built, so a bad card fails at load
 * time naming `defaults.<option>` rather than on the first `detect`.
 */
function checkCardDefaults(card: ResolvedModelCard, classNames: readonly string[]): void {
  try {
    resolveDetectOptions(classNames, card.defaults);
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

/**
 * The single-session detector every one-stage and set-prediction architecture uses:
 * `prepareInput` (card input spec) → `session.run` → architecture `decode` →
 * `finalizeDetections` (class filter, NMS, cap, back to original pixels).
 */
export class OnnxDetector implements Detector {
  readonly card: ResolvedModelCard;
  readonly classNames: readonly string[];
  readonly session: Session;
  readonly #params: OnnxDetectorParams;
  readonly #inputName: string;
  /**
   * The last input tensor's buffer, written again by the next `detect` instead of allocating
   * (and zero-filling) a new one: it only feeds `session.run`, never reaches the caller.
   */
  #inputBuffer: Float32Array | undefined;
  /** True while a `detect` uses `#inputBuffer`; an overlapping call allocates its own. */
  #inputBusy = false;

  constructor(params: OnnxDetectorParams) {
    this.#params = params;
    this.card = params.card;
    this.session = params.session;
    this.classNames = params.classNames ?? params.card.labels;
    checkCardDefaults(this.card, this.classNames);
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

  async detect(image: RgbImage, options?: DetectOptions): Promise<Detections> {
    const { card, decode, defaults, extraFeeds } = this.#params;
    const resolved = resolveDetectOptions(this.classNames, options, card.defaults, defaults);
    const own = !this.#inputBusy;
    let input: TensorResult;
    let outputs: Record<string, Tensor>;
    if (own) this.#inputBusy = true;
    try {
      input = prepareInput(image, card.input, own ? this.#inputBuffer : undefined);
      if (own) this.#inputBuffer = input.tensor.data;
      const feeds: Record<string, TensorLike> = {
        [this.#inputName]: { type: 'float32', data: input.tensor.data, dims: input.tensor.dims },
        ...extraFeeds?.(input, image),
      };
      outputs = await this.session.run(feeds);
    } finally {
      if (own) this.#inputBusy = false;
    }
    const t = input.transform;
    const candidates = decode(outputs, {
      model: card.id,
      options: resolved,
      inputSize: { width: t.dstWidth, height: t.dstHeight },
      resizedSize: {
        width: Math.min(t.dstWidth, Math.round(t.srcWidth * t.scaleX)),
        height: Math.min(t.dstHeight, Math.round(t.srcHeight * t.scaleY)),
      },
      numClasses: this.classNames.length,
      metadata: this.session.metadata,
    });
    return finalizeDetections(card.id, candidates, resolved, input.transform, this.classNames, {
      nms: this.#params.nms !== false,
    });
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/**
 * Opens the card's `role` file (default `model`) and builds an `OnnxDetector` from it with
 * `build`; if `build` throws (e.g. the model's outputs do not fit the config), the session is
 * disposed before the error propagates.
 */
export async function createOnnxDetector(
  context: { loadSession(role: string): Promise<Session> },
  build: (session: Session) => OnnxDetectorParams,
  role = 'model',
): Promise<OnnxDetector> {
  const session = await context.loadSession(role);
  try {
    return new OnnxDetector(build(session));
  } catch (error) {
    await session.dispose();
    throw error;
  }
}
