import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputStore, readArray } from './files.js';

const dirs: string[] = [];
function store(): InputStore {
  const dir = mkdtempSync(join(tmpdir(), 'ocelot-bench-test-'));
  dirs.push(dir);
  return new InputStore(dir, 7);
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('InputStore', () => {
  it('writes raw little-endian bytes and returns what it reads back', () => {
    const s = store();
    const a = s.array('x', 'float32', [2, 2], () => Float32Array.of(1, -2.5, 3, 4));
    expect(a.spec.path.endsWith('x.f32')).toBe(true);
    expect(a.spec.shape).toEqual([2, 2]);
    expect([...a.data]).toEqual([1, -2.5, 3, 4]);
    const bytes = readFileSync(a.spec.path);
    expect(bytes.byteLength).toBe(16);
    expect(bytes.readFloatLE(4)).toBe(-2.5);
  });

  it('generates an input once per run', () => {
    const s = store();
    let made = 0;
    const make = () => {
      made++;
      return Int32Array.of(made, 2, 3);
    };
    const first = s.array('i', 'int32', [3], make);
    const second = s.array('i', 'int32', [3], make);
    expect(made).toBe(1);
    expect([...second.data]).toEqual([...first.data]);
    expect(second.data).not.toBe(first.data);
  });

  it('rejects a generator whose length does not match the shape', () => {
    expect(() => store().array('bad', 'float32', [3, 4], () => new Float32Array(5))).toThrow(
      /generated 5 values/,
    );
  });

  it('keeps files in inputs-seed<seed>', () => {
    const s = store();
    expect(s.dir.endsWith('inputs-seed7')).toBe(true);
    expect(existsSync(s.dir)).toBe(true);
  });
});

describe('readArray', () => {
  it('checks the byte count against dtype and shape', () => {
    const s = store();
    const path = join(s.dir, 'short.i64');
    writeFileSync(path, new Uint8Array(12));
    expect(() => readArray({ path, dtype: 'int64', shape: [2] })).toThrow(/12 bytes/);
  });

  it('reads int64 as BigInt64Array', () => {
    const s = store();
    const path = join(s.dir, 'ok.i64');
    writeFileSync(path, new Uint8Array(BigInt64Array.of(5n, -1n).buffer));
    expect([...readArray({ path, dtype: 'int64', shape: [2] })]).toEqual([5n, -1n]);
  });
});
