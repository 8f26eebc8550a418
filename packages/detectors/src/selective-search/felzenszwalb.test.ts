import { InvalidArgumentError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { toColourSpace } from './colour.js';
import { buildPixelGraph, felzenszwalbSegmentation, gaussianSmooth } from './felzenszwalb.js';

/** w×h RGB image painted by `paint(x, y)` plus deterministic ±noise. */
function image(w: number, h: number, paint: (x: number, y: number) => number[], noise = 6) {
  const data = new Uint8Array(w * h * 3);
  let s = 12345;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = paint(x, y);
      for (let k = 0; k < 3; k++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        data[(y * w + x) * 3 + k] = Math.max(
          0,
          Math.min(255, c[k]! + ((s >>> 24) % (2 * noise + 1)) - noise),
        );
      }
    }
  }
  return { width: w, height: h, data };
}

describe('gaussianSmooth', () => {
  it('keeps a constant plane constant and preserves the mean of a ramp', () => {
    const flat = gaussianSmooth(new Float32Array(60).fill(7), 10, 6, 0.8);
    for (const v of flat) expect(v).toBeCloseTo(7, 5);
    const ramp = Float32Array.from({ length: 40 }, (_, i) => i % 10);
    const out = gaussianSmooth(ramp, 10, 4, 0.8);
    // interior of a linear ramp is unchanged by a symmetric kernel
    expect(out[15]).toBeCloseTo(5, 4);
  });
});

describe('buildPixelGraph', () => {
  it('has the 8-connected edges of every pixel once, sorted by weight', () => {
    const g = buildPixelGraph(
      image(5, 4, () => [0, 0, 0], 40),
      0,
    );
    // right 4·4, down 5·3, down-right 4·3, up-right 4·3
    expect(g.weight.length).toBe(16 + 15 + 12 + 12);
    for (let i = 1; i < g.weight.length; i++)
      expect(g.weight[i]!).toBeGreaterThanOrEqual(g.weight[i - 1]!);
    const pairs = new Set<string>();
    for (let i = 0; i < g.from.length; i++) {
      const a = g.from[i]!;
      const b = g.to[i]!;
      const [ax, ay, bx, by] = [a % 5, Math.floor(a / 5), b % 5, Math.floor(b / 5)];
      expect(Math.max(Math.abs(ax - bx), Math.abs(ay - by))).toBe(1);
      pairs.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
    }
    expect(pairs.size).toBe(g.weight.length);
  });

  it('has only right and down edges with 4-connectivity, and keeps its smoothed planes', () => {
    const g = buildPixelGraph(
      image(5, 4, () => [0, 0, 0], 40),
      0.8,
      4,
    );
    expect(g.weight.length).toBe(16 + 15);
    expect(g.smoothed.length).toBe(3);
    expect(g.smoothed[0]!.length).toBe(20);
    expect(() =>
      buildPixelGraph(
        image(5, 4, () => [0, 0, 0]),
        0.8,
        6 as 4,
      ),
    ).toThrow(/connectivity/);
  });
});

describe('felzenszwalbSegmentation', () => {
  const halves = image(40, 30, (x) => (x < 17 ? [200, 40, 40] : [40, 60, 200]));

  it('finds the two halves of a two-colour image', () => {
    // smoothing blurs the edge into two 30-pixel columns of in-between colour; minSize 50
    // joins them to a side
    const seg = felzenszwalbSegmentation(halves, { k: 300, minSize: 50 });
    expect(seg.count).toBe(2);
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 40; x++) expect(seg.labels[y * 40 + x]).toBe(x < 17 ? 0 : 1);
    }
  });

  it('numbers segments 0..count−1 in raster order of their first pixel', () => {
    const seg = felzenszwalbSegmentation(
      image(30, 30, (x, y) => (y < 10 ? [250, 250, 250] : x < 15 ? [0, 0, 0] : [250, 0, 0])),
      { k: 200, minSize: 50 },
    );
    expect(seg.count).toBe(3);
    expect(new Set([seg.labels[0], seg.labels[15 * 30], seg.labels[15 * 30 + 20]]).size).toBe(3);
    const first = new Map<number, number>();
    seg.labels.forEach((l, i) => {
      if (!first.has(l)) first.set(l, i);
    });
    expect([...first.keys()]).toEqual([0, 1, 2]);
  });

  it('merges components below minSize into a neighbour', () => {
    // one 3×3 red square in grey: a segment at minSize 5, gone at minSize 20
    const dot = image(
      30,
      30,
      (x, y) => (x >= 10 && x < 13 && y >= 10 && y < 13 ? [255, 0, 0] : [128, 128, 128]),
      0,
    );
    expect(felzenszwalbSegmentation(dot, { k: 50, minSize: 5, sigma: 0 }).count).toBe(2);
    expect(felzenszwalbSegmentation(dot, { k: 50, minSize: 20, sigma: 0 }).count).toBe(1);
  });

  it('gives fewer, larger segments for larger k on a noisy image', () => {
    const noisy = image(48, 48, () => [128, 128, 128], 60);
    const counts = [5, 50, 500].map(
      (k) => felzenszwalbSegmentation(noisy, { k, minSize: 0 }).count,
    );
    expect(counts[0]!).toBeGreaterThan(counts[1]!);
    expect(counts[1]!).toBeGreaterThan(counts[2]!);
  });

  it('works on one-plane colour spaces', () => {
    const seg = felzenszwalbSegmentation(toColourSpace(halves, 'I'), { k: 300, minSize: 50 });
    expect(seg.count).toBe(2);
  });

  it('rejects malformed images and options, naming them', () => {
    expect(() =>
      felzenszwalbSegmentation({ width: 4, height: 4, data: new Uint8Array(10) }),
    ).toThrow(/data/);
    expect(() => felzenszwalbSegmentation(halves, { k: -1 })).toThrow(/options\.k/);
    expect(() => felzenszwalbSegmentation(halves, { sigma: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => felzenszwalbSegmentation(null as never)).toThrow(/planes/);
  });
});
