/** Comparing instance masks with the reference implementation's in parity tests. */
import { type Rle, rleDecode } from '@ocelot/core';
import type { Loaded } from './fixtures.js';

/** A reference mask stored in a fixture as uncompressed RLE counts. */
export function fixtureRle(counts: Loaded<Int32Array>, h: number, w: number): Rle {
  return { size: [h, w], counts: Uint32Array.from(counts.data) };
}

/** Pixels that differ between two RLE masks, and their IoU (1 when both are empty). */
export function compareMasks(a: Rle, b: Rle): { diff: number; iou: number } {
  const x = rleDecode(a);
  const y = rleDecode(b);
  let inter = 0;
  let union = 0;
  let diff = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] && y[i]) inter++;
    if (x[i] || y[i]) union++;
    if (x[i] !== y[i]) diff++;
  }
  return { diff, iou: union === 0 ? 1 : inter / union };
}
