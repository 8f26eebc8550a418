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
  const responses = Array.from({ length: 4 }, () => new Float32Array(n));
  const s = Math.SQRT1_2;
  for (let ch = 0; ch < c; ch++) {
    let g = smoothed?.[ch];
    if (g === undefined) {
      for (let i = 0; i < n; i++) plane[i] = data[i * c + ch]!;
      g = gaussianSmooth(plane, w, h, 1);
    }
    const [r0, r45, r90, r135] = responses as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    for (let y = 0; y < h; y++) {
      const up = y > 0 ? y - 1 : 0;
      const down = y < h - 1 ? y + 1 : h - 1;
      for (let x = 0; x < w; x++) {
        const left = x > 0 ? x - 1 : 0;
        const right = x < w - 1 ? x + 1 : w - 1;
        const gx = 0.5 * (g[y * w + right]! - g[y * w + left]!);
        const gy = 0.5 * (g[down * w + x]! - g[up * w + x]!);
        const i = y * w + x;
        r0[i] = gx;
        r45[i] = s * (gx + gy);
        r90[i] = gy;
        r135[i] = s * (gy - gx);
      }
    }
    for (let o = 0; o < 4; o++) {
      const r = responses[o]!;
      let maxPos = 0;
      let maxNeg = 0;
      for (let i = 0; i < n; i++) {
        const v = r[i]!;
        if (v > maxPos) maxPos = v;
        else if (-v > maxNeg) maxNeg = -v;
      }
      const basePos = (ch * TEXTURE_ORIENTATIONS + o) * TEXTURE_BINS;
      const baseNeg = (ch * TEXTURE_ORIENTATIONS + o + 4) * TEXTURE_BINS;
      const kPos = maxPos > 0 ? TEXTURE_BINS / maxPos : 0;
      const kNeg = maxNeg > 0 ? TEXTURE_BINS / maxNeg : 0;
      const slotPos = ch * TEXTURE_ORIENTATIONS + o;
      const slotNeg = slotPos + 4;
      for (let i = 0; i < n; i++) {
        const v = r[i]!;
        const bp = v > 0 ? Math.min(TEXTURE_BINS - 1, (v * kPos) | 0) : 0;
        const bn = v < 0 ? Math.min(TEXTURE_BINS - 1, (-v * kNeg) | 0) : 0;
        bins[i * perPixel + slotPos] = basePos + bp;
        bins[i * perPixel + slotNeg] = baseNeg + bn;
      }
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
