import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { list, maxAbsDiff, readFixture } from '../boxes/__fixtures__/read-fixture.js';
import { boxIou } from '../boxes/iou.js';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { matrixNms } from './matrix-nms.js';
import { batchedNms, nms } from './nms.js';
import { prefilteredNms } from './prefiltered-nms.js';
import { softNms } from './soft-nms.js';

interface SoftCase {
  name: string;
  boxes: Float32Array;
  scores: Float32Array;
  method: 'linear' | 'gaussian';
  iouThreshold: number;
  sigma: number;
  scoreThreshold: number;
  keep: Int32Array;
  keptScores: Float32Array;
}
interface MatrixCase {
  name: string;
  boxes: Float32Array;
  scores: Float32Array;
  labels?: Int32Array;
  kernel: 'gaussian' | 'linear';
  sigma: number;
  scoreThreshold?: number;
  preNmsTopK?: number;
  postThreshold?: number;
  maxDetections?: number;
  keep: Int32Array;
  keptScores: Float32Array;
}
interface PrefilteredCase {
  name: string;
  boxes: Float32Array;
  scores: Float32Array;
  numClasses: number;
  iouThreshold: number;
  classAgnostic: boolean;
  multiLabel: boolean;
  labelsIn?: Int32Array;
  scoreThreshold?: number;
  preNmsTopK?: number;
  maxDetections?: number;
  boxIndices: Int32Array;
  labels: Int32Array;
  keptScores: Float32Array;
  candidateIndices: Int32Array;
}

const fixture = readFixture<{
  softNms: SoftCase[];
  matrixNms: MatrixCase[];
  prefilteredNms: PrefilteredCase[];
}>(new URL('./__fixtures__/', import.meta.url), 'nms-family');

describe('softNms: mmcv soft_nms reference', () => {
  it('names its generator', () => {
    expect(fixture.generator).toBe('tooling/python/fixtures/core_boxes_nms.py');
  });
  for (const c of fixture.softNms) {
    it(c.name, () => {
      const out = softNms(c.boxes, c.scores, {
        method: c.method,
        iouThreshold: c.iouThreshold,
        sigma: c.sigma,
        scoreThreshold: c.scoreThreshold,
      });
      expect(list(out.indices)).toEqual(list(c.keep));
      expect(maxAbsDiff(out.scores, c.keptScores)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('decays linearly only at or above the IoU threshold, gaussian always', () => {
    // IoU of the two boxes: 50 / 100 = 0.5.
    const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]);
    const scores = new Float32Array([0.9, 0.8]);
    const lin = softNms(boxes, scores, { method: 'linear', iouThreshold: 0.5 });
    expect(list(lin.indices)).toEqual([0, 1]);
    expect(lin.scores[1]).toBeCloseTo(0.4, 6);
    expect(softNms(boxes, scores, { method: 'linear', iouThreshold: 0.6 }).scores[1]).toBeCloseTo(
      0.8,
      6,
    );
    const gauss = softNms(boxes, scores, { method: 'gaussian', sigma: 0.5 });
    expect(gauss.scores[1]).toBeCloseTo(0.8 * Math.exp(-0.25 / 0.5), 6);
  });

  it('drops boxes below the score threshold, even the best one', () => {
    const out = softNms(new Float32Array([0, 0, 1, 1]), new Float32Array([0.0005]));
    expect(out.indices.length).toBe(0);
  });

  it('rejects bad input', () => {
    const b = new Float32Array([0, 0, 1, 1]);
    const s = new Float32Array([0.5]);
    expect(() => softNms(b, new Float32Array(2))).toThrow(ShapeMismatchError);
    expect(() => softNms(b, new Float32Array([Number.NaN]))).toThrow(NonFiniteValueError);
    expect(() => softNms(new Float32Array([0, 0, -1, 1]), s)).toThrow(/negative size/);
    // @ts-expect-error unknown method
    expect(() => softNms(b, s, { method: 'hard' })).toThrow(/options.method/);
    expect(() => softNms(b, s, { sigma: 0 })).toThrow(/options.sigma/);
    expect(() => softNms(b, s, { iouThreshold: 2 })).toThrow(/options.iouThreshold/);
    expect(() => softNms(b, s, { scoreThreshold: Number.NaN })).toThrow(/options.scoreThreshold/);
    expect(softNms(new Float32Array(0), new Float32Array(0)).indices.length).toBe(0);
  });
});

describe('matrixNms: SOLOv2 matrix NMS reference', () => {
  for (const c of fixture.matrixNms) {
    it(c.name, () => {
      const out = matrixNms(c.boxes, c.scores, {
        kernel: c.kernel,
        sigma: c.sigma,
        ...(c.labels ? { labels: c.labels } : {}),
        ...(c.scoreThreshold !== undefined ? { scoreThreshold: c.scoreThreshold } : {}),
        ...(c.preNmsTopK !== undefined ? { preNmsTopK: c.preNmsTopK } : {}),
        ...(c.postThreshold !== undefined ? { postThreshold: c.postThreshold } : {}),
        ...(c.maxDetections !== undefined ? { maxDetections: c.maxDetections } : {}),
      });
      expect(list(out.indices)).toEqual(list(c.keep));
      expect(maxAbsDiff(out.scores, c.keptScores)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('never raises a score, leaves the top box of each class alone, and leaves other classes alone', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 10, 10, 50, 50, 60, 60]);
    const scores = new Float32Array([0.9, 0.8, 0.7, 0.6]);
    const labels = new Int32Array([0, 0, 1, 0]);
    const out = matrixNms(boxes, scores, { labels });
    const byIndex = new Map(Array.from(out.indices, (i, t) => [i, out.scores[t]!]));
    expect(byIndex.get(0)).toBe(scores[0]);
    expect(byIndex.get(2)).toBe(scores[2]); // other class, same box as 0
    expect(byIndex.get(3)).toBe(scores[3]); // no overlap
    expect(byIndex.get(1)!).toBeLessThan(scores[1]!);
  });

  it('rejects bad input', () => {
    const b = new Float32Array([0, 0, 1, 1]);
    const s = new Float32Array([0.5]);
    expect(() => matrixNms(b, s, { labels: new Int32Array(2) })).toThrow(/options.labels/);
    // @ts-expect-error unknown kernel
    expect(() => matrixNms(b, s, { kernel: 'box' })).toThrow(/options.kernel/);
    expect(() => matrixNms(b, s, { sigma: -1 })).toThrow(/options.sigma/);
    expect(() => matrixNms(b, s, { preNmsTopK: 1.5 })).toThrow(/options.preNmsTopK/);
    expect(() => matrixNms(b, s, { maxDetections: -2 })).toThrow(/options.maxDetections/);
    expect(() => matrixNms(b, s, { postThreshold: Number.NaN })).toThrow(/options.postThreshold/);
    expect(() => matrixNms(b, new Float32Array([Number.POSITIVE_INFINITY]))).toThrow(
      NonFiniteValueError,
    );
    expect(matrixNms(new Float32Array(0), new Float32Array(0)).indices.length).toBe(0);
  });
});

describe('prefilteredNms: threshold, top-k, per-class NMS, cap', () => {
  for (const c of fixture.prefilteredNms) {
    it(c.name, () => {
      const out = prefilteredNms(c.boxes, c.scores, c.iouThreshold, {
        numClasses: c.numClasses,
        classAgnostic: c.classAgnostic,
        multiLabel: c.multiLabel,
        ...(c.labelsIn ? { labels: c.labelsIn } : {}),
        ...(c.scoreThreshold !== undefined ? { scoreThreshold: c.scoreThreshold } : {}),
        ...(c.preNmsTopK !== undefined ? { preNmsTopK: c.preNmsTopK } : {}),
        ...(c.maxDetections !== undefined ? { maxDetections: c.maxDetections } : {}),
      });
      expect(list(out.boxIndices)).toEqual(list(c.boxIndices));
      expect(list(out.labels)).toEqual(list(c.labels));
      expect(list(out.candidateIndices)).toEqual(list(c.candidateIndices));
      expect(list(out.scores)).toEqual(list(c.keptScores));
    });
  }

  it('with one column and labels it is batchedNms after threshold and top-k', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 100 }),
            fc.integer({ min: 0, max: 100 }),
            fc.integer({ min: 1, max: 40 }),
            fc.integer({ min: 1, max: 40 }),
            fc.integer({ min: 0, max: 1000 }),
            fc.integer({ min: 0, max: 2 }),
          ),
          { maxLength: 120 },
        ),
        fc.constantFrom(0.3, 0.5, 0.7),
        (rows, thr) => {
          const boxes = new Float32Array(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h]));
          const scores = new Float32Array(rows.map((r) => r[4] / 1000));
          const labels = new Int32Array(rows.map((r) => r[5]));
          const expected = batchedNms(boxes, scores, labels, thr);
          const out = prefilteredNms(boxes, scores, thr, { labels });
          expect(list(out.boxIndices)).toEqual(list(expected));
          const agnostic = prefilteredNms(boxes, scores, thr, { labels, classAgnostic: true });
          expect(list(agnostic.boxIndices)).toEqual(list(nms(boxes, scores, thr)));
        },
      ),
    );
  });

  it('lets one box be detected under several classes', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 1, 0, 11, 10]);
    const scores = new Float32Array([0.9, 0.8, 0.7, 0.95]); // [2 boxes, 2 classes]
    const out = prefilteredNms(boxes, scores, 0.5, { numClasses: 2 });
    expect(list(out.boxIndices)).toEqual([1, 0]);
    expect(list(out.labels)).toEqual([1, 0]);
    expect(list(out.candidateIndices)).toEqual([3, 0]);
    const best = prefilteredNms(boxes, scores, 0.5, { numClasses: 2, multiLabel: false });
    expect(list(best.candidateIndices)).toEqual([3, 0]);
    const iou = boxIou(boxes.subarray(0, 4), boxes.subarray(4, 8))[0]!;
    expect(iou).toBeGreaterThan(0.5);
  });

  it('rejects bad input', () => {
    const b = new Float32Array([0, 0, 1, 1]);
    expect(() => prefilteredNms(b, new Float32Array(3), 0.5, { numClasses: 2 })).toThrow(/scores/);
    expect(() =>
      prefilteredNms(b, new Float32Array(2), 0.5, { numClasses: 2, labels: new Int32Array(1) }),
    ).toThrow(/options.labels/);
    expect(() => prefilteredNms(b, new Float32Array(1), 0.5, { numClasses: 0 })).toThrow(
      /options.numClasses/,
    );
    expect(() => prefilteredNms(b, new Float32Array(1), 1.2)).toThrow(/iouThreshold/);
    expect(() => prefilteredNms(b, new Float32Array(1), 0.5, { preNmsTopK: -1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => prefilteredNms(b, new Float32Array([Number.NaN]), 0.5)).toThrow(
      NonFiniteValueError,
    );
    const empty = prefilteredNms(new Float32Array(0), new Float32Array(0), 0.5, { numClasses: 3 });
    expect(empty.boxIndices.length + empty.labels.length + empty.scores.length).toBe(0);
  });
});
