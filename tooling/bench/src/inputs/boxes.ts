/**
 * Seeded box sets for the NMS / IoU rows. All boxes are xyxy Float32 (Ocelot's layout);
 * peers that want another layout get a converted copy made before timing.
 */
import type { Rng } from '../harness/rng.js';

/** Detector-input canvas used by the clustered sets (a 1333×800 Faster R-CNN image). */
export const CANVAS = { width: 1333, height: 800 } as const;

/**
 * "Sparse": boxes of side 8–64 px spread over a square of side 32·√N, so the density stays
 * ~1.3 boxes per pixel at every N and almost every box survives IoU 0.5 — the O(N·kept) worst
 * case of greedy NMS.
 */
export function sparseBoxes(n: number, rng: Rng): Float32Array {
  const side = 32 * Math.sqrt(n);
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = rng.uniform(8, 64);
    const h = rng.uniform(8, 64);
    const x = rng.uniform(0, side - w);
    const y = rng.uniform(0, side - h);
    out.set([x, y, x + w, y + h], 4 * i);
  }
  return out;
}

/**
 * "Clustered": what a detector emits before NMS — many jittered copies (σ = 12% of the side)
 * of a few objects (10 + N/500, at most 200) on a 1333×800 image, plus 10% stray boxes.
 * Most boxes are suppressed.
 */
export function clusteredBoxes(n: number, rng: Rng): Float32Array {
  const objects = Math.min(200, 10 + Math.round(n / 500));
  const obj = new Float64Array(4 * objects);
  for (let o = 0; o < objects; o++) {
    const w = Math.min(CANVAS.width - 1, rng.logUniform(16, 500));
    const h = Math.min(CANVAS.height - 1, rng.logUniform(16, 500));
    const x = rng.uniform(0, CANVAS.width - w);
    const y = rng.uniform(0, CANVAS.height - h);
    obj.set([x, y, w, h], 4 * o);
  }
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    let x: number;
    let y: number;
    let w: number;
    let h: number;
    if (rng.next() < 0.1) {
      w = rng.logUniform(8, 300);
      h = rng.logUniform(8, 300);
      x = rng.uniform(0, CANVAS.width - w);
      y = rng.uniform(0, CANVAS.height - h);
    } else {
      const o = 4 * rng.int(objects);
      const ow = obj[o + 2]!;
      const oh = obj[o + 3]!;
      x = obj[o]! + 0.12 * ow * rng.normal();
      y = obj[o + 1]! + 0.12 * oh * rng.normal();
      w = Math.max(1, ow * (1 + 0.12 * rng.normal()));
      h = Math.max(1, oh * (1 + 0.12 * rng.normal()));
    }
    const x1 = Math.min(Math.max(x, 0), CANVAS.width - 1);
    const y1 = Math.min(Math.max(y, 0), CANVAS.height - 1);
    out.set([x1, y1, Math.min(x + w, CANVAS.width), Math.min(y + h, CANVAS.height)], 4 * i);
    if (out[4 * i + 2]! <= x1) out[4 * i + 2] = x1 + 1;
    if (out[4 * i + 3]! <= y1) out[4 * i + 3] = y1 + 1;
  }
  return out;
}

/** Boxes of side 10–200 px on a 1000×1000 image (the box-IoU row). */
export function uniformBoxes(n: number, rng: Rng, size = 1000): Float32Array {
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = rng.logUniform(10, 200);
    const h = rng.logUniform(10, 200);
    const x = rng.uniform(0, size - w);
    const y = rng.uniform(0, size - h);
    out.set([x, y, x + w, y + h], 4 * i);
  }
  return out;
}

/**
 * N distinct scores in (0, 1) in random order: (rank + 1) / (N + 1). Distinct on purpose —
 * with ties, "identical keep" would depend on each library's sort stability, not on NMS.
 */
export function distinctScores(n: number, rng: Rng): Float32Array {
  const perm = rng.permutation(n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (perm[i]! + 1) / (n + 1);
  return out;
}

/** xyxy → ONNX NonMaxSuppression's default [y1, x1, y2, x2] (center_point_box = 0). */
export function xyxyToYxyx(boxes: Float32Array): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i + 1]!;
    out[i + 1] = boxes[i]!;
    out[i + 2] = boxes[i + 3]!;
    out[i + 3] = boxes[i + 2]!;
  }
  return out;
}

/** Short size label: 1000 → "1k", 100000 → "100k". */
export function sizeLabel(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}
