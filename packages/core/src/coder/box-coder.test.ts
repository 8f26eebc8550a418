import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { maxAbsDiff, maxRelDiff, readFixture } from '../training/__fixtures__/read-fixture.js';
import type { BoxCoderLike, BoxCoderWeights } from './box-coder.js';
import { BBOX_XFORM_CLIP, BoxCoder, decodeBoxDeltas, encodeBoxes } from './box-coder.js';

interface EncodeCase {
  weights: BoxCoderWeights;
  referenceBoxes: Float32Array;
  proposals: Float32Array;
  codes: Float32Array;
}
interface DecodeCase {
  name: string;
  weights: BoxCoderWeights;
  numClasses: number;
  numClipped: number;
  relCodes: Float32Array;
  boxes: Float32Array;
  decoded: Float32Array;
}

const fixture = readFixture<{
  generator: string;
  bboxXformClip: number;
  encode: EncodeCase[];
  decode: DecodeCase[];
}>(new URL('./__fixtures__/', import.meta.url), 'box-coder');

describe('BoxCoder parity with torchvision (float32)', () => {
  it('uses the same default clip', () => {
    expect(BBOX_XFORM_CLIP).toBe(fixture.bboxXformClip);
    expect(new BoxCoder().bboxXformClip).toBe(fixture.bboxXformClip);
  });

  for (const c of fixture.encode) {
    it(`encode, weights ${c.weights.join(',')}`, () => {
      const codes = encodeBoxes(c.referenceBoxes, c.proposals, { weights: c.weights });
      expect(maxAbsDiff(codes, c.codes)).toBeLessThanOrEqual(1e-5);
      expect(maxRelDiff(codes, c.codes, 1e-3)).toBeLessThanOrEqual(1e-5);
      expect(Array.from(new BoxCoder(c.weights).encode(c.referenceBoxes, c.proposals))).toEqual(
        Array.from(codes),
      );
    });
  }

  for (const c of fixture.decode) {
    it(`decode: ${c.name}`, () => {
      const decoded = decodeBoxDeltas(c.relCodes, c.boxes, { weights: c.weights });
      expect(decoded.length).toBe(c.boxes.length * c.numClasses);
      expect(maxRelDiff(decoded, c.decoded, 1)).toBeLessThanOrEqual(1e-5);
      expect(Array.from(new BoxCoder(c.weights).decode(c.relCodes, c.boxes))).toEqual(
        Array.from(decoded),
      );
    });
  }

  it('the fixture does exercise the clip', () => {
    const clipped = fixture.decode.filter((c) => c.numClipped > 0);
    expect(clipped.length).toBeGreaterThanOrEqual(2);
    // Without the clamp the clipped boxes come out different (far larger).
    const c = clipped[0]!;
    const unclamped = decodeBoxDeltas(c.relCodes, c.boxes, {
      weights: c.weights,
      bboxXformClip: Number.POSITIVE_INFINITY,
    });
    expect(maxAbsDiff(unclamped, c.decoded)).toBeGreaterThan(1);
  });
});

const boxArb = fc
  .tuple(
    fc.double({ min: -500, max: 500, noNaN: true }),
    fc.double({ min: -500, max: 500, noNaN: true }),
    fc.double({ min: 1, max: 400, noNaN: true }),
    fc.double({ min: 1, max: 400, noNaN: true }),
  )
  .map(([x, y, w, h]) => [x, y, x + w, y + h]);

describe('BoxCoder properties', () => {
  it('decode(encode(gt, anchors), anchors) ≈ gt for positive-size boxes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(boxArb, boxArb), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<BoxCoderWeights>([1, 1, 1, 1], [10, 10, 5, 5], [2, 3, 0.5, 4]),
        (pairs, weights) => {
          const gt = Float32Array.from(pairs.flatMap(([g]) => g));
          const anchors = Float32Array.from(pairs.flatMap(([, a]) => a));
          // Keep within the clip: exp(clip) = 62.5× growth at most.
          for (let i = 0; i < gt.length; i += 4) {
            const ratioW = (gt[i + 2]! - gt[i]!) / (anchors[i + 2]! - anchors[i]!);
            const ratioH = (gt[i + 3]! - gt[i + 1]!) / (anchors[i + 3]! - anchors[i + 1]!);
            fc.pre(ratioW < 60 && ratioH < 60);
          }
          const coder = new BoxCoder(weights);
          const back = coder.decode(coder.encode(gt, anchors), anchors);
          for (let i = 0; i < gt.length; i++) {
            // float32 round trip: error scales with the coordinate magnitude
            expect(Math.abs(back[i]! - gt[i]!)).toBeLessThanOrEqual(
              1e-3 + 2e-5 * Math.abs(gt[i]!) * 10,
            );
          }
        },
      ),
    );
  });

  it('zero deltas decode to the reference boxes themselves', () => {
    fc.assert(
      fc.property(
        fc.array(boxArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        (b, c) => {
          const boxes = Float32Array.from(b.flat());
          const decoded = decodeBoxDeltas(new Float32Array(boxes.length * c), boxes);
          for (let k = 0; k < boxes.length / 4; k++) {
            for (let j = 0; j < 4 * c; j++) {
              expect(decoded[k * 4 * c + j]).toBeCloseTo(boxes[4 * k + (j % 4)]!, 3);
            }
          }
        },
      ),
    );
  });
});

describe('BoxCoder input checks', () => {
  const a = Float32Array.of(0, 0, 10, 10, 5, 5, 20, 30);
  it('handles empty inputs', () => {
    expect(encodeBoxes(new Float32Array(0), new Float32Array(0)).length).toBe(0);
    expect(decodeBoxDeltas(new Float32Array(0), new Float32Array(0)).length).toBe(0);
  });
  it('rejects mismatched shapes', () => {
    expect(() => encodeBoxes(a, a.subarray(0, 4))).toThrow(ShapeMismatchError);
    expect(() => decodeBoxDeltas(new Float32Array(12), a)).toThrow(ShapeMismatchError);
    expect(() => decodeBoxDeltas(new Float32Array(4), new Float32Array(0))).toThrow(/relCodes/);
    expect(() => encodeBoxes(new Float32Array(5), new Float32Array(5))).toThrow(ShapeMismatchError);
  });
  it('rejects non-finite values and zero-size boxes in encode', () => {
    expect(() => decodeBoxDeltas(Float32Array.of(0, Number.NaN, 0, 0), a.subarray(0, 4))).toThrow(
      NonFiniteValueError,
    );
    expect(() => encodeBoxes(Float32Array.of(0, 0, 0, 5), a.subarray(0, 4))).toThrow(
      /referenceBoxes/,
    );
    expect(() => encodeBoxes(a.subarray(0, 4), Float32Array.of(0, 0, 5, 0))).toThrow(/proposals/);
    expect(() => encodeBoxes(a.subarray(0, 4), Float32Array.of(5, 0, 0, 5))).toThrow(
      InvalidArgumentError,
    );
  });
  it('rejects bad weights and arrays of the wrong type', () => {
    expect(() => new BoxCoder([1, 1, 0, 1])).toThrow(/weights\[2\]/);
    expect(() => new BoxCoder([1, 1, 1] as unknown as BoxCoderWeights)).toThrow(ShapeMismatchError);
    expect(() => new BoxCoder([1, 1, 1, 1], Number.NaN)).toThrow(/bboxXformClip/);
    expect(() =>
      decodeBoxDeltas([0, 0, 0, 0] as unknown as Float32Array, a.subarray(0, 4)),
    ).toThrow(/relCodes/);
  });
  it('accepts a custom coder through the BoxCoderLike interface', () => {
    const identity: BoxCoderLike = {
      encode: (ref) => ref.slice(),
      decode: (codes) => codes.slice(),
    };
    const coders: BoxCoderLike[] = [new BoxCoder(), identity];
    for (const coder of coders) expect(coder.decode(coder.encode(a, a), a).length).toBe(8);
  });
});
