import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { sampleWithoutReplacement, seededRandom } from './random.js';
import { BalancedPositiveNegativeSampler, sampleBalanced } from './sampler.js';

function labelsOf(pos: number, neg: number, ignored: number, random: () => number): Int32Array {
  const labels = Int32Array.from([
    ...Array.from({ length: pos }, (_, i) => 1 + (i % 3)),
    ...Array.from({ length: neg }, () => 0),
    ...Array.from({ length: ignored }, (_, i) => (i % 2 ? -1 : -2)),
  ]);
  // shuffle so groups are interleaved
  const order = sampleWithoutReplacement(Int32Array.from(labels.keys()), labels.length, random);
  return Int32Array.from(order, (i) => labels[i]!);
}

describe('BalancedPositiveNegativeSampler', () => {
  it('takes ⌊batch·fraction⌋ positives and fills with negatives (RPN 256 / 0.5)', () => {
    const rnd = seededRandom(1);
    const labels = labelsOf(300, 5000, 400, rnd);
    const s = new BalancedPositiveNegativeSampler(256, 0.5, rnd).sample(labels);
    expect(s.positiveIndices.length).toBe(128);
    expect(s.negativeIndices.length).toBe(128);
  });

  it('fills with extra negatives when positives are short (RoI heads 512 / 0.25)', () => {
    const rnd = seededRandom(2);
    const labels = labelsOf(40, 2000, 10, rnd);
    const s = sampleBalanced(labels, {
      batchSizePerImage: 512,
      positiveFraction: 0.25,
      random: rnd,
    });
    expect(s.positiveIndices.length).toBe(40);
    expect(s.negativeIndices.length).toBe(472);
  });

  it('is limited by the negatives available', () => {
    const labels = Int32Array.of(1, 1, 0, -1, 0);
    const s = sampleBalanced(labels, {
      batchSizePerImage: 10,
      positiveFraction: 0.5,
      random: seededRandom(3),
    });
    expect(Array.from(s.positiveIndices)).toEqual([0, 1]);
    expect(Array.from(s.negativeIndices)).toEqual([2, 4]);
    expect(Array.from(s.positiveMask)).toEqual([1, 1, 0, 0, 0]);
    expect(Array.from(s.negativeMask)).toEqual([0, 0, 1, 0, 1]);
  });

  it('handles empty labels and a zero batch', () => {
    const s = sampleBalanced(new Int32Array(0), { batchSizePerImage: 256, positiveFraction: 0.5 });
    expect(s.positiveMask.length + s.negativeIndices.length).toBe(0);
    const z = sampleBalanced(Int32Array.of(1, 0), { batchSizePerImage: 0, positiveFraction: 0.5 });
    expect(z.positiveIndices.length + z.negativeIndices.length).toBe(0);
  });

  it('is reproducible with a seeded source and differs across seeds', () => {
    const labels = labelsOf(100, 1000, 0, seededRandom(9));
    const a = new BalancedPositiveNegativeSampler(64, 0.25, seededRandom(42)).sample(labels);
    const b = new BalancedPositiveNegativeSampler(64, 0.25, seededRandom(42)).sample(labels);
    const c = new BalancedPositiveNegativeSampler(64, 0.25, seededRandom(43)).sample(labels);
    expect(Array.from(a.negativeIndices)).toEqual(Array.from(b.negativeIndices));
    expect(Array.from(a.negativeIndices)).not.toEqual(Array.from(c.negativeIndices));
  });

  it('samples uniformly: each eligible element is picked about equally often', () => {
    const rnd = seededRandom(5);
    const labels = Int32Array.from({ length: 40 }, (_, i) => (i < 10 ? 1 : i < 30 ? 0 : -1));
    const sampler = new BalancedPositiveNegativeSampler(10, 0.3, rnd);
    const counts = new Float64Array(40);
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const s = sampler.sample(labels);
      for (const i of s.positiveIndices) counts[i]!++;
      for (const i of s.negativeIndices) counts[i]!++;
    }
    // 3 of 10 positives (p = 0.3), 7 of 20 negatives (p = 0.35), never the ignored
    for (let i = 0; i < 10; i++) expect(Math.abs(counts[i]! / trials - 0.3)).toBeLessThan(0.03);
    for (let i = 10; i < 30; i++) expect(Math.abs(counts[i]! / trials - 0.35)).toBeLessThan(0.03);
    for (let i = 30; i < 40; i++) expect(counts[i]).toBe(0);
  });

  it('property: only eligible indices, correct counts, no overlap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 128 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (values, batch, fraction, seed) => {
          const labels = Int32Array.from(values);
          const s = new BalancedPositiveNegativeSampler(batch, fraction, seededRandom(seed)).sample(
            labels,
          );
          const pos = values.filter((v) => v >= 1).length;
          const neg = values.filter((v) => v === 0).length;
          const wantPos = Math.min(Math.trunc(batch * fraction), pos);
          expect(s.positiveIndices.length).toBe(wantPos);
          expect(s.negativeIndices.length).toBe(Math.min(batch - wantPos, neg));
          for (const i of s.positiveIndices) expect(labels[i]!).toBeGreaterThanOrEqual(1);
          for (const i of s.negativeIndices) expect(labels[i]).toBe(0);
          expect(new Set(s.positiveIndices).size).toBe(s.positiveIndices.length);
          expect(new Set(s.negativeIndices).size).toBe(s.negativeIndices.length);
          for (let i = 0; i < labels.length; i++)
            expect(s.positiveMask[i]! & s.negativeMask[i]!).toBe(0);
        },
      ),
    );
  });

  it('rejects bad options', () => {
    expect(() => new BalancedPositiveNegativeSampler(-1, 0.5)).toThrow(/batchSizePerImage/);
    expect(() => new BalancedPositiveNegativeSampler(10, 1.5)).toThrow(/positiveFraction/);
    expect(() => new BalancedPositiveNegativeSampler(10, 0.5, 3 as never)).toThrow(/random/);
    expect(() =>
      sampleBalanced([1, 0] as never, { batchSizePerImage: 2, positiveFraction: 0.5 }),
    ).toThrow(InvalidArgumentError);
    expect(() => seededRandom(1.5)).toThrow(/seed/);
  });
});

describe('seededRandom', () => {
  it('yields numbers in [0, 1) with a sane mean', () => {
    const r = seededRandom(123);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(Math.abs(sum / 10000 - 0.5)).toBeLessThan(0.02);
  });
});
