/**
 * Test helper: reads a fixture written by tooling/python/fixtures/core_*.py (core_boxes_nms.py,
 * core_anchors_coder.py, …). Objects `{ $bin, dtype, length }` in the JSON become typed-array
 * views into the companion `.bin` file (little-endian, 8-byte aligned).
 */
import { readFileSync } from 'node:fs';

const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;
type Dtype = keyof typeof CTORS;

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

/** Loads `name.json` and its `.bin` from the `__fixtures__` folder given as a file URL. */
export function readFixture<T>(folder: URL, name: string): T & { generator: string } {
  const json = JSON.parse(readFileSync(new URL(`${name}.json`, folder), 'utf8')) as {
    generator: string;
    bin: string;
  };
  const bytes = readFileSync(new URL(json.bin, folder));
  const bin = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return resolve(json, bin) as T & { generator: string };
}

/** Largest |a − b| over two equally long arrays (Infinity if the lengths differ or a NaN shows up). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > m) m = d;
  }
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

/** Plain arrays for readable `toEqual` diffs of index lists. */
export function list(a: ArrayLike<number>): number[] {
  return Array.from(a);
}
