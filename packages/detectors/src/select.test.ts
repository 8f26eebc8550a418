import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topKIndices } from './select.js';

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
