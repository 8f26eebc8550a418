/**
 * CenterNet (Zhou et al. 2019, "Objects as Points") decoding, as `ctdet_decode`: sigmoid on the
 * class heatmaps, a point is a peak when it equals the max of its 3×3 neighbourhood (the
 * max-pool stands in for NMS), the top-K peaks over classes × positions, and a box per peak
 * from the size and offset maps: ((x + dx) ∓ w/2, (y + dy) ∓ h/2) · stride.
 */
import {
  assertFiniteOutput,
  type Candidates,
  type DecodeContext,
  emptyCandidates,
  ModelOutputError,
  readFloat32Output,
  topKIndices,
} from '@ocelot/detectors';
import type { Tensor } from '@ocelot/runtime';
import type { ResolvedCenterNetConfig } from './config.js';

/**
 * Heatmap `[1, C, H, W]`, sizes `[1, 2, H, W]`, offsets `[1, 2, H, W]` → candidates in input
 * pixels (no NMS needed afterwards).
 * @throws ModelOutputError on missing outputs, shapes that do not fit, non-finite values
 */
export function decodeCenterNet(
  outputs: Readonly<Record<string, Tensor>>,
  context: DecodeContext,
  config: ResolvedCenterNetConfig,
): Candidates {
  const { model, options, numClasses: C } = context;
  const hm = readFloat32Output(model, outputs, config.heatmapOutput, 4, `[1, C=${C}, H, W]`);
  const [, c, H, W] = hm.dims as [number, number, number, number];
  if (hm.dims[0] !== 1 || c !== C) {
    throw new ModelOutputError(
      model,
      hm.name,
      `expected shape [1, C=${C}, H, W] (one map per label), got [${hm.dims.join(', ')}]`,
    );
  }
  const wh = readFloat32Output(model, outputs, config.sizeOutput, 4, `[1, 2, ${H}, ${W}]`);
  const off = readFloat32Output(model, outputs, config.offsetOutput, 4, `[1, 2, ${H}, ${W}]`);
  for (const t of [wh, off]) {
    if (t.dims[0] !== 1 || t.dims[1] !== 2 || t.dims[2] !== H || t.dims[3] !== W) {
      throw new ModelOutputError(
        model,
        t.name,
        `expected shape [1, 2, ${H}, ${W}], got [${t.dims.join(', ')}]`,
      );
    }
    assertFiniteOutput(model, t.name, t.data);
  }
  assertFiniteOutput(model, hm.name, hm.data);

  const plane = H * W;
  const heat = new Float32Array(C * plane);
  for (let i = 0; i < heat.length; i++) {
    const v = hm.data[i]!;
    heat[i] = config.logits ? Math.fround(1 / (1 + Math.exp(-v))) : v;
  }
  const { scoreThreshold, allowed, maxDetections } = options;
  const peaks = new Int32Array(C * plane);
  let count = 0;
  for (let k = 0; k < C; k++) {
    if (allowed !== undefined && allowed[k] !== 1) continue;
    const base = k * plane;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = heat[base + y * W + x]!;
        if (!(v > scoreThreshold)) continue;
        let isPeak = true;
        for (let dy = -1; dy <= 1 && isPeak; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= H) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < W && heat[base + yy * W + xx]! > v) {
              isPeak = false;
              break;
            }
          }
        }
        if (isPeak) peaks[count++] = base + y * W + x;
      }
    }
  }
  if (count === 0) return emptyCandidates();
  const top = topKIndices(heat, peaks, count, Math.min(config.topK, maxDetections));
  const n = top.length;
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  const labels = new Int32Array(n);
  const s = config.stride;
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const idx = top[i]!;
    const k = Math.floor(idx / plane);
    const p = idx - k * plane;
    const y = Math.floor(p / W);
    const x = p - y * W;
    const cx = f(x + off.data[p]!);
    const cy = f(y + off.data[plane + p]!);
    const hw = f(wh.data[p]! / 2);
    const hh = f(wh.data[plane + p]! / 2);
    boxes[4 * i] = f(cx - hw) * s;
    boxes[4 * i + 1] = f(cy - hh) * s;
    boxes[4 * i + 2] = f(cx + hw) * s;
    boxes[4 * i + 3] = f(cy + hh) * s;
    scores[i] = heat[idx]!;
    labels[i] = k;
  }
  return { boxes, scores, labels };
}
