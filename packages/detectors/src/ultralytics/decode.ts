/**
 * Ultralytics output decoding (see config.ts for the layouts). The v8 channels-first scan is
 * the hot path of a 640×640 YOLOv8 (84×8400 floats): one pass over the class rows, each row
 * read front to back (row-major, so memory is read in order), keeping a running best score and
 * class per anchor that starts at the threshold — nothing is decoded, allocated or sorted for
 * anchors that never beat it. Boxes are decoded only for the survivors.
 *
 * Thresholds are strict (`score > scoreThreshold`) as in Ultralytics. The allow-list restricts
 * the per-anchor best class to allowed classes before anything is cut (Ultralytics filters
 * after taking the best class, so an anchor whose best class is not allowed is lost there).
 */
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output } from '../outputs.js';
import { emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';
import type { UltralyticsHead } from './config.js';

export interface UltralyticsDecodeParams {
  readonly head: UltralyticsHead;
  /** Default: the dim with the expected channel count (else the smaller one) is the channel dim. */
  readonly layout?: 'channels-first' | 'anchors-first' | undefined;
  readonly output: OutputRef;
  /** Channels after the class scores: a number, or `'any'` (segment / pose models). Default 0. */
  readonly extraChannels?: number | 'any' | undefined;
}

type Outputs = Readonly<Record<string, Tensor>>;

/** Where the first non-finite value of `data` is (for the error message), or -1. */
function firstNonFinite(data: Float32Array, from = 0, to = data.length, step = 1): number {
  for (let i = from; i < to; i += step) if (data[i]! - data[i]! !== 0) return i;
  return -1;
}

function nonFinite(
  model: string,
  name: string,
  data: Float32Array,
  index: number,
): ModelOutputError {
  return new ModelOutputError(
    model,
    name,
    `non-finite value ${data[index]} at flat index ${index}`,
  );
}

/**
 * Works out the layout of a v8 / v5 output and checks its channel count.
 * @returns [layout, anchors, channels per anchor]
 */
export function ultralyticsLayout(
  model: string,
  name: string,
  dims: readonly number[],
  numClasses: number,
  params: UltralyticsDecodeParams,
): ['channels-first' | 'anchors-first', number, number] {
  const base = params.head === 'v5' ? 5 : 4;
  const what = params.head === 'v5' ? `5+nc=${base + numClasses}` : `4+nc=${base + numClasses}`;
  const need = base + numClasses;
  const fits = (ch: number) =>
    params.extraChannels === 'any' ? ch >= need : ch === need + (params.extraChannels ?? 0);
  // the dim that has the expected channel count; if both or neither do, the smaller one
  const layout =
    params.layout ??
    (fits(dims[1]!) !== fits(dims[2]!)
      ? fits(dims[1]!)
        ? 'channels-first'
        : 'anchors-first'
      : dims[1]! <= dims[2]!
        ? 'channels-first'
        : 'anchors-first');
  const channels = layout === 'channels-first' ? dims[1]! : dims[2]!;
  const anchors = layout === 'channels-first' ? dims[2]! : dims[1]!;
  const extra = channels - base - numClasses;
  const extraOk =
    params.extraChannels === 'any' ? extra >= 0 : extra === (params.extraChannels ?? 0);
  if (dims[0] !== 1 || !extraOk) {
    const extraText =
      params.extraChannels === 'any'
        ? '+extra'
        : params.extraChannels
          ? `+${params.extraChannels}`
          : '';
    const first = `[1, ${what}${extraText}, A] (channels first)`;
    const last = `[1, A, ${what}${extraText}] (anchors first)`;
    const expected =
      params.layout === undefined
        ? `${first} or ${last}`
        : layout === 'channels-first'
          ? first
          : last;
    throw new ModelOutputError(
      model,
      name,
      `expected shape ${expected} for ${numClasses} classes, got ${formatDims(dims)}${extra !== 0 && params.layout !== undefined ? ` (${extra > 0 ? `${extra} channels too many` : `${-extra} channels too few`}; do the card's labels match the model?)` : ''}`,
    );
  }
  return [layout, anchors, channels];
}

/**
 * v8 / v5 scan, channels first: `data[ch·A + a]`. Fills `best` / `bestClass` per anchor with
 * the best allowed (objectness ·) class score above the threshold.
 */
function scanChannelsFirst(
  data: Float32Array,
  anchors: number,
  numClasses: number,
  objectness: boolean,
  threshold: number,
  allowed: Uint8Array | undefined,
  best: Float32Array,
  bestClass: Int32Array,
): number {
  const base = objectness ? 5 : 4;
  // NaN poisons the accumulator (v·0 is 0 for finite v), so a corrupt output is noticed
  // without a second pass or a branch per element.
  let poison = 0;
  if (!objectness) {
    for (let c = 0; c < numClasses; c++) {
      if (allowed !== undefined && allowed[c] !== 1) continue;
      const row = data.subarray((base + c) * anchors, (base + c + 1) * anchors);
      // Eight scores per step: one summed poison term and one chain of comparisons with the
      // constant threshold, which almost every score fails; only a group with a score above
      // it looks at `best`. (1.8× faster than one score per step in V8, which does not unroll.)
      let a = 0;
      for (; a + 8 <= anchors; a += 8) {
        const v0 = row[a]!;
        const v1 = row[a + 1]!;
        const v2 = row[a + 2]!;
        const v3 = row[a + 3]!;
        const v4 = row[a + 4]!;
        const v5 = row[a + 5]!;
        const v6 = row[a + 6]!;
        const v7 = row[a + 7]!;
        // float32 values summed in float64 cannot overflow: the term is 0 unless one is NaN / ±Inf
        poison += (v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7) * 0;
        if (
          v0 > threshold ||
          v1 > threshold ||
          v2 > threshold ||
          v3 > threshold ||
          v4 > threshold ||
          v5 > threshold ||
          v6 > threshold ||
          v7 > threshold
        ) {
          for (let j = a; j < a + 8; j++) {
            const v = row[j]!;
            if (v > threshold && v > best[j]!) {
              best[j] = v;
              bestClass[j] = c;
            }
          }
        }
      }
      for (; a < anchors; a++) {
        const v = row[a]!;
        poison += v * 0;
        if (v > threshold && v > best[a]!) {
          best[a] = v;
          bestClass[a] = c;
        }
      }
    }
    return poison;
  }
  const objOff = 4 * anchors;
  for (let a = 0; a < anchors; a++) poison += data[objOff + a]! * 0;
  for (let c = 0; c < numClasses; c++) {
    if (allowed !== undefined && allowed[c] !== 1) continue;
    const off = (base + c) * anchors;
    for (let a = 0; a < anchors; a++) {
      const v = data[off + a]!;
      poison += v * 0;
      const obj = data[objOff + a]!;
      if (obj > threshold) {
        const s = Math.fround(obj * v);
        if (s > best[a]!) {
          best[a] = s;
          bestClass[a] = c;
        }
      }
    }
  }
  return poison;
}

/** v8 / v5 scan, anchors first: `data[a·ch + channel]`. */
function scanAnchorsFirst(
  data: Float32Array,
  anchors: number,
  channels: number,
  numClasses: number,
  objectness: boolean,
  threshold: number,
  allowed: Uint8Array | undefined,
  best: Float32Array,
  bestClass: Int32Array,
): number {
  const base = objectness ? 5 : 4;
  let poison = 0;
  for (let a = 0; a < anchors; a++) {
    const row = a * channels;
    const obj = objectness ? data[row + 4]! : 1;
    poison += obj * 0;
    if (objectness && !(obj > threshold)) {
      for (let c = 0; c < numClasses; c++) poison += data[row + base + c]! * 0;
      continue;
    }
    let b = best[a]!;
    let bc = -1;
    for (let c = 0; c < numClasses; c++) {
      const v = data[row + base + c]!;
      poison += v * 0;
      if (allowed !== undefined && allowed[c] !== 1) continue;
      const s = objectness ? Math.fround(obj * v) : v;
      if (s > b) {
        b = s;
        bc = c;
      }
    }
    if (bc >= 0) {
      best[a] = b;
      bestClass[a] = bc;
    }
  }
  return poison;
}

/**
 * Ultralytics v8 / v5 output → candidates (boxes xyxy in input pixels, best class per anchor).
 * @param outputs `[1, 4+nc(+extra), A]`, `[1, A, 4+nc(+extra)]` or v5 `[1, A, 5+nc]`
 * @throws ModelOutputError on a missing output, a shape that does not fit the labels, or a
 *   non-finite value (naming the output and the flat index)
 */
export function decodeUltralyticsDense(
  outputs: Outputs,
  context: DecodeContext,
  params: UltralyticsDecodeParams,
): Candidates {
  const { model, options, numClasses } = context;
  const out = readFloat32Output(model, outputs, params.output, 3, '[1, 4+nc, A] or [1, A, 4+nc]');
  const [layout, anchors, channels] = ultralyticsLayout(
    model,
    out.name,
    out.dims,
    numClasses,
    params,
  );
  const data = out.data;
  const objectness = params.head === 'v5';
  const { scoreThreshold, allowed, preNmsTopK } = options;
  const best = new Float32Array(anchors).fill(scoreThreshold);
  const bestClass = new Int32Array(anchors).fill(-1);
  const poison =
    layout === 'channels-first'
      ? scanChannelsFirst(
          data,
          anchors,
          numClasses,
          objectness,
          scoreThreshold,
          allowed,
          best,
          bestClass,
        )
      : scanAnchorsFirst(
          data,
          anchors,
          channels,
          numClasses,
          objectness,
          scoreThreshold,
          allowed,
          best,
          bestClass,
        );
  if (poison !== 0) {
    const i =
      layout === 'channels-first'
        ? firstNonFinite(data, 4 * anchors, (4 + (objectness ? 1 : 0) + numClasses) * anchors)
        : firstNonFinite(data);
    throw nonFinite(model, out.name, data, i >= 0 ? i : firstNonFinite(data));
  }
  let count = 0;
  const picked = new Int32Array(anchors);
  for (let a = 0; a < anchors; a++) if (bestClass[a]! >= 0) picked[count++] = a;
  if (count === 0) return emptyCandidates();
  const keep =
    count > preNmsTopK ? topKIndices(best, picked, count, preNmsTopK) : picked.subarray(0, count);
  const n = keep.length;
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  const labels = new Int32Array(n);
  const sx = layout === 'channels-first' ? anchors : 1;
  for (let i = 0; i < n; i++) {
    const a = keep[i]!;
    const at = layout === 'channels-first' ? a : a * channels;
    const cx = data[at]!;
    const cy = data[at + sx]!;
    const w = data[at + 2 * sx]!;
    const h = data[at + 3 * sx]!;
    if (cx - cx + (cy - cy) + (w - w) + (h - h) !== 0) {
      throw nonFinite(model, out.name, data, firstNonFinite(data, at, at + 4 * sx, sx));
    }
    const hw = w / 2;
    const hh = h / 2;
    boxes[4 * i] = cx - hw;
    boxes[4 * i + 1] = cy - hh;
    boxes[4 * i + 2] = cx + hw;
    boxes[4 * i + 3] = cy + hh;
    scores[i] = best[a]!;
    labels[i] = bestClass[a]!;
  }
  return { boxes, scores, labels };
}

/**
 * End-to-end output `[1, N, 6(+extra)]` (x1, y1, x2, y2, score, class) → candidates above the
 * threshold in allowed classes, at most `preNmsTopK`. No NMS follows.
 * @throws ModelOutputError on a bad shape, a non-finite value or a class outside the labels
 */
export function decodeUltralyticsEnd2End(
  outputs: Outputs,
  context: DecodeContext,
  params: UltralyticsDecodeParams,
): Candidates {
  const { model, options, numClasses } = context;
  const out = readFloat32Output(model, outputs, params.output, 3, '[1, N, 6]');
  const [, n, cols] = out.dims as [number, number, number];
  if (
    out.dims[0] !== 1 ||
    cols < 6 ||
    (params.extraChannels !== 'any' && cols !== 6 + (params.extraChannels ?? 0))
  ) {
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape [1, N, 6] (x1, y1, x2, y2, score, class), got ${formatDims(out.dims)}`,
    );
  }
  const data = out.data;
  const { scoreThreshold, allowed, preNmsTopK } = options;
  const picked = new Int32Array(n);
  const rowScores = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let j = 0; j < 6; j++) {
      if (data[row + j]! - data[row + j]! !== 0) throw nonFinite(model, out.name, data, row + j);
    }
    const c = data[row + 5]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new ModelOutputError(
        model,
        out.name,
        `class ${c} at row ${i} is not one of 0..${numClasses - 1}`,
      );
    }
    const s = data[row + 4]!;
    rowScores[i] = s;
    if (s > scoreThreshold && (allowed === undefined || allowed[c] === 1)) picked[count++] = i;
  }
  const keep =
    count > preNmsTopK
      ? topKIndices(rowScores, picked, count, preNmsTopK)
      : picked.subarray(0, count);
  const m = keep.length;
  const boxes = new Float32Array(4 * m);
  const scores = new Float32Array(m);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const row = keep[i]! * cols;
    boxes.set(data.subarray(row, row + 4), 4 * i);
    scores[i] = data[row + 4]!;
    labels[i] = data[row + 5]!;
  }
  return { boxes, scores, labels };
}

/** Dispatches on `params.head`. */
export function decodeUltralytics(
  outputs: Outputs,
  context: DecodeContext,
  params: UltralyticsDecodeParams,
): Candidates {
  return params.head === 'end2end'
    ? decodeUltralyticsEnd2End(outputs, context, params)
    : decodeUltralyticsDense(outputs, context, params);
}
