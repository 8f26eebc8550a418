import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { ImageSize } from '../types.js';
import { maxAbsDiff, readFixture } from '../training/__fixtures__/read-fixture.js';
import type { FeatureMapSize } from './anchor-generator.js';
import {
  AnchorGenerator,
  anchorStrides,
  cellAnchors,
  FASTER_RCNN_FPN_ANCHORS,
  gridAnchors,
  gridAnchorsPerLevel,
  numAnchorsPerLocation,
  RETINANET_ANCHORS,
  roundHalfToEven,
} from './anchor-generator.js';

interface AnchorCase {
  name: string;
  sizes: number[][];
  aspectRatios: number[][];
  imageSize: ImageSize;
  featureSizes: FeatureMapSize[];
  strides: { height: number; width: number }[];
  numAnchorsPerLocation: number[];
  numAnchorsPerLevel: number[];
  cellAnchors: Float32Array[];
  anchors: Float32Array;
}

const fixture = readFixture<{ generator: string; anchorGenerator: AnchorCase[] }>(
  new URL('./__fixtures__/', import.meta.url),
  'anchors',
);

describe('gridAnchors parity with torchvision AnchorGenerator', () => {
  it('names its generator', () => {
    expect(fixture.generator).toBe('tooling/python/fixtures/core_anchors_coder.py');
    expect(fixture.anchorGenerator.length).toBeGreaterThanOrEqual(6);
  });

  for (const c of fixture.anchorGenerator) {
    it(c.name, () => {
      const options = { sizes: c.sizes, aspectRatios: c.aspectRatios };
      c.cellAnchors.forEach((expected, l) => {
        // cell anchors are integers after rounding: exact equality
        expect(Array.from(cellAnchors(c.sizes[l]!, c.aspectRatios[l]!))).toEqual(
          Array.from(expected),
        );
      });
      expect(anchorStrides(c.featureSizes, c.imageSize)).toEqual(c.strides);
      expect(numAnchorsPerLocation(options)).toEqual(c.numAnchorsPerLocation);
      const anchors = gridAnchors(c.featureSizes, c.imageSize, options);
      expect(anchors.length).toBe(c.anchors.length);
      expect(maxAbsDiff(anchors, c.anchors)).toBe(0);
      const perLevel = gridAnchorsPerLevel(c.featureSizes, c.imageSize, options);
      expect(perLevel.map((a) => a.length / 4)).toEqual(c.numAnchorsPerLevel);
      const gen = new AnchorGenerator(options);
      expect(maxAbsDiff(gen.generate(c.featureSizes, c.imageSize), c.anchors)).toBe(0);
      const joined = new Float32Array(anchors.length);
      let o = 0;
      for (const level of gen.generatePerLevel(c.featureSizes, c.imageSize)) {
        joined.set(level, o);
        o += level.length;
      }
      expect(maxAbsDiff(joined, c.anchors)).toBe(0);
    });
  }

  it('presets match the torchvision configurations in the fixture', () => {
    const fpn = fixture.anchorGenerator.find((c) => c.name.startsWith('faster-rcnn-fpn 128'))!;
    expect(
      maxAbsDiff(
        gridAnchors(fpn.featureSizes, fpn.imageSize, FASTER_RCNN_FPN_ANCHORS),
        fpn.anchors,
      ),
    ).toBe(0);
    const retina = fixture.anchorGenerator.find((c) => c.name.startsWith('retinanet'))!;
    expect(RETINANET_ANCHORS.sizes).toEqual(retina.sizes);
    expect(
      maxAbsDiff(
        gridAnchors(retina.featureSizes, retina.imageSize, RETINANET_ANCHORS),
        retina.anchors,
      ),
    ).toBe(0);
  });
});

describe('roundHalfToEven', () => {
  it('rounds ties to the even neighbour like torch.round', () => {
    expect([22.5, -22.5, 23.5, -23.5, 0.5, -0.5, 1.5, 2.4999, -2.6].map(roundHalfToEven)).toEqual([
      22, -22, 24, -24, 0, -0, 2, 2, -3,
    ]);
  });
});

describe('AnchorGenerator', () => {
  it("defaults to torchvision's sizes (128, 256, 512) and ratios (0.5, 1, 2)", () => {
    const gen = new AnchorGenerator();
    expect(gen.numAnchorsPerLocation()).toEqual([9]);
    expect(gen.options()).toEqual({ sizes: [[128, 256, 512]], aspectRatios: [[0.5, 1, 2]] });
    // ratio 1, size 128 is the 4th cell anchor (ratio-major order)
    expect(Array.from(gen.cellAnchors[0]!.subarray(12, 16))).toEqual([-64, -64, 64, 64]);
  });

  it('rejects bad options and sizes with typed errors naming the argument', () => {
    expect(() => new AnchorGenerator({ sizes: [], aspectRatios: [1] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new AnchorGenerator({ sizes: [[32, -1]], aspectRatios: [1] })).toThrow(
      /options\.sizes\[0\]\[1\]/,
    );
    expect(() => new AnchorGenerator({ sizes: [[32]], aspectRatios: [Number.NaN] })).toThrow(
      /options\.aspectRatios\[0\]/,
    );
    expect(
      () => new AnchorGenerator({ sizes: [[32], [64]], aspectRatios: [[1], [1], [2]] }),
    ).toThrow(ShapeMismatchError);
    const gen = new AnchorGenerator({ sizes: [[32], [64]], aspectRatios: [1] });
    expect(() => gen.generate([{ height: 4, width: 4 }], { height: 32, width: 32 })).toThrow(
      ShapeMismatchError,
    );
    const two = [
      { height: 4, width: 4 },
      { height: 2, width: 2.5 },
    ];
    expect(() => gen.generate(two, { height: 32, width: 32 })).toThrow(/featureSizes\[1\]\.width/);
    expect(() =>
      gen.generate(
        [
          { height: 4, width: 4 },
          { height: 2, width: 2 },
        ],
        { height: 0, width: 32 },
      ),
    ).toThrow(/imageSize\.height/);
    expect(() =>
      gen.generate(
        [
          { height: 64, width: 4 },
          { height: 2, width: 2 },
        ],
        { height: 32, width: 32 },
      ),
    ).toThrow(/larger than the image/);
  });
});

describe('gridAnchors properties', () => {
  const levelArb = fc.record({
    height: fc.integer({ min: 1, max: 6 }),
    width: fc.integer({ min: 1, max: 6 }),
    stride: fc.integer({ min: 1, max: 16 }),
    extraH: fc.integer({ min: 0, max: 15 }),
    extraW: fc.integer({ min: 0, max: 15 }),
    sizes: fc.array(fc.integer({ min: 2, max: 300 }), { minLength: 1, maxLength: 3 }),
    ratios: fc.array(fc.double({ min: 0.1, max: 8, noNaN: true }), { minLength: 1, maxLength: 3 }),
  });

  it('every anchor is centred exactly on its stride grid point', () => {
    fc.assert(
      fc.property(levelArb, (l) => {
        // (n·s + e) // n = s for any extra e < n: the stride stays s.
        const imageSize = {
          height: l.height * l.stride + Math.min(l.extraH, l.height - 1),
          width: l.width * l.stride + Math.min(l.extraW, l.width - 1),
        };
        const anchors = gridAnchors([{ height: l.height, width: l.width }], imageSize, {
          sizes: [l.sizes],
          aspectRatios: [l.ratios],
        });
        const a = l.sizes.length * l.ratios.length;
        expect(anchors.length).toBe(l.height * l.width * a * 4);
        for (let y = 0; y < l.height; y++) {
          for (let x = 0; x < l.width; x++) {
            for (let k = 0; k < a; k++) {
              const o = 4 * ((y * l.width + x) * a + k);
              const cx = (anchors[o]! + anchors[o + 2]!) / 2;
              const cy = (anchors[o + 1]! + anchors[o + 3]!) / 2;
              // half-to-even rounding is odd-symmetric, so the rounded cell anchor stays centred
              expect(cx).toBe(x * l.stride);
              expect(cy).toBe(y * l.stride);
              expect(anchors[o + 2]!).toBeGreaterThanOrEqual(anchors[o]!);
              expect(anchors[o + 3]!).toBeGreaterThanOrEqual(anchors[o + 1]!);
            }
          }
        }
      }),
    );
  });

  it('cell anchors keep the aspect ratio and the area of the size (up to rounding)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 512 }),
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        (size, ratio) => {
          const [x1, y1, x2, y2] = cellAnchors([size], [ratio]);
          const w = x2! - x1!;
          const h = y2! - y1!;
          // each half-side is rounded to an integer: the side moves by at most 1 (+ float32)
          expect(Math.abs(w - size / Math.sqrt(ratio))).toBeLessThanOrEqual(1 + 1e-4);
          expect(Math.abs(h - size * Math.sqrt(ratio))).toBeLessThanOrEqual(1 + 1e-4);
        },
      ),
    );
  });
});
