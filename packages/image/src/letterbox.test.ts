import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crop, type LetterboxOptions, letterbox, letterboxGeometry, resize } from './letterbox.js';
import { type BinSlice, loadFixture, noiseImage } from './test-utils/fixtures.js';

interface Geometry {
  resizedWidth: number;
  resizedHeight: number;
  padLeft: number;
  padTop: number;
  padRight: number;
  padBottom: number;
  width: number;
  height: number;
}
interface Meta {
  generator: string;
  letterbox: {
    reference: string;
    width: number;
    height: number;
    options: LetterboxOptions;
    source: BinSlice;
    expected: BinSlice;
    geometry: Geometry;
  }[];
  geometry: {
    width: number;
    height: number;
    options: LetterboxOptions;
    geometry: Geometry | null;
  }[];
}

const { meta, u8 } = loadFixture<Meta>('letterbox');

function pick(g: Geometry): Geometry {
  const { resizedWidth, resizedHeight, padLeft, padTop, padRight, padBottom, width, height } = g;
  return { resizedWidth, resizedHeight, padLeft, padTop, padRight, padBottom, width, height };
}

describe('letterbox parity with Ultralytics LetterBox and YOLOX preproc', () => {
  it('fixture names its generator', () => {
    expect(meta.generator).toBe('tooling/python/fixtures/image_letterbox.py');
  });

  for (const c of meta.letterbox) {
    it(`${c.reference} ${c.width}×${c.height} ${JSON.stringify(c.options)}: identical pixels and geometry`, () => {
      const image = { data: u8(c.source), width: c.width, height: c.height };
      const { image: out, transform } = letterbox(image, c.options);
      const g = letterboxGeometry(c.width, c.height, c.options);
      expect(pick(g)).toEqual(c.geometry);
      expect(out.width).toBe(c.geometry.width);
      expect(out.height).toBe(c.geometry.height);
      expect(Buffer.from(out.data).equals(Buffer.from(u8(c.expected)))).toBe(true);
      expect(transform.offsetX).toBe(c.geometry.padLeft);
      expect(transform.offsetY).toBe(c.geometry.padTop);
      expect(transform.scaleX).toBe(c.geometry.resizedWidth / c.width);
      expect(transform.scaleY).toBe(c.geometry.resizedHeight / c.height);
    });
  }

  it('geometry of large and extreme sizes equals Ultralytics (where Ultralytics works at all)', () => {
    for (const c of meta.geometry) {
      const g = letterboxGeometry(c.width, c.height, c.options);
      if (c.geometry) {
        expect(pick(g), JSON.stringify(c)).toEqual(c.geometry);
      } else {
        // Ultralytics rounds the short side to 0 pixels and cv2.resize fails; we keep 1 pixel.
        expect(Math.min(g.resizedWidth, g.resizedHeight)).toBe(1);
        expect(g.width).toBe(640);
        expect(g.height).toBe(640);
      }
    }
  });
});

describe('letterbox Transform', () => {
  const sizes = fc.oneof(
    fc.constantFrom<[number, number]>(
      [1, 4000],
      [4000, 1],
      [1, 1],
      [641, 479],
      [479, 641],
      [1920, 1080],
      [3, 7],
    ),
    fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 })),
  );
  const options = fc.record({
    size: fc.oneof(
      fc.integer({ min: 1, max: 1280 }),
      fc.record({
        width: fc.integer({ min: 1, max: 1280 }),
        height: fc.integer({ min: 1, max: 1280 }),
      }),
    ),
    center: fc.boolean(),
    scaleUp: fc.boolean(),
    auto: fc.boolean(),
    stride: fc.constantFrom(1, 16, 32, 64),
    sizeRounding: fc.constantFrom<'round' | 'floor'>('round', 'floor'),
  });
  const boxIn = (w: number, h: number) =>
    fc
      .tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([a, b, c, d]) => [
        Math.min(a, c) * w,
        Math.min(b, d) * h,
        Math.max(a, c) * w,
        Math.max(b, d) * h,
      ]);

  it('toImage(toModel(b)) returns b within 0.5 px for any size, including extreme aspect ratios', () => {
    const cases = fc
      .tuple(sizes, options)
      .chain(([[w, h], opt]) =>
        fc.tuple(
          fc.constant([w, h] as const),
          fc.constant(opt),
          fc.array(boxIn(w, h), { minLength: 1, maxLength: 8 }),
        ),
      );
    fc.assert(
      fc.property(cases, ([[w, h], opt, list]) => {
        const t = letterboxGeometry(w, h, opt).transform;
        const boxes = Float32Array.from(list.flat());
        const back = t.toImage(t.toModel(boxes));
        for (let i = 0; i < boxes.length; i++) {
          expect(Math.abs(back[i]! - boxes[i]!)).toBeLessThanOrEqual(0.5);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the round trip is exact up to float32 storage for ordinary sizes (shared numbers, no re-rounding)', () => {
    const cases = fc
      .tuple(
        fc.integer({ min: 16, max: 4000 }),
        fc.integer({ min: 16, max: 4000 }),
        fc.constantFrom(320, 416, 640, 1024),
      )
      .chain(([w, h, size]) =>
        fc.tuple(
          fc.constant([w, h, size] as const),
          fc.array(boxIn(w, h), { minLength: 1, maxLength: 8 }),
        ),
      );
    fc.assert(
      fc.property(cases, ([[w, h, size], list]) => {
        const t = letterboxGeometry(w, h, { size }).transform;
        const boxes = Float32Array.from(list.flat());
        const back = t.toImage(t.toModel(boxes));
        for (let i = 0; i < boxes.length; i++) {
          expect(Math.abs(back[i]! - boxes[i]!)).toBeLessThanOrEqual(2e-3);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the image corners land on the content box corners and the content box lies inside the output', () => {
    fc.assert(
      fc.property(sizes, options, ([w, h], opt) => {
        const g = letterboxGeometry(w, h, opt);
        const m = g.transform.toModel(Float32Array.of(0, 0, w, h));
        expect(m[0]).toBeCloseTo(g.padLeft, 3);
        expect(m[1]).toBeCloseTo(g.padTop, 3);
        expect(m[2]).toBeCloseTo(g.padLeft + g.resizedWidth, 3);
        expect(m[3]).toBeCloseTo(g.padTop + g.resizedHeight, 3);
        expect(g.padLeft + g.resizedWidth + g.padRight).toBe(g.width);
        expect(g.padTop + g.resizedHeight + g.padBottom).toBe(g.height);
        expect(Math.min(g.padLeft, g.padTop, g.padRight, g.padBottom)).toBeGreaterThanOrEqual(0);
        expect(g.resizedWidth).toBeGreaterThanOrEqual(1);
        expect(g.resizedHeight).toBeGreaterThanOrEqual(1);
        if (opt.center) {
          expect(g.padRight - g.padLeft).toBeGreaterThanOrEqual(0);
          expect(g.padRight - g.padLeft).toBeLessThanOrEqual(1);
        } else {
          expect(g.padLeft + g.padTop).toBe(0);
        }
        if (opt.auto) {
          expect(g.padLeft + g.padRight).toBeLessThan(opt.stride);
          expect(g.padTop + g.padBottom).toBeLessThan(opt.stride);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('toImage clips anything outside the image (e.g. boxes in the padding) to the image', () => {
    fc.assert(
      fc.property(
        sizes,
        options,
        fc.array(fc.double({ min: -2000, max: 3000, noNaN: true }), { minLength: 4, maxLength: 4 }),
        ([w, h], opt, [a, b, c, d]) => {
          const t = letterboxGeometry(w, h, opt).transform;
          const boxes = Float32Array.of(
            Math.min(a!, c!),
            Math.min(b!, d!),
            Math.max(a!, c!),
            Math.max(b!, d!),
          );
          const out = t.toImage(boxes);
          expect(out[0]).toBeGreaterThanOrEqual(0);
          expect(out[1]).toBeGreaterThanOrEqual(0);
          expect(out[2]).toBeLessThanOrEqual(w);
          expect(out[3]).toBeLessThanOrEqual(h);
          expect(out[2]).toBeGreaterThanOrEqual(out[0]!);
          expect(out[3]).toBeGreaterThanOrEqual(out[1]!);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("beats Ultralytics' separately rounded inverse on 641×479 (its error is 0.25 px, ours ~0)", () => {
    const w = 641;
    const h = 479;
    const t = letterboxGeometry(w, h, { size: 640 }).transform;
    const boxes = Float32Array.of(0, 0, w, h, 100.5, 200.25, 300.75, 478);
    const model = t.toModel(boxes);
    // scale_boxes: gain = min(640/h, 640/w); pad = round((640 - w·gain)/2 - 0.1), same for y.
    const gain = Math.min(640 / h, 640 / w);
    const padX = Math.round((640 - w * gain) / 2 - 0.1);
    const padY = Math.round((640 - h * gain) / 2 - 0.1);
    let ultralyticsErr = 0;
    let ourErr = 0;
    const ours = t.toImage(model, { clip: false });
    for (let i = 0; i < boxes.length; i++) {
      const u = i % 2 === 0 ? (model[i]! - padX) / gain : (model[i]! - padY) / gain;
      ultralyticsErr = Math.max(ultralyticsErr, Math.abs(u - boxes[i]!));
      ourErr = Math.max(ourErr, Math.abs(ours[i]! - boxes[i]!));
    }
    expect(ourErr).toBeLessThan(1e-3);
    expect(ultralyticsErr).toBeGreaterThan(0.25);
  });
});

describe('letterbox / resize / crop', () => {
  it('pads with the pad colour, RGB pad values per channel', () => {
    const img = noiseImage(10, 4, 3);
    const { image } = letterbox(img, { size: 10, padValue: [1, 2, 3] });
    expect(image.width).toBe(10);
    expect(image.height).toBe(10);
    expect(Array.from(image.data.subarray(0, 6))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(Array.from(image.data.subarray(image.data.length - 3))).toEqual([1, 2, 3]);
    // rows 3..6 are the (unchanged, same-size) image
    expect(Buffer.from(image.data.subarray(3 * 30, 7 * 30)).equals(Buffer.from(img.data))).toBe(
      true,
    );
  });

  it('resize stretches and its Transform scales each axis', () => {
    const img = noiseImage(20, 10);
    const { image, transform } = resize(img, { width: 5, height: 40 });
    expect([image.width, image.height]).toEqual([5, 40]);
    expect(transform.scaleX).toBe(0.25);
    expect(transform.scaleY).toBe(4);
    expect(Array.from(transform.toModel(Float32Array.of(4, 1, 8, 2)))).toEqual([1, 4, 2, 8]);
  });

  it('crop copies the rectangle and its Transform shifts', () => {
    const img = noiseImage(6, 5);
    const { image, transform } = crop(img, { x: 2, y: 1, width: 3, height: 2 });
    expect(Array.from(image.data.subarray(0, 3))).toEqual(
      Array.from(img.data.subarray((1 * 6 + 2) * 3, (1 * 6 + 2) * 3 + 3)),
    );
    expect(Array.from(transform.toModel(Float32Array.of(2, 1, 5, 3)))).toEqual([0, 0, 3, 2]);
    expect(Array.from(transform.toImage(Float32Array.of(-3, -1, 9, 9)))).toEqual([0, 0, 6, 5]);
    expect(() => crop(img, { x: 4, y: 0, width: 3, height: 1 })).toThrow(/does not fit/);
  });

  it('rejects bad input with named errors', () => {
    const img = noiseImage(4, 4);
    expect(() => letterbox(img, { size: 0 })).toThrow(InvalidArgumentError);
    expect(() => letterbox(img, { size: 64, padValue: 300 })).toThrow(/padValue/);
    expect(() => letterbox(img, { size: 64, stride: 0 })).toThrow(/stride/);
    expect(() => letterbox(img, { size: 64, sizeRounding: 'ceil' as 'round' })).toThrow(
      /sizeRounding/,
    );
    expect(() => letterbox({ data: new Uint8Array(10), width: 4, height: 4 }, { size: 8 })).toThrow(
      ShapeMismatchError,
    );
    expect(() => letterbox(img, undefined as unknown as LetterboxOptions)).toThrow(
      InvalidArgumentError,
    );
    expect(() => resize(img, { width: -1, height: 2 })).toThrow(/options.width/);
    expect(() => letterboxGeometry(Number.NaN, 3, { size: 4 })).toThrow(/srcWidth/);
  });
});
