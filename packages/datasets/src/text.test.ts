import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetParseError } from './errors.js';
import { findJsonSyntaxError, lineColumnAt, parseJson } from './text.js';

function parseError(text: string): DatasetParseError {
  try {
    parseJson(text, 'f.json');
  } catch (error) {
    if (error instanceof DatasetParseError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('parseJson', () => {
  it('parses valid JSON and ignores a byte-order mark', () => {
    expect(parseJson('\uFEFF{"a": [1, 2]}')).toEqual({ a: [1, 2] });
  });

  it.each([
    ['{\n  "a": 1,\n}', 3, 1, /property name/],
    ['{\n  "a" 1\n}', 2, 7, /':' after property name/],
    ['[1, 2', 1, 6, /unexpected end of input|after array element/],
    ['{\n  "a": tru\n}', 2, 11, /Unexpected token/],
    ['[1,\n  ,2]', 2, 3, /Unexpected token ','/],
    ['', 1, 1, /unexpected end of input/],
    ['[1] 2', 1, 5, /non-whitespace/],
  ])('names file:line:column for %j', (text, line, column, message) => {
    const error = parseError(text);
    expect(error.code).toBe('E_PARSE');
    expect([error.file, error.line, error.column]).toEqual(['f.json', line, column]);
    expect(error.message).toMatch(/^f\.json:\d+:\d+: invalid JSON: /);
    expect(error.message).toMatch(message);
  });
});

describe('findJsonSyntaxError', () => {
  it('finds nothing wrong in any JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('points at the first bad character', () => {
    expect(findJsonSyntaxError('{"a": [1, 2,, 3]}')).toEqual({
      offset: 12,
      message: "unexpected ','",
    });
    expect(findJsonSyntaxError('{"a": "\\q"}')?.message).toBe('bad escape');
    expect(findJsonSyntaxError('{"a": 01}')?.offset).toBe(7);
  });
});

describe('lineColumnAt', () => {
  it('is 1-based', () => {
    expect(lineColumnAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
