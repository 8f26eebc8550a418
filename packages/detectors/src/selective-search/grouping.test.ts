import { describe, expect, it } from 'vitest';
import type { Segmentation } from './felzenszwalb.js';
import { hierarchicalGrouping, type InitialRegions, regionGeometry } from './grouping.js';

/** Three vertical stripes 0 | 1 | 2 of widths 2, 3, 1 on a 6×2 image. */
const stripes: Segmentation = {
  width: 6,
  height: 2,
  count: 3,
  labels: Int32Array.from([0, 0, 1, 1, 1, 2, 0, 0, 1, 1, 1, 2]),
};

function initial(seg: Segmentation, colour?: number[][]): InitialRegions {
  const g = regionGeometry(seg);
  return {
    seg,
    ...g,
    colour:
      colour && Float32Array.from([...colour.flat(), ...new Array((seg.count - 1) * 2).fill(0)]),
    colourLength: colour?.[0]?.length ?? 0,
    texture: undefined,
    textureLength: 0,
  };
}

describe('regionGeometry', () => {
  it('gives sizes, inclusive boxes and 8-connected neighbour pairs', () => {
    const g = regionGeometry(stripes);
    expect(Array.from(g.size)).toEqual([4, 6, 2]);
    expect(Array.from(g.bbox)).toEqual([0, 0, 1, 1, 2, 0, 4, 1, 5, 0, 5, 1]);
    expect(Array.from(g.pairs)).toEqual([0, 1, 1, 2]);
  });

  it('links diagonal neighbours', () => {
    const diag: Segmentation = {
      width: 2,
      height: 2,
      count: 3,
      labels: Int32Array.from([0, 1, 2, 0]),
    };
    const pairs = Array.from(regionGeometry(diag).pairs);
    expect(pairs).toEqual([0, 1, 0, 2, 1, 2]);
  });
});

describe('hierarchicalGrouping', () => {
  it('merges the most similar neighbours first and ends with the whole image', () => {
    // colour: 0 and 1 identical, 2 different → 0+1 first, then with 2
    const h = hierarchicalGrouping(
      initial(stripes, [
        [1, 0],
        [1, 0],
        [0, 1],
      ]),
      { colour: true },
    );
    expect(h.boxes.length / 4).toBe(5);
    expect(Array.from(h.boxes.subarray(12, 16))).toEqual([0, 0, 5, 2]); // 0 ∪ 1
    expect(Array.from(h.boxes.subarray(16, 20))).toEqual([0, 0, 6, 2]); // everything
    expect(Array.from(h.levels)).toEqual([1, 1, 1, 2, 3]);
  });

  it('size similarity merges the two smallest neighbours first', () => {
    const h = hierarchicalGrouping(initial(stripes), { size: true });
    expect(Array.from(h.boxes.subarray(12, 16))).toEqual([2, 0, 6, 2]); // 1 (6 px) ∪ 2 (2 px) beats 0 ∪ 1 (10 px)
  });

  it('makes 2n − 1 regions from n connected regions', () => {
    const n = 7;
    const labels = new Int32Array(n * 3);
    for (let i = 0; i < labels.length; i++) labels[i] = i % n;
    const h = hierarchicalGrouping(initial({ width: n, height: 3, count: n, labels }), {
      size: true,
      fill: true,
    });
    expect(h.boxes.length / 4).toBe(2 * n - 1);
    expect(Array.from(h.boxes.subarray(h.boxes.length - 4))).toEqual([0, 0, n, 3]);
    expect(Math.max(...h.levels)).toBeLessThanOrEqual(n);
  });
});
