/**
 * A small seeded random source for the training helpers. torch's `randperm` cannot be
 * reproduced in JavaScript, so samplers take any `() => number` in [0, 1) and tests seed one.
 */
import { InvalidArgumentError } from '../errors.js';

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * mulberry32: a fast 32-bit seeded generator (good enough for sampling, not for cryptography).
 * @param seed any integer; the same seed gives the same sequence
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isInteger(seed)) {
    throw new InvalidArgumentError('seed', `expected an integer, got ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks `k` distinct entries of `pool` uniformly at random (partial Fisher–Yates on a copy).
 * @returns the chosen entries, in the random order they were drawn
 */
export function sampleWithoutReplacement(
  pool: Int32Array,
  k: number,
  random: RandomSource,
): Int32Array {
  const a = pool.slice();
  const n = a.length;
  for (let i = 0; i < k; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, k);
}
