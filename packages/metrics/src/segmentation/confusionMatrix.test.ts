import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SegmentationConfusionMatrix, segmentationMetricsFromMatrix } from './confusionMatrix.js';

interface Fixture {
  generator: string;
  numClasses: number;
  ignoreIndex: number;
  pairs: { target: number[]; pred: number[] }[];
  hist: number[];
  fcn: {
    pixelAccuracy: number;
    meanAccuracy: number;
    meanIoU: number;
    frequencyWeightedIoU: number;
  };
  perClass: Record<'accuracy' | 'iou' | 'dice' | 'specificity' | 'precision', (number | null)[]>;
  meanDice: number;
  torchvision?: {
    matrix: number[];
    accGlobal: number;
    acc: (number | null)[];
    iu: (number | null)[];
  };
}
const fx = JSON.parse(
  readFileSync(new URL('./__fixtures__/segmentation.json', import.meta.url), 'utf8'),
) as Fixture;
const nullNaN = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

describe(`SegmentationConfusionMatrix vs numpy FCN score.py (${fx.generator})`, () => {
  const cm = new SegmentationConfusionMatrix(fx.numClasses, { ignoreIndex: fx.ignoreIndex });
  for (const p of fx.pairs) cm.update(Uint8Array.from(p.pred), Uint8Array.from(p.target));
  const m = cm.compute();

  it('accumulates the same histogram (rows = target, columns = prediction)', () => {
    expect(Array.from(cm.matrix)).toEqual(fx.hist);
    if (fx.torchvision) expect(Array.from(cm.matrix)).toEqual(fx.torchvision.matrix);
    expect(cm.ignoredPixels).toBe(
      fx.pairs.reduce((s, p) => s + p.target.filter((t) => t === 255).length, 0),
    );
  });
  it("the FCN paper's four numbers, bit for bit", () => {
    expect(m.pixelAccuracy).toBe(fx.fcn.pixelAccuracy);
    expect(m.meanAccuracy).toBe(fx.fcn.meanAccuracy);
    expect(m.meanIoU).toBe(fx.fcn.meanIoU);
    expect(m.frequencyWeightedIoU).toBe(fx.fcn.frequencyWeightedIoU);
  });
  it('per-class IoU, Dice, sensitivity, specificity, precision (NaN where undefined)', () => {
    expect(nullNaN(m.accuracy)).toEqual(fx.perClass.accuracy);
    expect(nullNaN(m.sensitivity)).toEqual(fx.perClass.accuracy);
    expect(nullNaN(m.iou)).toEqual(fx.perClass.iou);
    expect(nullNaN(m.dice)).toEqual(fx.perClass.dice);
    expect(nullNaN(m.specificity)).toEqual(fx.perClass.specificity);
    expect(nullNaN(m.precision)).toEqual(fx.perClass.precision);
    expect(m.meanDice).toBe(fx.meanDice);
  });
  it('agrees with torchvision reference ConfusionMatrix (float32) to 1e-6', () => {
    if (!fx.torchvision) return;
    expect(m.pixelAccuracy).toBeCloseTo(fx.torchvision.accGlobal, 6);
    fx.torchvision.iu.forEach((v, i) => {
      if (v === null) expect(Number.isNaN(m.iou[i]!)).toBe(true);
      else expect(m.iou[i]!).toBeCloseTo(v, 6);
    });
  });
  it('merge of per-image matrices equals one accumulated matrix', () => {
    const parts = fx.pairs.map((p) =>
      new SegmentationConfusionMatrix(fx.numClasses).update(
        Int32Array.from(p.pred),
        Int32Array.from(p.target),
      ),
    );
    const merged = parts.reduce((a, b) => a.merge(b));
    expect(Array.from(merged.matrix)).toEqual(fx.hist);
    expect(segmentationMetricsFromMatrix(fx.hist, fx.numClasses).meanIoU).toBe(fx.fcn.meanIoU);
  });
});

describe('SegmentationConfusionMatrix by hand', () => {
  it('a 2×3 example', () => {
    // target 0 0 1 / 1 2 255 ; pred 0 1 1 / 1 2 0
    const cm = new SegmentationConfusionMatrix(3).update([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 255]);
    expect(Array.from(cm.matrix)).toEqual([1, 1, 0, 0, 2, 0, 0, 0, 1]);
    const m = cm.compute();
    expect(m.pixelAccuracy).toBe(4 / 5);
    expect(Array.from(m.iou)).toEqual([1 / 2, 2 / 3, 1]);
    expect(Array.from(m.dice)).toEqual([2 / 3, 4 / 5, 1]);
    expect(Array.from(m.accuracy)).toEqual([1 / 2, 1, 1]);
    // class 0: TN = 5 - 2 - 1 + 1 = 3, FP = 0 → 1; class 1: TN = 5 - 2 - 3 + 2 = 2, FP = 1 → 2/3
    expect(Array.from(m.specificity)).toEqual([1, 2 / 3, 1]);
    expect(m.meanIoU).toBe((1 / 2 + 2 / 3 + 1) / 3);
    expect(m.frequencyWeightedIoU).toBe((2 / 5) * (1 / 2) + (2 / 5) * (2 / 3) + (1 / 5) * 1);
  });
  it('ignoreIndex inside the class range and null', () => {
    const a = new SegmentationConfusionMatrix(3, { ignoreIndex: 0 }).update([1, 1, 2], [0, 1, 2]);
    expect(a.ignoredPixels).toBe(1);
    expect(a.matrix[0]).toBe(0);
    const b = new SegmentationConfusionMatrix(3, { ignoreIndex: null });
    expect(() => b.update([0], [255])).toThrow(/neither a class/);
    const c = new SegmentationConfusionMatrix(3, { ignoreIndex: null, outOfRangeTarget: 'ignore' });
    expect(c.update([0, 1], [255, 1]).ignoredPixels).toBe(1);
  });
  it('empty matrix gives NaN everywhere', () => {
    const m = new SegmentationConfusionMatrix(2).compute();
    expect(Number.isNaN(m.pixelAccuracy)).toBe(true);
    expect(Number.isNaN(m.meanIoU)).toBe(true);
  });
  it('perfect prediction → all ones on present classes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }),
        (labels) => {
          const t = Uint8Array.from(labels);
          const m = new SegmentationConfusionMatrix(5).update(t, t).compute();
          expect(m.pixelAccuracy).toBe(1);
          expect(m.meanIoU).toBe(1);
          expect(m.meanAccuracy).toBe(1);
          expect(m.meanDice).toBe(1);
          expect(m.frequencyWeightedIoU).toBeCloseTo(1, 12);
          for (let c = 0; c < 5; c++) {
            if (labels.includes(c)) expect(m.iou[c]).toBe(1);
            else expect(Number.isNaN(m.iou[c]!)).toBe(true);
            expect(m.specificity[c] === 1 || Number.isNaN(m.specificity[c]!)).toBe(true);
          }
        },
      ),
    );
  });
  it('metrics stay in [0, 1] and Dice = 2 IoU / (1 + IoU) (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 300,
        }),
        (px) => {
          const m = new SegmentationConfusionMatrix(4)
            .update(
              px.map((x) => x[0]),
              px.map((x) => x[1]),
            )
            .compute();
          for (const v of [m.pixelAccuracy, m.frequencyWeightedIoU]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
          for (let c = 0; c < 4; c++) {
            const iou = m.iou[c]!;
            if (Number.isNaN(iou)) continue;
            expect(m.dice[c]).toBeCloseTo((2 * iou) / (1 + iou), 12);
          }
        },
      ),
    );
  });
  it('bad input throws typed errors', () => {
    expect(() => new SegmentationConfusionMatrix(0)).toThrow(InvalidArgumentError);
    const cm = new SegmentationConfusionMatrix(3);
    expect(() => cm.update([0, 1], [0])).toThrow(ShapeMismatchError);
    expect(() => cm.update([3], [0])).toThrow(/pred: value 3 at pixel 0/);
    expect(() => cm.update([0], [7])).toThrow(/target: value 7 at pixel 0/);
    expect(() => cm.update([0.5], [0])).toThrow(/pred/);
    expect(() => cm.merge(new SegmentationConfusionMatrix(4))).toThrow(ShapeMismatchError);
    expect(() => segmentationMetricsFromMatrix([1, 2, 3], 2)).toThrow(ShapeMismatchError);
  });
});
