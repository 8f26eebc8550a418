import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, smoothLogits } from '../test-utils/rng.js';
import { labelMapFromScores, type ScoreMap } from './labels.js';
import { type AxisTaps, bilinear, regionTaps, torchTaps } from './resample.js';

/** Reference: interpolate every class at every pixel, then argmax (first max wins). */
function naive(s: ScoreMap, xt: AxisTaps, yt: AxisTaps, allowed?: Uint8Array): Int32Array {
  const W = xt.i0.length;
  const H = yt.i0.length;
  const out = new Int32Array(W * H);
  const at = (c: number, r: number, q: number) =>
    s.layout === 'nchw'
      ? s.data[(c * s.height + r) * s.width + q]!
      : s.data[(r * s.width + q) * s.channels + c]!;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let bc = -1;
      let bv = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < s.channels; c++) {
        if (allowed && !allowed[c]) continue;
        const v = bilinear(
          at(c, yt.i0[y]!, xt.i0[x]!),
          at(c, yt.i0[y]!, xt.i1[x]!),
          at(c, yt.i1[y]!, xt.i0[x]!),
          at(c, yt.i1[y]!, xt.i1[x]!),
          xt.w0[x]!,
          xt.w1[x]!,
          yt.w0[y]!,
          yt.w1[y]!,
        );
        if (bc < 0 || v > bv) {
          bv = v;
          bc = c;
        }
      }
      out[y * W + x] = bc;
    }
  }
  return out;
}

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let diff = 0;
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) diff++;
  expect(diff).toBe(0);
}

describe('labelMapFromScores equals a full interpolate-then-argmax', () => {
  const cases: [string, number, number, number, number, number][] = [
    // name, C, h, w, H, W
    ['2× upsampling', 5, 16, 20, 32, 40],
    ['odd factors', 7, 13, 9, 50, 31],
    ['downsampling', 4, 40, 30, 17, 11],
    ['same size', 6, 12, 14, 12, 14],
    ['one row', 3, 1, 8, 5, 30],
  ];
  for (const layout of ['nchw', 'nhwc'] as const) {
    for (const [name, C, h, w, H, W] of cases) {
      it(`${name}, ${layout}: smooth logits`, () => {
        const rng = new Rng(C * 1000 + h);
        const s: ScoreMap = {
          data: smoothLogits(rng, C, h, w, layout),
          channels: C,
          height: h,
          width: w,
          layout,
        };
        const xt = torchTaps(w, W);
        const yt = torchTaps(h, H);
        const got = labelMapFromScores(s, xt, yt);
        expectSame(got.labelMap, naive(s, xt, yt));
        const present = new Set(naive(s, xt, yt));
        expect(Array.from(got.classesPresent)).toEqual([...present].sort((a, b) => a - b));
      });
      it(`${name}, ${layout}: white noise and an allow-list`, () => {
        const rng = new Rng(7 + C);
        const data = Float32Array.from({ length: C * h * w }, () => rng.normal());
        const s: ScoreMap = { data, channels: C, height: h, width: w, layout };
        const xt = torchTaps(w, W);
        const yt = torchTaps(h, H);
        expectSame(labelMapFromScores(s, xt, yt).labelMap, naive(s, xt, yt));
        const allowed = new Uint8Array(C);
        allowed[1] = 1;
        allowed[C - 1] = 1;
        expectSame(labelMapFromScores(s, xt, yt, { allowed }).labelMap, naive(s, xt, yt, allowed));
      });
    }
  }

  it('ties go to the lowest class index, as torch.argmax', () => {
    // classes 1 and 2 identical and highest everywhere; class 0 lower
    const h = 4;
    const w = 5;
    const data = new Float32Array(3 * h * w);
    for (let i = 0; i < h * w; i++) {
      data[i] = -1;
      data[h * w + i] = i % 3;
      data[2 * h * w + i] = i % 3;
    }
    const s: ScoreMap = { data, channels: 3, height: h, width: w, layout: 'nchw' };
    const got = labelMapFromScores(s, torchTaps(w, 17), torchTaps(h, 9));
    expect(got.labelMap.every((v) => v === 1)).toBe(true);
    expect(Array.from(got.classesPresent)).toEqual([1]);
    const same = labelMapFromScores(s, torchTaps(w, w), torchTaps(h, h));
    expect(same.labelMap.every((v) => v === 1)).toBe(true);
  });

  it('nhwc ties: the lowest of equal best classes, equal second-best scores', () => {
    // per sample: classes 1 and 3 tie for the best (or 0 and 2 on odd columns); the rest tie lower
    const h = 5;
    const w = 6;
    const C = 4;
    const data = new Float32Array(h * w * C);
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        const top = q % 2 === 0 ? [1, 3] : [0, 2];
        for (let c = 0; c < C; c++) data[(r * w + q) * C + c] = top.includes(c) ? r : r - 1;
      }
    }
    const s: ScoreMap = { data, channels: C, height: h, width: w, layout: 'nhwc' };
    const xt = torchTaps(w, 23);
    const yt = torchTaps(h, 11);
    const got = labelMapFromScores(s, xt, yt);
    expectSame(got.labelMap, naive(s, xt, yt));
  });

  it('21 classes upsampled about 2.5× (the DeepLab shape), in both layouts', () => {
    for (const layout of ['nhwc', 'nchw'] as const) {
      const rng = new Rng(2026);
      const s: ScoreMap = {
        data: smoothLogits(rng, 21, 33, 29, layout),
        channels: 21,
        height: 33,
        width: 29,
        layout,
      };
      const xt = regionTaps(29, 0, 29, 73);
      const yt = regionTaps(33, 0, 33, 80);
      expectSame(labelMapFromScores(s, xt, yt).labelMap, naive(s, xt, yt));
    }
  });

  it('working arrays kept between calls: maps of other sizes in between change nothing', () => {
    const rng = new Rng(5);
    const maps = [
      [6, 20, 17],
      [3, 9, 8],
      [6, 20, 17],
      [4, 31, 27],
      [3, 9, 8],
    ] as const;
    for (const [C, h, w] of maps) {
      const data = Float32Array.from({ length: C * h * w }, () => rng.int(3) + rng.next() * 0.1);
      const s: ScoreMap = { data, channels: C, height: h, width: w, layout: 'nhwc' };
      const xt = torchTaps(w, 2 * w + 1);
      const yt = torchTaps(h, 2 * h + 3);
      expectSame(labelMapFromScores(s, xt, yt).labelMap, naive(s, xt, yt));
    }
  });

  it('taps in any column order (a mirrored label map) give the same labels as the reference', () => {
    const rng = new Rng(11);
    const s: ScoreMap = {
      data: smoothLogits(rng, 5, 12, 10),
      channels: 5,
      height: 12,
      width: 10,
      layout: 'nchw',
    };
    const t = torchTaps(10, 27);
    // the output columns in reverse order: source columns decrease along x, so they do not
    // come in increasing runs (each tap still reads columns i0 and i0 + 1 or i0)
    const xt: AxisTaps = {
      i0: t.i0.slice().reverse(),
      i1: t.i1.slice().reverse(),
      w0: t.w0.slice().reverse(),
      w1: t.w1.slice().reverse(),
    };
    const yt = torchTaps(12, 30);
    expectSame(labelMapFromScores(s, xt, yt).labelMap, naive(s, xt, yt));
  });

  it('assertFinite: called first on every path but one; the NHWC upsampling pass calls it only on a non-finite score', () => {
    const rng = new Rng(3);
    for (const layout of ['nchw', 'nhwc'] as const) {
      for (const [H, W] of [
        [20, 24], // upsampling: the cell path
        [4, 5], // downsampling
        [8, 9], // same size
      ] as const) {
        const s: ScoreMap = {
          data: smoothLogits(rng, 3, 8, 9, layout),
          channels: 3,
          height: 8,
          width: 9,
          layout,
        };
        let calls = 0;
        const got = labelMapFromScores(s, torchTaps(9, W), torchTaps(8, H), {
          assertFinite: () => {
            calls++;
          },
        });
        expectSame(got.labelMap, naive(s, torchTaps(9, W), torchTaps(8, H)));
        const folded = layout === 'nhwc' && H === 20;
        expect(calls).toBe(folded ? 0 : 1);
        if (folded) {
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const data = s.data.slice();
            data[100] = bad;
            expect(() =>
              labelMapFromScores({ ...s, data }, torchTaps(9, W), torchTaps(8, H), {
                assertFinite: () => {
                  throw new Error('not finite');
                },
              }),
            ).toThrow('not finite');
          }
        }
      }
    }
  });

  it('crop regions (letterbox padding) and fractional regions', () => {
    const rng = new Rng(99);
    const s: ScoreMap = {
      data: smoothLogits(rng, 4, 32, 32),
      channels: 4,
      height: 32,
      width: 32,
      layout: 'nchw',
    };
    for (const [start, end] of [
      [4, 28],
      [2.5, 29.25],
      [0, 32],
    ] as const) {
      const xt = regionTaps(32, start, end, 45);
      const yt = regionTaps(32, 0, 32, 37);
      expectSame(labelMapFromScores(s, xt, yt).labelMap, naive(s, xt, yt));
      for (let k = 0; k < 45; k++) {
        expect(xt.i0[k]).toBeGreaterThanOrEqual(Math.floor(start));
        expect(xt.i1[k]).toBeLessThan(Math.ceil(end));
      }
    }
  });

  it('property: random sizes, layouts, class counts and near-tied scores', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 25 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (C, h, w, H, W, nhwc, seed) => {
          const rng = new Rng(seed);
          // few distinct values, so exact and near ties are common
          const data = Float32Array.from(
            { length: C * h * w },
            () => rng.int(4) + (rng.next() < 0.3 ? 1e-7 : 0),
          );
          const s: ScoreMap = {
            data,
            channels: C,
            height: h,
            width: w,
            layout: nhwc ? 'nhwc' : 'nchw',
          };
          const xt = torchTaps(w, W);
          const yt = torchTaps(h, H);
          const got = labelMapFromScores(s, xt, yt).labelMap;
          const want = naive(s, xt, yt);
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return false;
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('single channel: foreground above the threshold, with probabilities', () => {
    const rng = new Rng(5);
    const h = 10;
    const w = 12;
    const data = smoothLogits(rng, 1, h, w);
    const s: ScoreMap = { data, channels: 1, height: h, width: w, layout: 'nchw' };
    const xt = torchTaps(w, 30);
    const yt = torchTaps(h, 25);
    const got = labelMapFromScores(s, xt, yt, {
      binaryThreshold: 0.3,
      probabilities: { classes: Int32Array.of(0, 1), activation: 'sigmoid' },
    });
    for (let y = 0; y < 25; y++) {
      for (let x = 0; x < 30; x++) {
        const v = bilinear(
          data[yt.i0[y]! * w + xt.i0[x]!]!,
          data[yt.i0[y]! * w + xt.i1[x]!]!,
          data[yt.i1[y]! * w + xt.i0[x]!]!,
          data[yt.i1[y]! * w + xt.i1[x]!]!,
          xt.w0[x]!,
          xt.w1[x]!,
          yt.w0[y]!,
          yt.w1[y]!,
        );
        expect(got.labelMap[y * 30 + x]).toBe(v > 0.3 ? 1 : 0);
        const p = 1 / (1 + Math.exp(-v));
        expect(got.probabilities!.maps[1]![y * 30 + x]).toBeCloseTo(p, 6);
        expect(got.probabilities!.maps[0]![y * 30 + x]).toBeCloseTo(1 - p, 6);
      }
    }
  });

  it('softmax probabilities sum to one and follow the label map', () => {
    const rng = new Rng(11);
    const s: ScoreMap = {
      data: smoothLogits(rng, 3, 8, 8),
      channels: 3,
      height: 8,
      width: 8,
      layout: 'nchw',
    };
    const r = labelMapFromScores(s, torchTaps(8, 20), torchTaps(8, 20), {
      probabilities: { classes: Int32Array.of(0, 1, 2), activation: 'softmax' },
    });
    const maps = r.probabilities!.maps;
    for (let i = 0; i < 400; i++) {
      const p = [maps[0]![i]!, maps[1]![i]!, maps[2]![i]!];
      expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 5);
      expect(p.indexOf(Math.max(...p))).toBe(r.labelMap[i]);
    }
  });
});
