/**
 * Semantic output decoding shared by `fcn`, `deeplabv3`, `lraspp` and `unet`: the model's
 * class scores (or labels) → a label map at the ORIGINAL image size.
 *
 * Order of operations (torchvision parity): torchvision's segmentation models already
 * upsample their logits to the input size inside the network (`F.interpolate(bilinear,
 * align_corners=False)`), so the ONNX output is `out` at the model input size. From there the
 * letterbox / resize is undone in ONE bilinear step on the LOGITS — the padding is cropped
 * and the remaining region is resized to the original size with torch's own arithmetic — and
 * only then the argmax is taken, per pixel, fused with the resampling (labels.ts). That is
 * exactly `F.interpolate(out[..., top:bottom, left:right], size=(H, W), mode='bilinear',
 * align_corners=False).argmax(1)`, so label maps equal torch's except where two classes' scores
 * tie exactly. Models whose output is smaller than the input (stride 8, TF exports) go through
 * the same single step. Label outputs (graphs ending in ArgMax) are mapped with nearest
 * neighbour, never mixing labels.
 */
import { InvalidArgumentError } from '@ocelot/core';
import {
  assertFiniteOutput,
  findOutput,
  formatDims,
  ModelOutputError,
  type OutputRef,
  readFloat32Output,
  readInt32Output,
} from '@ocelot/detectors';
import type { Transform } from '@ocelot/image';
import type { Tensor } from '@ocelot/runtime';
import type { SemanticSegmentation } from '../types.js';
import type { SemanticValues } from './config.js';
import { labelMapFromScores, newLabelMap, type ScoreActivation, type ScoreMap } from './labels.js';
import type { ResolvedSemanticOptions } from './options.js';
import { regionTaps } from './resample.js';

type Outputs = Readonly<Record<string, Tensor>>;

/** How to read a semantic model's output. */
export interface SemanticDecodeParams {
  readonly output: OutputRef;
  readonly layout: 'nchw' | 'nhwc';
  readonly values: SemanticValues;
  /** `undefined`: sigmoid for one channel, softmax otherwise. */
  readonly activation: 'softmax' | 'sigmoid' | undefined;
}

/** What a decode needs besides the outputs. */
export interface SemanticDecodeContext {
  /** Model id, for error messages. */
  readonly model: string;
  /** The model's class names (a one-channel model: [background, foreground]). */
  readonly classNames: readonly string[];
  /** Model input ↔ original image. */
  readonly transform: Transform;
  readonly options: ResolvedSemanticOptions;
}

/**
 * The expected channel count for `numClasses` labels: C, or 1 for a two-label binary model.
 */
function channelsFit(channels: number, numClasses: number): boolean {
  return channels === numClasses || (channels === 1 && numClasses === 2);
}

/**
 * Reads the class-score output as a `ScoreMap`.
 * @throws ModelOutputError on a missing output, a wrong type or shape (naming expected vs
 *   given), or a non-finite score (naming the flat index)
 */
export function readScoreMap(
  model: string,
  outputs: Outputs,
  params: Pick<SemanticDecodeParams, 'output' | 'layout'>,
  numClasses: number,
): ScoreMap {
  const { scores, name } = readScoreMapUnchecked(model, outputs, params, numClasses);
  // one branch-free pass over the (up to millions of) scores; the index scan only on a hit
  assertFiniteOutput(model, name, scores.data);
  return scores;
}

/** `readScoreMap` without the finiteness check, and the output's name for the caller's. */
function readScoreMapUnchecked(
  model: string,
  outputs: Outputs,
  params: Pick<SemanticDecodeParams, 'output' | 'layout'>,
  numClasses: number,
): { scores: ScoreMap; name: string } {
  const nchw = params.layout === 'nchw';
  const expected = nchw ? `[1, C=${numClasses}, h, w] (nchw)` : `[1, h, w, C=${numClasses}] (nhwc)`;
  const out = readFloat32Output(model, outputs, params.output, 4, expected);
  const [n, a, b, c] = out.dims as [number, number, number, number];
  const channels = nchw ? a : c;
  if (n !== 1 || !channelsFit(channels, numClasses) || a < 1 || b < 1 || c < 1) {
    const other = nchw ? c : a;
    const hint = !channelsFit(channels, numClasses)
      ? channelsFit(other, numClasses)
        ? ` (the classes are on the ${nchw ? 'last' : 'second'} axis: set architecture.layout to "${nchw ? 'nhwc' : 'nchw'}")`
        : `; ${channels} channels but ${numClasses} labels — do the card's labels match the model?`
      : '';
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape ${expected} for ${numClasses} classes, got ${formatDims(out.dims)}${hint}`,
    );
  }
  return {
    scores: {
      data: out.data,
      channels,
      height: nchw ? b : a,
      width: nchw ? c : b,
      layout: params.layout,
    },
    name: out.name,
  };
}

/**
 * Reads a label output (`[1, h, w]`, `[1, 1, h, w]` or `[1, h, w, 1]`; int64, int32 or
 * whole-valued float32).
 * @throws ModelOutputError on a bad shape or a label outside 0..numClasses-1
 */
export function readLabelOutput(
  model: string,
  outputs: Outputs,
  output: OutputRef,
  numClasses: number,
): { data: Int32Array; width: number; height: number; name: string } {
  const [, t] = findOutput(model, outputs, output);
  const rank = t.dims.length;
  const out = readInt32Output(model, outputs, output, rank, '[1, h, w]');
  const d = out.dims;
  let h = -1;
  let w = -1;
  if (rank === 3 && d[0] === 1) [h, w] = [d[1]!, d[2]!];
  else if (rank === 4 && d[0] === 1 && d[1] === 1) [h, w] = [d[2]!, d[3]!];
  else if (rank === 4 && d[0] === 1 && d[3] === 1) [h, w] = [d[1]!, d[2]!];
  if (h < 1 || w < 1) {
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape [1, h, w] or [1, 1, h, w] class indices, got ${formatDims(d)}`,
    );
  }
  const data = out.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= numClasses) {
      throw new ModelOutputError(
        model,
        out.name,
        `label ${v} at flat index ${i} is not one of 0..${numClasses - 1}`,
      );
    }
  }
  return { data, width: w, height: h, name: out.name };
}

/** Probability activation of a score map. */
export function scoreActivation(params: SemanticDecodeParams, channels: number): ScoreActivation {
  if (params.values === 'probabilities') return 'none';
  return params.activation ?? (channels === 1 ? 'sigmoid' : 'softmax');
}

/** The binary threshold in the map's own units (a logit, unless the map holds probabilities). */
export function binaryScoreThreshold(activation: ScoreActivation, threshold: number): number {
  if (activation === 'none') return threshold;
  if (threshold <= 0) return Number.NEGATIVE_INFINITY;
  if (threshold >= 1) return Number.POSITIVE_INFINITY;
  return Math.log(threshold / (1 - threshold));
}

/**
 * A semantic model's outputs → the label map at the original image size.
 * @throws ModelOutputError for an output that does not fit (see `readScoreMap`)
 */
export function decodeSemantic(
  outputs: Outputs,
  context: SemanticDecodeContext,
  params: SemanticDecodeParams,
): SemanticSegmentation {
  const { model, classNames, transform, options } = context;
  const imageSize = { width: transform.srcWidth, height: transform.srcHeight };
  const numClasses = classNames.length;
  if (params.values === 'labels') {
    if (options.allowed !== undefined || options.probabilities !== undefined) {
      throw new InvalidArgumentError(
        options.allowed !== undefined ? 'options.classes' : 'options.probabilities',
        'the model outputs labels (architecture.values "labels"), not class scores',
      );
    }
    const labels = readLabelOutput(model, outputs, params.output, numClasses);
    const mapped = transform.labelMapToImage({
      data: labels.data,
      width: labels.width,
      height: labels.height,
    });
    const labelMap = newLabelMap(numClasses, mapped.data.length);
    labelMap.set(mapped.data);
    const seen = new Uint8Array(numClasses);
    for (let i = 0; i < labelMap.length; i++) seen[labelMap[i]!] = 1;
    const present: number[] = [];
    seen.forEach((s, i) => {
      if (s) present.push(i);
    });
    return { labelMap, imageSize, classesPresent: Int32Array.from(present), classNames };
  }
  // The finiteness check goes to labelMapFromScores, which folds it into its first pass over
  // the scores where it can (NHWC maps) — the same error, one pass fewer.
  const { scores, name } = readScoreMapUnchecked(model, outputs, params, numClasses);
  const activation = scoreActivation(params, scores.channels);
  // The original image's footprint in map samples (the map covers the whole model input).
  const [x1, y1, x2, y2] = transform.contentBox;
  const sx = scores.width / transform.dstWidth;
  const sy = scores.height / transform.dstHeight;
  const xTaps = regionTaps(scores.width, x1 * sx, x2 * sx, imageSize.width);
  const yTaps = regionTaps(scores.height, y1 * sy, y2 * sy, imageSize.height);
  const result = labelMapFromScores(scores, xTaps, yTaps, {
    assertFinite: () => assertFiniteOutput(model, name, scores.data),
    allowed: binaryAllowed(options.allowed, scores.channels),
    binaryThreshold: binaryScoreThreshold(activation, options.threshold),
    ...(options.probabilities && { probabilities: { classes: options.probabilities, activation } }),
  });
  if (scores.channels === 1) restrictBinary(result.labelMap, options.allowed);
  return {
    labelMap: result.labelMap,
    imageSize,
    classesPresent: presentIn(
      result.labelMap,
      result.classesPresent,
      scores.channels,
      options.allowed,
    ),
    classNames,
    ...(result.probabilities && { probabilities: result.probabilities }),
  };
}

/** A one-channel map has no per-class scores to restrict; labels are fixed afterwards. */
function binaryAllowed(allowed: Uint8Array | undefined, channels: number): Uint8Array | undefined {
  return channels === 1 ? undefined : allowed;
}

/** One-channel model with an allow-list of one label: every pixel gets that label. */
export function restrictBinary(
  labelMap: Uint8Array | Uint16Array,
  allowed: Uint8Array | undefined,
): void {
  if (allowed === undefined || allowed[0] === allowed[1]) return;
  labelMap.fill(allowed[1] === 1 ? 1 : 0);
}

function presentIn(
  labelMap: Uint8Array | Uint16Array,
  present: Int32Array,
  channels: number,
  allowed: Uint8Array | undefined,
): Int32Array {
  if (channels !== 1 || allowed === undefined || allowed[0] === allowed[1]) return present;
  return labelMap.length === 0 ? new Int32Array(0) : Int32Array.of(allowed[1] === 1 ? 1 : 0);
}
