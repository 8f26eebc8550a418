/**
 * Reading the JSON + binary fixtures written by tooling/python/fixtures/detectors_*.py: an
 * object `{ "$bin": offset, dtype, length, dims }` in the JSON stands for an array stored in
 * the companion `.bin` file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BinRef {
  readonly $bin: number;
  readonly dtype: 'float32' | 'int32' | 'uint8';
  readonly length: number;
  readonly dims: number[];
}

export type Arr = Float32Array | Int32Array | Uint8Array;

/** The fixture folder of an architecture: `src/<arch>/__fixtures__`. */
export function fixtureDir(arch: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', arch, '__fixtures__');
}

export function fixturePath(arch: string, file: string): string {
  return join(fixtureDir(arch), file);
}

function isRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && '$bin' in v;
}

/** Loads `<name>.json` and replaces every bin reference with `{ data, dims }`. */
export function loadFixture<T>(arch: string, name: string): T {
  const doc = JSON.parse(readFileSync(fixturePath(arch, `${name}.json`), 'utf8'));
  const buf = readFileSync(fixturePath(arch, doc.bin ?? `${name}.bin`));
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const walk = (v: unknown): unknown => {
    if (isRef(v)) {
      const slice = bytes.slice(v.$bin, v.$bin + v.length * (v.dtype === 'uint8' ? 1 : 4));
      const data =
        v.dtype === 'float32'
          ? new Float32Array(slice.buffer)
          : v.dtype === 'int32'
            ? new Int32Array(slice.buffer)
            : slice;
      return { data, dims: v.dims };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(doc) as T;
}

/** A loaded array. */
export interface Loaded<A extends Arr = Float32Array> {
  readonly data: A;
  readonly dims: number[];
}
