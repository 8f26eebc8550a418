import { batchedNms } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classCounts,
  isBackgroundClass,
  pixelCounts,
  selectDetections,
  visibleDetections,
} from './filter.js';

const d = {
  boxes: Float32Array.of(0, 0, 10, 10, 5, 5, 20, 20, 1, 2, 3, 4, 7, 7, 9, 9),
  scores: Float32Array.of(0.9, 0.6, 0.4, 0.1),
  labels: Int32Array.of(0, 2, 0, 1),
};

describe('visibleDetections', () => {
  it('keeps score >= threshold and classes not hidden, in order', () => {
    expect(Array.from(visibleDetections(d, 0.4, new Set()))).toEqual([0, 1, 2]);
    expect(Array.from(visibleDetections(d, 0.4, new Set([0])))).toEqual([1]);
    expect(Array.from(visibleDetections(d, 0, new Set([2])))).toEqual([0, 2, 3]);
    expect(Array.from(visibleDetections(d, 0.95, new Set()))).toEqual([]);
  });

  it('handles an empty result', () => {
    const empty = {
      boxes: new Float32Array(0),
      scores: new Float32Array(0),
      labels: new Int32Array(0),
    };
    expect(visibleDetections(empty, 0, new Set())).toHaveLength(0);
    expect(classCounts(empty, [], 0)).toEqual([]);
  });
});

describe('selectDetections', () => {
  it('gathers rows of every column', () => {
    const s = selectDetections(d, Int32Array.of(3, 1));
    expect(Array.from(s.boxes)).toEqual([7, 7, 9, 9, 5, 5, 20, 20]);
    expect(Array.from(s.scores)).toEqual([d.scores[3], d.scores[1]]);
    expect(Array.from(s.labels)).toEqual([1, 2]);
  });
});

describe('classCounts / pixelCounts', () => {
  it('counts the classes that occur, by index, with those above the slider', () => {
    expect(classCounts(d, ['circle', 'square', 'star'], 0.5)).toEqual([
      { label: 0, name: 'circle', total: 2, aboveThreshold: 1 },
      { label: 1, name: 'square', total: 1, aboveThreshold: 0 },
      { label: 2, name: 'star', total: 1, aboveThreshold: 1 },
    ]);
  });

  it('names classes the card does not list', () => {
    expect(classCounts(d, ['circle'], 0)[2]!.name).toBe('class 2');
  });

  it('counts label-map pixels', () => {
    expect(pixelCounts(Uint8Array.of(0, 0, 3, 3, 3, 1), ['bg', 'a', 'b', 'c'])).toEqual([
      { label: 0, name: 'bg', total: 2, aboveThreshold: 2 },
      { label: 1, name: 'a', total: 1, aboveThreshold: 1 },
      { label: 3, name: 'c', total: 3, aboveThreshold: 3 },
    ]);
  });

  it('recognises background class names', () => {
    expect(
      ['background', '_background_', 'Background ', '__background__'].every(isBackgroundClass),
    ).toBe(true);
    expect(['person', 'backgrounds', 'back ground'].some(isBackgroundClass)).toBe(false);
  });
});

describe('raising the score slider after NMS', () => {
  // The page runs the model at a low threshold t0 and filters at t1 >= t0. That equals running
  // at t1 because greedy (per-class) NMS decides a box only against higher-scoring boxes.
  const box = fc
    .tuple(
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
    )
    .map(([x, y, w, h]) => [x, y, x + w, y + h]);
  const candidate = fc.record({
    box,
    // distinct-ish scores on a grid, as real decoders produce few exact ties
    score: fc.integer({ min: 1, max: 999 }).map((s) => s / 1000),
    label: fc.integer({ min: 0, max: 2 }),
  });

  function runAt(
    c: { box: number[]; score: number; label: number }[],
    threshold: number,
    iou: number,
  ): string[] {
    const kept = c.filter((x) => x.score > threshold);
    const keep = batchedNms(
      Float32Array.from(kept.flatMap((x) => x.box)),
      Float32Array.from(kept.map((x) => x.score)),
      Int32Array.from(kept.map((x) => x.label)),
      iou,
    );
    return Array.from(keep, (i) => JSON.stringify(kept[i]));
  }

  it('keeps exactly what a run at the higher threshold keeps', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 40 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 499 }),
        fc.constantFrom(0.3, 0.5, 0.7),
        (c, t0k, dk, iou) => {
          const t0 = t0k / 1000;
          const t1 = t0 + dk / 1000;
          const low = runAt(c, t0, iou);
          const filtered = low.filter((s) => (JSON.parse(s) as { score: number }).score > t1);
          expect(filtered).toEqual(runAt(c, t1, iou));
        },
      ),
      { numRuns: 300 },
    );
  });
});
