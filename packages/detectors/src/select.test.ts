import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortByScore, topKIndices } from './select.js';

/** The reference: sort every candidate by (score desc, index asc), take k. */
function reference(scores: Float32Array, candidates: Int32Array, k: number): number[] {
  return Array.from(candidates)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

describe('topKIndices', () => {
  it('keeps the k best, best first, equal scores by index', () => {
    const s = new Float32Array([0.1, 0.9, 0.5, 0.9, 0.3]);
    expect(Array.from(topKIndices(s, Int32Array.from([0, 1, 2, 3, 4]), 5, 3))).toEqual([1, 3, 2]);
    expect(Array.from(topKIndices(s, Int32Array.from([0, 2, 4]), 3, 10))).toEqual([2, 4, 0]);
    expect(Array.from(topKIndices(s, Int32Array.from([0, 2, 4, 9]), 3, 0))).toEqual([]);
  });

  it('equals a full sort for any scores, subsets and k (many ties)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 320 }),
        fc.integer({ min: 0, max: 1000 }),
        (levels, k, seed) => {
          const scores = Float32Array.from(levels, (v) => v / 20);
          const candidates = Int32Array.from(
            levels.map((_, i) => i).filter((i) => (i * 7919 + seed) % 3 !== 0),
          );
          const got = Array.from(topKIndices(scores, candidates, candidates.length, k));
          expect(got).toEqual(reference(scores, candidates, k));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sortByScore', () => {
  const comparator = (scores: Float32Array, indices: Int32Array): number[] =>
    Array.from(indices).sort((a, b) => scores[b]! - scores[a]! || a - b);

  it('orders by decreasing score, equal scores (and −0 / +0) by increasing index', () => {
    const base = [0.5, -0, 0, -1, Infinity, -Infinity, 0.5, 3e-39, -3e-39, 1e38, -1e38];
    // more than the small-array cut-over, so the key sort runs
    const scores = Float32Array.from({ length: 120 }, (_, i) => base[(i * 7) % base.length]!);
    const indices = Int32Array.from({ length: 120 }, (_, i) => (i * 37) % 120);
    const expected = comparator(scores, indices);
    expect(Array.from(sortByScore(scores, indices))).toEqual(expected);
  });

  it('equals the comparison sort for any float32 scores and index subsets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true }), { minLength: 0, maxLength: 400 }),
        fc.integer({ min: 0, max: 1000 }),
        (values, seed) => {
          const scores = Float32Array.from(values);
          const indices = Int32Array.from(
            values.map((_, i) => i).filter((i) => (i * 7919 + seed) % 4 !== 0),
          );
          // shuffle deterministically
          for (let i = indices.length - 1; i > 0; i--) {
            const j = (i * 2654435761 + seed) % (i + 1);
            [indices[i], indices[j]] = [indices[j]!, indices[i]!];
          }
          const expected = comparator(scores, indices);
          expect(Array.from(sortByScore(scores, indices))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('falls back to the comparison sort for indices of 2^21 and more', () => {
    const scores = new Float32Array(2097152 + 60);
    const indices = Int32Array.from({ length: 60 }, (_, i) => 2097152 + 59 - i);
    for (const i of indices) scores[i] = (i % 5) / 5;
    const expected = comparator(scores, indices);
    expect(Array.from(sortByScore(scores, indices))).toEqual(expected);
  });
});
