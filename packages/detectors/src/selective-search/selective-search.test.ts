import { boxIou, InvalidArgumentError } from '@ocelot/core';
import { generateScene, type SyntheticScene } from '@ocelot/datasets';
import { describe, expect, it } from 'vitest';
import { selectiveSearch } from './selective-search.js';

function gtBoxes(scene: SyntheticScene): Float32Array {
  return Float32Array.from(
    scene.objects.flatMap((o) => [
      o.bbox[0],
      o.bbox[1],
      o.bbox[0] + o.bbox[2],
      o.bbox[1] + o.bbox[3],
    ]),
  );
}

/** Fraction of ground-truth boxes with a proposal among the first `top` at IoU ≥ `threshold`. */
function recall(proposals: Float32Array, gt: Float32Array, top: number, threshold: number): number {
  const p = proposals.subarray(0, 4 * Math.min(top, proposals.length / 4));
  const iou = boxIou(gt, p);
  const m = p.length / 4;
  let hit = 0;
  for (let g = 0; g < gt.length / 4; g++) {
    let best = 0;
    for (let j = 0; j < m; j++) best = Math.max(best, iou[g * m + j]!);
    if (best >= threshold) hit++;
  }
  return hit / (gt.length / 4);
}

// Small generated scenes (seeds fixed): a recall floor, not timing. On 100 such 256×256 scenes
// the default `fast` strategy measured recall 0.99 at IoU 0.5 for the top 500 (README).
const scenes = [11, 12, 13].map((seed) => generateScene(seed, { width: 160, height: 160 }));

describe('selectiveSearch', () => {
  it('recalls the generated objects (fast: ≥ 0.9 at IoU 0.5 and ≥ 0.75 at 0.7 in the top 500)', () => {
    let r5 = 0;
    let r7 = 0;
    let objects = 0;
    for (const scene of scenes) {
      const gt = gtBoxes(scene);
      const n = gt.length / 4;
      const proposals = selectiveSearch(scene.image);
      r5 += recall(proposals, gt, 500, 0.5) * n;
      r7 += recall(proposals, gt, 500, 0.7) * n;
      objects += n;
    }
    expect(objects).toBeGreaterThan(8);
    expect(r5 / objects).toBeGreaterThanOrEqual(0.9);
    expect(r7 / objects).toBeGreaterThanOrEqual(0.75);
  });

  it('returns distinct, valid boxes inside the image, the whole image among them', () => {
    const { image } = scenes[0]!;
    const boxes = selectiveSearch(image, { strategy: 'single', duplicateIou: 1 });
    const keys = new Set<string>();
    let whole = false;
    for (let i = 0; i < boxes.length; i += 4) {
      const [x1, y1, x2, y2] = boxes.subarray(i, i + 4) as unknown as number[];
      expect(x1).toBeGreaterThanOrEqual(0);
      expect(y1).toBeGreaterThanOrEqual(0);
      expect(x2).toBeLessThanOrEqual(image.width);
      expect(y2).toBeLessThanOrEqual(image.height);
      expect(x2! > x1! && y2! > y1!).toBe(true);
      keys.add(`${x1},${y1},${x2},${y2}`);
      if (x1 === 0 && y1 === 0 && x2 === image.width && y2 === image.height) whole = true;
    }
    expect(keys.size).toBe(boxes.length / 4);
    expect(whole).toBe(true);
  });

  it('is deterministic for a seed; another seed reorders the same set', () => {
    const { image } = scenes[1]!;
    const opts = { strategy: 'single', jitter: true, duplicateIou: 1 } as const;
    const a = selectiveSearch(image, { ...opts, seed: 1 });
    expect(selectiveSearch(image, { ...opts, seed: 1 })).toEqual(a);
    const b = selectiveSearch(image, { ...opts, seed: 2 });
    const set = (x: Float32Array) =>
      new Set(Array.from({ length: x.length / 4 }, (_, i) => x.subarray(4 * i, 4 * i + 4).join()));
    expect(set(b)).toEqual(set(a));
    expect(b).not.toEqual(a);
    // one hierarchy: no jitter by default, the seed does not matter and the set is the same
    const plain = selectiveSearch(image, { strategy: 'single', duplicateIou: 1, seed: 1 });
    expect(selectiveSearch(image, { strategy: 'single', duplicateIou: 1, seed: 2 })).toEqual(plain);
    expect(set(plain)).toEqual(set(a));
    expect(plain).not.toEqual(a);
    // several hierarchies: jitter by default
    const fast = { strategy: 'fast', duplicateIou: 1 } as const;
    expect(selectiveSearch(image, { ...fast, seed: 2 })).not.toEqual(
      selectiveSearch(image, { ...fast, seed: 1 }),
    );
    expect(() => selectiveSearch(image, { jitter: 1 as unknown as boolean })).toThrow(
      /options.jitter/,
    );
  });

  it('without jitter, one hierarchy is ordered by merge level: the initial regions first', () => {
    const { image } = scenes[0]!;
    const plain = selectiveSearch(image, { strategy: 'single', duplicateIou: 1 });
    // initial regions (level 1) come first, in label order: region 0 holds the top-left pixel
    expect(Array.from(plain.subarray(0, 2))).toEqual([0, 0]);
    const jittered = selectiveSearch(image, { strategy: 'single', duplicateIou: 1, jitter: true });
    expect(Array.from(jittered.subarray(0, 4))).not.toEqual(Array.from(plain.subarray(0, 4)));
  });

  it('ranks by level (default) or by position, over the same set of boxes', () => {
    const { image } = scenes[0]!;
    const level = selectiveSearch(image, { strategy: 'single', duplicateIou: 1 });
    const position = selectiveSearch(image, {
      strategy: 'single',
      ranking: 'position',
      duplicateIou: 1,
    });
    expect(position.length).toBe(level.length);
    expect(position).not.toEqual(level);
    // position ranking: the whole image (position 1) is among the first few
    const whole = (b: Float32Array, i: number) =>
      b[4 * i] === 0 && b[4 * i + 1] === 0 && b[4 * i + 2] === 160 && b[4 * i + 3] === 160;
    const at = (b: Float32Array) =>
      Array.from({ length: b.length / 4 }, (_, i) => i).find((i) => whole(b, i))!;
    expect(at(position)).toBeLessThan(at(level));
  });

  it('drops near-duplicates above duplicateIou, keeping the better-ranked box', () => {
    const { image } = scenes[1]!;
    const all = selectiveSearch(image, { duplicateIou: 1 });
    const some = selectiveSearch(image, { duplicateIou: 0.8 });
    expect(some.length).toBeLessThan(all.length);
    expect(Array.from(some.subarray(0, 4))).toEqual(Array.from(all.subarray(0, 4)));
    const iou = boxIou(some, some);
    const m = some.length / 4;
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) expect(iou[i * m + j]!).toBeLessThanOrEqual(0.8);
  });

  it('honours maxProposals, minBoxSize and explicit diversification', () => {
    const { image } = scenes[2]!;
    expect(selectiveSearch(image, { strategy: 'single', maxProposals: 7 }).length).toBe(28);
    const big = selectiveSearch(image, { strategy: 'single', minBoxSize: 40 });
    for (let i = 0; i < big.length; i += 4) {
      expect(big[i + 2]! - big[i]!).toBeGreaterThanOrEqual(40);
      expect(big[i + 3]! - big[i + 1]!).toBeGreaterThanOrEqual(40);
    }
    const custom = selectiveSearch(image, {
      colourSpaces: ['rgI', 'I'],
      ks: [100],
      minSize: 'k',
      similarities: [{ fill: true }, { colour: true, size: true }],
    });
    expect(custom.length).toBeGreaterThan(0);
  });

  it('rejects bad images and options, naming them', () => {
    const { image } = scenes[0]!;
    expect(() => selectiveSearch({ width: 3, height: 3, data: new Uint8Array(5) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => selectiveSearch(image, { strategy: 'best' as 'fast' })).toThrow(
      /options\.strategy/,
    );
    expect(() => selectiveSearch(image, { colourSpaces: ['xyz' as 'rgb'] })).toThrow(
      /options\.colourSpaces\[0\]/,
    );
    expect(() => selectiveSearch(image, { ks: [100, 0] })).toThrow(/options\.ks\[1\]/);
    expect(() => selectiveSearch(image, { similarities: [{}] })).toThrow(
      /options\.similarities\[0\]/,
    );
    expect(() => selectiveSearch(image, { sigma: Number.NaN })).toThrow(/options\.sigma/);
    expect(() => selectiveSearch(image, { maxProposals: -1 })).toThrow(/options\.maxProposals/);
    expect(() => selectiveSearch(image, { minSize: -3 })).toThrow(/options\.minSize/);
    expect(() => selectiveSearch(image, { ranking: 'score' as 'level' })).toThrow(
      /options\.ranking/,
    );
    expect(() => selectiveSearch(image, { connectivity: 6 as 8 })).toThrow(/options\.connectivity/);
    expect(() => selectiveSearch(image, { duplicateIou: 0 })).toThrow(/options\.duplicateIou/);
  });
});
