import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { maxRelDiff, readFixture } from './__fixtures__/read-fixture.js';
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  sigmoidFocalLoss,
  smoothL1Loss,
} from './losses.js';

interface Reduced {
  none: Float64Array;
  mean: number;
  sum: number;
}
type FocalCase = Reduced & {
  alpha: number;
  gamma: number;
  inputs: Float32Array;
  targets: Float32Array;
};
type BceCase = Reduced & { inputs: Float32Array; targets: Float32Array };
type SmoothCase = Reduced & { beta: number; input: Float32Array; target: Float32Array };
type CeCase = Reduced & {
  numClasses: number;
  logits: Float32Array;
  targets: Int32Array;
  ignoreIndex?: number;
  weights?: Float32Array;
};

const { losses } = readFixture<{
  losses: {
    sigmoidFocalLoss: FocalCase[];
    binaryCrossEntropyWithLogits: BceCase[];
    smoothL1Loss: SmoothCase[];
    crossEntropy: CeCase[];
  };
}>(new URL('./__fixtures__/', import.meta.url), 'training');

const REL = 1e-5;
// torch's float64 BCE forms log(e^-m + e^(-x-m)), which loses the tail below ~1e-16 absolute
// (it returns 0 for log(1 + 1e-18)); Ocelot uses log1p. Values under 1e-9 are therefore compared
// with an absolute tolerance of 1e-14 instead of relatively.
const FLOOR = 1e-9;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('loss parity with torch (float64 reference)', () => {
  losses.sigmoidFocalLoss.forEach((c, k) => {
    it(`sigmoidFocalLoss ${k}: alpha ${c.alpha}, gamma ${c.gamma}`, () => {
      const o = { alpha: c.alpha, gamma: c.gamma };
      expect(maxRelDiff(sigmoidFocalLoss(c.inputs, c.targets, o), c.none, FLOOR)).toBeLessThan(REL);
      expect(
        rel(sigmoidFocalLoss(c.inputs, c.targets, { ...o, reduction: 'mean' }), c.mean),
      ).toBeLessThan(REL);
      expect(
        rel(sigmoidFocalLoss(c.inputs, c.targets, { ...o, reduction: 'sum' }), c.sum),
      ).toBeLessThan(REL);
    });
  });
  losses.binaryCrossEntropyWithLogits.forEach((c, k) => {
    it(`binaryCrossEntropyWithLogits ${k}`, () => {
      expect(
        maxRelDiff(
          binaryCrossEntropyWithLogits(c.inputs, c.targets, { reduction: 'none' }),
          c.none,
          FLOOR,
        ),
      ).toBeLessThan(REL);
      expect(rel(binaryCrossEntropyWithLogits(c.inputs, c.targets), c.mean)).toBeLessThan(REL);
      expect(
        rel(binaryCrossEntropyWithLogits(c.inputs, c.targets, { reduction: 'sum' }), c.sum),
      ).toBeLessThan(REL);
    });
  });
  losses.smoothL1Loss.forEach((c, k) => {
    it(`smoothL1Loss ${k}: beta ${c.beta}`, () => {
      expect(
        maxRelDiff(
          smoothL1Loss(c.input, c.target, { beta: c.beta, reduction: 'none' }),
          c.none,
          FLOOR,
        ),
      ).toBeLessThan(REL);
      expect(rel(smoothL1Loss(c.input, c.target, { beta: c.beta }), c.mean)).toBeLessThan(REL);
      expect(
        rel(smoothL1Loss(c.input, c.target, { beta: c.beta, reduction: 'sum' }), c.sum),
      ).toBeLessThan(REL);
    });
  });
  losses.crossEntropy.forEach((c, k) => {
    it(`crossEntropy ${k}: C=${c.numClasses}${c.weights ? ', weighted' : ''}${c.ignoreIndex !== undefined ? `, ignore ${c.ignoreIndex}` : ''}`, () => {
      const o = {
        ...(c.ignoreIndex !== undefined ? { ignoreIndex: c.ignoreIndex } : {}),
        ...(c.weights ? { weights: c.weights } : {}),
      };
      const none = crossEntropy(c.logits, c.targets, { ...o, reduction: 'none' });
      for (let i = 0; i < none.length; i++) {
        expect(Math.abs(none[i]! - c.none[i]!)).toBeLessThanOrEqual(
          REL * Math.max(Math.abs(c.none[i]!), 1e-9),
        );
      }
      expect(rel(crossEntropy(c.logits, c.targets, o), c.mean)).toBeLessThan(REL);
      expect(
        rel(crossEntropy(c.logits, c.targets, { ...o, reduction: 'sum' }), c.sum),
      ).toBeLessThan(REL);
    });
  });
});

describe('losses: stability and edge cases', () => {
  it('focal loss stays finite and tiny for confident correct logits, large for confident wrong ones', () => {
    const x = Float64Array.of(100, -100, 100, -100, 800);
    const t = Float64Array.of(1, 0, 0, 1, 1);
    const l = sigmoidFocalLoss(x, t);
    expect(l.every(Number.isFinite)).toBe(true);
    expect(l[0]).toBeLessThan(1e-80);
    expect(l[1]).toBeLessThan(1e-80);
    expect(l[2]).toBeCloseTo(0.75 * 100, 10);
    expect(l[3]).toBeCloseTo(0.25 * 100, 10);
    // (1 − p_t) from tail-accurate sigmoids: at x = 20 it is e^-20, not the 0 a naive 1 − σ(20) gives in float32
    const [v] = sigmoidFocalLoss(Float64Array.of(20), Float64Array.of(1), { alpha: -1 });
    expect(rel(v!, Math.log1p(Math.exp(-20)) * (1 / (1 + Math.exp(20))) ** 2)).toBeLessThan(1e-12);
  });

  it('cross entropy uses log-sum-exp (no overflow for logits of 1000)', () => {
    const l = crossEntropy(Float32Array.of(1000, 0, -1000, 999), Int32Array.of(0, 0), {
      reduction: 'none',
    });
    expect(l[0]).toBeCloseTo(0, 12);
    expect(l[1]).toBeCloseTo(1999, 9);
    // a confident correct row keeps its tiny loss (log1p), where log(1 + 4e-18) would give 0
    const [tiny] = crossEntropy(Float64Array.of(40, 0), Int32Array.of(0), { reduction: 'none' });
    expect(rel(tiny!, Math.exp(-40))).toBeLessThan(1e-12);
  });

  it('smoothL1Loss with beta 0 is L1', () => {
    expect(
      smoothL1Loss(Float32Array.of(1, -2, 0.5), Float32Array.of(0, 0, 0), {
        beta: 0,
        reduction: 'sum',
      }),
    ).toBe(3.5);
  });

  it('empty inputs: none → [], sum → 0, mean → NaN (as torch)', () => {
    const e = new Float32Array(0);
    expect(sigmoidFocalLoss(e, e).length).toBe(0);
    expect(sigmoidFocalLoss(e, e, { reduction: 'sum' })).toBe(0);
    expect(sigmoidFocalLoss(e, e, { reduction: 'mean' })).toBeNaN();
    expect(smoothL1Loss(e, e)).toBeNaN();
    expect(binaryCrossEntropyWithLogits(e, e, { reduction: 'sum' })).toBe(0);
    expect(crossEntropy(e, new Int32Array(0), { reduction: 'sum' })).toBe(0);
    expect(crossEntropy(e, new Int32Array(0))).toBeNaN();
    // every row ignored: mean is 0 / 0
    expect(crossEntropy(Float32Array.of(1, 2), Int32Array.of(-100))).toBeNaN();
  });

  it('rejects bad input with typed errors', () => {
    const a = Float32Array.of(1, 2, 3);
    expect(() => sigmoidFocalLoss(a, Float32Array.of(1, 0))).toThrow(ShapeMismatchError);
    expect(() => sigmoidFocalLoss(a, Float32Array.of(1, 0, Number.NaN))).toThrow(
      NonFiniteValueError,
    );
    expect(() => sigmoidFocalLoss(a, a, { gamma: -1 })).toThrow(/gamma/);
    expect(() => sigmoidFocalLoss(a, a, { reduction: 'avg' as never })).toThrow(/reduction/);
    expect(() => smoothL1Loss(a, a, { beta: -0.1 })).toThrow(/beta/);
    expect(() => smoothL1Loss([1] as never, a)).toThrow(InvalidArgumentError);
    expect(() => crossEntropy(Float32Array.of(1, 2, 3), Int32Array.of(0, 1))).toThrow(
      ShapeMismatchError,
    );
    expect(() => crossEntropy(Float32Array.of(1, 2, 3, 4), Int32Array.of(0, 2))).toThrow(/targets/);
    expect(() => crossEntropy(Float32Array.of(1, 2, 3, 4), Int32Array.of(0, -1))).toThrow(
      /targets/,
    );
    expect(() =>
      crossEntropy(Float32Array.of(1, 2, 3, 4), Int32Array.of(0, 1), {
        weights: Float32Array.of(1),
      }),
    ).toThrow(/weights/);
    expect(() => crossEntropy(Float32Array.of(1, 2), [0] as never)).toThrow(/targets/);
  });
});
