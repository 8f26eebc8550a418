/** Comparison helpers for parity tests. */
import { expect } from 'vitest';
import type { Detections } from '../types.js';

export interface ExpectedDetections {
  readonly boxes: { data: Float32Array };
  readonly scores: { data: Float32Array };
  readonly labels: number[];
}

/** Largest |a[i] - b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Same labels in the same order, boxes within `boxTol` px, scores within `scoreTol`.
 *
 * `tieTol` > 0 allows detections whose reference scores lie within `tieTol` of each other to
 * come out in either order — for end-to-end runs through onnxruntime, whose outputs differ
 * from torch's in the last digits, so two near-equal scores may trade places. Everything else
 * (count, which detections, their labels, boxes and scores) must still match.
 * @returns the largest box and score differences seen, and how many near-ties were reordered
 */
export function expectSameDetections(
  got: Pick<Detections, 'boxes' | 'scores' | 'labels'>,
  want: ExpectedDetections,
  boxTol = 1e-2,
  scoreTol = 1e-4,
  tieTol = 0,
): { box: number; score: number; reordered: number } {
  const n = want.labels.length;
  expect(got.labels.length).toBe(n);
  const ws = want.scores.data;
  const wb = want.boxes.data;
  let box = 0;
  let score = 0;
  let reordered = 0;
  let start = 0;
  while (start < n) {
    // a run of reference detections with near-equal scores
    let end = start + 1;
    while (end < n && ws[end - 1]! - ws[end]! < tieTol) end++;
    const used = new Set<number>();
    for (let k = start; k < end; k++) {
      let match = -1;
      let best = Number.POSITIVE_INFINITY;
      for (let m = start; m < end; m++) {
        if (used.has(m) || got.labels[m] !== want.labels[k]) continue;
        let d = 0;
        for (let j = 0; j < 4; j++)
          d = Math.max(d, Math.abs(got.boxes[4 * m + j]! - wb[4 * k + j]!));
        if (d < best) {
          best = d;
          match = m;
        }
      }
      if (match < 0 || best > boxTol) {
        expect.fail(
          `detection ${k} (label ${want.labels[k]}, score ${ws[k]}, box ${Array.from(wb.subarray(4 * k, 4 * k + 4))}) not found at rank ${start}..${end - 1}; got label ${got.labels[k]}, score ${got.scores[k]}, box ${Array.from(got.boxes.subarray(4 * k, 4 * k + 4))}`,
        );
      }
      if (match !== k) reordered++;
      used.add(match);
      box = Math.max(box, best);
      score = Math.max(score, Math.abs(got.scores[match]! - ws[k]!));
    }
    start = end;
  }
  expect(box).toBeLessThanOrEqual(boxTol);
  expect(score).toBeLessThanOrEqual(scoreTol);
  return { box, score, reordered };
}

/** Element-wise `toBeCloseTo` for small arrays. */
export function expectClose(got: ArrayLike<number>, want: readonly number[], digits = 4): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, digits);
}
