import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { readFixture } from './__fixtures__/read-fixture.js';
import { hardNegativeMining } from './hard-negative-mining.js';

interface HnmCase {
  negPosRatio: number;
  loss: Float32Array;
  labels: Int32Array;
  torchvisionBackgroundMask: Uint8Array;
}

const fixture = readFixture<{ hardNegativeMining: HnmCase[] }>(
  new URL('./__fixtures__/', import.meta.url),
  'training',
);

describe('hardNegativeMining parity with torchvision SSD.compute_loss', () => {
  fixture.hardNegativeMining.forEach((c, k) => {
    const numPos = c.labels.filter((v) => v > 0).length;
    it(`case ${k}: N=${c.loss.length}, ${numPos} positives, ratio ${c.negPosRatio}`, () => {
      const r = hardNegativeMining(c.loss, c.labels, { negPosRatio: c.negPosRatio });
      expect(r.numPositive).toBe(numPos);
      const numNegatives = c.labels.length - numPos;
      const wanted = Math.ceil(c.negPosRatio * numPos);
      if (wanted <= numNegatives) {
        // the usual case: identical masks
        expect(Array.from(r.negativeMask)).toEqual(Array.from(c.torchvisionBackgroundMask));
      } else {
        // short of negatives: torchvision also marks some positives; the negatives agree
        const tvNegatives = Array.from(c.torchvisionBackgroundMask, (m, i) =>
          c.labels[i]! > 0 ? 0 : m,
        );
        expect(Array.from(r.negativeMask)).toEqual(tvNegatives);
        expect(r.negativeIndices.length).toBe(numNegatives);
      }
      // indices are by decreasing loss
      for (let i = 1; i < r.negativeIndices.length; i++) {
        expect(c.loss[r.negativeIndices[i - 1]!]!).toBeGreaterThanOrEqual(
          c.loss[r.negativeIndices[i]!]!,
        );
      }
    });
  });

  it('includes a case short of negatives and a case without positives', () => {
    const short = fixture.hardNegativeMining.some(
      (c) =>
        Math.ceil(c.negPosRatio * c.labels.filter((v) => v > 0).length) >
        c.labels.filter((v) => v <= 0).length,
    );
    expect(short).toBe(true);
    expect(fixture.hardNegativeMining.some((c) => c.labels.every((v) => v === 0))).toBe(true);
  });
});

describe('hardNegativeMining', () => {
  it('keeps 3 negatives per positive by decreasing loss, ties by index', () => {
    const loss = Float32Array.of(0.5, 2, 9, 2, 1, 3, 0.1);
    const labels = Int32Array.of(0, 0, 4, 0, 0, 0, 0);
    const r = hardNegativeMining(loss, labels);
    expect(Array.from(r.negativeIndices)).toEqual([5, 1, 3]);
    expect(Array.from(r.negativeMask)).toEqual([0, 1, 0, 1, 0, 1, 0]);
  });

  it('handles empty input and no positives', () => {
    expect(hardNegativeMining(new Float32Array(0), new Int32Array(0)).negativeIndices.length).toBe(
      0,
    );
    expect(
      hardNegativeMining(Float32Array.of(1, 2), Int32Array.of(0, 0)).negativeIndices.length,
    ).toBe(0);
  });

  it('rejects bad input', () => {
    expect(() => hardNegativeMining(Float32Array.of(1, 2), Int32Array.of(0))).toThrow(
      ShapeMismatchError,
    );
    expect(() => hardNegativeMining(Float32Array.of(Number.NaN), Int32Array.of(0))).toThrow(
      NonFiniteValueError,
    );
    expect(() =>
      hardNegativeMining(Float32Array.of(1), Int32Array.of(0), { negPosRatio: -1 }),
    ).toThrow(/negPosRatio/);
    expect(() => hardNegativeMining([1] as never, Int32Array.of(0))).toThrow(InvalidArgumentError);
  });
});
