import { InvalidArgumentError } from '@ocelot/core';
import { Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { ModelOutputError } from './errors.js';
import {
  assertFiniteOutput,
  finalizeDetections,
  resolveDetectOptions,
  topByScore,
} from './postprocess.js';

const names = ['cat', 'dog', 'bird'];
const identity = Transform.identity(100, 100);

describe('resolveDetectOptions', () => {
  it('layers call over card over architecture over library defaults', () => {
    const r = resolveDetectOptions(
      names,
      { scoreThreshold: 0.5 },
      { scoreThreshold: 0.1, iouThreshold: 0.6 },
      {
        maxDetections: 10,
      },
    );
    expect(r.scoreThreshold).toBe(0.5);
    expect(r.iouThreshold).toBe(0.6);
    expect(r.maxDetections).toBe(10);
    expect(r.classAgnostic).toBe(false);
    expect(r.allowed).toBeUndefined();
  });

  it('turns class names and indices into an allow mask', () => {
    const r = resolveDetectOptions(names, { classes: ['dog', 2] });
    expect(Array.from(r.allowed!)).toEqual([0, 1, 1]);
  });

  it('names the bad option', () => {
    expect(() => resolveDetectOptions(names, { classes: ['horse'] })).toThrow(
      /options.classes: unknown class "horse"/,
    );
    expect(() => resolveDetectOptions(names, { iouThreshold: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => resolveDetectOptions(names, { scoreThreshold: Number.NaN })).toThrow(
      /scoreThreshold/,
    );
    expect(() => resolveDetectOptions(names, { maxDetections: -1 })).toThrow(/maxDetections/);
  });
});

describe('finalizeDetections', () => {
  const candidates = {
    // two overlapping cats, one dog on top of the first cat, one bird elsewhere
    boxes: new Float32Array([10, 10, 50, 50, 12, 12, 52, 52, 10, 10, 50, 50, 60, 60, 90, 90]),
    scores: new Float32Array([0.9, 0.8, 0.7, 0.6]),
    labels: new Int32Array([0, 0, 1, 2]),
  };

  it('runs per-class NMS, keeps score order and names labels', () => {
    const d = finalizeDetections('m', candidates, resolveDetectOptions(names), identity, names);
    expect(Array.from(d.scores)).toEqual([0.9, 0.7, 0.6].map(Math.fround));
    expect(d.labelNames).toEqual(['cat', 'dog', 'bird']);
    expect(Array.from(d.boxes.subarray(0, 4))).toEqual([10, 10, 50, 50]);
  });

  it('class-agnostic NMS suppresses across classes; maxDetections caps', () => {
    const agnostic = finalizeDetections(
      'm',
      candidates,
      resolveDetectOptions(names, { classAgnostic: true }),
      identity,
      names,
    );
    expect(agnostic.labelNames).toEqual(['cat', 'bird']);
    const capped = finalizeDetections(
      'm',
      candidates,
      resolveDetectOptions(names, { maxDetections: 1 }),
      identity,
      names,
    );
    expect(capped.labelNames).toEqual(['cat']);
  });

  it('filters classes and skips NMS for set prediction', () => {
    const onlyCats = finalizeDetections(
      'm',
      candidates,
      resolveDetectOptions(names, { classes: ['cat'] }),
      identity,
      names,
      {
        nms: false,
      },
    );
    expect(Array.from(onlyCats.scores)).toEqual([0.9, 0.8].map(Math.fround));
  });

  it('maps boxes back through the transform and clips them', () => {
    // model input 50×50 was the 100×100 image scaled by 0.5
    const t = new Transform({
      srcWidth: 100,
      srcHeight: 100,
      dstWidth: 50,
      dstHeight: 50,
      scaleX: 0.5,
      scaleY: 0.5,
      offsetX: 0,
      offsetY: 0,
    });
    const d = finalizeDetections(
      'm',
      {
        boxes: new Float32Array([5, 5, 60, 20]),
        scores: new Float32Array([0.5]),
        labels: new Int32Array([1]),
      },
      resolveDetectOptions(names),
      t,
      names,
    );
    expect(Array.from(d.boxes)).toEqual([10, 10, 100, 40]);
    expect(d.imageSize).toEqual({ width: 100, height: 100 });
  });

  it('rejects non-finite candidates and labels outside the vocabulary', () => {
    const nan = {
      boxes: new Float32Array([0, 0, 1, 1]),
      scores: new Float32Array([Number.NaN]),
      labels: new Int32Array([0]),
    };
    expect(() =>
      finalizeDetections('m', nan, resolveDetectOptions(names), identity, names),
    ).toThrow(ModelOutputError);
    const bad = {
      boxes: new Float32Array([0, 0, 1, 1]),
      scores: new Float32Array([0.5]),
      labels: new Int32Array([7]),
    };
    expect(() =>
      finalizeDetections('m', bad, resolveDetectOptions(names), identity, names),
    ).toThrow(/class 7/);
  });

  it('turns inverted boxes into zero-size boxes instead of failing', () => {
    const inverted = {
      boxes: new Float32Array([30, 30, 20, 20]),
      scores: new Float32Array([0.5]),
      labels: new Int32Array([0]),
    };
    const d = finalizeDetections('m', inverted, resolveDetectOptions(names), identity, names);
    expect(Array.from(d.boxes)).toEqual([30, 30, 30, 30]);
  });

  it('returns empty detections for no candidates', () => {
    const d = finalizeDetections(
      'm',
      { boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) },
      resolveDetectOptions(names),
      identity,
      names,
    );
    expect(d.boxes.length).toBe(0);
    expect(d.labelNames).toEqual([]);
  });
});

describe('topByScore', () => {
  it('orders by score, ties by index, and caps', () => {
    expect(Array.from(topByScore(new Float32Array([0.1, 0.5, 0.5, 0.9]), 3))).toEqual([3, 1, 2]);
  });
});

describe('assertFiniteOutput', () => {
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

  it('accepts finite outputs of every length, including negative zero and extremes', () => {
    for (const n of [0, 1, 7, 8, 9, 16, 17, 1003]) {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = ((i * 37) % 11) - 5;
      if (n > 0) data[0] = -0;
      if (n > 2) data[2] = 3.4e38;
      if (n > 3) data[3] = -3.4e38;
      expect(() => assertFiniteOutput('m', 'scores', data)).not.toThrow();
      expect(() => assertFiniteOutput('m', 'scores', Array.from(data))).not.toThrow();
    }
  });

  it('names the first non-finite value and its flat index wherever it is (body and tail)', () => {
    for (const n of [1, 8, 9, 15, 16, 1003]) {
      for (const at of new Set([0, n >> 1, n - 1, n - (n & 7)].filter((i) => i < n))) {
        for (const v of bad) {
          const data = new Float32Array(n).fill(0.5);
          data[at] = v;
          if (at + 1 < n) data[n - 1] = Number.NaN; // a later bad value is not the one named
          let caught: unknown;
          try {
            assertFiniteOutput('m', 'scores', data);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(ModelOutputError);
          expect((caught as Error).message).toContain(`non-finite value ${v} at flat index ${at}`);
        }
      }
    }
  });

  it('checks plain arrays as well as typed arrays', () => {
    expect(() => assertFiniteOutput('m', 'boxes', [1, 2, Number.NaN])).toThrow(
      /non-finite value NaN at flat index 2/,
    );
  });
});
