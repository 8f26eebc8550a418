/**
 * A seeded pseudo-random generator whose output depends on nothing but the seed: integer
 * arithmetic through `Math.imul` and `>>>`, which every JavaScript engine computes
 * identically, so a seed gives the same numbers in Node, browsers and workers.
 */
import { InvalidArgumentError } from '@ocelot/core';

const TWO_POW_32 = 4294967296;

/** Throws unless `seed` is an integer in [0, 2^32). */
export function assertSeed(name: string, seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new InvalidArgumentError(name, `expected an integer in [0, 2^32), got ${seed}`);
  }
}

/** The splitmix32 finaliser: a bijective 32-bit hash with good avalanche. */
function hash32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * The seed of item `index` of a collection seeded with `seed` (e.g. scene i of a dataset).
 * Different `(seed, index)` pairs give unrelated streams.
 * @param seed integer in [0, 2^32)
 * @param index integer in [0, 2^32)
 */
export function deriveSeed(seed: number, index: number): number {
  assertSeed('seed', seed);
  assertSeed('index', index);
  return hash32(hash32(seed) ^ hash32((index + 0x9e3779b9) >>> 0)) >>> 0;
}

/**
 * mulberry32: 32 bits of state, period 2^32, fast and well distributed for procedural data.
 * Not for cryptography.
 */
export class SeededRandom {
  #state: number;

  /** @param seed integer in [0, 2^32) */
  constructor(seed: number) {
    assertSeed('seed', seed);
    this.#state = seed >>> 0;
  }

  /** The next value as an unsigned 32-bit integer. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1), a multiple of 2^-32. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi) (hi exclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length)]!;
  }

  /** An index drawn with probability proportional to `weights[i]` (non-negative, not all 0). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
