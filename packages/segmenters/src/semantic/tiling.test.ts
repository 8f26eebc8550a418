import { parseModelCard } from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import type { TensorLike } from '@ocelot/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { contextOf, f32, fakeSession } from '../test-utils/fake-session.js';
import { Rng } from '../test-utils/rng.js';
import type { ScoreMap } from './labels.js';
import { bilinear, torchTaps } from './resample.js';
import { planAxis, TiledSegmentation } from './tiling.js';

describe('planAxis', () => {
  it('property: tiles cover the axis, stay inside, overlap enough, weights sum to one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 2, max: 128 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.constantFrom('linear', 'cosine', 'uniform' as const),
        (length, tile, f, blend) => {
          const overlap = Math.floor(f * (tile - 1));
          const plan = planAxis(length, tile, overlap, blend);
          const n = plan.starts.length;
          if (length <= tile) return n === 1 && plan.extent === length;
          const sum = new Float64Array(length);
          for (let i = 0; i < n; i++) {
            const s = plan.starts[i]!;
            if (s < 0 || s + tile > length) return false;
            if (i > 0 && plan.starts[i - 1]! + tile - s < overlap) return false;
            for (let p = 0; p < tile; p++) {
              const w = plan.weights[i]![p]!;
              if (!(w >= 0 && w <= 1)) return false;
              sum[s + p]! += w;
            }
          }
          if (plan.starts[0] !== 0 || plan.starts[n - 1]! + tile !== length) return false;
          return sum.every((v) => Math.abs(v - 1) < 1e-5);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('linear ramps are complementary across an overlap; uniform is a plain average', () => {
    const p = planAxis(20, 12, 4, 'linear');
    expect(Array.from(p.starts)).toEqual([0, 8]);
    // overlap [8, 12): tile 0 ramps 7/8, 5/8, 3/8, 1/8 down
    expect(Array.from(p.weights[0]!.subarray(8))).toEqual(
      [7 / 8, 5 / 8, 3 / 8, 1 / 8].map(Math.fround),
    );
    expect(Array.from(p.weights[1]!.subarray(0, 4))).toEqual(
      [1 / 8, 3 / 8, 5 / 8, 7 / 8].map(Math.fround),
    );
    const u = planAxis(20, 12, 4, 'uniform');
    expect(Array.from(u.weights[0]!.subarray(6))).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5]);
  });
});

/** Scores of tile `t` at tile pixel (p, q): a smooth global field plus a per-tile bias. */
function tileScores(
  C: number,
  tileW: number,
  tileH: number,
  outW: number,
  outH: number,
  x0: number,
  y0: number,
  bias: Float32Array,
  layout: 'nchw' | 'nhwc',
): ScoreMap {
  const data = new Float32Array(C * outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // sample centre in image pixels
      const gx = x0 + ((x + 0.5) * tileW) / outW;
      const gy = y0 + ((y + 0.5) * tileH) / outH;
      for (let c = 0; c < C; c++) {
        const v = Math.sin(gx / (7 + c) + c) + Math.cos(gy / (5 + 2 * c)) + bias[c]!;
        data[layout === 'nchw' ? (c * outH + y) * outW + x : (y * outW + x) * C + c] = v;
      }
    }
  }
  return { data, channels: C, height: outH, width: outW, layout };
}

describe('TiledSegmentation', () => {
  const cases = [
    // W, H, tile, overlap, C, output scale, blend, layout
    [50, 37, 16, 5, 4, 1, 'linear', 'nchw'],
    [64, 20, 16, 8, 3, 0.5, 'cosine', 'nhwc'],
    [33, 33, 12, 3, 5, 1, 'uniform', 'nchw'],
    [10, 40, 16, 6, 3, 1, 'linear', 'nchw'], // narrower than a tile
    [30, 30, 8, 7, 2, 1, 'linear', 'nhwc'], // three tiles deep at some pixels
  ] as const;
  for (const [W, H, T, ov, C, scale, blend, layout] of cases) {
    it(`${W}×${H}, tile ${T}, overlap ${ov}, ${C} classes, output ×${scale}, ${blend}, ${layout}: equals the blended full-size scores`, () => {
      const rng = new Rng(W * H + C);
      const tiler = new TiledSegmentation(W, H, T, T, ov, blend, {
        channels: C,
        probabilities: { classes: Int32Array.of(0, C - 1), activation: 'softmax' },
      });
      const outSize = Math.round(T * scale);
      const blended = new Float64Array(W * H * C);
      const xt = torchTaps(outSize, T);
      const yt = torchTaps(outSize, T);
      for (const rect of tiler.tiles) {
        const bias = Float32Array.from({ length: C }, () => rng.uniform(-0.5, 0.5));
        const s = tileScores(C, T, T, outSize, outSize, rect.x, rect.y, bias, layout);
        const i = tiler.tiles.indexOf(rect);
        const r = Math.floor(i / tiler.xPlan.starts.length);
        const c = i - r * tiler.xPlan.starts.length;
        for (let p = 0; p < rect.height; p++) {
          for (let q = 0; q < rect.width; q++) {
            const w = tiler.yPlan.weights[r]![p]! * tiler.xPlan.weights[c]![q]!;
            for (let k = 0; k < C; k++) {
              const at = (yy: number, xx: number) =>
                layout === 'nchw'
                  ? s.data[(k * outSize + yy) * outSize + xx]!
                  : s.data[(yy * outSize + xx) * C + k]!;
              const v = bilinear(
                at(yt.i0[p]!, xt.i0[q]!),
                at(yt.i0[p]!, xt.i1[q]!),
                at(yt.i1[p]!, xt.i0[q]!),
                at(yt.i1[p]!, xt.i1[q]!),
                xt.w0[q]!,
                xt.w1[q]!,
                yt.w0[p]!,
                yt.w1[p]!,
              );
              blended[((rect.y + p) * W + rect.x + q) * C + k]! += w * v;
            }
          }
        }
        tiler.add(s);
      }
      const got = tiler.result();
      let mismatches = 0;
      for (let i = 0; i < W * H; i++) {
        const v = Array.from(blended.subarray(i * C, i * C + C));
        const best = v.indexOf(Math.max(...v));
        const sorted = [...v].sort((a, b) => b - a);
        if (got.labelMap[i] !== best && sorted[0]! - sorted[1]! > 1e-5) mismatches++;
        const e = v.map((x) => Math.exp(x - sorted[0]!));
        const z = e.reduce((a, b) => a + b, 0);
        expect(got.probabilities!.maps[0]![i]).toBeCloseTo(e[0]! / z, 5);
        expect(got.probabilities!.maps[1]![i]).toBeCloseTo(e[C - 1]! / z, 5);
      }
      expect(mismatches).toBe(0);
      expect(() =>
        tiler.add(tileScores(C, T, T, outSize, outSize, 0, 0, new Float32Array(C), layout)),
      ).toThrow(/already added/);
    });
  }

  it('refuses an overlap as large as the tile, and results before the last tile', () => {
    expect(() => new TiledSegmentation(100, 100, 16, 16, 16, 'linear', { channels: 2 })).toThrow(
      /options.tile.overlap: expected an integer in 0..15/,
    );
    const t = new TiledSegmentation(40, 40, 16, 16, 4, 'linear', { channels: 2 });
    expect(() => t.result()).toThrow(/9 of 9 tiles not added yet/);
  });
});

/** A per-pixel "model": class c scores −|R − 60c| from the (unnormalised) red channel. */
function pixelModel(C: number) {
  return (feeds: Readonly<Record<string, TensorLike>>) => {
    const t = feeds.input!;
    const [, , h, w] = t.dims as number[];
    const d = t.data as Float32Array;
    const out = new Float32Array(C * h! * w!);
    for (let i = 0; i < h! * w!; i++) {
      const red = d[i]!;
      for (let c = 0; c < C; c++) out[c * h! * w! + i] = -Math.abs(red - 60 * c) + 0.01 * c;
    }
    return { out: f32(out, [1, C, h!, w!]) };
  };
}

function gradientImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[(y * width + x) * 3] = ((x * 7 + y * 3) >> 2) & 255;
    }
  }
  return { width, height, data };
}

async function tiledSegmenter(C: number, size: number): Promise<SemanticSegmenter> {
  const card = parseModelCard({
    id: 'pixel',
    task: 'segment',
    architecture: { type: 'fcn' },
    files: { model: { path: 'x.onnx' } },
    input: { width: size, height: size, resize: 'stretch', scale: 1 },
    labels: Array.from({ length: C }, (_, c) => `c${c}`),
  });
  const seg = await buildSegmenter(
    registerBuiltins(createSegmenterRegistry()),
    card,
    contextOf(fakeSession({ outputs: pixelModel(C) })),
  );
  return seg as SemanticSegmenter;
}

describe('tiled segmentation through a segmenter', () => {
  it('each tile sees its own part of the image: a per-pixel model gives per-pixel labels', async () => {
    const C = 5;
    const seg = await tiledSegmenter(C, 32);
    const image = gradientImage(90, 70);
    const r = await seg.segment(image, { tile: { overlap: 8, blend: 'cosine' } });
    expect(r.imageSize).toEqual({ width: 90, height: 70 });
    for (let i = 0; i < 90 * 70; i++) {
      const red = image.data[3 * i]!;
      let best = 0;
      for (let c = 1; c < C; c++)
        if (-Math.abs(red - 60 * c) + 0.01 * c > -Math.abs(red - 60 * best) + 0.01 * best) best = c;
      expect(r.labelMap[i]).toBe(best);
    }
    // smaller than a tile: padded right and bottom, not rescaled
    const small = await seg.segment(gradientImage(20, 9), { tile: true, classes: [0, 4] });
    expect(small.labelMap.length).toBe(180);
    expect(new Set(small.labelMap).size).toBeLessThanOrEqual(2);
  });

  it('a 4000×3000 image in bounded memory: no full-resolution C-channel buffer', async () => {
    const C = 21;
    const T = 512;
    const seg = await tiledSegmenter(C, T);
    const image = gradientImage(4000, 3000);
    let peak = 0;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    };
    const timer = setInterval(sample, 5);
    const before = process.memoryUsage().arrayBuffers;
    const r = await seg.segment(image, { tile: { overlap: 128 } });
    clearInterval(timer);
    sample();
    expect(r.labelMap.length).toBe(12_000_000);
    const fullResolution = C * 4000 * 3000 * 4; // ~1 GB of float32 scores
    const tiler = new TiledSegmentation(4000, 3000, T, T, 128, 'linear', { channels: C });
    // the tiler's own buffers: two carries of the overlap rows, one window, one row
    expect(tiler.bufferBytes).toBeLessThan(fullResolution / 6);
    console.log(
      `tiled 4000×3000: tiler buffers ${(tiler.bufferBytes / 1e6).toFixed(0)} MB, arrayBuffers peak +${((peak - before) / 1e6).toFixed(0)} MB, full-resolution scores would be ${(fullResolution / 1e6).toFixed(0)} MB`,
    );
    expect(peak - before).toBeLessThan(fullResolution / 3);
    // spot-check labels far apart
    for (const i of [0, 1_234_567, 6_000_000, 11_999_999]) {
      const red = image.data[3 * i]!;
      let best = 0;
      for (let c = 1; c < C; c++)
        if (-Math.abs(red - 60 * c) + 0.01 * c > -Math.abs(red - 60 * best) + 0.01 * best) best = c;
      expect(r.labelMap[i]).toBe(best);
    }
  }, 300_000);
});
