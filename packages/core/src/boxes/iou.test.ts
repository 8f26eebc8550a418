import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { maxAbsDiff, readFixture } from './__fixtures__/read-fixture.js';
import { boxIou, completeBoxIou, distanceBoxIou, generalizedBoxIou } from './iou.js';

type Kind = 'iou' | 'giou' | 'diou' | 'ciou';
interface IouFixture {
  cases: {
    name: string;
    n: number;
    m: number;
    boxes1: Float32Array;
    boxes2: Float32Array;
    torchvision: Record<Kind, Float32Array>;
    expected: Record<Kind, Float32Array>;
    torchvisionNaNs: Record<Kind, number>;
  }[];
}

const fixture = readFixture<IouFixture>(new URL('./__fixtures__/', import.meta.url), 'iou');
const OPS: Record<Kind, (a: Float32Array, b: Float32Array) => Float32Array> = {
  iou: boxIou,
  giou: generalizedBoxIou,
  diou: distanceBoxIou,
  ciou: completeBoxIou,
};
const KINDS = Object.keys(OPS) as Kind[];

describe('IoU family parity with torchvision 0.14', () => {
  for (const c of fixture.cases) {
    for (const kind of KINDS) {
      it(`${kind}: ${c.name}`, () => {
        const out = OPS[kind](c.boxes1, c.boxes2);
        expect(out.length).toBe(c.n * c.m);
        const tv = c.torchvision[kind];
        // Where torchvision is finite we agree with it; IoU and GIoU to the bit.
        const tolerance = kind === 'iou' || kind === 'giou' ? 0 : 1e-6;
        let worst = 0;
        for (let k = 0; k < out.length; k++) {
          expect(Number.isNaN(out[k]!)).toBe(false);
          if (Number.isFinite(tv[k]!)) worst = Math.max(worst, Math.abs(out[k]! - tv[k]!));
        }
        expect(worst).toBeLessThanOrEqual(tolerance);
        // Everywhere (including torchvision's NaNs) we give the documented values.
        expect(maxAbsDiff(out, c.expected[kind])).toBeLessThanOrEqual(tolerance);
      });
    }
  }

  it('covers the 0/0 cases torchvision turns into NaN', () => {
    const degenerate = fixture.cases.find((c) => c.name === 'degenerate x degenerate')!;
    expect(degenerate.torchvisionNaNs.iou).toBeGreaterThan(0);
    expect(degenerate.torchvisionNaNs.giou).toBeGreaterThan(0);
    expect(degenerate.torchvisionNaNs.ciou).toBeGreaterThan(0);
  });

  it('documents zero-area values explicitly', () => {
    const point = new Float32Array([3, 3, 3, 3]);
    const line = new Float32Array([0, 3, 6, 3]);
    const box = new Float32Array([0, 0, 6, 6]);
    expect(boxIou(point, point)[0]).toBe(0);
    expect(boxIou(point, box)[0]).toBe(0);
    expect(generalizedBoxIou(point, point)[0]).toBe(0);
    expect(generalizedBoxIou(line, new Float32Array([1, 5, 2, 5]))[0]).toBe(-1);
    expect(completeBoxIou(point, box)[0]).toBeCloseTo(distanceBoxIou(point, box)[0]!, 7);
  });
});

const coord = fc.float({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true });
const size = fc.float({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true });
const boxesArb = (minLength: number) =>
  fc
    .array(fc.tuple(coord, coord, size, size), { minLength, maxLength: 12 })
    .map(
      (rows) =>
        new Float32Array(
          rows.flatMap(([x, y, w, h]) => [x, y, Math.fround(x + w), Math.fround(y + h)]),
        ),
    );

describe('IoU family properties', () => {
  it('every member is symmetric: op(a, b)[i,j] === op(b, a)[j,i]', () => {
    fc.assert(
      fc.property(boxesArb(0), boxesArb(0), (a, b) => {
        const n = a.length / 4;
        const m = b.length / 4;
        for (const kind of KINDS) {
          const ab = OPS[kind](a, b);
          const ba = OPS[kind](b, a);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < m; j++) expect(ab[i * m + j]).toBe(ba[j * n + i]);
          }
        }
      }),
    );
  });

  it('stays in bounds and never returns NaN: IoU [0,1], GIoU/DIoU [-1,1], CIoU (-2,1] (±1e-6 rounding)', () => {
    fc.assert(
      fc.property(boxesArb(1), boxesArb(1), (a, b) => {
        const bounds: Record<Kind, [number, number]> = {
          iou: [0, 1],
          giou: [-1, 1],
          diou: [-1, 1],
          ciou: [-2, 1],
        };
        for (const kind of KINDS) {
          const [lo, hi] = bounds[kind];
          // IoU is exactly in [0, 1]; the others follow torchvision's float32 steps.
          const slack = kind === 'iou' ? 0 : 1e-6;
          for (const v of OPS[kind](a, b)) {
            expect(v).toBeGreaterThanOrEqual(lo - slack);
            expect(v).toBeLessThanOrEqual(hi + slack);
          }
        }
      }),
    );
  });

  it('IoU(a, a) = GIoU(a, a) = 1 for a positive-area box; GIoU ≤ IoU up to float32 rounding', () => {
    fc.assert(
      fc.property(boxesArb(1), (a) => {
        const n = a.length / 4;
        const iou = boxIou(a, a);
        const giou = generalizedBoxIou(a, a);
        for (let i = 0; i < n; i++) {
          const positive = a[4 * i + 2]! > a[4 * i]! && a[4 * i + 3]! > a[4 * i + 1]!;
          const area =
            Math.fround(a[4 * i + 2]! - a[4 * i]!) * Math.fround(a[4 * i + 3]! - a[4 * i + 1]!);
          if (positive && Math.fround(area) > 0) {
            expect(iou[i * n + i]).toBe(1);
            expect(giou[i * n + i]).toBe(1);
          }
          // torchvision's float32 union can round an ulp above the enclosing area.
          for (let j = 0; j < n; j++)
            expect(giou[i * n + j]!).toBeLessThanOrEqual(iou[i * n + j]! + 1e-6);
        }
      }),
    );
  });
});

describe('IoU family bad input', () => {
  for (const kind of KINDS) {
    it(`${kind} rejects bad arrays with the argument's name and accepts empty ones`, () => {
      const ok = new Float32Array([0, 0, 1, 1]);
      expect(() => OPS[kind](new Float32Array(3), ok)).toThrow(ShapeMismatchError);
      expect(() => OPS[kind](ok, new Float32Array(6))).toThrow(/boxes2/);
      expect(() => OPS[kind](ok, new Float32Array([0, 0, Number.NaN, 1]))).toThrow(
        NonFiniteValueError,
      );
      expect(() => OPS[kind](new Float32Array([2, 0, 1, 1]), ok)).toThrow(
        /boxes1: box 0 has negative size/,
      );
      // @ts-expect-error plain arrays are not boxes
      expect(() => OPS[kind]([0, 0, 1, 1], ok)).toThrow(/Float32Array/);
      expect(OPS[kind](new Float32Array(0), ok).length).toBe(0);
      expect(OPS[kind](ok, new Float32Array(0)).length).toBe(0);
    });
  }
});
