/**
 * RoI Pool (Fast R-CNN), identical to torchvision.ops.roi_pool: RoI corners are rounded to the
 * feature grid, the RoI is split into bins with floor/ceil edges and each bin is max-pooled
 * (an empty bin gives 0).
 *
 * Speed: when the RoIs together cover the map many times over (Fast R-CNN's 2000 proposals),
 * each channel plane gets a table of row maxima over power-of-two spans (a sparse table), and a
 * bin's maximum is the largest of two overlapping spans per row — O(rows) per bin instead of
 * O(rows × columns). Max is exact, so both paths give the same values.
 */
import { InvalidArgumentError } from '../errors.js';
import type { TensorView } from '../types.js';
import { assertFinite } from '../validate.js';
import {
  checkFeatures,
  checkRois,
  checkScale,
  type OutputSize,
  parseOutputSize,
  type Rois,
} from './common.js';

const f32 = Math.fround;

/** Options of {@link roiPool}. */
export interface RoIPoolOptions {
  /** Output bins per RoI: `n` for n×n or `[height, width]`. */
  readonly outputSize: OutputSize;
  /** Factor from RoI coordinates to feature-map coordinates (e.g. 1/16). Default 1. */
  readonly spatialScale?: number;
}

/** C's `round` (half away from zero). */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * RoI max pooling, as torchvision.ops.roi_pool.
 *
 * @param features [N,C,H,W] float32 feature maps
 * @param rois [K,5] rows of (batchIndex, x1, y1, x2, y2) in input-image coordinates
 * @param options outputSize, spatialScale (1)
 * @returns [K,C,outputHeight,outputWidth]
 */
export function roiPool(
  features: TensorView,
  rois: Rois,
  options: RoIPoolOptions,
): TensorView<Float32Array> {
  const F = checkFeatures('features', features);
  const r = checkRois('rois', rois, F.n);
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'expected { outputSize, spatialScale? }');
  }
  const [oh, ow] = parseOutputSize('options.outputSize', options.outputSize);
  const scale = f32(checkScale('options.spatialScale', options.spatialScale ?? 1));
  assertFinite('features', F.data);
  const { data, c: C, h: H, w: W } = F;
  const K = r.length / 5;
  const ohw = oh * ow;
  const out = new Float32Array(K * C * ohw);
  // Bin edges of every RoI, clamped to the map: rows [hs, he), columns [ws, we).
  const hs = new Int32Array(K * oh);
  const he = new Int32Array(K * oh);
  const ws = new Int32Array(K * ow);
  const we = new Int32Array(K * ow);
  const batchOf = new Int32Array(K);
  let area = 0;
  for (let k = 0; k < K; k++) {
    const o = 5 * k;
    batchOf[k] = r[o]!;
    const startW = roundHalfAway(f32(r[o + 1]! * scale));
    const startH = roundHalfAway(f32(r[o + 2]! * scale));
    const endW = roundHalfAway(f32(r[o + 3]! * scale));
    const endH = roundHalfAway(f32(r[o + 4]! * scale));
    const roiW = Math.max(endW - startW + 1, 1);
    const roiH = Math.max(endH - startH + 1, 1);
    const binH = f32(roiH / oh);
    const binW = f32(roiW / ow);
    for (let ph = 0; ph < oh; ph++) {
      const a = Math.floor(f32(ph * binH));
      const b = Math.ceil(f32((ph + 1) * binH));
      hs[k * oh + ph] = Math.min(Math.max(a + startH, 0), H);
      he[k * oh + ph] = Math.min(Math.max(b + startH, 0), H);
    }
    for (let pw = 0; pw < ow; pw++) {
      const a = Math.floor(f32(pw * binW));
      const b = Math.ceil(f32((pw + 1) * binW));
      ws[k * ow + pw] = Math.min(Math.max(a + startW, 0), W);
      we[k * ow + pw] = Math.min(Math.max(b + startW, 0), W);
    }
    area +=
      Math.max(0, he[k * oh + oh - 1]! - hs[k * oh]!) *
      Math.max(0, we[k * ow + ow - 1]! - ws[k * ow]!);
  }
  // Levels of the sparse table: spans 1, 2, 4, … ≤ W.
  const levels = 32 - Math.clz32(W);
  // The table costs H·W·levels per plane of each image with RoIs; reading bins directly costs
  // their area.
  const used = new Uint8Array(F.n);
  for (let k = 0; k < K; k++) used[batchOf[k]!] = 1;
  const images = used.reduce((a, u) => a + u, 0);
  if (area > 2 * levels * H * W * images) {
    poolWithTable(data, used, C, H, W, levels, K, batchOf, oh, ow, hs, he, ws, we, out);
  } else {
    for (let k = 0; k < K; k++) {
      const batch = batchOf[k]!;
      for (let c = 0; c < C; c++) {
        const plane = (batch * C + c) * H * W;
        const oBase = (k * C + c) * ohw;
        for (let ph = 0; ph < oh; ph++) {
          const h0 = hs[k * oh + ph]!;
          const h1 = he[k * oh + ph]!;
          for (let pw = 0; pw < ow; pw++) {
            const w0 = ws[k * ow + pw]!;
            const w1 = we[k * ow + pw]!;
            if (h1 <= h0 || w1 <= w0) continue; // empty bin: 0
            let max = Number.NEGATIVE_INFINITY;
            for (let y = h0; y < h1; y++) {
              const row = plane + y * W;
              for (let x = w0; x < w1; x++) {
                const v = data[row + x]!;
                if (v > max) max = v;
              }
            }
            out[oBase + ph * ow + pw] = max;
          }
        }
      }
    }
  }
  return { data: out, dims: [K, C, oh, ow] };
}

/**
 * The sparse-table path of roiPool: for each image and channel, `table[l·H·W + y·W + x]` is the
 * maximum of row y over columns [x, x + 2^l) (defined for x + 2^l ≤ W); a bin's maximum over
 * columns [w0, w1) of a row is max(table[l][y][w0], table[l][y][w1 − 2^l]) with
 * 2^l ≤ w1 − w0 < 2^(l+1).
 */
function poolWithTable(
  data: Float32Array,
  used: Uint8Array,
  C: number,
  H: number,
  W: number,
  levels: number,
  K: number,
  batchOf: Int32Array,
  oh: number,
  ow: number,
  hs: Int32Array,
  he: Int32Array,
  ws: Int32Array,
  we: Int32Array,
  out: Float32Array,
): void {
  const hw = H * W;
  const ohw = oh * ow;
  const table = new Float32Array(levels * hw);
  // level of each span length 1..W: floor(log2(len))
  const levelOf = new Int32Array(W + 1);
  for (let len = 1; len <= W; len++) levelOf[len] = 31 - Math.clz32(len);
  for (let n = 0; n < used.length; n++) {
    if (used[n] === 0) continue;
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * hw;
      table.set(data.subarray(plane, plane + hw), 0);
      for (let l = 1, span = 1; l < levels; l++, span *= 2) {
        const cur = l * hw;
        const prev = cur - hw;
        for (let y = 0; y < H; y++) {
          const row = y * W;
          for (let x = row, end = row + W - 2 * span; x <= end; x++) {
            const a = table[prev + x]!;
            const b = table[prev + x + span]!;
            // biome-ignore lint/complexity/useMathMinMax: the values are finite; the ternary is faster
            table[cur + x] = a > b ? a : b;
          }
        }
      }
      for (let k = 0; k < K; k++) {
        if (batchOf[k] !== n) continue;
        const oBase = (k * C + c) * ohw;
        for (let pw = 0; pw < ow; pw++) {
          const w0 = ws[k * ow + pw]!;
          const w1 = we[k * ow + pw]!;
          if (w1 <= w0) continue; // empty bin: 0
          const l = levelOf[w1 - w0]!;
          const a0 = l * hw + w0;
          const b0 = l * hw + w1 - (1 << l);
          for (let ph = 0; ph < oh; ph++) {
            const h0 = hs[k * oh + ph]!;
            const h1 = he[k * oh + ph]!;
            if (h1 <= h0) continue;
            let max = Number.NEGATIVE_INFINITY;
            for (let y = h0; y < h1; y++) {
              const a = table[a0 + y * W]!;
              const b = table[b0 + y * W]!;
              // biome-ignore lint/complexity/useMathMinMax: the values are finite; the ternary is faster
              const m = a > b ? a : b;
              if (m > max) max = m;
            }
            out[oBase + ph * ow + pw] = max;
          }
        }
      }
    }
  }
}

/** Holds {@link roiPool}'s options, like torchvision.ops.RoIPool. */
export class RoIPool {
  readonly options: Readonly<RoIPoolOptions>;
  constructor(options: RoIPoolOptions) {
    parseOutputSize('options.outputSize', options?.outputSize);
    checkScale('options.spatialScale', options.spatialScale ?? 1);
    this.options = { ...options };
  }
  /** {@link roiPool} with the held options. */
  forward(features: TensorView, rois: Rois): TensorView<Float32Array> {
    return roiPool(features, rois, this.options);
  }
}
