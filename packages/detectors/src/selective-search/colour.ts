/**
 * The colour spaces selective search diversifies over (Uijlings et al. 2013, table 1), each as
 * 8-bit planes so that colour histograms are 25 equal bins of 0–255 in every space.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';

/**
 * - `rgb`: the pixels as they are.
 * - `hsv`: hue (0–360° → 0–255), saturation, value (OpenCV's formulas, full hue range).
 * - `lab`: CIE L*a*b* (sRGB, D65), scaled as OpenCV's 8-bit Lab: L·255/100, a + 128, b + 128.
 * - `rgI`: normalised r = R/(R+G+B), g = G/(R+G+B) (·255) and intensity I.
 * - `H`: hue alone (one plane). - `I`: intensity alone (one plane), (R+G+B)/3.
 */
export type ColourSpace = 'rgb' | 'hsv' | 'lab' | 'rgI' | 'H' | 'I';

export const COLOUR_SPACES: readonly ColourSpace[] = ['rgb', 'hsv', 'lab', 'rgI', 'H', 'I'];

/** An image as `channels` interleaved 8-bit planes, [H,W,C]. */
export interface Planes {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** sRGB companding undone, by table (256 entries). */
const LINEAR = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return t;
})();

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

function hue(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (d === 0) return 0;
  let h: number;
  if (max === r) h = (60 * (g - b)) / d;
  else if (max === g) h = 120 + (60 * (b - r)) / d;
  else h = 240 + (60 * (r - g)) / d;
  if (h < 0) h += 360;
  return (h * 255) / 360;
}

/**
 * Converts an RGB image to the planes of `space`.
 * @param image [H,W,3] uint8 RGB
 * @returns [H,W,C] uint8 with C = 3, or 1 for `H` and `I`
 */
export function toColourSpace(image: RgbImage, space: ColourSpace): Planes {
  const { width, height, data } = image;
  const n = width * height;
  if (space === 'rgb') return { data, width, height, channels: 3 };
  const channels = space === 'H' || space === 'I' ? 1 : 3;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = data[3 * i]!;
    const g = data[3 * i + 1]!;
    const b = data[3 * i + 2]!;
    switch (space) {
      case 'hsv': {
        const max = Math.max(r, g, b);
        const min = Math.min(r, g, b);
        out[3 * i] = clampByte(hue(r, g, b));
        out[3 * i + 1] = max === 0 ? 0 : clampByte((255 * (max - min)) / max);
        out[3 * i + 2] = max;
        break;
      }
      case 'lab': {
        const lr = LINEAR[r]!;
        const lg = LINEAR[g]!;
        const lb = LINEAR[b]!;
        const x = (0.412453 * lr + 0.35758 * lg + 0.180423 * lb) / 0.950456;
        const y = 0.212671 * lr + 0.71516 * lg + 0.072169 * lb;
        const z = (0.019334 * lr + 0.119193 * lg + 0.950227 * lb) / 1.088754;
        const fy = labF(y);
        const L = y > 0.008856 ? 116 * fy - 16 : 903.3 * y;
        out[3 * i] = clampByte((L * 255) / 100);
        out[3 * i + 1] = clampByte(500 * (labF(x) - fy) + 128);
        out[3 * i + 2] = clampByte(200 * (fy - labF(z)) + 128);
        break;
      }
      case 'rgI': {
        const s = r + g + b;
        out[3 * i] = s === 0 ? 0 : clampByte((255 * r) / s);
        out[3 * i + 1] = s === 0 ? 0 : clampByte((255 * g) / s);
        out[3 * i + 2] = clampByte(s / 3);
        break;
      }
      case 'H':
        out[i] = clampByte(hue(r, g, b));
        break;
      case 'I':
        out[i] = clampByte((r + g + b) / 3);
        break;
      default:
        throw new InvalidArgumentError(
          'colourSpace',
          `expected one of ${COLOUR_SPACES.join(', ')}, got ${JSON.stringify(space)}`,
        );
    }
  }
  return { data: out, width, height, channels };
}
