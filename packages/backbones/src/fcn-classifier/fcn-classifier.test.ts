import { describe, expect, it } from 'vitest';
import { defineFcnClassifierSpec, projectScoreMap } from './fcn-classifier.js';
import { outputSize, receptiveField } from './receptive-field.js';
import { CLASSIC_SHAPES_FCN } from './shapes.js';

const NORM = {
  scale: 1 / 255,
  mean: [0, 0, 0] as const,
  std: [1, 1, 1] as const,
  channelOrder: 'rgb' as const,
};

describe('CLASSIC_SHAPES_FCN', () => {
  it('sees 32×32 windows every 4 pixels starting at the image corner', () => {
    expect(CLASSIC_SHAPES_FCN.window).toEqual({ width: 32, height: 32 });
    expect(CLASSIC_SHAPES_FCN.receptiveField.x).toEqual({ size: 32, stride: 4, offset: 0 });
    expect(CLASSIC_SHAPES_FCN.receptiveField.y).toEqual({ size: 32, stride: 4, offset: 0 });
  });

  it('gives (side − 32)/4 + 1 cells for sides ≡ 0 mod 4 (the exported graph does the same)', () => {
    for (const side of [32, 64, 100, 256]) {
      expect(outputSize(CLASSIC_SHAPES_FCN.layers, { width: side, height: 64 })).toEqual({
        width: Math.floor((side - 32) / 4) + 1,
        height: 9,
      });
    }
  });
});

describe('defineFcnClassifierSpec', () => {
  it('refuses a padded stack: its window does not map to one cell, so crops and cells differ', () => {
    expect(() =>
      defineFcnClassifierSpec({
        name: 'padded',
        normalization: NORM,
        layers: [{ type: 'conv', kernel: 3, padding: 1 }],
        numClasses: 2,
        backgroundClass: 0,
      }),
    ).toThrow(/spec\.layers.*3×3 map/);
  });

  it('checks names, classes and background', () => {
    const base = {
      name: 'x',
      normalization: NORM,
      layers: [{ type: 'conv' as const, kernel: 4 }],
      numClasses: 3,
      backgroundClass: 0,
    };
    expect(defineFcnClassifierSpec(base).window).toEqual({ width: 4, height: 4 });
    expect(() => defineFcnClassifierSpec({ ...base, name: '' })).toThrow(/spec\.name/);
    expect(() => defineFcnClassifierSpec({ ...base, numClasses: 0 })).toThrow(/spec\.numClasses/);
    expect(() => defineFcnClassifierSpec({ ...base, backgroundClass: 3 })).toThrow(
      /spec\.backgroundClass/,
    );
    expect(() => defineFcnClassifierSpec({ ...base, layers: [] })).toThrow(/spec\.layers/);
    expect(Object.isFrozen(defineFcnClassifierSpec(base))).toBe(true);
  });
});

describe('projectScoreMap', () => {
  // 2 channels × 2 rows × 3 columns, value = 100·channel + cell
  const data = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + (i % 6));
  const field = CLASSIC_SHAPES_FCN.receptiveField;

  it('gives each cell its receptive field and its scores channels-last', () => {
    const p = projectScoreMap({ data, dims: [1, 2, 2, 3] }, field);
    expect([p.height, p.width, p.channels]).toEqual([2, 3, 2]);
    expect(Array.from(p.boxes.subarray(0, 4))).toEqual([0, 0, 32, 32]);
    expect(Array.from(p.boxes.subarray(4 * 5, 4 * 6))).toEqual([8, 4, 40, 36]); // cell (1, 2)
    expect(Array.from(p.scores)).toEqual([0, 100, 1, 101, 2, 102, 3, 103, 4, 104, 5, 105]);
  });

  it('maps boxes back through a transform (image = (model − offset) / scale)', () => {
    const p = projectScoreMap({ data, dims: [2, 2, 3] }, field, {
      scaleX: 2,
      scaleY: 0.5,
      offsetX: 4,
      offsetY: 0,
    });
    expect(Array.from(p.boxes.subarray(4, 8))).toEqual([0, 0, 16, 64]); // cell (0, 1): x 4..36
  });

  it('uses the offset of a padded network', () => {
    const padded = receptiveField([
      { type: 'conv', kernel: 3, padding: 1 },
      { type: 'conv', kernel: 3, stride: 2 },
    ]);
    const p = projectScoreMap({ data, dims: [2, 2, 3] }, padded);
    expect(Array.from(p.boxes.subarray(4, 8))).toEqual([1, -1, 6, 4]);
  });

  it('rejects maps of the wrong rank, batch or length, and bad mappings', () => {
    expect(() => projectScoreMap({ data, dims: [12] }, field)).toThrow(/map/);
    expect(() => projectScoreMap({ data, dims: [2, 2, 2, 3] }, field)).toThrow(/map/);
    expect(() => projectScoreMap({ data, dims: [2, 2, 4] }, field)).toThrow(/16 values/);
    expect(() =>
      projectScoreMap({ data: [1] as unknown as Float32Array, dims: [1, 1, 1] }, field),
    ).toThrow(/float32/);
    expect(() =>
      projectScoreMap({ data, dims: [2, 2, 3] }, field, {
        scaleX: 0,
        scaleY: 1,
        offsetX: 0,
        offsetY: 0,
      }),
    ).toThrow(/mapping/);
  });
});
