/** Colour palettes for drawing. */
import { InvalidArgumentError } from '@ocelot/core';
import type { Rgb } from '../types.js';

function hex(h: string): Rgb {
  return [
    Number.parseInt(h.slice(0, 2), 16),
    Number.parseInt(h.slice(2, 4), 16),
    Number.parseInt(h.slice(4, 6), 16),
  ];
}

/** The 20 box colours Ultralytics draws with, in its order (class i gets colour i mod 20). */
export const DETECTION_COLORS: readonly Rgb[] = Object.freeze(
  [
    'FF3838',
    'FF9D97',
    'FF701F',
    'FFB21D',
    'CFD231',
    '48F90A',
    '92CC17',
    '3DDB86',
    '1A9334',
    '00D4BB',
    '2C99A8',
    '00C2FF',
    '344593',
    '6473FF',
    '0018EC',
    '8438FF',
    '520085',
    'CB38FF',
    'FF95C8',
    'FF37C7',
  ].map(hex),
);

/** Colour for class / instance `index` from `DETECTION_COLORS` (wraps around). */
export function colorFor(index: number, palette: readonly Rgb[] = DETECTION_COLORS): Rgb {
  if (palette.length === 0)
    throw new InvalidArgumentError('palette', 'expected at least one colour');
  const i = Math.abs(Math.trunc(index)) % palette.length;
  return palette[i]!;
}

/**
 * The PASCAL VOC colour map (`labelcolormap` of the VOC devkit): label 0 black, 1 (128,0,0),
 * 2 (0,128,0), 15 "person" (192,128,128), … — the colours VOC and many segmentation demos use.
 * @returns [n,3] uint8
 */
export function vocPalette(n = 256): Uint8Array {
  if (!Number.isInteger(n) || n < 1 || n > 65536) {
    throw new InvalidArgumentError('n', `expected an integer in 1..65536, got ${n}`);
  }
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= (c & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    out[3 * i] = r;
    out[3 * i + 1] = g;
    out[3 * i + 2] = b;
  }
  return out;
}

/** Resolves a palette given as `[n,3]` bytes or a list of RGB triples to `[n,3]` bytes. */
export function paletteBytes(name: string, palette: Uint8Array | readonly Rgb[]): Uint8Array {
  if (palette instanceof Uint8Array) {
    if (palette.length === 0 || palette.length % 3 !== 0) {
      throw new InvalidArgumentError(name, `expected [n,3] bytes, got ${palette.length} bytes`);
    }
    return palette;
  }
  if (!Array.isArray(palette) || palette.length === 0) {
    throw new InvalidArgumentError(
      name,
      'expected a Uint8Array [n,3] or a non-empty list of [r, g, b]',
    );
  }
  const out = new Uint8Array(palette.length * 3);
  palette.forEach((c, i) => {
    if (
      !Array.isArray(c) ||
      c.length !== 3 ||
      !c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)
    ) {
      throw new InvalidArgumentError(
        `${name}[${i}]`,
        `expected [r, g, b] integers in 0–255, got ${JSON.stringify(c)}`,
      );
    }
    out.set(c, i * 3);
  });
  return out;
}
