import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DetectionConfusionMatrix } from './detectionConfusionMatrix.js';
import { evaluateVoc, type VocInterpolation, type VocPixelConvention, vocAp } from './vocEval.js';

interface Fixture {
  generator: string;
  numClasses: number;
  images: { boxes: number[][]; labels: number[]; difficult: number[] }[];
  detections: { boxes: number[][]; scores: number[]; labels: number[] }[];
  configs: {
    pixelConvention: VocPixelConvention;
    interpolation: VocInterpolation;
    iouThreshold: number;
    ap: (number | null)[];
    npos: number[];
    map: number;
    curves?: { recall: number[]; precision: number[] }[];
  }[];
  confusion: { conf: number; iou: number; matrix: number[] }[];
  vocAp: { recall: number[]; precision: number[]; '11point': number; 'all-point': number }[];
}
const fx = JSON.parse(
  readFileSync(new URL('./__fixtures__/voc.json', import.meta.url), 'utf8'),
) as Fixture;
const gt = fx.images.map((im) => ({
  boxes: new Float64Array(im.boxes.flat()),
  labels: Int32Array.from(im.labels),
  difficult: Uint8Array.from(im.difficult),
}));
const dt = fx.detections.map((d) => ({
  boxes: new Float64Array(d.boxes.flat()),
  scores: Float64Array.from(d.scores),
  labels: Int32Array.from(d.labels),
}));

describe(`evaluateVoc vs py-faster-rcnn voc_eval (${fx.generator})`, () => {
  for (const c of fx.configs) {
    it(`${c.pixelConvention} ${c.interpolation} IoU>${c.iouThreshold}`, () => {
      const r = evaluateVoc(gt, dt, {
        iouThreshold: c.iouThreshold,
        interpolation: c.interpolation,
        pixelConvention: c.pixelConvention,
        numClasses: fx.numClasses,
      });
      expect(r.perClass.map((p) => (Number.isNaN(p.ap) ? null : p.ap))).toEqual(c.ap);
      expect(r.perClass.map((p) => p.numGroundTruth)).toEqual(c.npos);
      expect(r.map).toBe(c.map);
      if (c.curves) {
        r.perClass.forEach((p, k) => {
          const cv = c.curves![k]!;
          expect(Array.from(p.precision)).toEqual(cv.precision);
          expect(Array.from(p.recall).map((v) => (Number.isNaN(v) ? null : v))).toEqual(cv.recall);
          // scores are the plotting x-order: non-increasing
          for (let i = 1; i < p.scores.length; i++)
            expect(p.scores[i]!).toBeLessThanOrEqual(p.scores[i - 1]!);
        });
      }
    });
  }
  it('vocAp on hand-made curves', () => {
    for (const c of fx.vocAp) {
      expect(vocAp(c.recall, c.precision, '11point')).toBe(c['11point']);
      expect(vocAp(c.recall, c.precision, 'all-point')).toBe(c['all-point']);
    }
  });
});

describe('evaluateVoc behaviour', () => {
  const one = (boxes: number[], labels: number[], difficult?: number[]) => ({
    boxes,
    labels,
    ...(difficult ? { difficult } : {}),
  });
  it('perfect detections give AP 1 in every mode; duplicates are false positives', () => {
    const g = [one([0, 0, 10, 10, 20, 20, 40, 40], [0, 1])];
    const d = [
      {
        boxes: [0, 0, 10, 10, 20, 20, 40, 40, 0, 0, 10, 10],
        scores: [0.9, 0.8, 0.1],
        labels: [0, 1, 0],
      },
    ];
    for (const interpolation of ['11point', 'all-point'] as const) {
      for (const pixelConvention of ['devkit', 'continuous'] as const) {
        const r = evaluateVoc(g, d, { interpolation, pixelConvention });
        // 11 × (1/11) sums to 1.0000000000000002 in voc_ap too
        expect(r.map).toBeCloseTo(1, 15);
        expect(Array.from(r.perClass[0]!.outcome)).toEqual([1, 0]);
      }
    }
  });
  it('a difficult object is neither a true nor a false positive', () => {
    const g = [one([0, 0, 10, 10, 50, 50, 60, 60], [0, 0], [0, 1])];
    const d = [{ boxes: [50, 50, 60, 60, 0, 0, 10, 10], scores: [0.9, 0.5], labels: [0, 0] }];
    const r = evaluateVoc(g, d);
    expect(r.perClass[0]!.numGroundTruth).toBe(1);
    expect(Array.from(r.perClass[0]!.outcome)).toEqual([2, 1]);
    expect(Array.from(r.perClass[0]!.precision)).toEqual([0, 1]);
    expect(r.perClass[0]!.ap).toBe(1);
  });
  it('the +1 convention changes IoU of small boxes', () => {
    // [0,0,1,1] vs [0,0,2,2]: continuous IoU 1/4, devkit (2·2)/(3·3) = 4/9
    const g = [one([0, 0, 2, 2], [0])];
    const d = [{ boxes: [0, 0, 1, 1], scores: [1], labels: [0] }];
    expect(evaluateVoc(g, d, { iouThreshold: 0.3 }).map).toBe(0);
    expect(evaluateVoc(g, d, { iouThreshold: 0.3, pixelConvention: 'devkit' }).map).toBe(1);
  });
  it('classes without ground truth have AP NaN and are left out of mAP', () => {
    const r = evaluateVoc(
      [one([0, 0, 5, 5], [0])],
      [{ boxes: [0, 0, 5, 5], scores: [1], labels: [2] }],
    );
    expect(r.perClass.length).toBe(3);
    expect(r.perClass[0]!.ap).toBe(0);
    expect(Number.isNaN(r.perClass[1]!.ap)).toBe(true);
    expect(Number.isNaN(r.perClass[2]!.ap)).toBe(true);
    expect(r.map).toBe(0);
  });
  it('AP is within [0, 1] and 11-point is never below all-point by more than 1/11 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            maxLength: 30,
          },
        ),
        (pairs) => {
          const rec = pairs.map((p) => p[0]).sort((a, b) => a - b);
          const prec = pairs.map((p) => p[1]);
          const a = vocAp(rec, prec, 'all-point');
          const b = vocAp(rec, prec, '11point');
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(1 + 1e-12);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(1 + 1e-12);
        },
      ),
    );
  });
  it('bad input throws typed errors naming the field', () => {
    expect(() =>
      evaluateVoc([one([0, 0, 5], [0])], [{ boxes: [], scores: [], labels: [] }]),
    ).toThrow(ShapeMismatchError);
    expect(() => evaluateVoc([one([0, 0, 5, 5], [0])], [])).toThrow(/detections/);
    expect(() =>
      evaluateVoc([one([0, 0, 5, 5], [0.5])], [{ boxes: [], scores: [], labels: [] }]),
    ).toThrow(/groundTruth\[0\]\.labels/);
    expect(() =>
      evaluateVoc(
        [one([0, 0, 5, 5], [0])],
        [{ boxes: [0, 0, 5, 5], scores: [Number.NaN], labels: [0] }],
      ),
    ).toThrow(/detections\[0\]\.scores/);
    expect(() =>
      evaluateVoc([one([5, 0, 0, 5], [0])], [{ boxes: [], scores: [], labels: [] }]),
    ).toThrow(/x2 < x1/);
    expect(() => evaluateVoc([], [], { interpolation: 'voc12' as VocInterpolation })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      evaluateVoc([one([0, 0, 5, 5], [3])], [{ boxes: [], scores: [], labels: [] }], {
        numClasses: 2,
      }),
    ).toThrow(/not a class index/);
  });
});

describe(`DetectionConfusionMatrix vs Ultralytics ConfusionMatrix (${fx.generator})`, () => {
  for (const c of fx.confusion) {
    it(`conf ${c.conf} iou ${c.iou}`, () => {
      const cm = new DetectionConfusionMatrix(fx.numClasses, {
        confidenceThreshold: c.conf,
        iouThreshold: c.iou,
      });
      gt.forEach((g, i) => {
        cm.update(g.boxes, g.labels, dt[i]!.boxes, dt[i]!.scores, dt[i]!.labels);
      });
      expect(Array.from(cm.matrix)).toEqual(c.matrix);
      // merge of two halves equals the whole
      const a = new DetectionConfusionMatrix(fx.numClasses, {
        confidenceThreshold: c.conf,
        iouThreshold: c.iou,
      });
      const b = new DetectionConfusionMatrix(fx.numClasses, {
        confidenceThreshold: c.conf,
        iouThreshold: c.iou,
      });
      gt.forEach((g, i) => {
        (i % 2 ? a : b).update(g.boxes, g.labels, dt[i]!.boxes, dt[i]!.scores, dt[i]!.labels);
      });
      expect(Array.from(a.merge(b).matrix)).toEqual(c.matrix);
    });
  }
  it('tp / fp / fn and normalisation', () => {
    const cm = new DetectionConfusionMatrix(2);
    // object 0 (class 0) found as class 1; object 1 (class 1) missed; one background detection of class 0
    cm.update(
      [0, 0, 10, 10, 50, 50, 60, 60],
      [0, 1],
      [0, 0, 10, 10, 100, 100, 110, 110],
      [0.9, 0.8],
      [1, 0],
    );
    expect(cm.get(1, 0)).toBe(1);
    expect(cm.get(2, 1)).toBe(1);
    expect(cm.get(0, 2)).toBe(1);
    expect(Array.from(cm.truePositives())).toEqual([0, 0]);
    expect(Array.from(cm.falsePositives())).toEqual([1, 1]);
    expect(Array.from(cm.falseNegatives())).toEqual([1, 1]);
    const n = cm.normalized();
    expect(n[1 * 3 + 0]).toBeCloseTo(1, 8);
    cm.reset();
    expect(cm.matrix.every((v) => v === 0)).toBe(true);
  });
  it('each object and each detection is counted exactly once (property)', () => {
    const box = fc
      .tuple(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
      )
      .map(([x, y, w, h]) => [x, y, x + w, y + h]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(box, fc.integer({ min: 0, max: 2 })), { maxLength: 8 }),
        fc.array(
          fc.tuple(box, fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true })),
          { maxLength: 10 },
        ),
        (g, d) => {
          const cm = new DetectionConfusionMatrix(3, { confidenceThreshold: 0.25 });
          cm.update(
            g.flatMap((x) => x[0]),
            g.map((x) => x[1]),
            d.flatMap((x) => x[0]),
            d.map((x) => x[2]),
            d.map((x) => x[1]),
          );
          const W = 4;
          let colSums = 0; // objects: every column except background
          for (let gc = 0; gc < 3; gc++) for (let p = 0; p < W; p++) colSums += cm.get(p, gc);
          let bgCol = 0;
          for (let p = 0; p < 3; p++) bgCol += cm.get(p, 3);
          let matchedDets = 0;
          for (let p = 0; p < 3; p++) for (let gc = 0; gc < 3; gc++) matchedDets += cm.get(p, gc);
          expect(colSums).toBe(g.length);
          expect(bgCol + matchedDets).toBe(d.filter((x) => x[2] > 0.25).length);
        },
      ),
    );
  });
  it('bad input', () => {
    expect(() => new DetectionConfusionMatrix(0)).toThrow(/numClasses/);
    const cm = new DetectionConfusionMatrix(2);
    expect(() => cm.update([0, 0, 1, 1], [2], [], [], [])).toThrow(/gtLabels/);
    expect(() => cm.update([0, 0, 1], [0], [], [], [])).toThrow(ShapeMismatchError);
    expect(() => cm.update([], [], [0, 0, 1, 1], [Number.NaN], [0])).toThrow(/detScores/);
    expect(() => cm.merge(new DetectionConfusionMatrix(3))).toThrow(ShapeMismatchError);
  });
});
