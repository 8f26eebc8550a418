/**
 * RoI Align (Mask R-CNN), identical in semantics to torchvision.ops.roi_align: bilinear samples
 * on a regular grid in each output bin, averaged; float32 coordinate arithmetic as in
 * torchvision's CPU kernel.
 *
 * Speed: for many RoIs the features are transposed once to channels-last (NHWC), and for every
 * sample point the four bilinear weights are computed once and applied to C contiguous floats.
 * For a few RoIs on a large map the transposition would dominate, so the channels-first kernel
 * with precomputed sample positions (torchvision's own strategy) is used instead.
 */
import { InvalidArgumentError, NonFiniteValueError } from '../errors.js';
import type { TensorView } from '../types.js';
import {
  checkFeatures,
  checkRois,
  checkSamplingRatio,
  checkScale,
  type Features,
  type OutputSize,
  parseOutputSize,
  type Rois,
} from './common.js';

const f32 = Math.fround;

/** Options of {@link roiAlign}. */
export interface RoIAlignOptions {
  /** Output bins per RoI: `n` for n×n or `[height, width]`. */
  readonly outputSize: OutputSize;
  /** Factor from RoI coordinates to feature-map coordinates (e.g. 1/16). Default 1. */
  readonly spatialScale?: number;
  /** Samples per bin along each axis; ≤ 0 for adaptive `ceil(roiSize / bins)`. Default -1. */
  readonly samplingRatio?: number;
  /** Shift RoI coordinates by −0.5 pixel (Detectron2's `aligned=True`). Default false. */
  readonly aligned?: boolean;
}

/** Which kernel to run; `auto` picks by estimated cost. Exposed for tests and benchmarks. */
export type RoIAlignLayout = 'auto' | 'nchw' | 'nhwc';

/** @internal resolved parameters of one RoI Align call (one pyramid level). */
export interface AlignParams {
  oh: number;
  ow: number;
  /** float32 spatial scale, as the kernel sees it */
  scale: number;
  samplingRatio: number;
  aligned: boolean;
}

/** Geometry of one RoI: bin sizes, grid and the count that divides the sum. */
interface RoiGeometry {
  startW: number;
  startH: number;
  binW: number;
  binH: number;
  gridW: number;
  gridH: number;
  count: number;
}

function geometry(rois: Float32Array, k: number, p: AlignParams): RoiGeometry {
  const o = 5 * k;
  const offset = p.aligned ? 0.5 : 0;
  const startW = f32(f32(rois[o + 1]! * p.scale) - offset);
  const startH = f32(f32(rois[o + 2]! * p.scale) - offset);
  const endW = f32(f32(rois[o + 3]! * p.scale) - offset);
  const endH = f32(f32(rois[o + 4]! * p.scale) - offset);
  let roiW = f32(endW - startW);
  let roiH = f32(endH - startH);
  if (!p.aligned) {
    // Legacy mode: force malformed RoIs to be 1×1.
    roiW = Math.max(roiW, 1);
    roiH = Math.max(roiH, 1);
  }
  const binH = f32(roiH / p.oh);
  const binW = f32(roiW / p.ow);
  const gridH = p.samplingRatio > 0 ? p.samplingRatio : Math.ceil(binH);
  const gridW = p.samplingRatio > 0 ? p.samplingRatio : Math.ceil(binW);
  return { startW, startH, binW, binH, gridW, gridH, count: Math.max(gridH * gridW, 1) };
}

/** Per-axis sample tables: for sample j, low/high indices, the fraction and a validity flag. */
interface AxisSamples {
  low: Int32Array;
  high: Int32Array;
  frac: Float32Array;
  valid: Uint8Array;
}

function newAxis(n: number): AxisSamples {
  return {
    low: new Int32Array(n),
    high: new Int32Array(n),
    frac: new Float32Array(n),
    valid: new Uint8Array(n),
  };
}

let axisY = newAxis(64);
let axisX = newAxis(64);

function axisSamples(
  a: AxisSamples,
  start: number,
  bin: number,
  grid: number,
  pooled: number,
  size: number,
): void {
  for (let p = 0; p < pooled; p++) {
    const binStart = f32(start + f32(p * bin));
    for (let i = 0; i < grid; i++) {
      const j = p * grid + i;
      let v = f32(binStart + f32(f32(f32(i + 0.5) * bin) / grid));
      if (v < -1 || v > size) {
        a.valid[j] = 0;
        continue;
      }
      a.valid[j] = 1;
      if (v <= 0) v = 0;
      let low = Math.trunc(v);
      let high: number;
      if (low >= size - 1) {
        high = low = size - 1;
        v = low;
      } else {
        high = low + 1;
      }
      a.low[j] = low;
      a.high[j] = high;
      a.frac[j] = f32(v - low);
    }
  }
}

function prepareAxes(g: RoiGeometry, p: AlignParams, h: number, w: number): void {
  const ny = p.oh * g.gridH;
  const nx = p.ow * g.gridW;
  if (axisY.low.length < ny) axisY = newAxis(Math.max(ny, 2 * axisY.low.length));
  if (axisX.low.length < nx) axisX = newAxis(Math.max(nx, 2 * axisX.low.length));
  axisSamples(axisY, g.startH, g.binH, g.gridH, p.oh, h);
  axisSamples(axisX, g.startW, g.binW, g.gridW, p.ow, w);
}

/**
 * Transposes the images that some RoI uses from NCHW to NHWC (unused images stay zero), in
 * tiles so that reads and writes both stay in cache.
 */
function toChannelsLast(F: Features, used: Uint8Array, name: string): Float32Array {
  const { data, c: C, h, w } = F;
  const hw = h * w;
  const out = new Float32Array(F.n * hw * C);
  const TILE = 256;
  for (let n = 0; n < F.n; n++) {
    if (used[n] === 0) continue;
    const src0 = n * C * hw;
    const dst0 = n * hw * C;
    for (let t = 0; t < hw; t += TILE) {
      const tEnd = Math.min(t + TILE, hw);
      for (let c = 0; c < C; c++) {
        const s = src0 + c * hw;
        let d = dst0 + t * C + c;
        for (let i = t; i < tEnd; i++, d += C) {
          const v = data[s + i]!;
          // NaN / ±Infinity check folded into the copy (v - v is 0 only for finite v)
          if (v - v !== 0) throw new NonFiniteValueError(name, s + i, v);
          out[d] = v;
        }
      }
    }
  }
  return out;
}

/**
 * Bilinear sampling is separable, so the sum over one bin's grid of samples equals
 * Σ_rows Σ_cols rowWeight · colWeight · feature[row, col]: each bin becomes a weighted sum over
 * the few rows and columns its samples touch (about gridH+1 by gridW+1 instead of 4·gridH·gridW
 * reads). Taps of one axis: per output bin, the distinct feature rows (or columns) with their
 * summed weights.
 */
interface Taps {
  index: Int32Array;
  weight: Float64Array;
  /** taps of bin p are [end[p-1], end[p]) */
  end: Int32Array;
}

function newTaps(n: number, pooled: number): Taps {
  return { index: new Int32Array(n), weight: new Float64Array(n), end: new Int32Array(pooled) };
}

let tapsY = newTaps(128, 16);
let binQ = new Int32Array(256);
let binW = new Float64Array(256);
let tapsX = newTaps(128, 16);

function buildTaps(t: Taps, a: AxisSamples, grid: number, pooled: number): Taps {
  if (t.index.length < 2 * grid * pooled || t.end.length < pooled) {
    t = newTaps(Math.max(2 * grid * pooled, 2 * t.index.length), Math.max(pooled, t.end.length));
  }
  let n = 0;
  for (let p = 0; p < pooled; p++) {
    const first = n;
    for (let i = 0; i < grid; i++) {
      const j = p * grid + i;
      if (a.valid[j] === 0) continue;
      const l = a.frac[j]!;
      const h = f32(1 - l);
      const lo = a.low[j]!;
      const hi = a.high[j]!;
      // rows arrive in non-decreasing order within a bin: merge with the last tap
      if (n > first && t.index[n - 1] === lo) t.weight[n - 1] = t.weight[n - 1]! + h;
      else {
        t.index[n] = lo;
        t.weight[n++] = h;
      }
      if (l !== 0) {
        if (t.index[n - 1] === hi) t.weight[n - 1] = t.weight[n - 1]! + l;
        else {
          t.index[n] = hi;
          t.weight[n++] = l;
        }
      }
    }
    t.end[p] = n;
  }
  return t;
}

/**
 * @internal RoI Align of `rois[k]` for every k in `indices` (all RoIs when null) into
 * `out[k, :, :, :]` of an output shaped [K,C,oh,ow]. `nhwc` is the channels-last copy of the
 * features, or null to run over the channel planes of `F` directly.
 */
export function alignRois(
  F: Features,
  nhwc: Float32Array | null,
  rois: Float32Array,
  indices: ArrayLike<number> | null,
  p: AlignParams,
  out: Float32Array,
): void {
  const { c: C, h: H, w: W } = F;
  const ohw = p.oh * p.ow;
  const numRois = indices === null ? rois.length / 5 : indices.length;
  const acc = new Float64Array(C);
  const data = F.data;
  for (let r = 0; r < numRois; r++) {
    const k = indices === null ? r : indices[r]!;
    const g = geometry(rois, k, p);
    if (g.gridH <= 0 || g.gridW <= 0) continue; // no sample: the output stays 0
    prepareAxes(g, p, H, W);
    tapsY = buildTaps(tapsY, axisY, g.gridH, p.oh);
    tapsX = buildTaps(tapsX, axisX, g.gridW, p.ow);
    const { index: ry, weight: wy, end: ey } = tapsY;
    const { index: rx, weight: wx, end: ex } = tapsX;
    const batch = rois[5 * k]!;
    const outBase = k * C * ohw;
    const count = g.count;
    let maxTaps = 0;
    for (let ph = 0, y0 = 0; ph < p.oh; y0 = ey[ph++]!) {
      for (let pw = 0, x0 = 0; pw < p.ow; x0 = ex[pw++]!) {
        maxTaps = Math.max(maxTaps, (ey[ph]! - y0) * (ex[pw]! - x0));
      }
    }
    if (binQ.length < maxTaps) {
      binQ = new Int32Array(2 * maxTaps);
      binW = new Float64Array(2 * maxTaps);
    }
    if (nhwc !== null) {
      const base = batch * H * W * C;
      for (let ph = 0, y0 = 0; ph < p.oh; y0 = ey[ph++]!) {
        const y1 = ey[ph]!;
        for (let pw = 0, x0 = 0; pw < p.ow; x0 = ex[pw++]!) {
          const x1 = ex[pw]!;
          // Flatten the bin's row × column taps, then apply them four at a time so that each
          // pass over the C contiguous channels reads four pixels per accumulator update.
          let n = 0;
          for (let ty = y0; ty < y1; ty++) {
            const row = base + ry[ty]! * W * C;
            const wyv = wy[ty]!;
            for (let tx = x0; tx < x1; tx++, n++) {
              binQ[n] = row + rx[tx]! * C;
              binW[n] = wyv * wx[tx]!;
            }
          }
          acc.fill(0);
          let t = 0;
          for (; t + 4 <= n; t += 4) {
            const q0 = binQ[t]!;
            const q1 = binQ[t + 1]!;
            const q2 = binQ[t + 2]!;
            const q3 = binQ[t + 3]!;
            const w0 = binW[t]!;
            const w1 = binW[t + 1]!;
            const w2 = binW[t + 2]!;
            const w3 = binW[t + 3]!;
            for (let c = 0; c < C; c++) {
              acc[c] =
                acc[c]! +
                w0 * nhwc[q0 + c]! +
                w1 * nhwc[q1 + c]! +
                w2 * nhwc[q2 + c]! +
                w3 * nhwc[q3 + c]!;
            }
          }
          if (n - t >= 2) {
            const q0 = binQ[t]!;
            const q1 = binQ[t + 1]!;
            const w0 = binW[t]!;
            const w1 = binW[t + 1]!;
            for (let c = 0; c < C; c++) acc[c] = acc[c]! + w0 * nhwc[q0 + c]! + w1 * nhwc[q1 + c]!;
            t += 2;
          }
          if (t < n) {
            const q0 = binQ[t]!;
            const w0 = binW[t]!;
            for (let c = 0; c < C; c++) acc[c] = acc[c]! + w0 * nhwc[q0 + c]!;
          }
          const o = outBase + ph * p.ow + pw;
          for (let c = 0; c < C; c++) out[o + c * ohw] = acc[c]! / count;
        }
      }
    } else {
      for (let c = 0; c < C; c++) {
        const plane = (batch * C + c) * H * W;
        const o = outBase + c * ohw;
        for (let ph = 0, y0 = 0; ph < p.oh; y0 = ey[ph++]!) {
          const y1 = ey[ph]!;
          for (let pw = 0, x0 = 0; pw < p.ow; x0 = ex[pw++]!) {
            const x1 = ex[pw]!;
            let sum = 0;
            for (let ty = y0; ty < y1; ty++) {
              const row = plane + ry[ty]! * W;
              let s = 0;
              for (let tx = x0; tx < x1; tx++) s += wx[tx]! * data[row + rx[tx]!]!;
              sum += wy[ty]! * s;
            }
            out[o + ph * p.ow + pw] = sum / count;
          }
        }
      }
    }
  }
}

/**
 * @internal Chooses the kernel and runs it: NHWC when the RoIs' samples outnumber the elements
 * to transpose (a rough cost model measured on this code), NCHW otherwise.
 */
export function alignLevel(
  F: Features,
  rois: Float32Array,
  indices: ArrayLike<number> | null,
  p: AlignParams,
  out: Float32Array,
  layout: RoIAlignLayout,
  name = 'features',
): void {
  const numRois = indices === null ? rois.length / 5 : indices.length;
  if (numRois === 0 || F.c === 0) return;
  const used = new Uint8Array(F.n);
  let samples = 0;
  for (let r = 0; r < numRois; r++) {
    const k = indices === null ? r : indices[r]!;
    used[rois[5 * k]!] = 1;
    const g = geometry(rois, k, p);
    if (g.gridH > 0 && g.gridW > 0) samples += p.oh * p.ow * g.gridH * g.gridW;
  }
  let usedImages = 0;
  for (let n = 0; n < F.n; n++) usedImages += used[n]!;
  let channelsLast = layout === 'nhwc';
  // Cost model from measurements (1×256×200×272, 7×7): transposing one element costs about
  // what the channels-first kernel loses against the channels-last one on two samples of one
  // channel, so channels-last pays off once samples exceed half the map's pixels.
  if (layout === 'auto') channelsLast = 2 * samples > usedImages * F.h * F.w;
  if (channelsLast) {
    alignRois(F, toChannelsLast(F, used, name), rois, indices, p, out);
  } else {
    const image = F.c * F.h * F.w;
    for (let n = 0; n < F.n; n++) {
      if (used[n] === 0) continue;
      const plane = F.data.subarray(n * image, (n + 1) * image);
      for (let i = 0; i < plane.length; i++) {
        const v = plane[i]!;
        if (v - v !== 0) throw new NonFiniteValueError(name, n * image + i, v);
      }
    }
    alignRois(F, null, rois, indices, p, out);
  }
}

/** @internal validated options of roiAlign. */
export function alignParams(
  options: RoIAlignOptions,
  scaleName = 'options.spatialScale',
): AlignParams {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'options',
      'expected { outputSize, spatialScale?, samplingRatio?, aligned? }',
    );
  }
  const [oh, ow] = parseOutputSize('options.outputSize', options.outputSize);
  const spatialScale = checkScale(scaleName, options.spatialScale ?? 1);
  const samplingRatio = checkSamplingRatio('options.samplingRatio', options.samplingRatio ?? -1);
  return { oh, ow, scale: f32(spatialScale), samplingRatio, aligned: options.aligned === true };
}

/**
 * RoI Align, as torchvision.ops.roi_align.
 *
 * @param features [N,C,H,W] float32 feature maps (an onnxruntime Tensor fits)
 * @param rois [K,5] rows of (batchIndex, x1, y1, x2, y2) in input-image coordinates
 * @param options outputSize, spatialScale (1), samplingRatio (-1: adaptive), aligned (false)
 * @returns [K,C,outputHeight,outputWidth]
 * @throws ShapeMismatchError / InvalidArgumentError / NonFiniteValueError naming `features`,
 *   `rois` or the option
 */
export function roiAlign(
  features: TensorView,
  rois: Rois,
  options: RoIAlignOptions,
  layout: RoIAlignLayout = 'auto',
): TensorView<Float32Array> {
  const F = checkFeatures('features', features);
  const r = checkRois('rois', rois, F.n);
  const p = alignParams(options);
  const k = r.length / 5;
  const out = new Float32Array(k * F.c * p.oh * p.ow);
  alignLevel(F, r, null, p, out, layout);
  return { data: out, dims: [k, F.c, p.oh, p.ow] };
}

/** Holds {@link roiAlign}'s options, like torchvision.ops.RoIAlign. */
export class RoIAlign {
  readonly options: Readonly<RoIAlignOptions>;
  constructor(options: RoIAlignOptions) {
    alignParams(options);
    this.options = { ...options };
  }
  /** {@link roiAlign} with the held options. */
  forward(features: TensorView, rois: Rois): TensorView<Float32Array> {
    return roiAlign(features, rois, this.options);
  }
}
