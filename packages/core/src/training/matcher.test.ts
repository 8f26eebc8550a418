import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { readFixture } from './__fixtures__/read-fixture.js';
import {
  BELOW_LOW_THRESHOLD,
  BETWEEN_THRESHOLDS,
  Matcher,
  matchPredictions,
  SSDMatcher,
  ssdMatchPredictions,
} from './matcher.js';

type MatcherCase =
  | {
      kind: 'matcher';
      name: string;
      highThreshold: number;
      lowThreshold: number;
      allowLowQualityMatches: boolean;
      dims: [number, number];
      quality: Float32Array;
      matches: Int32Array;
    }
  | {
      kind: 'ssd';
      name: string;
      threshold: number;
      dims: [number, number];
      quality: Float32Array;
      matches: Int32Array;
    };

const fixture = readFixture<{ matcher: MatcherCase[] }>(
  new URL('./__fixtures__/', import.meta.url),
  'training',
);

describe('Matcher / SSDMatcher parity with torchvision', () => {
  it('has cases with ties, low-quality restorations and SSD overrides', () => {
    expect(fixture.matcher.length).toBeGreaterThanOrEqual(20);
  });
  for (const c of fixture.matcher) {
    it(c.name, () => {
      const q = { data: c.quality, dims: c.dims };
      const got =
        c.kind === 'matcher'
          ? new Matcher(c.highThreshold, c.lowThreshold, c.allowLowQualityMatches).match(q)
          : new SSDMatcher(c.threshold).match(q);
      expect(Array.from(got)).toEqual(Array.from(c.matches));
    });
  }

  it('low-quality matches do change the result in the fixture cases', () => {
    const low = fixture.matcher.filter((c) => c.kind === 'matcher' && c.allowLowQualityMatches);
    let changed = 0;
    for (const c of low) {
      if (c.kind !== 'matcher') continue;
      const plain = matchPredictions(
        { data: c.quality, dims: c.dims },
        { highThreshold: c.highThreshold, lowThreshold: c.lowThreshold },
      );
      if (plain.some((v, i) => v !== c.matches[i])) changed++;
    }
    expect(changed).toBeGreaterThanOrEqual(3);
  });
});

describe('Matcher semantics', () => {
  it('breaks argmax ties towards the first ground truth and restores all tied predictions', () => {
    // gt 0 has its best (0.4) at predictions 1 and 3; gt 1 ties gt 0 on prediction 3.
    const q = { data: Float32Array.of(0.1, 0.4, 0.2, 0.4, 0.0, 0.3, 0.2, 0.4), dims: [2, 4] };
    expect(Array.from(new Matcher(0.7, 0.3).match(q))).toEqual([-1, BETWEEN_THRESHOLDS, -1, -2]);
    expect(Array.from(new Matcher(0.7, 0.3, true).match(q))).toEqual([-1, 0, -1, 0]);
  });

  it('compares float32 qualities against float32 thresholds, float64 against doubles', () => {
    const v = Math.fround(0.7); // 0.699999988
    expect(
      Array.from(
        matchPredictions(
          { data: Float32Array.of(v), dims: [1, 1] },
          { highThreshold: 0.7, lowThreshold: 0.3 },
        ),
      ),
    ).toEqual([0]);
    expect(
      Array.from(
        matchPredictions(
          { data: Float64Array.of(v), dims: [1, 1] },
          { highThreshold: 0.7, lowThreshold: 0.3 },
        ),
      ),
    ).toEqual([BETWEEN_THRESHOLDS]);
  });

  it('SSD matcher: a later ground truth wins a shared best prediction', () => {
    const q = { data: Float32Array.of(0.1, 0.9, 0.3, 0.2, 0.8, 0.1), dims: [2, 3] };
    expect(Array.from(ssdMatchPredictions(q, 0.5))).toEqual([-1, 1, -1]);
  });

  it('handles empty matrices: no predictions → [], no ground truth → all −1', () => {
    expect(
      new Matcher(0.7, 0.3, true).match({ data: new Float32Array(0), dims: [3, 0] }).length,
    ).toBe(0);
    expect(
      Array.from(new Matcher(0.7, 0.3, true).match({ data: new Float32Array(0), dims: [0, 4] })),
    ).toEqual([-1, -1, -1, -1]);
    expect(
      Array.from(new SSDMatcher(0.5).match({ data: new Float32Array(0), dims: [0, 2] })),
    ).toEqual([-1, -1]);
    expect(new SSDMatcher(0.5).match({ data: new Float32Array(0), dims: [2, 0] }).length).toBe(0);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => new Matcher(0.3, 0.7)).toThrow(/lowThreshold/);
    expect(() => new Matcher(Number.NaN, 0.3)).toThrow(InvalidArgumentError);
    expect(() => new Matcher(0.7, 0.3).match({ data: new Float32Array(5), dims: [2, 3] })).toThrow(
      ShapeMismatchError,
    );
    expect(() => new Matcher(0.7, 0.3).match({ data: new Float32Array(6), dims: [6] })).toThrow(
      ShapeMismatchError,
    );
    expect(() =>
      new Matcher(0.7, 0.3).match({ data: Float32Array.of(0.1, Number.NaN), dims: [1, 2] }),
    ).toThrow(NonFiniteValueError);
    expect(() =>
      new Matcher(0.7, 0.3).match({ data: new Int32Array(2), dims: [1, 2] } as never),
    ).toThrow(/matchQuality/);
  });
});

describe('Matcher properties', () => {
  const matrixArb = fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 30 }))
    .chain(([g, n]) =>
      fc.tuple(
        fc.constant([g, n] as const),
        fc.array(
          fc.integer({ min: 0, max: 10 }).map((v) => v / 10),
          { minLength: g * n, maxLength: g * n },
        ),
      ),
    );

  it('outputs only −2, −1 or a valid gt index whose quality meets the rule', () => {
    fc.assert(
      fc.property(
        matrixArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        ([[g, n], values], a, b, allow) => {
          const data = Float32Array.from(values);
          const [low, high] = a <= b ? [a, b] : [b, a];
          const m = new Matcher(high, low, allow).match({ data, dims: [g, n] });
          expect(m.length).toBe(n);
          for (let i = 0; i < n; i++) {
            const v = m[i]!;
            expect(v === BELOW_LOW_THRESHOLD || v === BETWEEN_THRESHOLDS || (v >= 0 && v < g)).toBe(
              true,
            );
            if (v >= 0 && !allow)
              expect(data[v * n + i]!).toBeGreaterThanOrEqual(Math.fround(high));
            if (v >= 0) {
              // the match is always the prediction's best ground truth
              for (let r = 0; r < g; r++)
                expect(data[r * n + i]!).toBeLessThanOrEqual(data[v * n + i]!);
            }
          }
          const s = new SSDMatcher(high).match({ data, dims: [g, n] });
          for (const v of s) expect(v === BELOW_LOW_THRESHOLD || (v >= 0 && v < g)).toBe(true);
        },
      ),
    );
  });
});
