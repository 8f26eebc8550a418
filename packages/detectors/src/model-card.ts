/**
 * Model cards: `models/<id>/model.json`. A card is a serialisable architecture config (the
 * registry's discriminated union, `{ type: '…', … }`) plus the files it needs, how to feed the
 * network, the labels, and provenance. Cards are plain JSON so they travel to browsers and
 * workers unchanged.
 */

import { ModelCardError } from './errors.js';
import type { DetectOptions } from './types.js';

/** One file a model needs, relative to the card. */
export interface ModelFile {
  /** Path relative to the card's folder (or an absolute URL). */
  readonly path: string;
  /** Lower-case hex sha256; checked when the file is loaded. */
  readonly sha256?: string;
  readonly bytes?: number;
}

/**
 * How an image becomes the network's input tensor. `width` / `height` may be left out when
 * the architecture can read them from the model (Ultralytics `imgsz` metadata); the detector
 * then reports the completed spec in `detector.card.input`.
 */
export interface InputSpec {
  /** Input tensor name; default: the session's first input. */
  readonly name?: string;
  readonly width?: number;
  readonly height?: number;
  /**
   * `letterbox` keeps the aspect ratio and pads; `stretch` resizes to width×height (both resize
   * the uint8 image, OpenCV `INTER_LINEAR`-identical, then normalise). `torchvision` is
   * torchvision's `GeneralizedRCNNTransform`, bit for bit: normalise, then resize the float
   * image (`F.interpolate` bilinear, `align_corners=False`) to width×height (SSD's
   * `fixed_size`) or, with `minSize` / `maxSize`, so the shorter side is `minSize` unless the
   * longer would exceed `maxSize` (RetinaNet; the model needs dynamic height / width), then
   * zero-pad bottom / right to a multiple of `sizeDivisible`.
   */
  readonly resize: 'letterbox' | 'stretch' | 'torchvision';
  /** `torchvision` only: target of the shorter side (torchvision's `min_size`). */
  readonly minSize?: number;
  /** `torchvision` only: bound on the longer side (`max_size`); needs `minSize`. */
  readonly maxSize?: number;
  /** `torchvision` only: pad to a multiple of this (`size_divisible`). Default 32 with `minSize`, else 1. */
  readonly sizeDivisible?: number;
  /** Letterbox only: centre the image (Ultralytics) or anchor it top-left (YOLOX). Default true. */
  readonly center?: boolean;
  /** Letterbox padding grey level. Default 114. */
  readonly padValue?: number;
  /**
   * Letterbox only: how the resized size is rounded to whole pixels — `round` (default,
   * Ultralytics) or `floor` (`int()`, YOLOX).
   */
  readonly sizeRounding?: 'round' | 'floor';
  /** Default `nchw`. */
  readonly layout?: 'nchw' | 'nhwc';
  /** Default `rgb`. */
  readonly channelOrder?: 'rgb' | 'bgr';
  /** Pixel multiplier applied first; default 1/255. */
  readonly scale?: number;
  /** Per-channel mean (RGB order, in scaled units). Default 0. */
  readonly mean?: number | readonly number[];
  /** Per-channel std (RGB order, in scaled units). Default 1. */
  readonly std?: number | readonly number[];
  /** Resampling; default bilinear. */
  readonly interpolation?: 'bilinear' | 'nearest';
}

export interface ModelCard<A extends { readonly type: string } = { readonly type: string }> {
  readonly id: string;
  readonly name?: string;
  readonly task: 'detect' | 'segment' | 'instance-segment';
  /** The architecture config, discriminated by `type`; validated by its registry factory. */
  readonly architecture: A;
  /** Files by role (e.g. `model`, or `backbone`, `rpn`, `boxHead` for composed models). */
  readonly files: Readonly<Record<string, ModelFile>>;
  readonly input: InputSpec;
  /**
   * Class names in the network's output order. May be left out when the architecture reads
   * them from the model (Ultralytics `names` metadata).
   */
  readonly labels?: readonly string[];
  /** Optional dataset ids per label (e.g. COCO category ids for the 80-class order). */
  readonly labelIds?: readonly number[];
  /** Default post-processing for this model; per-call options override it. */
  readonly defaults?: DetectOptions;
  readonly license?: string;
  readonly description?: string;
  /** The exact command that reproduced the files. */
  readonly reproduce?: string;
  /** Measured metrics, e.g. `{ "coco/AP": 0.61 }`, with where they were measured. */
  readonly metrics?: Readonly<Record<string, unknown>>;
}

/** An input spec whose size is known. */
export type ResolvedInputSpec = InputSpec & { readonly width: number; readonly height: number };

/** A card whose labels and input size are known — what a built detector carries. */
export type ResolvedModelCard<A extends { readonly type: string } = { readonly type: string }> =
  ModelCard<A> & { readonly labels: readonly string[]; readonly input: ResolvedInputSpec };

/** What a model can supply for fields the card left out. */
export interface CardFallbacks {
  readonly labels?: readonly string[];
  readonly inputSize?: { readonly width: number; readonly height: number };
}

/**
 * The card with `labels` and `input.width` / `input.height` filled in: the card's own values
 * win; missing ones come from `fallbacks` (e.g. the model's metadata).
 * @throws ModelCardError naming the field when neither has it
 */
export function resolveModelCard<A extends { readonly type: string }>(
  card: ModelCard<A>,
  fallbacks: CardFallbacks = {},
): ResolvedModelCard<A> {
  const labels = card.labels ?? fallbacks.labels;
  if (labels === undefined || labels.length === 0) {
    throw new ModelCardError(
      card.id,
      'labels',
      'missing, and the model does not name its classes (no "names" metadata)',
    );
  }
  // a size-driven torchvision transform has no fixed input size; its nominal one is maxSize²
  const nominal = card.input.resize === 'torchvision' ? card.input.maxSize : undefined;
  const width = card.input.width ?? fallbacks.inputSize?.width ?? nominal;
  const height = card.input.height ?? fallbacks.inputSize?.height ?? nominal;
  if (width === undefined || height === undefined) {
    throw new ModelCardError(
      card.id,
      width === undefined ? 'input.width' : 'input.height',
      'missing, and the model does not state its input size (no "imgsz" metadata)',
    );
  }
  return { ...card, labels, input: { ...card.input, width, height } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(source: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ModelCardError(
      source,
      field,
      `expected a positive integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function oneOf<T extends string>(
  source: string,
  field: string,
  v: unknown,
  allowed: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ModelCardError(
      source,
      field,
      `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

function numberOrTriple(source: string, field: string, v: unknown): void {
  if (v === undefined) return;
  const ok =
    (typeof v === 'number' && Number.isFinite(v)) ||
    (Array.isArray(v) &&
      v.length === 3 &&
      v.every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!ok)
    throw new ModelCardError(
      source,
      field,
      `expected a number or [r, g, b], got ${JSON.stringify(v)}`,
    );
}

/**
 * Checks a parsed model.json and returns it typed. Validates the common fields; the
 * architecture's own fields are validated by its registry factory.
 * @param json the parsed JSON
 * @param source where it came from, for error messages (a path or URL)
 * @throws ModelCardError naming the source and the field
 */
export function parseModelCard(json: unknown, source = 'model card'): ModelCard {
  if (!isRecord(json)) throw new ModelCardError(source, '(root)', 'expected a JSON object');
  const { id, task, architecture, files, input, labels } = json;
  if (typeof id !== 'string' || id === '')
    throw new ModelCardError(source, 'id', 'expected a non-empty string');
  oneOf(source, 'task', task, ['detect', 'segment', 'instance-segment'] as const);
  if (task === undefined) throw new ModelCardError(source, 'task', 'missing');
  if (!isRecord(architecture) || typeof architecture.type !== 'string') {
    throw new ModelCardError(
      source,
      'architecture.type',
      'expected an object with a string "type"',
    );
  }
  if (!isRecord(files) || Object.keys(files).length === 0) {
    throw new ModelCardError(
      source,
      'files',
      'expected an object mapping roles to { path, sha256 }',
    );
  }
  for (const [role, f] of Object.entries(files)) {
    if (!isRecord(f) || typeof f.path !== 'string' || f.path === '') {
      throw new ModelCardError(source, `files.${role}.path`, 'expected a non-empty string');
    }
    if (
      f.sha256 !== undefined &&
      (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
    ) {
      throw new ModelCardError(source, `files.${role}.sha256`, 'expected 64 lower-case hex digits');
    }
  }
  if (!isRecord(input)) throw new ModelCardError(source, 'input', 'expected an object');
  if (input.width !== undefined) positiveInt(source, 'input.width', input.width);
  if (input.height !== undefined) positiveInt(source, 'input.height', input.height);
  if (input.name !== undefined && (typeof input.name !== 'string' || input.name === '')) {
    throw new ModelCardError(source, 'input.name', 'expected a non-empty string');
  }
  const resize = oneOf(source, 'input.resize', input.resize, [
    'letterbox',
    'stretch',
    'torchvision',
  ] as const);
  if (resize === undefined) {
    throw new ModelCardError(source, 'input.resize', 'missing (letterbox, stretch or torchvision)');
  }
  for (const field of ['minSize', 'maxSize', 'sizeDivisible'] as const) {
    if (input[field] === undefined) continue;
    if (resize !== 'torchvision') {
      throw new ModelCardError(source, `input.${field}`, 'only with resize "torchvision"');
    }
    positiveInt(source, `input.${field}`, input[field]);
  }
  if (resize === 'torchvision' && input.layout === 'nhwc') {
    throw new ModelCardError(source, 'input.layout', 'resize "torchvision" produces NCHW tensors');
  }
  if ((input.minSize === undefined) !== (input.maxSize === undefined)) {
    throw new ModelCardError(
      source,
      input.minSize === undefined ? 'input.minSize' : 'input.maxSize',
      'give minSize and maxSize together',
    );
  }
  oneOf(source, 'input.layout', input.layout, ['nchw', 'nhwc'] as const);
  oneOf(source, 'input.channelOrder', input.channelOrder, ['rgb', 'bgr'] as const);
  oneOf(source, 'input.interpolation', input.interpolation, ['bilinear', 'nearest'] as const);
  oneOf(source, 'input.sizeRounding', input.sizeRounding, ['round', 'floor'] as const);
  if (input.center !== undefined && typeof input.center !== 'boolean') {
    throw new ModelCardError(
      source,
      'input.center',
      `expected true or false, got ${JSON.stringify(input.center)}`,
    );
  }
  if (
    input.padValue !== undefined &&
    (typeof input.padValue !== 'number' ||
      !Number.isInteger(input.padValue) ||
      input.padValue < 0 ||
      input.padValue > 255)
  ) {
    throw new ModelCardError(
      source,
      'input.padValue',
      `expected an integer grey level 0..255, got ${JSON.stringify(input.padValue)}`,
    );
  }
  numberOrTriple(source, 'input.mean', input.mean);
  numberOrTriple(source, 'input.std', input.std);
  if (input.scale !== undefined && (typeof input.scale !== 'number' || !(input.scale > 0))) {
    throw new ModelCardError(
      source,
      'input.scale',
      `expected a positive number, got ${JSON.stringify(input.scale)}`,
    );
  }
  if (
    labels !== undefined &&
    (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string'))
  ) {
    throw new ModelCardError(source, 'labels', 'expected a non-empty array of class names');
  }
  if (json.labelIds !== undefined) {
    if (labels === undefined) {
      throw new ModelCardError(source, 'labelIds', 'given without labels');
    }
    const ids = json.labelIds;
    if (
      !Array.isArray(ids) ||
      ids.length !== labels.length ||
      !ids.every((x) => Number.isInteger(x))
    ) {
      throw new ModelCardError(
        source,
        'labelIds',
        `expected ${labels.length} integers, one per label`,
      );
    }
  }
  if (json.defaults !== undefined && !isRecord(json.defaults)) {
    throw new ModelCardError(source, 'defaults', 'expected an object of detect options');
  }
  return json as unknown as ModelCard;
}
