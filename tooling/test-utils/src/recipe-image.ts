/**
 * The TypeScript twin of `recipe_image` in tooling/python/fixtures/detectors_common.py: a
 * deterministic textured RGB image from 32-bit integer arithmetic only, so fixtures need not
 * store their input images.
 */
import type { RgbImage } from '@ocelot/image';

function hash(x: number, y: number, c: number, seed: number): number {
  let h =
    (Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(c + 3 * seed, 83492791)) >>> 0;
  h = Math.imul((h ^ (h >>> 13)) >>> 0, 1274126177) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Python-style floor division for non-negative ints. */
const div = (a: number, b: number) => Math.floor(a / b);

/** [H,W,3] uint8 RGB, identical to the Python `recipe_image(width, height, seed)`. */
export function recipeImage(width: number, height: number, seed: number): RgbImage {
  const img = new Int32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const base = div(
          div(x * (2 + c) * 255, Math.max(1, width - 1)) +
            div(y * (3 - c) * 255, Math.max(1, height - 1)),
          8,
        );
        img[(y * width + x) * 3 + c] = base + (hash(x, y, c, seed) >>> 26);
      }
    }
  }
  let r = Number((BigInt(seed) * 2654435761n) & 0xffffffffn);
  const next = () => {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    return r;
  };
  const count = 4 + (seed % 3);
  for (let k = 0; k < count; k++) {
    const x0 = (next() >>> 8) % Math.max(1, width - 8);
    const y0 = (next() >>> 8) % Math.max(1, height - 8);
    const w = 8 + ((next() >>> 8) % Math.max(1, div(width, 2)));
    const h = 8 + ((next() >>> 8) % Math.max(1, div(height, 2)));
    const v = next();
    const colour = [(v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        for (let c = 0; c < 3; c++) img[(y * width + x) * 3 + c] = div(colour[c]!, 2) + 64;
      }
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        // note the swapped (y, x) arguments, as in the Python twin
        const v = img[i]! + (hash(y, x, c, seed + 7) >>> 28);
        data[i] = Math.min(255, Math.max(0, v));
      }
    }
  }
  return { width, height, data };
}
