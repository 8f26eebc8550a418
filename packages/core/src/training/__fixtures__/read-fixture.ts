/**
 * Test helper: reads a fixture written by tooling/python/fixtures/core_anchors_coder.py.
 * Objects `{ $bin, dtype, length }` in the JSON are replaced by typed-array views into the
 * companion `.bin` file (little-endian, 8-byte aligned).
 */
import { readFileSync } from 'node:fs';

type Dtype = 'float32' | 'float64' | 'int32' | 'uint8';
const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;

function resolve(value: unknown, bin: ArrayBuffer): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, bin));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$bin === 'number') {
      const Ctor = CTORS[record.dtype as Dtype];
      return new Ctor(bin, record.$bin, record.length as number);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = resolve(v, bin);
    return out;
  }
  return value;
}

/** Loads `name.json` (and its `.bin`) from the `__fixtures__` folder given as a file URL. */
export function readFixture<T>(folder: URL, name: string): T {
  const json = JSON.parse(readFileSync(new URL(`${name}.json`, folder), 'utf8')) as {
    generator: string;
    bin: string;
  };
  const bytes = readFileSync(new URL(json.bin, folder));
  const bin = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return resolve(json, bin) as T;
}

/** Largest absolute difference between two equally long arrays (Infinity if lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Largest |a-b| / max(|b|, floor): a relative error that stays finite near zero. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  }
  return m;
}
