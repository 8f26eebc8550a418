/**
 * Row 7 — semantic post-processing: 21×512×512 logits → label map at 1024×2048 (bilinear
 * upsampling of the logits, then argmax over the classes), against onnxruntime running the
 * one-graph `Resize` (linear, half_pixel = `F.interpolate(bilinear, align_corners=False)`) +
 * `ArgMax` model (tooling/bench/graphs/resize_argmax_21x512x512_to_1024x2048.onnx).
 *
 * Ocelot times @ocelot/segmenters' `labelMapFromScores` with torch's taps for 512 → 2048 and
 * 512 → 1024 (the fused upsample + argmax that never builds the 21×1024×2048 tensor).
 * Two inputs:
 * - `smooth`: segmentation-like logits (each class a sum of a few wide Gaussian bumps plus a
 *   little noise), the case the fused kernel is built for: most 2×2 source cells have one class
 *   clearly on top and are decided without interpolating;
 * - `noise`: independent N(0, 1) logits at every position — no cell is decided, every pixel
 *   interpolates every class (the kernel's worst case; not what a network produces).
 * Check: labels identical, except pixels where the two best interpolated logits are within
 * 1e-4 (onnxruntime's Resize rounds differently from torch; there either answer is right).
 */
import { ort } from '../harness/ort.js';
import { ortPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchCase, BenchRow, Check, PreparedCase } from '../harness/types.js';
import { loadSegmenters, type SegmentersModule } from './segmenters-load.js';

const C = 21;
const h = 512;
const w = 512;
const H = 1024;
const W = 2048;
const GRAPH = 'resize_argmax_21x512x512_to_1024x2048.onnx';
const TIE = 1e-4;

function smoothLogits(rng: Rng): Float32Array {
  const out = new Float32Array(C * h * w);
  const col = new Float64Array(w);
  for (let c = 0; c < C; c++) {
    const bumps = Array.from({ length: 3 }, () => ({
      x: rng.uniform(0, w),
      y: rng.uniform(0, h),
      s: rng.uniform(0.1, 0.4) * w,
      a: rng.uniform(2, 8),
    }));
    for (let y = 0; y < h; y++) {
      col.fill(-2);
      for (const b of bumps) {
        const gy = Math.exp(-((y - b.y) ** 2) / (2 * b.s * b.s));
        for (let x = 0; x < w; x++)
          col[x]! += b.a * gy * Math.exp(-((x - b.x) ** 2) / (2 * b.s * b.s));
      }
      const o = (c * h + y) * w;
      for (let x = 0; x < w; x++) out[o + x] = col[x]! + 0.05 * rng.normal();
    }
  }
  return out;
}

function noiseLogits(rng: Rng): Float32Array {
  const out = new Float32Array(C * h * w);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** Labels equal except at near ties of the interpolated logits (recomputed with torch's taps). */
function checkLabels(
  seg: SegmentersModule,
  logits: Float32Array,
  a: Uint8Array,
  b: Uint8Array,
): Check {
  if (a.length !== b.length)
    return { ok: false, detail: `lengths differ: ${a.length} vs ${b.length}` };
  const xt = seg.torchTaps(w, W);
  const yt = seg.torchTaps(h, H);
  let differ = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    differ++;
    const y = Math.floor(i / W);
    const x = i - y * W;
    const v = (c: number) => {
      const o = c * h * w;
      return seg.bilinear(
        logits[o + yt.i0[y]! * w + xt.i0[x]!]!,
        logits[o + yt.i0[y]! * w + xt.i1[x]!]!,
        logits[o + yt.i1[y]! * w + xt.i0[x]!]!,
        logits[o + yt.i1[y]! * w + xt.i1[x]!]!,
        xt.w0[x]!,
        xt.w1[x]!,
        yt.w0[y]!,
        yt.w1[y]!,
      );
    };
    const gap = Math.abs(v(a[i]!) - v(b[i]!));
    if (gap >= TIE) {
      return {
        ok: false,
        detail: `pixel (${x}, ${y}): class ${a[i]} vs ${b[i]}, logits ${gap.toExponential(2)} apart (≥ ${TIE})`,
      };
    }
  }
  return {
    ok: true,
    detail:
      differ === 0
        ? `identical labels (${a.length.toLocaleString('en-US')} pixels)`
        : `identical but ${differ} near-tied pixel(s) (logits within ${TIE})`,
  };
}

function semanticCase(kind: 'smooth' | 'noise'): BenchCase {
  return {
    id: `semantic-postprocess/${kind}`,
    workload: `${C}×${h}×${w} ${kind === 'smooth' ? 'segmentation-like' : 'white-noise'} logits → labels at ${H}×${W}`,
    async prepare(ctx): Promise<PreparedCase<Uint8Array>> {
      const logits = ctx.inputs.array(`semantic-logits-${kind}`, 'float32', [1, C, h, w], () =>
        kind === 'smooth'
          ? smoothLogits(new Rng(ctx.seed ^ 0x5e1))
          : noiseLogits(new Rng(ctx.seed ^ 0x5e2)),
      );
      const loaded = await loadSegmenters();
      const seg = 'module' in loaded ? loaded.module : undefined;
      const scores = {
        data: logits.data,
        channels: C,
        height: h,
        width: w,
        layout: 'nchw' as const,
      };
      return {
        ocelot: seg
          ? {
              available: true,
              label: 'labelMapFromScores',
              run: () => {
                const r = seg.labelMapFromScores(scores, seg.torchTaps(w, W), seg.torchTaps(h, H));
                return r.labelMap as Uint8Array;
              },
            }
          : { available: false, reason: 'reason' in loaded ? loaded.reason : 'not loaded' },
        peers: [
          ortPeer({
            name: 'ORT Resize + ArgMax',
            graph: GRAPH,
            feeds: () => ({ logits: new ort.Tensor('float32', logits.data, [1, C, h, w]) }),
            read: (outputs) => {
              const labels = outputs.labels!.data as BigInt64Array;
              const out = new Uint8Array(labels.length);
              for (let i = 0; i < labels.length; i++) out[i] = Number(labels[i]);
              return out;
            },
          }),
        ],
        check: (a, b) =>
          seg
            ? checkLabels(seg, logits.data, a, b)
            : { ok: false, detail: '@ocelot/segmenters not loaded' },
      };
    },
  };
}

export const segmentersSemanticRow: BenchRow = {
  id: 'semantic-postprocess',
  number: 7,
  title: 'semantic post-processing',
  goal: 1,
  correctness: `identical labels except where the two best logits are within ${TIE}`,
  cases: () => [semanticCase('smooth'), semanticCase('noise')],
};
