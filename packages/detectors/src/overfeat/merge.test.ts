import { describe, expect, it } from 'vitest';
import { overfeatMerge } from './merge.js';

describe('overfeatMerge', () => {
  const boxes = Float32Array.from([
    0,
    0,
    10,
    10, // a, class 0, p 0.9
    1,
    1,
    11,
    11, // overlaps a, class 0, p 0.6
    50,
    50,
    60,
    60, // alone, class 0, p 0.7
    0,
    0,
    10,
    10, // same place as a, class 1, p 0.8
  ]);
  const scores = Float32Array.from([0.9, 0.6, 0.7, 0.8]);
  const labels = Int32Array.from([0, 0, 0, 1]);

  it('averages overlapping boxes of a class by score and sums their support', () => {
    const m = overfeatMerge({ boxes, scores, labels }, 0.5);
    expect(m.scores.length).toBe(3);
    // cluster {a, b}: weights 0.9, 0.6 → corners (0.6·1)/1.5 = 0.4, (9 + 6.6)/1.5 = 10.4
    expect(Array.from(m.boxes.subarray(0, 4))).toEqual([0.4, 0.4, 10.4, 10.4].map(Math.fround));
    expect(m.scores[0]).toBeCloseTo(1.5 / 2.5, 6);
    expect(m.labels[0]).toBe(0);
    // then class 1 (0.8 → 0.444) and the lone box (0.7 → 0.412)
    expect(Array.from(m.labels)).toEqual([0, 1, 0]);
    expect(m.scores[1]).toBeCloseTo(0.8 / 1.8, 6);
    expect(Array.from(m.boxes.subarray(8, 12))).toEqual([50, 50, 60, 60]);
  });

  it('merges across classes when class-agnostic (the cluster keeps its best label)', () => {
    const m = overfeatMerge({ boxes, scores, labels }, 0.5, true);
    expect(m.scores.length).toBe(2);
    expect(m.labels[0]).toBe(0);
    expect(m.scores[0]).toBeCloseTo(2.3 / 3.3, 6);
  });

  it('keeps boxes apart below the overlap threshold, and handles no boxes', () => {
    expect(overfeatMerge({ boxes, scores, labels }, 0.9).scores.length).toBe(4);
    const none = overfeatMerge(
      { boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) },
      0.5,
    );
    expect(none.scores.length).toBe(0);
  });
});
