/**
 * Image pyramids and window crops for the classic detectors. A level is the base image resized
 * by one scale (`floor(side·scale + 0.5)` pixels, bilinear as @ocelot/image resizes — the same
 * numbers as OpenCV's INTER_LINEAR, which the training recipes use); its windows are every
 * `stride`-th position of a `window`×`window` square.
 */
import { InvalidArgumentError } from '@ocelot/core';
import { type NormalizationTable, type RgbImage, resize } from '@ocelot/image';

/** One pyramid level. Level pixels = base pixels × (`scaleX`, `scaleY`). */
export interface PyramidLevel {
  /** The requested scale. */
  readonly scale: number;
  readonly image: RgbImage;
  /** Actual scale per axis after rounding the level size to whole pixels. */
  readonly scaleX: number;
  readonly scaleY: number;
}

/** `floor(side·scale + 0.5)`, at least 1. */
export function pyramidSide(side: number, scale: number): number {
  return Math.max(1, Math.floor(side * scale + 0.5));
}

/**
 * The levels of `base` at `scales`, leaving out levels smaller than `minSide` on either axis.
 * @param base [H,W,3] uint8 RGB
 */
export function imagePyramid(
  base: RgbImage,
  scales: readonly number[],
  minSide: number,
): PyramidLevel[] {
  const levels: PyramidLevel[] = [];
  scales.forEach((scale, i) => {
    if (!(typeof scale === 'number' && scale > 0 && Number.isFinite(scale))) {
      throw new InvalidArgumentError(`scales[${i}]`, `expected a number > 0, got ${scale}`);
    }
    const width = pyramidSide(base.width, scale);
    const height = pyramidSide(base.height, scale);
    if (width < minSide || height < minSide) return;
    const image =
      width === base.width && height === base.height ? base : resize(base, { width, height }).image;
    levels.push({ scale, image, scaleX: width / base.width, scaleY: height / base.height });
  });
  return levels;
}

/**
 * Top-left corners of the windows of a level: x = 0, stride, … while the window fits.
 * @returns [M,2] (x, y) pairs, row-major over the grid
 */
export function windowGrid(
  width: number,
  height: number,
  window: number,
  stride: number,
): Int32Array {
  if (width < window || height < window) return new Int32Array(0);
  const nx = Math.floor((width - window) / stride) + 1;
  const ny = Math.floor((height - window) / stride) + 1;
  const out = new Int32Array(2 * nx * ny);
  let o = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      out[o++] = i * stride;
      out[o++] = j * stride;
    }
  }
  return out;
}

/**
 * Cuts windows out of an image and normalises them into one NCHW batch.
 * @param image [H,W,3] uint8 RGB
 * @param corners [M,2] window corners (x, y); windows must lie inside the image
 * @param from first window of the batch; `count` windows are written
 * @param table per-channel lookup tables (@ocelot/image `normalizationTable`)
 * @param out destination of at least count·3·window² floats
 * @returns `out` viewed as [count, 3, window, window]
 */
export function cropsToTensor(
  image: RgbImage,
  corners: Int32Array,
  from: number,
  count: number,
  window: number,
  table: NormalizationTable,
  out: Float32Array,
): Float32Array {
  const { data, width } = image;
  const plane = window * window;
  const [l0, l1, l2] = table.lut;
  const [s0, s1, s2] = table.sourceChannel;
  for (let k = 0; k < count; k++) {
    const x0 = corners[2 * (from + k)]!;
    const y0 = corners[2 * (from + k) + 1]!;
    const base = k * 3 * plane;
    for (let y = 0; y < window; y++) {
      let src = ((y0 + y) * width + x0) * 3;
      let dst = base + y * window;
      for (let x = 0; x < window; x++, src += 3, dst++) {
        out[dst] = l0[data[src + s0]!]!;
        out[dst + plane] = l1[data[src + s1]!]!;
        out[dst + 2 * plane] = l2[data[src + s2]!]!;
      }
    }
  }
  return out.subarray(0, count * 3 * plane);
}
