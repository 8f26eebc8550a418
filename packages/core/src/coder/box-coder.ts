/**
 * The R-CNN box parametrisation, identical to torchvision's
 * `models/detection/_utils.BoxCoder` (0.14) in float32 arithmetic: each intermediate is
 * rounded to float32 where torch computes in float32.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { Boxes } from '../types.js';
import { assertBoxes, assertFinite, assertFloatArray } from '../validate.js';

/** Weights of (dx, dy, dw, dh). */
export type BoxCoderWeights = readonly [number, number, number, number];

/**
 * The extension point for box coders (as mmdetection's `BaseBBoxCoder`). Shape contract:
 * - `encode(referenceBoxes [N,4] xyxy, proposals [N,4] xyxy)` → codes [N,4]: the targets that
 *   make `proposals` regress onto `referenceBoxes` (row i against row i);
 * - `decode(relCodes [K, 4·C], boxes [K,4] xyxy)` → [K, 4·C] xyxy: C boxes per reference box
 *   (C = 1 for class-agnostic codes).
 */
export interface BoxCoderLike {
  encode(referenceBoxes: Boxes, proposals: Boxes): Float32Array;
  decode(relCodes: Float32Array, boxes: Boxes): Float32Array;
}

/** Options of {@link encodeBoxes}. */
export interface EncodeBoxesOptions {
  /** (wx, wy, ww, wh). Default (1, 1, 1, 1) as torchvision's RPN; the box head uses (10, 10, 5, 5). */
  readonly weights?: BoxCoderWeights;
}

/** Options of {@link decodeBoxDeltas}. */
export interface DecodeBoxDeltasOptions extends EncodeBoxesOptions {
  /** Upper clamp of dw / ww and dh / wh before `exp`. Default log(1000 / 16). */
  readonly bboxXformClip?: number;
}

/** torchvision's default clamp on the scaled width/height deltas, log(1000 / 16). */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

const ONES: BoxCoderWeights = [1, 1, 1, 1];

function checkWeights(weights: BoxCoderWeights | undefined, name: string): BoxCoderWeights {
  if (weights === undefined) return ONES;
  if (!Array.isArray(weights) || weights.length !== 4) {
    throw new ShapeMismatchError(name, '[4] (wx, wy, ww, wh)', String(weights));
  }
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      throw new InvalidArgumentError(
        `${name}[${i}]`,
        `expected a positive finite number, got ${w}`,
      );
    }
  });
  return weights;
}

function assertPositiveSizeBoxes(name: string, boxes: Float32Array): void {
  for (let i = 0; i < boxes.length; i += 4) {
    if (!(boxes[i + 2]! > boxes[i]!) || !(boxes[i + 3]! > boxes[i + 1]!)) {
      throw new InvalidArgumentError(
        name,
        `box ${i / 4} has zero or negative width or height; encoding needs positive sizes (the deltas divide by and take the log of them)`,
        'E_NEGATIVE_BOX_SIZE',
      );
    }
  }
}

/**
 * Regression targets of `proposals` towards `referenceBoxes` (torchvision `encode_boxes`):
 * `dx = wx·(gx − px)/pw`, `dy = wy·(gy − py)/ph`, `dw = ww·log(gw/pw)`, `dh = wh·log(gh/ph)`,
 * with centres and sizes from xyxy, in float32.
 * @param referenceBoxes [N,4] xyxy, the targets (e.g. matched ground truth), positive sizes
 * @param proposals [N,4] xyxy, the boxes being regressed (e.g. anchors), positive sizes
 * @returns [N,4] (dx, dy, dw, dh)
 * @throws ShapeMismatchError on different N; InvalidArgumentError on non-positive sizes;
 *   NonFiniteValueError on NaN / ±Infinity
 */
export function encodeBoxes(
  referenceBoxes: Boxes,
  proposals: Boxes,
  options: EncodeBoxesOptions = {},
): Float32Array {
  const n = assertBoxes('referenceBoxes', referenceBoxes);
  const m = assertBoxes('proposals', proposals);
  if (n !== m) {
    throw new ShapeMismatchError('proposals', `[N=${n},4] (as referenceBoxes)`, `[${m},4]`);
  }
  assertPositiveSizeBoxes('referenceBoxes', referenceBoxes);
  assertPositiveSizeBoxes('proposals', proposals);
  const [wx, wy, ww, wh] = checkWeights(options.weights, 'options.weights').map(Math.fround) as [
    number,
    number,
    number,
    number,
  ];
  const f = Math.fround;
  const out = new Float32Array(4 * n);
  for (let i = 0; i < 4 * n; i += 4) {
    const px1 = proposals[i]!;
    const py1 = proposals[i + 1]!;
    const exW = f(proposals[i + 2]! - px1);
    const exH = f(proposals[i + 3]! - py1);
    const exX = f(px1 + f(0.5 * exW));
    const exY = f(py1 + f(0.5 * exH));
    const gx1 = referenceBoxes[i]!;
    const gy1 = referenceBoxes[i + 1]!;
    const gtW = f(referenceBoxes[i + 2]! - gx1);
    const gtH = f(referenceBoxes[i + 3]! - gy1);
    const gtX = f(gx1 + f(0.5 * gtW));
    const gtY = f(gy1 + f(0.5 * gtH));
    out[i] = f(wx * f(gtX - exX)) / exW;
    out[i + 1] = f(wy * f(gtY - exY)) / exH;
    out[i + 2] = ww * f(Math.log(f(gtW / exW)));
    out[i + 3] = wh * f(Math.log(f(gtH / exH)));
  }
  return out;
}

/**
 * Boxes from deltas relative to reference boxes (torchvision `decode_single`), in float32:
 * `dx = codes / wx` …, `dw, dh` clamped above at `bboxXformClip`, centre `dx·w + cx`, size
 * `exp(dw)·w`, corners `centre ∓ size/2`. Handles per-class codes: K×(4·C) codes against K
 * boxes give C boxes per reference box.
 * @param relCodes [K, 4·C] deltas (dx, dy, dw, dh) per class
 * @param boxes [K,4] xyxy reference boxes (anchors or proposals)
 * @returns [K, 4·C] xyxy, same layout as `relCodes`
 * @throws ShapeMismatchError when relCodes is not K×4C; NonFiniteValueError on NaN / ±Infinity
 */
export function decodeBoxDeltas(
  relCodes: Float32Array,
  boxes: Boxes,
  options: DecodeBoxDeltasOptions = {},
): Float32Array {
  assertFloatArray('relCodes', relCodes);
  const k = assertBoxes('boxes', boxes);
  if (k === 0 ? relCodes.length !== 0 : relCodes.length % (4 * k) !== 0) {
    throw new ShapeMismatchError('relCodes', `[K=${k}, 4·C]`, `[${relCodes.length}] elements`);
  }
  assertFinite('relCodes', relCodes);
  const weights = checkWeights(options.weights, 'options.weights');
  const clipOption = options.bboxXformClip ?? BBOX_XFORM_CLIP;
  if (typeof clipOption !== 'number' || Number.isNaN(clipOption)) {
    throw new InvalidArgumentError('options.bboxXformClip', `expected a number, got ${clipOption}`);
  }
  const f = Math.fround;
  const [wx, wy, ww, wh] = weights.map(f) as [number, number, number, number];
  const clip = f(clipOption);
  const out = new Float32Array(relCodes.length);
  const perBox = k === 0 ? 0 : relCodes.length / k;
  for (let b = 0; b < k; b++) {
    const o = 4 * b;
    const x1 = boxes[o]!;
    const y1 = boxes[o + 1]!;
    const width = f(boxes[o + 2]! - x1);
    const height = f(boxes[o + 3]! - y1);
    const ctrX = f(x1 + f(0.5 * width));
    const ctrY = f(y1 + f(0.5 * height));
    const end = (b + 1) * perBox;
    for (let j = b * perBox; j < end; j += 4) {
      const dx = f(relCodes[j]! / wx);
      const dy = f(relCodes[j + 1]! / wy);
      const dw = Math.min(f(relCodes[j + 2]! / ww), clip);
      const dh = Math.min(f(relCodes[j + 3]! / wh), clip);
      const predX = f(f(dx * width) + ctrX);
      const predY = f(f(dy * height) + ctrY);
      const halfW = f(0.5 * f(f(Math.exp(dw)) * width));
      const halfH = f(0.5 * f(f(Math.exp(dh)) * height));
      out[j] = predX - halfW;
      out[j + 1] = predY - halfH;
      out[j + 2] = predX + halfW;
      out[j + 3] = predY + halfH;
    }
  }
  return out;
}

/**
 * torchvision's `BoxCoder`: holds `weights` and `bboxXformClip`, delegates to
 * {@link encodeBoxes} and {@link decodeBoxDeltas}. Implements {@link BoxCoderLike}.
 */
export class BoxCoder implements BoxCoderLike {
  readonly weights: BoxCoderWeights;
  readonly bboxXformClip: number;

  /**
   * @param weights (wx, wy, ww, wh); RPN uses (1, 1, 1, 1), the Fast R-CNN box head (10, 10, 5, 5)
   * @param bboxXformClip clamp on dw, dh before exp; default log(1000 / 16)
   */
  constructor(weights: BoxCoderWeights = ONES, bboxXformClip: number = BBOX_XFORM_CLIP) {
    this.weights = checkWeights(weights, 'weights');
    if (typeof bboxXformClip !== 'number' || Number.isNaN(bboxXformClip)) {
      throw new InvalidArgumentError('bboxXformClip', `expected a number, got ${bboxXformClip}`);
    }
    this.bboxXformClip = bboxXformClip;
  }

  /** See {@link encodeBoxes}. @returns [N,4] codes */
  encode(referenceBoxes: Boxes, proposals: Boxes): Float32Array {
    return encodeBoxes(referenceBoxes, proposals, { weights: this.weights });
  }

  /** See {@link decodeBoxDeltas}. @returns [K, 4·C] xyxy */
  decode(relCodes: Float32Array, boxes: Boxes): Float32Array {
    return decodeBoxDeltas(relCodes, boxes, {
      weights: this.weights,
      bboxXformClip: this.bboxXformClip,
    });
  }
}
