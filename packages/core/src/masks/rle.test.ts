import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { bboxIouCoco, rleIou } from './iou.js';
import {
  type CocoSegmentation,
  type Rle,
  rleArea,
  rleDecode,
  rleDecodeColumnMajor,
  rleEncode,
  rleEncodeColumnMajor,
  rleFromBbox,
  rleFromCoco,
  rleFromPolygon,
  rleFromPolygons,
  rleFromSegmentation,
  rleFromString,
  rleMerge,
  rleToBbox,
  rleToCoco,
  rleToString,
} from './rle.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

interface MaskCase {
  h: number;
  w: number;
  mask: string;
  counts: string;
  area: number;
  bbox: number[];
}
const F = fixture('rle.json') as {
  generator: string;
  masks: MaskCase[];
  big: Omit<MaskCase, 'mask'>[];
  polygons: (Omit<MaskCase, 'mask'> & { polygon: number[] })[];
  multiPolygons: (Omit<MaskCase, 'mask'> & { polygons: number[][] })[];
  bboxes: { h: number; w: number; bboxes: number[][]; counts: string[] }[];
  uncompressed: {
    h: number;
    w: number;
    counts: number[];
    string: string;
    area?: number;
    bbox?: number[];
  }[];
  merges: { h: number; w: number; inputs: string[]; union: string; intersection: string }[];
  iou: {
    h: number;
    w: number;
    dt: string[];
    gt: string[];
    iscrowd: number[];
    iou: number[];
    dtBbox: number[];
    gtBbox: number[];
    bboxIou: number[];
  }[];
  bboxIou: { dt: number[]; gt: number[]; iscrowd: number[]; iou: number[] };
};

const toMask = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

describe('COCO RLE vs pycocotools', () => {
  it('names its generator', () => {
    expect(F.generator).toBe('tooling/python/fixtures/core_masks_roi.py');
  });

  it('rleEncode gives the same strings, areas and boxes', () => {
    expect(F.masks.length).toBeGreaterThan(50);
    for (const c of F.masks) {
      const rle = rleEncode(toMask(c.mask), c.h, c.w);
      expect(rleToString(rle)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(Array.from(rleToBbox(rle))).toEqual(c.bbox);
    }
  });

  it('rleFromString ∘ rleDecode reproduces the masks', () => {
    for (const c of F.masks) {
      const rle = rleFromString(c.counts, c.h, c.w);
      expect(rleDecode(rle)).toEqual(toMask(c.mask));
      expect(rleToString(rle)).toBe(c.counts);
    }
  });

  it('handles large runs (multi-character counts)', () => {
    for (const c of F.big) {
      const rle = rleFromString(c.counts, c.h, c.w);
      expect(rleToString(rle)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(Array.from(rleToBbox(rle))).toEqual(c.bbox);
      const re = rleEncode(rleDecode(rle), c.h, c.w);
      expect(re.counts).toEqual(rle.counts);
    }
  });

  it('rleFromPolygon matches frPoly, degenerate and out-of-image polygons included', () => {
    expect(F.polygons.length).toBeGreaterThan(100);
    for (const c of F.polygons) {
      const rle = rleFromPolygon(c.polygon, c.h, c.w);
      expect(rleToString(rle), JSON.stringify(c.polygon)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(Array.from(rleToBbox(rle))).toEqual(c.bbox);
    }
  });

  it('rleFromPolygons matches frPyObjects + merge for multi-polygon objects', () => {
    for (const c of F.multiPolygons) {
      const rle = rleFromPolygons(c.polygons, c.h, c.w);
      expect(rleToString(rle)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(Array.from(rleToBbox(rle))).toEqual(c.bbox);
    }
  });

  it('rleFromBbox matches frBbox', () => {
    for (const c of F.bboxes) {
      c.bboxes.forEach((bb, i) => {
        expect(rleToString(rleFromBbox(bb, c.h, c.w)), JSON.stringify(bb)).toBe(c.counts[i]);
      });
    }
  });

  it('rleFromCoco converts uncompressed RLE like frUncompressedRLE', () => {
    for (const c of F.uncompressed) {
      const rle = rleFromCoco({ size: [c.h, c.w], counts: c.counts });
      expect(rleToString(rle)).toBe(c.string);
      if (c.area !== undefined) expect(rleArea(rle)).toBe(c.area);
      if (c.bbox !== undefined) expect(Array.from(rleToBbox(rle))).toEqual(c.bbox);
    }
  });

  it('rleMerge matches merge(intersect=0/1)', () => {
    for (const c of F.merges) {
      const rles = c.inputs.map((s) => rleFromString(s, c.h, c.w));
      expect(rleToString(rleMerge(rles))).toBe(c.union);
      expect(rleToString(rleMerge(rles, true))).toBe(c.intersection);
    }
  });

  it('rleIou and bboxIouCoco match mask.iou with crowd flags', () => {
    for (const c of F.iou) {
      const dt = c.dt.map((s) => rleFromString(s, c.h, c.w));
      const gt = c.gt.map((s) => rleFromString(s, c.h, c.w));
      const iou = rleIou(dt, gt, c.iscrowd);
      expect(iou.length).toBe(dt.length * gt.length);
      expect(Array.from(iou)).toEqual(c.iou);
      const bb = bboxIouCoco(c.dtBbox, c.gtBbox, c.iscrowd);
      expect(Array.from(bb)).toEqual(c.bboxIou);
    }
    const b = F.bboxIou;
    expect(Array.from(bboxIouCoco(b.dt, b.gt, b.iscrowd))).toEqual(b.iou);
  });
});

describe('COCO eval fixtures (subset of /work/shared/fixtures/coco-eval)', () => {
  const S = fixture('coco_eval_subset.json') as {
    gt: {
      height: number;
      width: number;
      segmentation: CocoSegmentation;
      counts: string;
      area: number;
      bbox: number[];
    }[];
    dt: {
      segmentation: { size: [number, number]; counts: string };
      area: number;
      bbox: number[];
    }[];
  };

  it('gt polygons and crowd RLEs give annToRLE strings', () => {
    expect(S.gt.length).toBeGreaterThan(40);
    for (const a of S.gt) {
      const rle = rleFromSegmentation(a.segmentation, a.height, a.width);
      expect(rleToString(rle)).toBe(a.counts);
      expect(rleArea(rle)).toBe(a.area);
      expect(Array.from(rleToBbox(rle))).toEqual(a.bbox);
      // decode and re-encode: identical string
      expect(rleToString(rleEncode(rleDecode(rle), a.height, a.width))).toBe(a.counts);
    }
  });

  it('dt RLEs decode and re-encode to identical strings', () => {
    for (const d of S.dt) {
      const rle = rleFromCoco(d.segmentation);
      const [h, w] = d.segmentation.size;
      expect(rleToCoco(rleEncode(rleDecode(rle), h, w))).toEqual(d.segmentation);
      expect(rleArea(rle)).toBe(d.area);
      expect(Array.from(rleToBbox(rle))).toEqual(d.bbox);
    }
  });
});

describe('RLE properties', () => {
  const maskArb = fc
    .record({ h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }) })
    .chain(({ h, w }) =>
      fc.record({
        h: fc.constant(h),
        w: fc.constant(w),
        a: fc.uint8Array({ minLength: h * w, maxLength: h * w, max: 1 }),
        b: fc.uint8Array({ minLength: h * w, maxLength: h * w, max: 1 }),
      }),
    );

  it('encode ∘ decode is the identity; string ∘ parse is the identity', () => {
    fc.assert(
      fc.property(maskArb, ({ h, w, a }) => {
        const rle = rleEncode(a, h, w);
        expect(rleDecode(rle)).toEqual(a);
        const s = rleToString(rle);
        const back = rleFromString(s, h, w);
        expect(back.counts).toEqual(rle.counts);
        expect(rleToString(back)).toBe(s);
        // column-major variants agree with the row-major ones
        const colMajor = rleDecodeColumnMajor(rle);
        expect(rleEncodeColumnMajor(colMajor, h, w).counts).toEqual(rle.counts);
      }),
    );
  });

  it('area(a ∪ b) = area(a) + area(b) − area(a ∩ b), and matches pixel counts', () => {
    fc.assert(
      fc.property(maskArb, ({ h, w, a, b }) => {
        const ra = rleEncode(a, h, w);
        const rb = rleEncode(b, h, w);
        const u = rleMerge([ra, rb]);
        const i = rleMerge([ra, rb], true);
        expect(rleArea(u)).toBe(rleArea(ra) + rleArea(rb) - rleArea(i));
        let inter = 0;
        let union = 0;
        for (let k = 0; k < a.length; k++) {
          inter += a[k]! & b[k]!;
          union += a[k]! | b[k]!;
        }
        expect(rleArea(i)).toBe(inter);
        expect(rleArea(u)).toBe(union);
        expect(rleDecode(u)).toEqual(a.map((v, k) => v | b[k]!));
        // IoU from the runs agrees with pixel counting, and is symmetric for non-crowd
        const iou = rleIou([ra], [rb])[0]!;
        expect(iou).toBe(inter === 0 ? 0 : inter / union);
        expect(rleIou([rb], [ra])[0]).toBe(iou);
        // crowd: intersection over the detection's area
        expect(rleIou([ra], [rb], [true])[0]).toBe(inter === 0 ? 0 : inter / rleArea(ra));
      }),
    );
  });

  it('counts that need 6+ characters round-trip', () => {
    const rle: Rle = {
      size: [1 << 14, 1 << 14],
      counts: Uint32Array.of(123456789, 1, (1 << 28) - 123456790),
    };
    const back = rleFromString(rleToString(rle), 1 << 14, 1 << 14);
    expect(back.counts).toEqual(rle.counts);
  });
});

describe('RLE bad input', () => {
  it('throws typed errors naming the argument', () => {
    expect(() => rleFromString('0a~', 2, 2)).toThrow(InvalidArgumentError);
    expect(() => rleFromString('0a~', 2, 2)).toThrow(/counts/);
    expect(() => rleFromString('P', 2, 2)).toThrow(/truncated/);
    expect(() => rleFromString('3', 2, 3)).toThrow(/sum to 3/);
    expect(() => rleEncode(new Uint8Array(5), 2, 3)).toThrow(ShapeMismatchError);
    expect(() => rleEncode(new Uint8Array(6), -2, -3)).toThrow(InvalidArgumentError);
    expect(() => rleDecode({ size: [2, 2], counts: Uint32Array.of(1, 2) })).toThrow(/rle.counts/);
    expect(() => rleFromPolygon([0, 0, Number.NaN, 1, 2, 2], 4, 4)).toThrow(NonFiniteValueError);
    expect(() =>
      rleFromPolygons(
        [
          [0, 0, 1, 1, 2, 0],
          [1, Number.POSITIVE_INFINITY],
        ],
        4,
        4,
      ),
    ).toThrow(/polygons\[1\]/);
    expect(() => rleFromBbox([1, 2, 3], 4, 4)).toThrow(ShapeMismatchError);
    expect(() => rleFromCoco({ size: [2, 2], counts: [1, -1, 4] })).toThrow(/rle.counts/);
    const a = rleEncode(new Uint8Array(4), 2, 2);
    const b = rleEncode(new Uint8Array(6), 2, 3);
    expect(() => rleMerge([a, b])).toThrow(ShapeMismatchError);
    expect(() => rleIou([a], [a], [1, 0])).toThrow(/iscrowd/);
    expect(() => bboxIouCoco([0, 0, 1], [0, 0, 1, 1])).toThrow(/dt/);
    expect(() => bboxIouCoco([0, 0, 1, Number.NaN], [0, 0, 1, 1])).toThrow(NonFiniteValueError);
    expect(() => rleFromSegmentation(null as unknown as CocoSegmentation, 2, 2)).toThrow(
      /segmentation/,
    );
  });

  it('polygons on an empty image give the empty RLE', () => {
    expect(Array.from(rleFromPolygon([0, 0, 3, 0, 3, 3], 0, 5).counts)).toEqual([0]);
    expect(Array.from(rleFromPolygon([0, 0, 3, 0, 3, 3], 5, 0).counts)).toEqual([0]);
    expect(rleToString(rleEncode(new Uint8Array(0), 0, 5))).toBe('0');
  });

  it('merge of no RLE is the 0×0 RLE; masks of different sizes give -1 when boxes overlap', () => {
    expect(rleMerge([])).toEqual({ size: [0, 0], counts: new Uint32Array(0) });
    const a = rleEncode(Uint8Array.of(1, 1, 1, 1), 2, 2);
    const b = rleEncode(Uint8Array.of(1, 1, 1, 1, 1, 1), 2, 3);
    expect(Array.from(rleIou([a], [b]))).toEqual([-1]);
    expect(rleIou([], [b]).length).toBe(0);
  });
});
