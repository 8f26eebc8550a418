/**
 * Reading the JSON + binary fixtures written by tooling/python/fixtures/segmenters_*.py (the
 * format of tooling/python/fixtures/detectors_common.py's `Fixture`): an object
 * `{ "$bin": offset, dtype, length, dims }` in the JSON stands for an array stored in the
 * companion `.bin` file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BinRef {
  readonly $bin: number;
  readonly dtype: 'float32' | 'int32' | 'uint8';
  readonly length: number;
  readonly dims: number[];
}

/** A loaded array. */
export interface Loaded<A extends Float32Array | Int32Array | Uint8Array = Float32Array> {
  readonly data: A;
  readonly dims: number[];
}

/** The fixture folder of an architecture: `src/<arch>/__fixtures__`. */
export function fixtureDir(arch: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', arch, '__fixtures__');
}

function isRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && '$bin' in v;
}

/** Loads `<arch>/__fixtures__/<name>.json` and replaces every bin reference with `{ data, dims }`. */
export function loadFixture<T>(arch: string, name: string): T {
  const dir = fixtureDir(arch);
  const doc = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  const buf = readFileSync(join(dir, doc.bin ?? `${name}.bin`));
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
