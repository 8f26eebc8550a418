/**
 * YOLO v1 decoding: every (cell, box, class) with P(class)·confidence > threshold (strictly, as
 * darknet) becomes a candidate — one box can be a candidate for several classes, as in darknet —
 * and the shared per-class NMS follows.
 */
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';

export interface YoloV1DecodeParams {
  readonly gridSize: number;
  readonly boxesPerCell: number;
  readonly sqrtSize: boolean;
  readonly layout: 'cell' | 'darknet';
  readonly output: OutputRef;
}

/**
 * YOLO v1 output → candidates in input pixels.
 * @param outputs `[1, S, S, 5B+C]` or `[1, S·S·(5B+C)]`
 * @throws ModelOutputError on a missing output, a size that does not fit S, B and the labels,
 *   or non-finite values
 */
export function decodeYoloV1(
  outputs: Readonly<Record<string, Tensor>>,
  context: DecodeContext,
  params: YoloV1DecodeParams,
): Candidates {
  const { model, options, numClasses: C, inputSize } = context;
  const { gridSize: S, boxesPerCell: B, layout } = params;
  const per = 5 * B + C;
  const shape =
    layout === 'cell'
      ? `[1, S=${S}, S=${S}, 5B+C=${per}] or [1, ${S * S * per}]`
      : `[1, S·S·(C+5B)=${S * S * per}]`;
  const out = readFloat32Output(model, outputs, params.output, undefined, shape);
  const d = out.dims;
  const ok =
    (d.length === 2 && d[0] === 1 && d[1] === S * S * per) ||
    (layout === 'cell' && d.length === 4 && d[0] === 1 && d[1] === S && d[2] === S && d[3] === per);
  if (!ok)
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape ${shape} (S=${S}, B=${B}, C=${C} labels), got ${formatDims(d)}`,
    );
  const data = out.data;
  assertFiniteOutput(model, out.name, data);
  // offsets of a cell's class probabilities, a box's confidence and a box's x, y, w, h
  const probAt = (cell: number) => (layout === 'cell' ? cell * per + 5 * B : cell * C);
  const confAt = (cell: number, b: number) =>
    layout === 'cell' ? cell * per + 5 * b + 4 : S * S * C + cell * B + b;
  const boxAt = (cell: number, b: number) =>
    layout === 'cell' ? cell * per + 5 * b : S * S * (C + B) + (cell * B + b) * 4;

  const { scoreThreshold, allowed, preNmsTopK } = options;
  const max = S * S * B * C;
  const scores = new Float32Array(max);
  const picked = new Int32Array(max);
  let count = 0;
  for (let cell = 0; cell < S * S; cell++) {
    const p = probAt(cell);
    for (let b = 0; b < B; b++) {
      const conf = data[confAt(cell, b)]!;
      for (let c = 0; c < C; c++) {
        if (allowed !== undefined && allowed[c] !== 1) continue;
        const s = Math.fround(conf * data[p + c]!);
        if (s > scoreThreshold) {
          const k = (cell * B + b) * C + c;
          scores[k] = s;
          picked[count++] = k;
        }
      }
    }
  }
  if (count === 0) return emptyCandidates();
  const keep =
    count > preNmsTopK ? topKIndices(scores, picked, count, preNmsTopK) : picked.subarray(0, count);
  const n = keep.length;
  const boxes = new Float32Array(4 * n);
  const outScores = new Float32Array(n);
  const labels = new Int32Array(n);
  const { width: W, height: H } = inputSize;
  for (let i = 0; i < n; i++) {
    const k = keep[i]!;
    const c = k % C;
    const b = Math.floor(k / C) % B;
    const cell = Math.floor(k / (C * B));
    const row = Math.floor(cell / S);
    const col = cell - row * S;
    const o = boxAt(cell, b);
    const px = data[o]!;
    const py = data[o + 1]!;
    const pw = data[o + 2]!;
    const ph = data[o + 3]!;
    const cx = ((col + px) / S) * W;
    const cy = ((row + py) / S) * H;
    const w = (params.sqrtSize ? pw * pw : pw) * W;
    const h = (params.sqrtSize ? ph * ph : ph) * H;
    boxes[4 * i] = cx - w / 2;
    boxes[4 * i + 1] = cy - h / 2;
    boxes[4 * i + 2] = cx + w / 2;
    boxes[4 * i + 3] = cy + h / 2;
    outScores[i] = scores[k]!;
    labels[i] = c;
  }
  return { boxes, scores: outScores, labels };
}
