/**
 * Reading the JSON + binary fixtures written by tooling/python/fixtures/{detectors,segmenters}_*.py
 * (the format of tooling/python/fixtures/detectors_common.py's `Fixture`): an object
 * `{ "$bin": offset, dtype, length, dims }` in the JSON stands for an array stored in the
 * companion `.bin` file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BinRef {
  readonly $bin: number;
  readonly dtype: 'float32' | 'int32' | 'uint8';
  readonly length: number;
  readonly dims: number[];
}

export type Arr = Float32Array | Int32Array | Uint8Array;

/** A loaded array. */
export interface Loaded<A extends Arr = Float32Array> {
  readonly data: A;
  readonly dims: number[];
}

/** The fixture helpers of one package, whose fixtures live in `src/<arch>/__fixtures__`. */
export interface FixtureReader {
  /** The fixture folder of an architecture: `src/<arch>/__fixtures__`. */
  fixtureDir(arch: string): string;
  /** A file in the fixture folder of an architecture. */
  fixturePath(arch: string, file: string): string;
  /** Loads `<arch>/__fixtures__/<name>.json` and replaces every bin reference with `{ data, dims }`. */
  loadFixture<T>(arch: string, name: string): T;
}

function isRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && '$bin' in v;
}

/** Loads `<dir>/<name>.json` and replaces every bin reference with `{ data, dims }`. */
export function loadFixtureFrom<T>(dir: string, name: string): T {
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

/**
 * The fixture helpers of the package whose `src` folder is `srcDir`.
 * @param srcDir a file URL or path of the package's `src` folder, e.g. `new URL('..', import.meta.url)`
 *   from `src/test-utils/fixtures.ts`.
 */
export function fixtureReader(srcDir: string | URL): FixtureReader {
  const src = typeof srcDir === 'string' ? srcDir : fileURLToPath(srcDir);
  const fixtureDir = (arch: string) => join(src, arch, '__fixtures__');
  return {
    fixtureDir,
    fixturePath: (arch, file) => join(fixtureDir(arch), file),
    loadFixture: <T>(arch: string, name: string) => loadFixtureFrom<T>(fixtureDir(arch), name),
  };
}
