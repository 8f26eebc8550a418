/** Reads the binary parity fixtures written by tooling/python/fixtures/image_*.py. */
import { readFileSync } from 'node:fs';

export interface BinSlice {
  readonly offset: number;
  readonly length: number;
  readonly dtype?: string;
}

export function loadFixture<T>(name: string): {
  meta: T;
  u8: (s: BinSlice) => Uint8Array;
  f32: (s: BinSlice) => Float32Array;
} {
  const dir = new URL('../__fixtures__/', import.meta.url);
  const meta = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as T & {
    bin: string;
  };
  const buf = readFileSync(new URL(meta.bin, dir));
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const copy = new Uint8Array(bytes); // aligned, own buffer
  return {
    meta,
    u8: (s) => copy.subarray(s.offset, s.offset + s.length),
    f32: (s) => new Float32Array(copy.buffer, s.offset, s.length),
  };
}

/** A deterministic pseudo-random RGB image. */
export function noiseImage(width: number, height: number, seed = 1) {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = (s >>> 0) & 255;
  }
  return { data, width, height };
}
