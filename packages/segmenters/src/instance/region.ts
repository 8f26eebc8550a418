/**
 * A binary mask that is zero outside a rectangle, written as a COCO RLE of the whole image or
 * as a full [H,W] map — instance masks are computed only inside their region of influence, so
 * nothing of image size is touched per instance except the output itself.
 */
import type { Rle } from '@ocelot/core';

/** A rectangle of whole pixels, [x0, x1) × [y0, y1). */
export interface PixelRegion {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/**
 * COCO RLE (column-major runs, zeros first) of an H×W mask whose ones all lie in `region`;
 * `inside` is the region's row-major 0/1 bytes. Equals `rleEncode` of the full mask.
 */
export function regionToRle(
  inside: Uint8Array,
  region: PixelRegion,
  height: number,
  width: number,
): Rle {
  const { x0, x1, y0, y1 } = region;
  const rh = y1 - y0;
  const rw = x1 - x0;
  const total = height * width;
  const runs: number[] = [];
  let prevEnd = 0; // column-major end of the last run of ones
  let runStart = -1;
  let runEnd = -1;
  for (let c = 0; c < rw; c++) {
    const col = (x0 + c) * height + y0;
    for (let r = 0; r < rh; r++) {
      if (inside[r * rw + c] === 0) continue;
      const p = col + r;
      if (p === runEnd) {
        runEnd++;
        continue;
      }
      if (runStart >= 0) {
        runs.push(runStart - prevEnd, runEnd - runStart);
        prevEnd = runEnd;
      }
      runStart = p;
      runEnd = p + 1;
    }
  }
  if (runStart >= 0) {
    runs.push(runStart - prevEnd, runEnd - runStart);
    prevEnd = runEnd;
  }
  if (prevEnd < total || runs.length === 0) runs.push(total - prevEnd);
  return { size: [height, width], counts: Uint32Array.from(runs) };
}

/** The full [H,W] row-major 0/1 map of a mask whose ones all lie in `region`. */
export function regionToBinary(
  inside: Uint8Array,
  region: PixelRegion,
  height: number,
  width: number,
): Uint8Array {
  const out = new Uint8Array(height * width);
  const rw = region.x1 - region.x0;
  for (let r = region.y0; r < region.y1; r++) {
    out.set(inside.subarray((r - region.y0) * rw, (r - region.y0 + 1) * rw), r * width + region.x0);
  }
  return out;
}
