/**
 * Ultralytics segmentation outputs → detections with their mask coefficients (pure).
 *
 * The box part is the Ultralytics v8 detect layout (see @ocelot/detectors `ultralytics`):
 * best class per anchor with a strictly greater score than the threshold (the allow-list
 * restricts the best class first), at most `preNmsTopK` by score, then NMS per class (or class
 * agnostic) capped at `maxDetections`. The 32 numbers after the class scores of each kept
 * anchor are its mask coefficients; masks.ts turns them into masks.
 */
import { batchedNms, nms } from '@ocelot/core';
import {
  type DecodeContext,
  formatDims,
  ModelOutputError,
  type OutputRef,
  readFloat32Output,
  topKIndices,
  ultralyticsLayout,
} from '@ocelot/detectors';
import type { Tensor } from '@ocelot/runtime';

type Outputs = Readonly<Record<string, Tensor>>;

/** Where the outputs are. */
export interface YoloSegDecodeParams {
  readonly output: OutputRef;
  readonly protoOutput: OutputRef;
  readonly layout?: 'channels-first' | 'anchors-first' | undefined;
}

/** Mask prototypes `[nm, mh, mw]` (batch 1). */
export interface Prototypes {
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Kept detections in MODEL INPUT pixels, by decreasing score, with their coefficients. */
export interface YoloSegDetections {
  /** [N,4] xyxy, model input pixels. */
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
  /** [N, nm] mask coefficients. */
  readonly coefficients: Float32Array;
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
 * Reads the prototype output `[1, nm, mh, mw]`.
 * @throws ModelOutputError on a missing output, a wrong shape or a non-finite value
 */
export function readPrototypes(model: string, outputs: Outputs, ref: OutputRef): Prototypes {
  const out = readFloat32Output(model, outputs, ref, 4, '[1, nm, mh, mw]');
  const [n, c, h, w] = out.dims as [number, number, number, number];
  if (n !== 1 || c < 1 || h < 1 || w < 1) {
    throw new ModelOutputError(
      model,
      out.name,
      `expected shape [1, nm, mh, mw] mask prototypes, got ${formatDims(out.dims)}`,
    );
  }
  const d = out.data;
  for (let i = 0; i < d.length; i++)
    if (d[i]! - d[i]! !== 0) throw nonFinite(model, out.name, d, i);
  return { data: d, channels: c, height: h, width: w };
}

/**
 * The detection output → kept detections and their mask coefficients.
 * @param maskChannels nm, the prototype count
 * @throws ModelOutputError on a missing output, a shape that does not fit the labels and nm
 *   (naming expected vs given), or a non-finite score, box or coefficient
 */
export function decodeYoloSegDetections(
  outputs: Outputs,
  context: DecodeContext,
  params: YoloSegDecodeParams,
  maskChannels: number,
): YoloSegDetections {
  const { model, options, numClasses } = context;
  const out = readFloat32Output(model, outputs, params.output, 3, `[1, 4+nc+${maskChannels}, A]`);
  const [layout, anchors, channels] = ultralyticsLayout(model, out.name, out.dims, numClasses, {
    head: 'v8',
    layout: params.layout,
    output: params.output,
    extraChannels: maskChannels,
  });
  const data = out.data;
  const cf = layout === 'channels-first';
  // element (channel ch, anchor a)
  const at = cf
    ? (ch: number, a: number) => ch * anchors + a
    : (ch: number, a: number) => a * channels + ch;
  const { scoreThreshold, allowed, preNmsTopK, iouThreshold, maxDetections, classAgnostic } =
    options;
  const best = new Float32Array(anchors).fill(scoreThreshold);
  const bestClass = new Int32Array(anchors).fill(-1);
  let poison = 0;
  if (cf) {
    for (let c = 0; c < numClasses; c++) {
      const off = (4 + c) * anchors;
      if (allowed !== undefined && allowed[c] !== 1) {
        for (let a = 0; a < anchors; a++) poison += data[off + a]! * 0;
        continue;
      }
      for (let a = 0; a < anchors; a++) {
        const v = data[off + a]!;
        poison += v * 0;
        if (v > best[a]!) {
          best[a] = v;
          bestClass[a] = c;
        }
      }
    }
  } else {
    for (let a = 0; a < anchors; a++) {
      const row = a * channels + 4;
      for (let c = 0; c < numClasses; c++) {
        const v = data[row + c]!;
        poison += v * 0;
        if ((allowed === undefined || allowed[c] === 1) && v > best[a]!) {
          best[a] = v;
          bestClass[a] = c;
        }
      }
    }
  }
  if (poison !== 0) {
    for (let a = 0; a < anchors; a++) {
      for (let c = 0; c < numClasses; c++) {
        const i = at(4 + c, a);
        if (data[i]! - data[i]! !== 0) throw nonFinite(model, out.name, data, i);
      }
    }
  }
  let count = 0;
  const picked = new Int32Array(anchors);
  for (let a = 0; a < anchors; a++) if (bestClass[a]! >= 0) picked[count++] = a;
  const cand =
    count > preNmsTopK ? topKIndices(best, picked, count, preNmsTopK) : picked.subarray(0, count);
  const k = cand.length;
  const boxes = new Float32Array(4 * k);
  const scores = new Float32Array(k);
  const labels = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const a = cand[i]!;
    const cx = data[at(0, a)]!;
    const cy = data[at(1, a)]!;
    const w = data[at(2, a)]!;
    const h = data[at(3, a)]!;
    if (cx - cx + (cy - cy) + (w - w) + (h - h) !== 0) {
      for (let ch = 0; ch < 4; ch++)
        if (data[at(ch, a)]! - data[at(ch, a)]! !== 0)
          throw nonFinite(model, out.name, data, at(ch, a));
    }
    // xywh → xyxy; a negative width / height (never from a trained head) becomes a zero one
    const x1 = cx - w / 2;
    const y1 = cy - h / 2;
    boxes[4 * i] = x1;
    boxes[4 * i + 1] = y1;
    boxes[4 * i + 2] = Math.max(x1, cx + w / 2);
    boxes[4 * i + 3] = Math.max(y1, cy + h / 2);
    scores[i] = best[a]!;
    labels[i] = bestClass[a]!;
  }
  const keep = classAgnostic
    ? nms(boxes, scores, iouThreshold, { maxOutput: maxDetections })
    : batchedNms(boxes, scores, labels, iouThreshold, { maxOutput: maxDetections });
  const n = keep.length;
  const outBoxes = new Float32Array(4 * n);
  const outScores = new Float32Array(n);
  const outLabels = new Int32Array(n);
  const coefficients = new Float32Array(n * maskChannels);
  const base = 4 + numClasses;
  for (let j = 0; j < n; j++) {
    const i = keep[j]!;
    outBoxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * j);
    outScores[j] = scores[i]!;
    outLabels[j] = labels[i]!;
    const a = cand[i]!;
    for (let m = 0; m < maskChannels; m++) {
      const idx = at(base + m, a);
      const v = data[idx]!;
      if (v - v !== 0) throw nonFinite(model, out.name, data, idx);
      coefficients[j * maskChannels + m] = v;
    }
  }
  return { boxes: outBoxes, scores: outScores, labels: outLabels, coefficients };
}
