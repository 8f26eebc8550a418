import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatFixed, linspace, numpyMean, numpySum, searchSortedLeft } from './numpy.js';
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from './params.js';

const fixture = JSON.parse(
  readFileSync(new URL('../__fixtures__/numpy.json', import.meta.url), 'utf8'),
) as {
  generator: string;
  sums: { n: number; sum: number; mean: number }[];
  format: { x: number; f3: string; f2: string }[];
};

function values(n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    v[i] = (((i * 2654435761) % 4294967296) / 4294967296) * 2 ** (((i * 7) % 40) - 20);
  }
  return v;
}

describe(`numpy reductions (${fixture.generator})`, () => {
  for (const { n, sum, mean } of fixture.sums) {
    it(`np.sum / np.mean of ${n} values, bit for bit`, () => {
      const v = values(n);
      expect(numpySum(v)).toBe(sum);
      expect(numpyMean(v)).toBe(mean);
    });
  }
  it('a plain left-to-right sum would differ (the fixture can tell orders apart)', () => {
    const v = values(100000);
    let s = 0;
    for (const x of v) s += x;
    expect(s).not.toBe(fixture.sums.find((x) => x.n === 100000)!.sum);
  });
});

describe("Python's '{:0.3f}' / '{:0.2f}'", () => {
  for (const { x, f3, f2 } of fixture.format) {
    it(`${x}`, () => {
      expect(formatFixed(x, 3)).toBe(f3);
      expect(formatFixed(x, 2)).toBe(f2);
    });
  }
});

describe('linspace and searchsorted', () => {
  it('COCO thresholds are the numpy float64 values', () => {
    expect(Array.from(COCO_IOU_THRESHOLDS)).toEqual([
      0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95,
    ]);
    expect(COCO_RECALL_THRESHOLDS.length).toBe(101);
    expect(COCO_RECALL_THRESHOLDS[3]).toBe(3 * 0.01);
    expect(COCO_RECALL_THRESHOLDS[100]).toBe(1);
    expect(Array.from(linspace(0, 1, 1))).toEqual([0]);
    expect(linspace(0, 1, 0).length).toBe(0);
  });
  it('side=left', () => {
    const a = [0.1, 0.2, 0.2, 0.5];
    expect(searchSortedLeft(a, 4, 0)).toBe(0);
    expect(searchSortedLeft(a, 4, 0.2)).toBe(1);
    expect(searchSortedLeft(a, 4, 0.3)).toBe(3);
    expect(searchSortedLeft(a, 4, 0.6)).toBe(4);
    expect(searchSortedLeft(a, 0, 0.6)).toBe(0);
  });
});
