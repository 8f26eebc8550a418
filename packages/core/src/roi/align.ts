/**
 * RoI Align (Mask R-CNN), identical in semantics to torchvision.ops.roi_align: bilinear samples
 * on a regular grid in each output bin, averaged; float32 coordinate arithmetic as in
 * torchvision's CPU kernel.
 *
 * Speed: for many RoIs the features are copied once to channels-last in blocks of eight channels
 * ([N, ⌈C/8⌉, H, W, 8]: the copy reads eight planes and writes one contiguous stream, and a
 * block of a RoI's footprint stays in cache for all its bins); every bin's bilinear taps are
 * computed once and applied to eight channels held in registers. For a few RoIs on a large map
 * the copy would dominate, so the channels-first kernel with precomputed sample positions
 * (torchvision's own strategy) is used instead.
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

/**
 * Which kernel to run; `auto` picks by estimated cost. `nhwc`: channels-last (in blocks of eight
 * channels). Exposed for tests and benchmarks.
 */
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

/** Channels per block of the channels-last copy. */
const BLOCK = 8;

/**
 * The buffer the channels-last copy goes into, kept (weakly) between calls: allocating and
 * first touching tens of megabytes costs more than the copy itself, and a pipeline calls RoI
 * Align once per image with maps of the same size. The garbage collector may drop it.
 */
let scratchRef: WeakRef<Float32Array> | undefined;

function scratch(length: number): Float32Array {
  const held = scratchRef?.deref();
  if (held !== undefined && held.length >= length) return held.subarray(0, length);
  const fresh = new Float32Array(length);
  scratchRef = new WeakRef(fresh);
  return fresh;
}

/**
 * Copies the images that some RoI uses from NCHW to [N, ⌈C/8⌉, H, W, 8], checking every value
 * is finite on the way. Only the used images' blocks are written (nothing reads the others);
 * channels past C in the last block are zero.
 */
function toChannelsLast(F: Features, used: Uint8Array, name: string): Float32Array {
  const { data, c: C, h, w } = F;
  const hw = h * w;
  const blocks = Math.ceil(C / BLOCK);
  const out = scratch(F.n * blocks * hw * BLOCK);
  for (let n = 0; n < F.n; n++) {
    if (used[n] === 0) continue;
    for (let b = 0; b < blocks; b++) {
      const c0 = b * BLOCK;
      const dst0 = (n * blocks + b) * hw * BLOCK;
      const s0 = (n * C + c0) * hw;
      if (c0 + BLOCK <= C) {
        // eight planes read side by side, one contiguous stream written
        const s1 = s0 + hw;
        const s2 = s1 + hw;
        const s3 = s2 + hw;
        const s4 = s3 + hw;
        const s5 = s4 + hw;
        const s6 = s5 + hw;
        const s7 = s6 + hw;
        for (let i = 0, d = dst0; i < hw; i++, d += BLOCK) {
          const v0 = data[s0 + i]!;
          const v1 = data[s1 + i]!;
          const v2 = data[s2 + i]!;
          const v3 = data[s3 + i]!;
          const v4 = data[s4 + i]!;
          const v5 = data[s5 + i]!;
          const v6 = data[s6 + i]!;
          const v7 = data[s7 + i]!;
          // v − v is 0 only for finite v: one test for the eight values
          const finite =
            v0 -
            v0 +
            (v1 - v1) +
            (v2 - v2) +
            (v3 - v3) +
            (v4 - v4) +
            (v5 - v5) +
            (v6 - v6) +
            (v7 - v7);
          if (finite !== 0) throwNonFinite(data, s0, hw, i, name);
          out[d] = v0;
          out[d + 1] = v1;
          out[d + 2] = v2;
          out[d + 3] = v3;
          out[d + 4] = v4;
          out[d + 5] = v5;
          out[d + 6] = v6;
          out[d + 7] = v7;
        }
      } else {
        const channels = C - c0;
        for (let i = 0, d = dst0; i < hw; i++, d += BLOCK) {
          for (let j = 0; j < BLOCK; j++) {
            if (j >= channels) {
              out[d + j] = 0;
              continue;
            }
            const v = data[s0 + j * hw + i]!;
            if (v - v !== 0) throw new NonFiniteValueError(name, s0 + j * hw + i, v);
            out[d + j] = v;
          }
        }
      }
    }
  }
  return out;
}

/** Throws for the first non-finite value among the eight planes from `s0` at pixel `i`. */
function throwNonFinite(
  data: Float32Array,
  s0: number,
  hw: number,
  i: number,
  name: string,
): never {
  for (let j = 0; j < BLOCK; j++) {
    const v = data[s0 + j * hw + i]!;
    if (v - v !== 0) throw new NonFiniteValueError(name, s0 + j * hw + i, v);
  }
  throw new NonFiniteValueError(name, s0 + i, data[s0 + i]!);
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
let binEnd = new Int32Array(64);
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
 * The channels-last kernel, one RoI and one block of eight channels: the RoI's bins are
 * `binEnd[e0 + j]` (end of bin j's taps in binQ / binW; bin 0 starts at `t0`); for each bin,
 * eight sums in locals with the taps applied in order (one feature read per multiply-add),
 * written to `out[outBase + c·ohw + j]` for the block's channels c0.. below C.
 */
function blockBins(
  blocked: Float32Array,
  base: number,
  c0: number,
  C: number,
  ohw: number,
  count: number,
  out: Float32Array,
  outBase: number,
  e0: number,
  t0: number,
): void {
  const bq = binQ;
  const bw = binW;
  const be = binEnd;
  const full = c0 + BLOCK <= C;
  for (let j = 0, ta = t0; j < ohw; j++) {
    const tb = be[e0 + j]!;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let t = ta; t < tb; t++) {
      const q = base + bq[t]!;
      const wt = bw[t]!;
      a0 += wt * blocked[q]!;
      a1 += wt * blocked[q + 1]!;
      a2 += wt * blocked[q + 2]!;
      a3 += wt * blocked[q + 3]!;
      a4 += wt * blocked[q + 4]!;
      a5 += wt * blocked[q + 5]!;
      a6 += wt * blocked[q + 6]!;
      a7 += wt * blocked[q + 7]!;
    }
    ta = tb;
    const o = outBase + c0 * ohw + j;
    if (full) {
      out[o] = a0 / count;
      out[o + ohw] = a1 / count;
      out[o + 2 * ohw] = a2 / count;
      out[o + 3 * ohw] = a3 / count;
      out[o + 4 * ohw] = a4 / count;
      out[o + 5 * ohw] = a5 / count;
      out[o + 6 * ohw] = a6 / count;
      out[o + 7 * ohw] = a7 / count;
    } else {
      // the last, partial block: channels c0..C−1
      const sums = [a0, a1, a2, a3, a4, a5, a6, a7];
      for (let c = 0; c < C - c0; c++) out[o + c * ohw] = sums[c]! / count;
    }
  }
}

/** Bits of `v` (< 2^16) spread to the even positions (Morton code). */
function spread(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

/**
 * The RoIs to process, ordered by image and then along a Z curve of their centres on the map,
 * so that RoIs reading the same feature pixels run close together and find them in cache
 * (each RoI writes its own output rows: the order changes no value).
 */
function spatialOrder(
  rois: Float32Array,
  indices: ArrayLike<number> | null,
  numRois: number,
  scale: number,
): Int32Array {
  const keys = new Float64Array(numRois);
  const idx = new Int32Array(numRois);
  for (let r = 0; r < numRois; r++) {
    const k = indices === null ? r : indices[r]!;
    const o = 5 * k;
    // cells of 4 map pixels
    const x = Math.min(Math.max(((rois[o + 1]! + rois[o + 3]!) * scale) / 8, 0), 0xffff) | 0;
    const y = Math.min(Math.max(((rois[o + 2]! + rois[o + 4]!) * scale) / 8, 0), 0xffff) | 0;
    keys[r] = rois[o]! * 2 ** 32 + ((spread(x) | (spread(y) << 1)) >>> 0);
    idx[r] = r;
  }
  idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
  const order = new Int32Array(numRois);
  for (let r = 0; r < numRois; r++) order[r] = indices === null ? idx[r]! : indices[idx[r]!]!;
  return order;
}

/** RoIs whose taps are gathered before the blocks are swept (see alignRois). */
const CHUNK = 128;

/**
 * @internal RoI Align of `rois[k]` for every k in `indices` (all RoIs when null) into
 * `out[k, :, :, :]` of an output shaped [K,C,oh,ow]. `nhwc` is the channels-last copy of the
 * features ([N, ⌈C/8⌉, H, W, 8], see toChannelsLast), or null to run over the channel planes of
 * `F` directly.
 */
export function alignRois(
  F: Features,
  nhwc: Float32Array | null,
  rois: Float32Array,
  indices: ArrayLike<number> | null,
  p: AlignParams,
  out: Float32Array,
): void {
  if (nhwc !== null) {
    alignRoisBlocked(F, nhwc, rois, indices, p, out);
    return;
  }
  const { c: C, h: H, w: W } = F;
  const ohw = p.oh * p.ow;
  const numRois = indices === null ? rois.length / 5 : indices.length;
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

/**
 * The channels-last path of {@link alignRois}: RoIs in spatial order, in chunks of CHUNK; each
 * chunk's bin taps are gathered first (pixel offsets within a block plane and weights, bin
 * by bin), then every block of eight channels is swept over the chunk's RoIs — the chunk's
 * footprint in one block plane stays in cache across its overlapping RoIs.
 */
function alignRoisBlocked(
  F: Features,
  blocked: Float32Array,
  rois: Float32Array,
  indices: ArrayLike<number> | null,
  p: AlignParams,
  out: Float32Array,
): void {
  const { c: C, h: H, w: W } = F;
  const ohw = p.oh * p.ow;
  const numRois = indices === null ? rois.length / 5 : indices.length;
  const order = spatialOrder(rois, indices, numRois, p.scale);
  const blocks = Math.ceil(C / BLOCK);
  const plane = H * W * BLOCK;
  if (binEnd.length < CHUNK * ohw) binEnd = new Int32Array(CHUNK * ohw);
  const chunkK = new Int32Array(CHUNK);
  const chunkBase = new Int32Array(CHUNK);
  const chunkStart = new Int32Array(CHUNK);
  const chunkCount = new Float64Array(CHUNK);
  for (let r0 = 0; r0 < numRois; r0 += CHUNK) {
    let m = 0; // RoIs of this chunk with samples
    let n = 0; // taps gathered
    for (let r = r0; r < Math.min(r0 + CHUNK, numRois); r++) {
      const k = order[r]!;
      const g = geometry(rois, k, p);
      if (g.gridH <= 0 || g.gridW <= 0) continue; // no sample: the output stays 0
      prepareAxes(g, p, H, W);
      tapsY = buildTaps(tapsY, axisY, g.gridH, p.oh);
      tapsX = buildTaps(tapsX, axisX, g.gridW, p.ow);
      const { index: ry, weight: wy, end: ey } = tapsY;
      const { index: rx, weight: wx, end: ex } = tapsX;
      const total = n + ey[p.oh - 1]! * ex[p.ow - 1]!;
      if (binQ.length < total) {
        const q = new Int32Array(2 * total);
        const w = new Float64Array(2 * total);
        q.set(binQ.subarray(0, n));
        w.set(binW.subarray(0, n));
        binQ = q;
        binW = w;
      }
      chunkK[m] = k;
      chunkStart[m] = n;
      chunkCount[m] = g.count;
      // batch index as an int32 base offset (keeps the element loads on the fast path)
      chunkBase[m] = (rois[5 * k]! * blocks * plane) | 0;
      const e0 = m * ohw;
      for (let ph = 0, y0 = 0; ph < p.oh; y0 = ey[ph++]!) {
        const y1 = ey[ph]!;
        for (let pw = 0, x0 = 0; pw < p.ow; x0 = ex[pw++]!) {
          const x1 = ex[pw]!;
          for (let ty = y0; ty < y1; ty++) {
            const row = ry[ty]! * W;
            const wyv = wy[ty]!;
            for (let tx = x0; tx < x1; tx++, n++) {
              binQ[n] = (row + rx[tx]!) * BLOCK;
              binW[n] = wyv * wx[tx]!;
            }
          }
          binEnd[e0 + ph * p.ow + pw] = n;
        }
      }
      m++;
    }
    for (let b = 0; b < blocks; b++) {
      const c0 = b * BLOCK;
      for (let i = 0; i < m; i++) {
        blockBins(
          blocked,
          chunkBase[i]! + b * plane,
          c0,
          C,
          ohw,
          chunkCount[i]!,
          out,
          chunkK[i]! * C * ohw,
          i * ohw,
          chunkStart[i]!,
        );
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
