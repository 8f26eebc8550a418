/**
 * Textured backgrounds, so that a detector has to look at shape and not just at "anything
 * that is not flat": value noise, hard-edged stripes, linear gradients and rotated checkers.
 */
import type { Rgb } from '@ocelot/image';
import type { SeededRandom } from './random.js';
import { sinCos } from './trig.js';

/** The background textures the generator knows. */
export const BACKGROUND_KINDS = ['noise', 'stripes', 'gradient', 'checker'] as const;

/** One background texture. */
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** A [gh, gw] grid of uniform values, bilinearly interpolated with a smoothstep. */
function valueNoiseLayer(
  rng: SeededRandom,
  width: number,
  height: number,
  cell: number,
  weight: number,
  out: Float32Array,
): void {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float64Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) / cell;
    const iy = Math.floor(fy);
    const ty = smooth(fy - iy);
    for (let x = 0; x < width; x++) {
      const fx = (x + 0.5) / cell;
      const ix = Math.floor(fx);
      const tx = smooth(fx - ix);
      const g = iy * gw + ix;
      const top = grid[g]! + (grid[g + 1]! - grid[g]!) * tx;
      const bottom = grid[g + gw]! + (grid[g + gw + 1]! - grid[g + gw]!) * tx;
      out[y * width + x] = out[y * width + x]! + weight * (top + (bottom - top) * ty);
    }
  }
}

/**
 * Paints a background of `kind` mixing colours `a` and `b`.
 * @param out [H,W,3] RGB bytes, overwritten
 */
export function paintBackground(
  rng: SeededRandom,
  kind: BackgroundKind,
  a: Rgb,
  b: Rgb,
  width: number,
  height: number,
  out: Uint8Array,
): void {
  // t[p] ∈ [0, 1] is the mix between a (0) and b (1) at pixel p.
  const t = new Float32Array(width * height);
  const [s, c] = sinCos(rng.uniform(0, 2 * Math.PI));
  switch (kind) {
    case 'noise': {
      const cell = rng.uniform(10, 40);
      valueNoiseLayer(rng, width, height, cell, 0.65, t);
      valueNoiseLayer(rng, width, height, cell / 3, 0.35, t);
      break;
    }
    case 'stripes': {
      const period = rng.uniform(5, 28);
      const duty = rng.uniform(0.3, 0.7);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const u = (x * c + y * s) / period;
          t[y * width + x] = u - Math.floor(u) < duty ? 0 : 1;
        }
      }
      break;
    }
    case 'gradient': {
      const extent = Math.abs(width * c) + Math.abs(height * s);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const u = ((x - width / 2) * c + (y - height / 2) * s) / extent + 0.5;
          t[y * width + x] = Math.max(0, Math.min(1, u));
        }
      }
      break;
    }
    case 'checker': {
      const cell = rng.uniform(8, 36);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const u = Math.floor((x * c + y * s) / cell);
          const v = Math.floor((y * c - x * s) / cell);
          t[y * width + x] = (u + v) & 1;
        }
      }
      break;
    }
  }
  for (let p = 0, o = 0; p < t.length; p++, o += 3) {
    const m = t[p]!;
    out[o] = Math.round(a[0] + (b[0] - a[0]) * m);
    out[o + 1] = Math.round(a[1] + (b[1] - a[1]) * m);
    out[o + 2] = Math.round(a[2] + (b[2] - a[2]) * m);
  }
}
