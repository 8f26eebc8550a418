import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { ImageSize } from '../types.js';
import { maxAbsDiff, readFixture } from '../training/__fixtures__/read-fixture.js';
import type { FeatureMapSize } from './anchor-generator.js';
import type { DefaultBoxOptions } from './default-boxes.js';
import {
  DefaultBoxGenerator,
  defaultBoxes,
  defaultBoxesNormalized,
  defaultBoxScales,
  SSD300_DEFAULT_BOXES,
  SSDLITE320_DEFAULT_BOXES,
} from './default-boxes.js';

interface DefaultBoxCase {
  name: string;
  options: DefaultBoxOptions;
  imageSize: ImageSize;
  featureSizes: FeatureMapSize[];
  scales: number[];
  numAnchorsPerLocation: number[];
  numBoxes: number;
  whPairs: Float32Array[];
  normalizedCxcywh: Float32Array;
  xyxy: Float32Array;
}

const fixture = readFixture<{ generator: string; defaultBoxes: DefaultBoxCase[] }>(
  new URL('./__fixtures__/', import.meta.url),
  'default-boxes',
);
const byName = (name: string) => fixture.defaultBoxes.find((c) => c.name === name)!;

describe('defaultBoxes parity with torchvision DefaultBoxGenerator', () => {
  for (const c of fixture.defaultBoxes) {
    it(c.name, () => {
      const gen = new DefaultBoxGenerator(c.options);
      expect(gen.scales).toEqual(c.scales);
      expect(gen.numAnchorsPerLocation()).toEqual(c.numAnchorsPerLocation);
      gen.whPairs.forEach((p, k) => {
        expect(maxAbsDiff(p, c.whPairs[k]!)).toBe(0);
      });
      const normalized = defaultBoxesNormalized(c.featureSizes, c.imageSize, c.options);
      expect(normalized.length).toBe(c.numBoxes * 4);
      expect(maxAbsDiff(normalized, c.normalizedCxcywh)).toBe(0);
      const xyxy = defaultBoxes(c.featureSizes, c.imageSize, c.options);
      expect(maxAbsDiff(xyxy, c.xyxy)).toBe(0);
      expect(maxAbsDiff(gen.generate(c.featureSizes, c.imageSize), xyxy)).toBe(0);
      expect(maxAbsDiff(gen.generateNormalized(c.featureSizes, c.imageSize), normalized)).toBe(0);
    });
  }

  it('SSD300: six maps 38, 19, 10, 5, 3, 1 give 8732 boxes', () => {
    const maps = [38, 19, 10, 5, 3, 1].map((s) => ({ height: s, width: s }));
    const boxes = defaultBoxes(maps, { height: 300, width: 300 }, SSD300_DEFAULT_BOXES);
    expect(boxes.length / 4).toBe(8732);
    expect(maxAbsDiff(boxes, byName('ssd300').xyxy)).toBe(0);
  });

  it('SSDlite320 preset matches the fixture', () => {
    const c = byName('ssdlite320');
    expect(new DefaultBoxGenerator(SSDLITE320_DEFAULT_BOXES).scales).toEqual(c.scales);
    expect(
      maxAbsDiff(defaultBoxes(c.featureSizes, c.imageSize, SSDLITE320_DEFAULT_BOXES), c.xyxy),
    ).toBe(0);
  });

  it('computes scales s_k = s_min + (s_max - s_min)·k/(m - 1), then 1', () => {
    // the same doubles Python computes (torchvision DefaultBoxGenerator([[2]] * 5, 0.2, 0.9).scales)
    expect(defaultBoxScales(5, 0.2, 0.9)).toEqual([
      0.2, 0.375, 0.55, 0.7249999999999999, 0.8999999999999999, 1,
    ]);
    expect(defaultBoxScales(1, 0.3, 0.8)).toEqual([0.3, 0.8]);
  });

  it('clip clamps the normalised sizes to [0, 1]', () => {
    const options = { aspectRatios: [[4]], scales: [0.9, 1.3] };
    const sizes = [{ height: 2, width: 2 }];
    const image = { height: 64, width: 64 };
    const clipped = defaultBoxesNormalized(sizes, image, options);
    const raw = defaultBoxesNormalized(sizes, image, { ...options, clip: false });
    let above = 0;
    for (let i = 0; i < raw.length; i += 4) {
      for (const j of [2, 3]) {
        expect(clipped[i + j]).toBe(Math.min(raw[i + j]!, 1));
        if (raw[i + j]! > 1) above++;
      }
    }
    expect(above).toBeGreaterThan(0);
  });

  it('rejects bad options with typed errors', () => {
    expect(() => new DefaultBoxGenerator({ aspectRatios: [] })).toThrow(InvalidArgumentError);
    expect(() => new DefaultBoxGenerator({ aspectRatios: [[2], [0]] })).toThrow(
      /aspectRatios\[1\]\[0\]/,
    );
    expect(() => new DefaultBoxGenerator({ aspectRatios: [[2], [3]], scales: [0.1, 0.2] })).toThrow(
      ShapeMismatchError,
    );
    expect(() => new DefaultBoxGenerator({ aspectRatios: [[2], [3]], steps: [8] })).toThrow(
      /options\.steps/,
    );
    expect(
      () => new DefaultBoxGenerator({ aspectRatios: [[2]], minRatio: 0.9, maxRatio: 0.2 }),
    ).toThrow(/minRatio/);
    const gen = new DefaultBoxGenerator({ aspectRatios: [[2], [3]] });
    expect(() => gen.generate([{ height: 2, width: 2 }], { height: 32, width: 32 })).toThrow(
      ShapeMismatchError,
    );
    expect(() =>
      gen.generate(
        [
          { height: 2, width: 2 },
          { height: 0, width: 1 },
        ],
        { height: 32, width: 32 },
      ),
    ).toThrow(/featureSizes\[1\]\.height/);
  });
});
