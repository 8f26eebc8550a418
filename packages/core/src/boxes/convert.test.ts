import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import type { BoxFormat, Boxes } from '../types.js';
import { list, maxAbsDiff, readFixture } from './__fixtures__/read-fixture.js';
import {
  boxArea,
  boxConvert,
  clipBoxesToImage,
  masksToBoxes,
  removeSmallBoxes,
} from './convert.js';
import { boxIou } from './iou.js';

interface BoxesFixture {
  conversions: { from: BoxFormat; to: BoxFormat; boxes: Float32Array; expected: Float32Array }[];
  area: { boxes: Float32Array; expected: Float32Array };
  clip: { boxes: Float32Array; size: { width: number; height: number }; expected: Float32Array }[];
  removeSmall: { boxes: Float32Array; minSize: number; expected: Int32Array }[];
  masksToBoxes: { dims: number[]; masks: Uint8Array; expected: Float32Array };
  emptyMaskRaisesInTorchvision: boolean;
}

const fixture = readFixture<BoxesFixture>(new URL('./__fixtures__/', import.meta.url), 'boxes');

/** Same numbers, compared as numbers (so -0 equals 0, as torch's `==` says). */
function expectSameNumbers(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  expect(maxAbsDiff(actual, expected)).toBe(0);
}

describe('boxConvert (torchvision.ops.box_convert parity)', () => {
  it('names its generator', () => {
    expect(fixture.generator).toBe('tooling/python/fixtures/core_boxes_nms.py');
  });

  for (const c of fixture.conversions) {
    it(`${c.from} → ${c.to} is bit-identical`, () => {
      const out = boxConvert(c.boxes, c.from, c.to);
      expectSameNumbers(out, c.expected);
    });
  }

  it('returns a new array even when the layouts agree', () => {
    const b = new Float32Array([1, 2, 3, 4]);
    const out = boxConvert(b, 'xyxy', 'xyxy');
    expect(out).not.toBe(b);
    expect(list(out)).toEqual([1, 2, 3, 4]);
  });

  it('round-trips xyxy → cxcywh → xyxy and xyxy → xywh → xyxy', () => {
    const coord = fc.integer({ min: -4000, max: 4000 }).map((v) => v / 8);
    const size = fc.integer({ min: 0, max: 4000 }).map((v) => v / 8);
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord, size, size), { maxLength: 20 }), (rows) => {
        const b = new Float32Array(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h]));
        // Multiples of 1/8 below 2^20: every step is exact, so the round trip is too.
        expect(list(boxConvert(boxConvert(b, 'xyxy', 'cxcywh'), 'cxcywh', 'xyxy'))).toEqual(
          list(b),
        );
        expect(list(boxConvert(boxConvert(b, 'xyxy', 'xywh'), 'xywh', 'xyxy'))).toEqual(list(b));
      }),
    );
  });

  it('brands its result so a cxcywh array cannot reach an xyxy op untyped', () => {
    const centres = boxConvert(new Float32Array([4, 4, 6, 6]), 'xyxy', 'cxcywh');
    expect(list(centres)).toEqual([5, 5, 2, 2]);
    // @ts-expect-error Boxes<'cxcywh'> is not Boxes<'xyxy'>
    expect(() => boxIou(centres, centres)).toThrow(/negative size/);
    // @ts-expect-error the array says cxcywh, the call says xyxy
    expect(() => boxConvert(centres, 'xyxy', 'xywh')).toThrow(/negative size/);
    const back: Boxes = boxConvert(centres, 'cxcywh', 'xyxy');
    expect(list(back)).toEqual([4, 4, 6, 6]);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const ok = new Float32Array([0, 0, 1, 1]);
    // @ts-expect-error not a format
    expect(() => boxConvert(ok, 'xyxy', 'yxyx')).toThrow(InvalidArgumentError);
    // @ts-expect-error not a format
    expect(() => boxConvert(ok, 'ltrb', 'xyxy')).toThrow(/from/);
    expect(() => boxConvert(new Float32Array(5), 'xyxy', 'xywh')).toThrow(ShapeMismatchError);
    expect(() => boxConvert(new Float32Array([0, 0, Number.NaN, 1]), 'xyxy', 'xywh')).toThrow(
      NonFiniteValueError,
    );
    expect(() => boxConvert(new Float32Array([5, 0, 1, 1]), 'xyxy', 'xywh')).toThrow(
      /boxes: box 0 has negative size/,
    );
    expect(() => boxConvert(new Float32Array([5, 0, -1, 1]), 'xywh', 'xyxy')).toThrow(
      /negative size/,
    );
    expect(() => boxConvert(new Float32Array([5, 0, 1, -1]), 'cxcywh', 'xyxy')).toThrow(
      /negative size/,
    );
    // @ts-expect-error not a Float32Array
    expect(() => boxConvert([0, 0, 1, 1], 'xyxy', 'xywh')).toThrow(/Float32Array/);
  });

  it('returns empty arrays for empty input', () => {
    expect(boxConvert(new Float32Array(0), 'cxcywh', 'xywh').length).toBe(0);
  });
});

describe('boxArea', () => {
  it('matches torchvision.ops.box_area bit for bit', () => {
    expectSameNumbers(boxArea(fixture.area.boxes), fixture.area.expected);
  });
  it('rejects negative sizes and NaN; accepts empty', () => {
    expect(() => boxArea(new Float32Array([0, 0, -1, 1]))).toThrow(/negative size/);
    expect(() => boxArea(new Float32Array([0, 0, 1, Number.POSITIVE_INFINITY]))).toThrow(
      NonFiniteValueError,
    );
    expect(boxArea(new Float32Array(0)).length).toBe(0);
  });
});

describe('clipBoxesToImage', () => {
  for (const [i, c] of fixture.clip.entries()) {
    it(`matches torchvision.ops.clip_boxes_to_image (case ${i})`, () => {
      expectSameNumbers(clipBoxesToImage(c.boxes, c.size), c.expected);
    });
  }
  it('writes into out, including in place', () => {
    const b = new Float32Array([-5, -5, 700, 500, 10, 20, 30, 40]);
    const out = new Float32Array(8);
    expect(clipBoxesToImage(b, { width: 640, height: 480 }, out)).toBe(out);
    expect(list(out)).toEqual([0, 0, 640, 480, 10, 20, 30, 40]);
    expect(clipBoxesToImage(b, { width: 640, height: 480 }, b)).toBe(b);
    expect(list(b)).toEqual([0, 0, 640, 480, 10, 20, 30, 40]);
  });
  it('rejects bad sizes, bad out and NaN', () => {
    const b = new Float32Array([0, 0, 1, 1]);
    expect(() => clipBoxesToImage(b, { width: -1, height: 5 })).toThrow(/size.width/);
    expect(() => clipBoxesToImage(b, { width: 5, height: Number.NaN })).toThrow(/size.height/);
    expect(() => clipBoxesToImage(b, { width: 5, height: Number.POSITIVE_INFINITY })).toThrow(
      /size.height/,
    );
    // @ts-expect-error missing size
    expect(() => clipBoxesToImage(b)).toThrow(/size/);
    expect(() => clipBoxesToImage(b, { width: 5, height: 5 }, new Float32Array(3))).toThrow(/out/);
    expect(() =>
      clipBoxesToImage(new Float32Array([Number.NaN, 0, 1, 1]), { width: 5, height: 5 }),
    ).toThrow(NonFiniteValueError);
  });
});

describe('removeSmallBoxes', () => {
  for (const c of fixture.removeSmall) {
    it(`matches torchvision.ops.remove_small_boxes (minSize ${c.minSize})`, () => {
      expect(list(removeSmallBoxes(c.boxes, c.minSize))).toEqual(list(c.expected));
    });
  }
  it('rejects a negative or non-finite minSize', () => {
    const b = new Float32Array([0, 0, 1, 1]);
    expect(() => removeSmallBoxes(b, -1)).toThrow(/minSize/);
    expect(() => removeSmallBoxes(b, Number.NaN)).toThrow(/minSize/);
    expect(() => removeSmallBoxes(b, Number.POSITIVE_INFINITY)).toThrow(/minSize/);
    expect(removeSmallBoxes(new Float32Array(0), 1).length).toBe(0);
  });
});

describe('masksToBoxes', () => {
  it('matches torchvision.ops.masks_to_boxes', () => {
    const { dims, masks, expected } = fixture.masksToBoxes;
    expectSameNumbers(masksToBoxes({ data: masks, dims }), expected);
  });
  it('gives [0,0,0,0] for an empty mask (torchvision raises)', () => {
    expect(fixture.emptyMaskRaisesInTorchvision).toBe(true);
    const data = new Uint8Array(2 * 4 * 5);
    data[20 + 7] = 1; // second mask, row 1, column 2
    expect(list(masksToBoxes({ data, dims: [2, 4, 5] }))).toEqual([0, 0, 0, 0, 2, 1, 2, 1]);
    expect(masksToBoxes({ data: new Uint8Array(0), dims: [0, 4, 5] }).length).toBe(0);
  });
  it('rejects bad shapes and data types', () => {
    expect(() => masksToBoxes({ data: new Uint8Array(10), dims: [2, 5] })).toThrow(
      ShapeMismatchError,
    );
    expect(() => masksToBoxes({ data: new Uint8Array(10), dims: [1, 2, 6] })).toThrow(/masks/);
    // @ts-expect-error Float32 masks
    expect(() => masksToBoxes({ data: new Float32Array(4), dims: [1, 2, 2] })).toThrow(
      /Uint8Array/,
    );
  });
});
