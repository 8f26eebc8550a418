import { describe, expect, it } from 'vitest';
import { ModelCardError } from '../errors.js';
import { parseModelCard } from '../model-card.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { parseSsdConfig } from './config.js';
import { minSizePriors } from './priors.js';

const ULTRAFACE = {
  strides: [8, 16, 32, 64],
  minSizes: [
    [10, 16, 24],
    [32, 48],
    [64, 96],
    [128, 192, 256],
  ],
};

describe('ssd with min-size priors: parity with UltraFace generate_priors + decode (torch)', () => {
  runSyntheticCases('ssd', 'ssd_min_sizes_cases');
});

describe('minSizePriors', () => {
  it('UltraFace RFB-320 at 320×240: 40×30·3 + 20×15·2 + 10×8·2 + 5×4·3 = 4420 priors', () => {
    const p = minSizePriors({ width: 320, height: 240 }, ULTRAFACE);
    expect(p.length / 4).toBe(4420);
    // first cell, first size: centre (4, 4), 10×10
    expect(Array.from(p.subarray(0, 4)).map((v) => +v.toFixed(4))).toEqual([-1, -1, 9, 9]);
    // order: level, row, column, size — the second prior is the 16-pixel one of the same cell
    expect(Array.from(p.subarray(4, 8)).map((v) => +v.toFixed(4))).toEqual([-4, -4, 12, 12]);
  });

  it('clamps the normalised size: a 256-pixel prior on a 240-pixel-high input is 240 high', () => {
    const p = minSizePriors({ width: 320, height: 240 }, ULTRAFACE);
    const last = Array.from(p.subarray(p.length - 4)).map((v) => +v.toFixed(3));
    // last cell of stride 64 (column 4, row 3): centre ((4.5)/5·320, min(1, 3.5/3.75)·240)
    expect(last[2]! - last[0]!).toBeCloseTo(256, 3);
    expect(last[3]! - last[1]!).toBeCloseTo(240, 3);
    const unclamped = minSizePriors({ width: 320, height: 240 }, { ...ULTRAFACE, clamp: false });
    const u = unclamped.subarray(unclamped.length - 4);
    expect(u[3]! - u[1]!).toBeCloseTo(256, 3);
  });
});

describe('parseSsdConfig: min-sizes priors', () => {
  const card = (priors: Record<string, unknown>) =>
    parseModelCard({
      id: 'u',
      task: 'detect',
      architecture: { type: 'ssd', priors },
      files: { model: { path: 'm.onnx' } },
      input: { width: 320, height: 240, resize: 'stretch' },
      labels: ['face'],
    });

  it('reads strides, sizes, clamp and offset', () => {
    expect(parseSsdConfig(card({ type: 'min-sizes', ...ULTRAFACE })).priors).toEqual({
      type: 'min-sizes',
      options: { ...ULTRAFACE, clamp: true, offset: 0.5 },
    });
  });

  it('refuses missing or mismatched fields naming them', () => {
    expect(() => parseSsdConfig(card({ type: 'min-sizes', minSizes: [[1]] }))).toThrow(
      /u: architecture.priors.strides: missing/,
    );
    expect(() =>
      parseSsdConfig(card({ type: 'min-sizes', strides: [8, 16], minSizes: [[10]] })),
    ).toThrow(/architecture.priors.minSizes: expected 2 lists of numbers/);
    expect(() =>
      parseSsdConfig(card({ type: 'min-sizes', ...ULTRAFACE, featureMapSizes: [[1, 1]] })),
    ).toThrow(ModelCardError);
  });
});
