import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResampler, resizePixels, resizeRgb, roundHalfEven } from './resize.js';
import type { ResampleOptions } from './types.js';

interface Slice {
  offset: number;
  length: number;
}
interface Fixture {
  generator: string;
  sources: (Slice & { name: string; width: number; height: number; channels: number })[];
  cases: { source: string; width: number; height: number; outputs: Record<string, Slice> }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./__fixtures__/resize.json', import.meta.url), 'utf8'),
) as Fixture;
const bin = new Uint8Array(readFileSync(new URL('./__fixtures__/resize.bin', import.meta.url)));
const slice = (s: Slice) => bin.subarray(s.offset, s.offset + s.length);

const MODES: Record<string, ResampleOptions> = {
  bilinear: { interpolation: 'bilinear' },
  nearest: { interpolation: 'nearest' },
  'nearest-exact': { interpolation: 'nearest-exact' },
  'bilinear-antialias': { interpolation: 'bilinear', antialias: true },
};

describe('resizePixels parity', () => {
  it('fixture names its generator', () => {
    expect(fixture.generator).toBe('tooling/python/fixtures/image_resize.py');
    expect(fixture.cases.length).toBeGreaterThan(30);
  });

  for (const [mode, options] of Object.entries(MODES)) {
    it(`${mode}: bit-identical to the reference on every case`, () => {
      const report: string[] = [];
      for (const c of fixture.cases) {
        const src = fixture.sources.find((s) => s.name === c.source)!;
        const expected = slice(c.outputs[mode]!);
        const got = resizePixels(
          slice(src),
          src.width,
          src.height,
          src.channels,
          c.width,
          c.height,
          options,
        );
        expect(got.length).toBe(expected.length);
        let maxDiff = 0;
        let mismatches = 0;
        for (let i = 0; i < got.length; i++) {
          const d = Math.abs(got[i]! - expected[i]!);
          if (d > 0) mismatches++;
          if (d > maxDiff) maxDiff = d;
        }
        if (mismatches > 0) {
          report.push(`${c.source}→${c.width}×${c.height}: ${mismatches} differ, max ${maxDiff}`);
        }
      }
      expect(report).toEqual([]);
    });
  }
});

describe('createResampler', () => {
  it('same size is a copy', () => {
    const src = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i);
    expect(resizePixels(src, 4, 3, 3, 4, 3)).toEqual(src);
  });

  it('rows requested in any order give the same image', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        fc.integer(),
        (sw, sh, dw, dh, antialias, seed) => {
          const src = new Uint8Array(sw * sh * 3);
          let s = seed >>> 0;
          for (let i = 0; i < src.length; i++) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            src[i] = s >>> 24;
          }
          const options = { antialias };
          const inOrder = resizePixels(src, sw, sh, 3, dw, dh, options);
          const r = createResampler(src, sw, sh, 3, dw, dh, options);
          const shuffled = new Uint8Array(inOrder.length);
          const order = Array.from({ length: dh }, (_, i) => i).reverse();
          order.push(0, dh - 1, Math.floor(dh / 2));
          for (const y of order) r.row(y, shuffled, y * dw * 3);
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a constant image stays constant in every mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(...Object.values(MODES)),
        (sw, sh, dw, dh, value, options) => {
          const out = resizePixels(new Uint8Array(sw * sh).fill(value), sw, sh, 1, dw, dh, options);
          expect(out.every((v) => v === value)).toBe(true);
        },
      ),
    );
  });

  it('rejects bad sizes, channel counts, data lengths and modes', () => {
    const src = new Uint8Array(12);
    expect(() => resizePixels(src, 2, 2, 3, 0, 2)).toThrow(InvalidArgumentError);
    expect(() => resizePixels(src, 2, 2, 3, 2.5, 2)).toThrow(/width/);
    expect(() => resizePixels(src, 2, 2, 5, 2, 2)).toThrow(/channels/);
    expect(() => resizePixels(src, 3, 2, 3, 2, 2)).toThrow(ShapeMismatchError);
    expect(() =>
      resizePixels(src, 2, 2, 3, 3, 3, { interpolation: 'cubic' as 'bilinear' }),
    ).toThrow(/interpolation/);
  });

  it('resizeRgb checks its image', () => {
    expect(() => resizeRgb({ data: new Uint8Array(5), width: 2, height: 1 }, 1, 1)).toThrow(
      ShapeMismatchError,
    );
    const img = resizeRgb({ data: new Uint8Array(12).fill(7), width: 2, height: 2 }, 3, 1);
    expect(img.width).toBe(3);
    expect(img.height).toBe(1);
    expect(Array.from(img.data)).toEqual(new Array(9).fill(7));
  });
});

describe('roundHalfEven', () => {
  it('rounds ties to even like Python round and cvRound', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 1024.5, 1023.5].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, 2, 3, 1024, 1024,
    ]);
  });
});
