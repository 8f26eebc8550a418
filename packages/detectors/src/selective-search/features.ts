/**
 * Per-pixel bins for the region descriptors of selective search, computed once per colour
 * space and shared by every segmentation and strategy:
 *
 * - colour: 25 bins per channel over 0–255;
 * - texture: SIFT-like — Gaussian derivatives (σ = 1) of each channel in 8 orientations
 *   (0°, 45°, …, 315°: the positive and negative parts of the derivatives along 0°, 45°,
 *   90°, 135°), each response cut into 10 bins between 0 and its largest value in the image.
 *
 * A region's histogram is the count of its pixels' bins, L1-normalised over the whole vector.
 */
import type { Planes } from './colour.js';
import { gaussianSmooth } from './felzenszwalb.js';
import type { Segmentation } from './felzenszwalb.js';

const fround = Math.fround;

export const COLOUR_BINS = 25;
export const TEXTURE_BINS = 10;
export const TEXTURE_ORIENTATIONS = 8;

/** Histogram bin of every pixel, flattened: `bins[p·perPixel + j]` is a histogram index. */
export interface PixelBins {
  /** [H·W·perPixel] histogram indices. */
  readonly bins: Uint16Array;
  readonly perPixel: number;
  /** Length of the histogram the indices point into. */
  readonly length: number;
}

/** Colour bins: one index per channel, `ch·25 + ⌊25·v/256⌋`. */
export function colourBins(planes: Planes): PixelBins {
  const { data, channels } = planes;
  const bins = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const ch = i % channels;
    bins[i] = ch * COLOUR_BINS + ((data[i]! * COLOUR_BINS) >> 8);
  }
  return { bins, perPixel: channels, length: channels * COLOUR_BINS };
}

/**
 * Texture bins: 8 indices per channel, `(ch·8 + orientation)·10 + bin`.
 * @param smoothed optional Gaussian-smoothed planes to differentiate (e.g. the segmentation
 *   graph's, σ = 0.8) instead of smoothing `planes` at σ = 1 here
 */
export function textureBins(planes: Planes, smoothed?: readonly Float32Array[]): PixelBins {
  const { width: w, height: h, channels: c, data } = planes;
  const n = w * h;
  const perPixel = c * TEXTURE_ORIENTATIONS;
  const bins = new Uint16Array(n * perPixel);
  const plane = new Float32Array(n);
  const gxs = new Float64Array(n);
  const gys = new Float64Array(n);
  const s = Math.SQRT1_2;
  for (let ch = 0; ch < c; ch++) {
    let g = smoothed?.[ch];
    if (g === undefined) {
      for (let i = 0; i < n; i++) plane[i] = data[i * c + ch]!;
      g = gaussianSmooth(plane, w, h, 1);
    }
    // Derivatives (central differences, replicated borders) and, in the same pass, the largest
    // positive and negative response of each orientation: 0°, 45°, 90°, 135° as float32, as
    // they are binned below.
    let p0 = 0;
    let n0 = 0;
    let p1 = 0;
    let n1 = 0;
    let p2 = 0;
    let n2 = 0;
    let p3 = 0;
    let n3 = 0;
    for (let y = 0; y < h; y++) {
      const up = (y > 0 ? y - 1 : 0) * w;
      const down = (y < h - 1 ? y + 1 : h - 1) * w;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const left = x > 0 ? x - 1 : 0;
        const right = x < w - 1 ? x + 1 : w - 1;
        const gx = 0.5 * (g[row + right]! - g[row + left]!);
        const gy = 0.5 * (g[down + x]! - g[up + x]!);
        const i = row + x;
        gxs[i] = gx;
        gys[i] = gy;
        const v0 = fround(gx);
        const v1 = fround(s * (gx + gy));
        const v2 = fround(gy);
        const v3 = fround(s * (gy - gx));
        if (v0 > p0) p0 = v0;
        else if (-v0 > n0) n0 = -v0;
        if (v1 > p1) p1 = v1;
        else if (-v1 > n1) n1 = -v1;
        if (v2 > p2) p2 = v2;
        else if (-v2 > n2) n2 = -v2;
        if (v3 > p3) p3 = v3;
        else if (-v3 > n3) n3 = -v3;
      }
    }
    const maxPos = [p0, p1, p2, p3];
    const maxNeg = [n0, n1, n2, n3];
    const kPos = maxPos.map((m) => (m > 0 ? TEXTURE_BINS / m : 0));
    const kNeg = maxNeg.map((m) => (m > 0 ? TEXTURE_BINS / m : 0));
    const [kp0, kp1, kp2, kp3] = kPos as [number, number, number, number];
    const [kn0, kn1, kn2, kn3] = kNeg as [number, number, number, number];
    const slot = ch * TEXTURE_ORIENTATIONS;
    // bin index = (slot + orientation (+4 for the negative part))·10 + bin
    const b0 = slot * TEXTURE_BINS;
    const top = TEXTURE_BINS - 1;
    for (let i = 0, o = slot; i < n; i++, o += perPixel) {
      const gx = gxs[i]!;
      const gy = gys[i]!;
      const v0 = fround(gx);
      const v1 = fround(s * (gx + gy));
      const v2 = fround(gy);
      const v3 = fround(s * (gy - gx));
      bins[o] = b0 + (v0 > 0 ? Math.min(top, (v0 * kp0) | 0) : 0);
      bins[o + 1] = b0 + 10 + (v1 > 0 ? Math.min(top, (v1 * kp1) | 0) : 0);
      bins[o + 2] = b0 + 20 + (v2 > 0 ? Math.min(top, (v2 * kp2) | 0) : 0);
      bins[o + 3] = b0 + 30 + (v3 > 0 ? Math.min(top, (v3 * kp3) | 0) : 0);
      bins[o + 4] = b0 + 40 + (v0 < 0 ? Math.min(top, (-v0 * kn0) | 0) : 0);
      bins[o + 5] = b0 + 50 + (v1 < 0 ? Math.min(top, (-v1 * kn1) | 0) : 0);
      bins[o + 6] = b0 + 60 + (v2 < 0 ? Math.min(top, (-v2 * kn2) | 0) : 0);
      bins[o + 7] = b0 + 70 + (v3 < 0 ? Math.min(top, (-v3 * kn3) | 0) : 0);
    }
  }
  return { bins, perPixel, length: perPixel * TEXTURE_BINS };
}

/**
 * L1-normalised histograms of every region of a segmentation, in rows of `capacity` rows
 * (room for the regions grouping will create).
 * @returns [capacity, pixelBins.length] float32; rows ≥ seg.count are zero
 */
export function regionHistograms(
  seg: Segmentation,
  pixelBins: PixelBins,
  capacity: number,
): Float32Array {
  const { labels } = seg;
  const { bins, perPixel, length } = pixelBins;
  const counts = new Int32Array(seg.count * length);
  const pixels = new Int32Array(seg.count);
  const n = labels.length;
  for (let p = 0; p < n; p++) {
    const r = labels[p]!;
    pixels[r]!++;
    const row = r * length;
    const o = p * perPixel;
    for (let j = 0; j < perPixel; j++) counts[row + bins[o + j]!]!++;
  }
  const out = new Float32Array(capacity * length);
  for (let r = 0; r < seg.count; r++) {
    const total = pixels[r]! * perPixel;
    if (total === 0) continue;
    const inv = 1 / total;
    const row = r * length;
    for (let j = 0; j < length; j++) out[row + j] = counts[row + j]! * inv;
  }
  return out;
}
