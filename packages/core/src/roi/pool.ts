/**
 * RoI Pool (Fast R-CNN), identical to torchvision.ops.roi_pool: RoI corners are rounded to the
 * feature grid, the RoI is split into bins with floor/ceil edges and each bin is max-pooled
 * (an empty bin gives 0).
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
  const hs = new Int32Array(oh);
  const he = new Int32Array(oh);
  const ws = new Int32Array(ow);
  const we = new Int32Array(ow);
  for (let k = 0; k < K; k++) {
    const o = 5 * k;
    const batch = r[o]!;
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
      hs[ph] = Math.min(Math.max(a + startH, 0), H);
      he[ph] = Math.min(Math.max(b + startH, 0), H);
    }
    for (let pw = 0; pw < ow; pw++) {
      const a = Math.floor(f32(pw * binW));
      const b = Math.ceil(f32((pw + 1) * binW));
      ws[pw] = Math.min(Math.max(a + startW, 0), W);
      we[pw] = Math.min(Math.max(b + startW, 0), W);
    }
    for (let c = 0; c < C; c++) {
      const plane = (batch * C + c) * H * W;
      const oBase = (k * C + c) * ohw;
      for (let ph = 0; ph < oh; ph++) {
        const h0 = hs[ph]!;
        const h1 = he[ph]!;
        for (let pw = 0; pw < ow; pw++) {
          const w0 = ws[pw]!;
          const w1 = we[pw]!;
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
  return { data: out, dims: [K, C, oh, ow] };
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
