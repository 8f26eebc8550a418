/**
 * torchvision's `BoxCoder.decode_single` with torch's own `exp`: @ocelot/core's
 * `decodeBoxDeltas` follows the same float32 steps but takes `Math.exp` (correctly rounded),
 * while torch's vectorised `exp` is SLEEF's (within one ulp), so a few boxes differ in the last
 * bit. `RcnnBoxCoder` reproduces torch exactly, including which elements of the `dw` / `dh`
 * tensors torch sends through its scalar tail loop (libm `exp`) instead of the vector kernel —
 * which depends on where a code sits in the tensor torch decoded, so the two-stage steps that
 * decode only a selection pass those positions (`decodeAt`).
 */
import {
  BBOX_XFORM_CLIP,
  type BoxCoderLike,
  type BoxCoderWeights,
  type Boxes,
  BoxCoder,
  encodeBoxes,
  InvalidArgumentError,
  ShapeMismatchError,
} from '@ocelot/core';
import { expf } from './torch-math.js';

const fround = Math.fround;

/** The box coder of torchvision's R-CNN heads, bit-exact with torch 1.13 on the CPU. */
export class RcnnBoxCoder implements BoxCoderLike {
  readonly weights: BoxCoderWeights;
  readonly bboxXformClip: number;

  /**
   * @param weights (wx, wy, ww, wh): RPN (1, 1, 1, 1), box head (10, 10, 5, 5)
   * @param bboxXformClip clamp of dw / dh before exp; default log(1000 / 16)
   */
  constructor(weights: BoxCoderWeights = [1, 1, 1, 1], bboxXformClip = BBOX_XFORM_CLIP) {
    // core's BoxCoder validates both the same way
    const checked = new BoxCoder(weights, bboxXformClip);
    this.weights = checked.weights;
    this.bboxXformClip = checked.bboxXformClip;
  }

  /** `encodeBoxes` with these weights: [N, 4] targets of `proposals` towards `referenceBoxes`. */
  encode(referenceBoxes: Boxes, proposals: Boxes): Float32Array {
    return encodeBoxes(referenceBoxes, proposals, { weights: this.weights });
  }

  /**
   * Decodes [K, 4·C] codes against [K, 4] boxes exactly as torch decodes that whole tensor.
   * @returns [K, 4·C] xyxy
   */
  decode(relCodes: Float32Array, boxes: Boxes): Float32Array {
    const k = boxes.length / 4;
    const c = k === 0 ? 0 : relCodes.length / (4 * k);
    const positions = new Int32Array(k * c);
    for (let i = 0; i < positions.length; i++) positions[i] = i;
    return this.decodeAt(relCodes, boxes, positions, k * c, c);
  }

  /**
   * Decodes a selection of codes that torch decoded as part of a larger tensor.
   * @param relCodes [K, 4·C] codes
   * @param boxes [K, 4] reference boxes
   * @param positions [K·C] flat index of each code in torch's [N, C] `dw` tensor
   * @param total number of elements of that tensor (N·C)
   * @param codesPerBox C (default 1)
   * @returns [K, 4·C] xyxy
   */
  decodeAt(
    relCodes: Float32Array,
    boxes: Boxes,
    positions: Int32Array,
    total: number,
    codesPerBox = 1,
  ): Float32Array {
    const k = boxes.length / 4;
    if (!Number.isInteger(k) || relCodes.length !== 4 * k * codesPerBox) {
      throw new ShapeMismatchError(
        'relCodes',
        `[K=${k}, 4·${codesPerBox}]`,
        `${relCodes.length} values`,
      );
    }
    if (positions.length !== k * codesPerBox) {
      throw new InvalidArgumentError(
        'positions',
        `expected ${k * codesPerBox} positions (one per code), got ${positions.length}`,
      );
    }
    const vectorEnd = total - (total % 16);
    const [wx, wy, ww, wh] = this.weights.map(fround) as [number, number, number, number];
    const clip = fround(this.bboxXformClip);
    const exp = (v: number, position: number) =>
      position < vectorEnd ? expf(v) : fround(Math.exp(v));
    const out = new Float32Array(relCodes.length);
    for (let b = 0; b < k; b++) {
      const x1 = boxes[4 * b]!;
      const y1 = boxes[4 * b + 1]!;
      const width = fround(boxes[4 * b + 2]! - x1);
      const height = fround(boxes[4 * b + 3]! - y1);
      const ctrX = fround(x1 + fround(0.5 * width));
      const ctrY = fround(y1 + fround(0.5 * height));
      for (let c = 0; c < codesPerBox; c++) {
        const j = 4 * (b * codesPerBox + c);
        const position = positions[b * codesPerBox + c]!;
        const dx = fround(relCodes[j]! / wx);
        const dy = fround(relCodes[j + 1]! / wy);
        const dw = Math.min(fround(relCodes[j + 2]! / ww), clip);
        const dh = Math.min(fround(relCodes[j + 3]! / wh), clip);
        const predX = fround(fround(dx * width) + ctrX);
        const predY = fround(fround(dy * height) + ctrY);
        const halfW = fround(0.5 * fround(exp(dw, position) * width));
        const halfH = fround(0.5 * fround(exp(dh, position) * height));
        out[j] = predX - halfW;
        out[j + 1] = predY - halfH;
        out[j + 2] = predX + halfW;
        out[j + 3] = predY + halfH;
      }
    }
    return out;
  }
}

/** Decodes with `decodeAt` when the coder is an {@link RcnnBoxCoder}, else with its `decode`. */
export function decodeSelected(
  coder: BoxCoderLike,
  relCodes: Float32Array,
  boxes: Float32Array,
  positions: Int32Array,
  total: number,
): Float32Array {
  return coder instanceof RcnnBoxCoder
    ? coder.decodeAt(relCodes, boxes, positions, total)
    : coder.decode(relCodes, boxes);
}
