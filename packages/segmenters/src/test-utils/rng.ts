/** A small seeded PRNG (mulberry32) for reproducible test inputs. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/**
 * Smooth, segmentation-like logits [C,h,w] (or NHWC): each class is a sum of a few Gaussian
 * blobs plus a little noise, so classes own regions with boundaries between them.
 */
export function smoothLogits(
  rng: Rng,
  channels: number,
  height: number,
  width: number,
  layout: 'nchw' | 'nhwc' = 'nchw',
  noise = 0.05,
): Float32Array {
  const out = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    const blobs = Array.from({ length: 3 }, () => ({
      x: rng.uniform(0, width),
      y: rng.uniform(0, height),
      s: rng.uniform(0.1, 0.4) * Math.max(width, height),
      a: rng.uniform(2, 8),
    }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = -2;
        for (const b of blobs)
          v += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
        v += noise * rng.normal();
        const i = layout === 'nchw' ? (c * height + y) * width + x : (y * width + x) * channels + c;
        out[i] = v;
      }
    }
  }
  return out;
}
