import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as datasets from './index.js';
import * as node from './node/index.js';

const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('package entries', () => {
  it('the main entry needs no Node built-ins (it runs in browsers); only node/ does', () => {
    const offenders = sourceFiles(srcDir)
      .filter((file) => !relative(srcDir, file).startsWith('node'))
      .filter((file) =>
        /from '(node:[^']+|\.\.?\/(\.\.\/)*node\/[^']*)'/.test(readFileSync(file, 'utf8')),
      )
      .map((file) => relative(srcDir, file));
    expect(offenders).toEqual([]);
  });

  it('exports the documented functions', () => {
    for (const name of [
      'parseCoco',
      'validateCoco',
      'parseVoc',
      'parseYoloLabels',
      'cocoToVoc',
      'cocoToYolo',
      'yoloToCoco',
      'vocToCoco',
    ]) {
      expect(typeof (datasets as Record<string, unknown>)[name]).toBe('function');
    }
    for (const name of [
      'readCoco',
      'writeCoco',
      'readCocoResults',
      'readVoc',
      'readYoloLabels',
      'readYoloNames',
    ]) {
      expect(typeof (node as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
