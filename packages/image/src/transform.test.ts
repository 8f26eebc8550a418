import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from './letterbox.js';
import { type BinSlice, loadFixture } from './test-utils/fixtures.js';
import { Transform } from './transform.js';

interface Meta {
  masks: {
    width: number;
    height: number;
    size: number;
    maskSize: number;
    masks: BinSlice;
    expected: BinSlice;
    reference: string;
  }[];
}
const { meta, f32 } = loadFixture<Meta>('letterbox');

const lb = letterboxGeometry(641, 479, { size: 640 }).transform;

describe('Transform', () => {
  it('survives JSON (and structured clone) unchanged', () => {
    const json = JSON.parse(JSON.stringify(lb));
    expect(json.type).toBe('ocelot.transform');
    const back = Transform.fromJSON(json);
    expect(back.toJSON()).toEqual(lb.toJSON());
    expect(Transform.fromJSON(JSON.stringify(lb)).toJSON()).toEqual(lb.toJSON());
    expect(Transform.fromJSON(structuredClone(lb.toJSON())).scaleX).toBe(lb.scaleX);
    const b = Float32Array.of(10, 20, 30, 40);
    expect(back.toImage(b)).toEqual(lb.toImage(b));
  });

  it('fromJSON rejects malformed input with a named error', () => {
    expect(() => Transform.fromJSON({})).toThrow(InvalidArgumentError);
    expect(() => Transform.fromJSON({ ...lb.toJSON(), version: 2 })).toThrow(/version/);
    expect(() => Transform.fromJSON({ ...lb.toJSON(), scaleX: 0 })).toThrow(/scale/);
    expect(() => Transform.fromJSON({ ...lb.toJSON(), offsetY: Number.NaN })).toThrow(/offsetY/);
    expect(() => Transform.fromJSON({ ...lb.toJSON(), srcWidth: 1.5 })).toThrow(/srcWidth/);
    expect(() => Transform.fromJSON(null)).toThrow(InvalidArgumentError);
  });

  it('is immutable', () => {
    expect(() => {
      (lb as { scaleX: number }).scaleX = 2;
    }).toThrow(TypeError);
  });

  it('inverse() swaps directions and compose() chains', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 1280 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (w, h, size, fx, fy) => {
          const t = letterboxGeometry(w, h, { size }).transform;
          const p = Float32Array.of(fx * w, fy * h);
          const viaInverse = t.inverse().pointsToModel(t.pointsToModel(p));
          expect(viaInverse[0]).toBeCloseTo(p[0]!, 2);
          expect(viaInverse[1]).toBeCloseTo(p[1]!, 2);
          const id = t.compose(t.inverse());
          expect(id.scaleX).toBeCloseTo(1, 10);
          expect(id.offsetX).toBeCloseTo(0, 8);
        },
      ),
    );
    // crop then letterbox: a box in the original maps through both
    const cropT = new Transform({
      srcWidth: 100,
      srcHeight: 80,
      dstWidth: 50,
      dstHeight: 40,
      scaleX: 1,
      scaleY: 1,
      offsetX: -10,
      offsetY: -20,
    });
    const lbT = letterboxGeometry(50, 40, { size: 100 }).transform;
    const both = cropT.compose(lbT);
    const b = Float32Array.of(20, 30, 40, 50);
    expect(both.toModel(b)).toEqual(lbT.toModel(cropT.toModel(b)));
    expect(() => lbT.compose(cropT)).toThrow(ShapeMismatchError);
  });

  it('maps points both ways and clips them', () => {
    const p = Float32Array.of(0, 0, 641, 479, 320.5, 100);
    const m = lb.pointsToModel(p);
    expect(Array.from(m.subarray(0, 4))).toEqual([0, 81, 640, 559]);
    expect(lb.pointsToImage(m)).toEqual(p);
    expect(Array.from(lb.pointsToImage(Float32Array.of(-5, 700)))).toEqual([0, 479]);
    expect(Array.from(lb.pointsToImage(Float32Array.of(-5, 700), { clip: false }))).toEqual(
      [(-5 * 641) / 640, ((700 - 81) * 479) / 478].map(Math.fround),
    );
  });

  it('writes into out when given, and checks it', () => {
    const out = new Float32Array(4);
    expect(lb.toModel(Float32Array.of(1, 2, 3, 4), out)).toBe(out);
    expect(() => lb.toModel(Float32Array.of(1, 2, 3, 4), new Float32Array(8))).toThrow(
      ShapeMismatchError,
    );
    expect(() => lb.toImage(Float32Array.of(1, 2, 3), {})).toThrow(ShapeMismatchError);
    expect(() => lb.toImage(Float32Array.of(1, 2, 3, Number.NaN))).toThrow(NonFiniteValueError);
    expect(() => lb.pointsToImage(Float32Array.of(1, Number.POSITIVE_INFINITY))).toThrow(
      NonFiniteValueError,
    );
    expect(() => lb.toModel([1, 2, 3, 4] as unknown as Float32Array)).toThrow(/Float32Array/);
  });

  it('contentBox is the unpadded region', () => {
    expect(lb.contentBox).toEqual([0, 81, 640, 559]);
  });
});

describe('Transform.maskToImage', () => {
  for (const c of meta.masks) {
    it(`${c.width}×${c.height} from ${c.maskSize}×${c.maskSize} masks (${c.reference}) within 1e-5`, () => {
      const t = letterboxGeometry(c.width, c.height, { size: c.size }).transform;
      const all = f32(c.masks);
      const expected = f32(c.expected);
      const per = c.maskSize * c.maskSize;
      const outPer = c.width * c.height;
      for (let k = 0; k < all.length / per; k++) {
        const map = {
          data: all.slice(k * per, (k + 1) * per),
          width: c.maskSize,
          height: c.maskSize,
        };
        const got = t.maskToImage(map);
        expect(got.width).toBe(c.width);
        expect(got.height).toBe(c.height);
        let maxDiff = 0;
        for (let i = 0; i < outPer; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got.data[i]! - expected[k * outPer + i]!));
        }
        expect(maxDiff).toBeLessThan(1e-5);
        const bin = t.maskToImage(map, { threshold: 0.25 });
        expect(bin.data).toBeInstanceOf(Uint8Array);
        for (let i = 0; i < outPer; i++) expect(bin.data[i]).toBe(got.data[i]! > 0.25 ? 1 : 0);
      }
    });
  }

  it('label maps keep their values and type (nearest), padding never bleeds in', () => {
    const t = letterboxGeometry(30, 10, { size: 60 }).transform; // 60×20 content, 20 rows pad top
    const map = new Int32Array(60 * 60).fill(99); // 99 = padding
    for (let y = 20; y < 40; y++) for (let x = 0; x < 60; x++) map[y * 60 + x] = x < 30 ? 1 : 2;
    const out = t.labelMapToImage({ data: map, width: 60, height: 60 });
    expect(out.data).toBeInstanceOf(Int32Array);
    expect(out.width).toBe(30);
    expect(out.height).toBe(10);
    expect(out.data.every((v, i) => v === (i % 30 < 15 ? 1 : 2))).toBe(true);
    // bilinear on a uint8 map with the pad far away: still no 99 mixing at the border rows
    const u8 = Uint8Array.from(map, (v) => (v === 99 ? 255 : 0));
    const f = t.maskToImage({ data: u8, width: 60, height: 60 }, { interpolation: 'bilinear' });
    expect(Math.max(...f.data)).toBe(0);
  });

  it('identity transform returns the same map', () => {
    const t = Transform.identity(7, 5);
    const data = Float32Array.from({ length: 35 }, (_, i) => i * 0.5);
    expect(t.maskToImage({ data, width: 7, height: 5 }).data).toEqual(data);
    const labels = Uint8Array.from({ length: 35 }, (_, i) => i);
    expect(t.labelMapToImage({ data: labels, width: 7, height: 5 }).data).toEqual(labels);
  });

  it('rejects malformed maps and options', () => {
    expect(() => lb.maskToImage({ data: new Float32Array(5), width: 2, height: 2 })).toThrow(
      ShapeMismatchError,
    );
    expect(() =>
      lb.maskToImage({ data: [1, 2] as unknown as Float32Array, width: 2, height: 1 }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      lb.maskToImage(
        { data: new Float32Array(4), width: 2, height: 2 },
        { interpolation: 'cubic' as 'nearest' },
      ),
    ).toThrow(/interpolation/);
    expect(() =>
      lb.maskToImage({ data: new Float32Array(4), width: 2, height: 2 }, { threshold: Number.NaN }),
    ).toThrow(/threshold/);
  });
});
