import { describe, expect, it } from 'vitest';
import { maxAbsDiff, sameIndices, statsEqual } from './check.js';

describe('sameIndices', () => {
  it('passes identical keep lists', () => {
    const c = sameIndices(Int32Array.of(4, 1, 7), [4, 1, 7]);
    expect(c.ok).toBe(true);
    expect(c.detail).toMatch(/3 indices/);
  });

  it('fails on the first differing position', () => {
    const c = sameIndices(Int32Array.of(4, 1, 7), Int32Array.of(4, 2, 7));
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/position 1: 1 vs 2/);
  });

  it('fails on a different length with an identical prefix', () => {
    const c = sameIndices([4, 1], [4, 1, 7]);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/lengths differ: 2 vs 3/);
  });

  it('fails on the same values in another order', () => {
    expect(sameIndices([1, 2, 3], [1, 3, 2]).ok).toBe(false);
  });
});

describe('maxAbsDiff', () => {
  it('passes within the tolerance and reports the worst difference', () => {
    const c = maxAbsDiff([0, 1, 2], [0, 1 + 5e-7, 2], 1e-6);
    expect(c.ok).toBe(true);
    expect(c.detail).toMatch(/^max abs diff 5\.\de-7/);
  });

  it('fails beyond the tolerance and says where', () => {
    const c = maxAbsDiff([0, 1, 2], [0, 1, 2.1], 1e-6);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/at index 2/);
  });

  it('fails on NaN on either side', () => {
    expect(maxAbsDiff([0, Number.NaN], [0, 1], 1).ok).toBe(false);
    expect(maxAbsDiff([0, 1], [0, Number.NaN], 1).ok).toBe(false);
  });

  it('fails on different lengths', () => {
    expect(maxAbsDiff([0, 1], [0], 1).ok).toBe(false);
  });
});

describe('statsEqual', () => {
  it('compares the 12 COCO stats to 1e-9', () => {
    const a = [0.5, 0.25, -1, 0.125, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    expect(statsEqual(a, [...a], 1e-9).ok).toBe(true);
    const b = [...a];
    b[3] = 0.125 + 2e-9;
    const c = statsEqual(a, b, 1e-9);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/at index 3/);
  });
});
