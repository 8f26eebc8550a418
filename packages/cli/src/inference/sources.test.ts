import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/cli.js';
import { expandInputs, globFiles, InputNotFoundError } from './sources.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  const files = [
    'a.png',
    'b.JPG',
    'c.txt',
    '.hidden.png',
    'sub/d.webp',
    'sub/deeper/e.png',
    'sub/deeper/f.tiff',
    '.git/g.png',
    'x[1].png',
    'other/h.png',
  ];
  for (const f of files) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), '');
  }
});
afterAll(async () => {
  await tmp.remove();
});

const rel = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));

describe('globFiles', () => {
  it.each([
    ['*.png', ['a.png', 'x[1].png']],
    ['*.{png,JPG}', ['a.png', 'b.JPG', 'x[1].png']],
    ['?.png', ['a.png']],
    ['[ab].*', ['a.png', 'b.JPG']],
    ['[!a].*', ['b.JPG', 'c.txt']],
    ['**/*.png', ['a.png', 'other/h.png', 'sub/deeper/e.png', 'x[1].png']],
    ['sub/**', ['sub/d.webp', 'sub/deeper/e.png', 'sub/deeper/f.tiff']],
    ['sub/*/e.png', ['sub/deeper/e.png']],
    ['.*.png', ['.hidden.png']],
    ['x\\[1\\].png', ['x[1].png']],
    ['nothing/*.png', []],
  ])('%s', (pattern, expected) => {
    expect(rel(globFiles(pattern, dir))).toEqual(expected);
  });

  it('takes absolute patterns', () => {
    expect(rel(globFiles(join(dir, 'sub', '*.webp'), '/'))).toEqual(['sub/d.webp']);
  });
});

describe('expandInputs', () => {
  const expand = (inputs: string[]) =>
    expandInputs(inputs, (p) => (p.startsWith('/') ? p : join(dir, p)), dir).map((s) => s.display);

  it('keeps the order given, sorts folder contents and matches, drops duplicates', () => {
    expect(expand(['sub/deeper', 'a.png', '*.png', 'c.txt'])).toEqual([
      'sub/deeper/e.png',
      'sub/deeper/f.tiff',
      'a.png',
      'x[1].png',
      'c.txt', // named explicitly: taken whatever its extension (decoding will tell)
    ]);
  });

  it('takes image files only from folders (not hidden ones, not recursively)', () => {
    expect(expand(['.'])).toEqual(['a.png', 'b.JPG', 'x[1].png']);
  });

  it.each([
    [['missing.png'], 'missing.png: no such file or folder'],
    [['sub/nope/*.png'], 'sub/nope/*.png: pattern matched no images'],
    [['*.txt'], '*.txt: pattern matched no images'],
  ])('%j throws naming the input', (inputs, message) => {
    expect(() => expand(inputs)).toThrow(InputNotFoundError);
    expect(() => expand(inputs)).toThrow(message);
  });

  it('names a folder without images', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    expect(() => expand(['empty'])).toThrow(
      /^empty: folder has no images \(looked for \.jpg \.jpeg \.png/,
    );
  });
});
