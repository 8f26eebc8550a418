import { decodeBoxDeltas } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { ModelOutputError } from '../errors.js';
import { decodeWindowScores } from './decode.js';

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

// 3 windows × (background + 2 classes)
const logits = Float32Array.from([0, 3, -1, 4, 0, 0, 0, 0.2, 2.5]);
const windows = Float32Array.from([0, 0, 32, 32, 8, 0, 40, 32, 16, 16, 48, 48]);
const base = {
  model: 'm',
  numClasses: 2,
  backgroundClass: 0,
  options: { scoreThreshold: 0.5, allowed: undefined },
};

describe('decodeWindowScores', () => {
  it('keeps (window, class) pairs whose softmax probability reaches the threshold, window-major', () => {
    const c = decodeWindowScores(logits, windows, undefined, base);
    const p0 = softmax([0, 3, -1]);
    const p2 = softmax([0, 0.2, 2.5]);
    expect(Array.from(c.labels)).toEqual([0, 1]);
    expect(c.scores[0]).toBeCloseTo(p0[1]!, 6);
    expect(c.scores[1]).toBeCloseTo(p2[2]!, 6);
    expect(Array.from(c.boxes)).toEqual([0, 0, 32, 32, 16, 16, 48, 48]);
  });

  it('moves windows by class-agnostic deltas, or by the deltas of the candidate class', () => {
    const agnostic = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, -2, 1, 1]);
    const a = decodeWindowScores(logits, windows, agnostic, base);
    const wantA = decodeBoxDeltas(
      Float32Array.from([1, 0, 0, 0, 0, -2, 1, 1]),
      Float32Array.from([0, 0, 32, 32, 16, 16, 48, 48]),
      { weights: [10, 10, 5, 5] },
    );
    expect(Array.from(a.boxes)).toEqual(Array.from(wantA));
    // per class: [N, 4·3]; window 0 class column 1, window 2 class column 2
    const perClass = new Float32Array(36);
    perClass.set([5, 0, 0, 0], 4); // window 0, column 1
    perClass.set([9, 9, 9, 9], 8); // window 0, column 2 (not a candidate)
    perClass.set([0, 5, 0, 0], 24 + 8); // window 2, column 2
    const p = decodeWindowScores(logits, windows, perClass, {
      ...base,
      boxCoderWeights: [1, 1, 1, 1],
    });
    expect(Array.from(p.boxes)).toEqual([160, 0, 192, 32, 16, 176, 48, 208]);
  });

  it('reads labels around a background column that is not the first', () => {
    // background last: columns 0, 1 are classes 0, 1
    const c = decodeWindowScores(Float32Array.from([5, 0, 0]), windows.subarray(0, 4), undefined, {
      ...base,
      backgroundClass: 2,
    });
    expect(Array.from(c.labels)).toEqual([0]);
  });

  it('applies the allowed classes and returns empty arrays when nothing passes', () => {
    const only1 = decodeWindowScores(logits, windows, undefined, {
      ...base,
      options: { scoreThreshold: 0.5, allowed: Uint8Array.from([0, 1]) },
    });
    expect(Array.from(only1.labels)).toEqual([1]);
    const none = decodeWindowScores(logits, windows, undefined, {
      ...base,
      options: { scoreThreshold: 0.999, allowed: undefined },
    });
    expect([none.boxes.length, none.scores.length, none.labels.length]).toEqual([0, 0, 0]);
    const empty = decodeWindowScores(new Float32Array(0), new Float32Array(0), undefined, base);
    expect(empty.scores.length).toBe(0);
  });

  it('throws ModelOutputError on NaN, wrong sizes and a bad background column', () => {
    const nan = logits.slice();
    nan[4] = Number.NaN;
    expect(() => decodeWindowScores(nan, windows, undefined, base)).toThrow(ModelOutputError);
    expect(() => decodeWindowScores(nan, windows, undefined, base)).toThrow(/non-finite/);
    expect(() => decodeWindowScores(logits.subarray(0, 8), windows, undefined, base)).toThrow(
      /expected \[N=3, 3\]/,
    );
    expect(() => decodeWindowScores(logits, windows, new Float32Array(5), base)).toThrow(
      /deltas.*\[N=3, 4\]/,
    );
    const inf = new Float32Array(12).fill(Number.POSITIVE_INFINITY);
    expect(() => decodeWindowScores(logits, windows, inf, base)).toThrow(ModelOutputError);
    expect(() =>
      decodeWindowScores(logits, windows, undefined, { ...base, backgroundClass: 3 }),
    ).toThrow(/background column/);
    expect(() => decodeWindowScores(logits, windows.subarray(0, 6), undefined, base)).toThrow(
      ModelOutputError,
    );
  });
});
