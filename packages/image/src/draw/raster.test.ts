import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRgbImage } from '../image.js';
import { noiseImage } from '../test-utils/fixtures.js';
import { colorFor, DETECTION_COLORS, vocPalette } from './palette.js';
import { colorizeLabelMap, drawLabelMap, drawMasks, drawMasks_, maskContour } from './raster.js';

const px = (img: { data: Uint8Array; width: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const blend = (p: number, c: number, a: number) => Math.round((1 - a) * p + a * c);

describe('drawMasks', () => {
  it('blends inside pixels with round((1 − α)·pixel + α·colour) and leaves the rest alone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r, g, b, alpha) => {
          const img = noiseImage(6, 5, r * 7 + g);
          const mask = new Uint8Array(30);
          mask[2 * 6 + 3] = 1;
          const out = drawMasks(img, [mask], { colors: [[r, g, b]], alpha });
          const before = px(img, 3, 2);
          expect(px(out, 3, 2)).toEqual([
            blend(before[0]!, r, alpha),
            blend(before[1]!, g, alpha),
            blend(before[2]!, b, alpha),
          ]);
          expect(px(out, 0, 0)).toEqual(px(img, 0, 0));
          expect(out.data).not.toBe(img.data);
        },
      ),
    );
  });

  it('colours masks by label with the Ultralytics palette by default; later masks go on top', () => {
    const img = createRgbImage(4, 1, [100, 100, 100]);
    const m0 = Uint8Array.of(1, 1, 0, 0);
    const m1 = Uint8Array.of(0, 1, 1, 0);
    const out = drawMasks(img, [m0, m1], { labels: [5, 0], alpha: 1 });
    expect(px(out, 0, 0)).toEqual([...DETECTION_COLORS[5]!]);
    expect(px(out, 1, 0)).toEqual([...DETECTION_COLORS[0]!]);
    expect(px(out, 3, 0)).toEqual([100, 100, 100]);
    expect(colorFor(25)).toEqual(DETECTION_COLORS[5]);
  });

  it('float masks use the threshold; PixelMaps must match the image size', () => {
    const img = createRgbImage(3, 1, [0, 0, 0]);
    const probs = { data: Float32Array.of(0.2, 0.6, 0.9), width: 3, height: 1 };
    const out = drawMasks(img, [probs], { colors: [[200, 0, 0]], alpha: 0.5, threshold: 0.7 });
    expect(out.data[0]).toBe(0);
    expect(out.data[3]).toBe(0);
    expect(out.data[6]).toBe(100);
    expect(() => drawMasks(img, [{ data: new Float32Array(4), width: 4, height: 1 }])).toThrow(
      ShapeMismatchError,
    );
    expect(() => drawMasks(img, [new Uint8Array(5)])).toThrow(ShapeMismatchError);
    expect(() => drawMasks(img, [new Uint8Array(3)], { alpha: 1.5 })).toThrow(/alpha/);
    expect(() =>
      drawMasks(img, [new Uint8Array(3), new Uint8Array(3)], { colors: [[1, 2, 3]] }),
    ).toThrow(/colors/);
    expect(() => drawMasks(img, [new Uint8Array(3)], { colors: [[1, 2, 300]] })).toThrow(
      InvalidArgumentError,
    );
  });

  it('contours mark the mask edge (and image border) in full colour', () => {
    // 5×5 image, 3×3 square mask in the middle
    const mask = new Uint8Array(25);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[y * 5 + x] = 1;
    const img = createRgbImage(5, 5, [0, 0, 0]);
    const out = drawMasks(img, [mask], { colors: [[10, 20, 30]], alpha: 0, contour: true });
    expect(px(out, 1, 1)).toEqual([10, 20, 30]);
    expect(px(out, 3, 2)).toEqual([10, 20, 30]);
    expect(px(out, 2, 2)).toEqual([0, 0, 0]); // interior untouched with alpha 0
    expect(px(out, 0, 0)).toEqual([0, 0, 0]);
    const thick = maskContour(mask, 5, 5, 2);
    expect(Array.from(thick).reduce((a, b) => a + b, 0)).toBe(9);
    expect(Array.from(maskContour(Uint8Array.of(1, 1, 1, 1), 2, 2))).toEqual([1, 1, 1, 1]);
    const coloured = drawMasks(img, [mask], { alpha: 0.5, contour: { color: [255, 255, 255] } });
    expect(px(coloured, 1, 1)).toEqual([255, 255, 255]);
    expect(px(coloured, 2, 2)).toEqual(DETECTION_COLORS[0]!.map((c) => blend(0, c, 0.5)));
  });

  it('drawMasks_ writes in place', () => {
    const img = createRgbImage(1, 1, [0, 0, 0]);
    expect(drawMasks_(img, [Uint8Array.of(1)], { colors: [[255, 0, 0]], alpha: 1 })).toBe(img);
    expect(Array.from(img.data)).toEqual([255, 0, 0]);
  });
});

describe('label maps', () => {
  it('the VOC palette has its well-known colours', () => {
    const p = vocPalette();
    const at = (i: number) => Array.from(p.subarray(3 * i, 3 * i + 3));
    expect(at(0)).toEqual([0, 0, 0]);
    expect(at(1)).toEqual([128, 0, 0]);
    expect(at(2)).toEqual([0, 128, 0]);
    expect(at(15)).toEqual([192, 128, 128]); // person
    expect(at(255)).toEqual([224, 224, 192]); // void
  });

  it('drawLabelMap blends palette colours, skips ignored labels, rejects labels off the palette', () => {
    const img = createRgbImage(3, 1, [50, 60, 70]);
    const map = { data: Uint8Array.of(0, 15, 255), width: 3, height: 1 };
    const out = drawLabelMap(img, map, { alpha: 0.4, ignore: [255] });
    expect(px(out, 0, 0)).toEqual([blend(50, 0, 0.4), blend(60, 0, 0.4), blend(70, 0, 0.4)]);
    expect(px(out, 1, 0)).toEqual([blend(50, 192, 0.4), blend(60, 128, 0.4), blend(70, 128, 0.4)]);
    expect(px(out, 2, 0)).toEqual([50, 60, 70]);
    const custom = drawLabelMap(img, map, {
      palette: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      alpha: 1,
      ignore: [15, 255],
    });
    expect(px(custom, 0, 0)).toEqual([1, 2, 3]);
    expect(() => drawLabelMap(img, map, { palette: [[1, 2, 3]] })).toThrow(/no palette colour/);
    expect(() => drawLabelMap(img, { data: new Int32Array(2), width: 2, height: 1 })).toThrow(
      ShapeMismatchError,
    );
    const colour = colorizeLabelMap({ data: Int32Array.of(1, 2), width: 2, height: 1 });
    expect(Array.from(colour.data)).toEqual([128, 0, 0, 0, 128, 0]);
  });
});
