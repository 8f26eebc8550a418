import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { type PythonValue, parsePythonLiteral, parseUltralyticsMetadata } from './metadata.js';
import { FIXTURES } from './test-utils/fixtures.js';
import { fixturePath, tinyReference } from './test-utils/node-fixtures.js';

interface Case {
  key: string;
  text: string;
  expected: unknown;
}
const cases = (
  JSON.parse(readFileSync(fixturePath(FIXTURES.metadataCases), 'utf8')) as { cases: Case[] }
).cases;

/** Maps become [key, value] pairs so they compare with the fixture's JSON. */
function plain(v: PythonValue): unknown {
  if (v instanceof Map) return [...v].map(([k, x]) => [k, plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('parsePythonLiteral', () => {
  it.each(cases.map((c) => [c.key, c.text, c.expected] as const))(
    'parses Python str() of %s: %s',
    (_key, text, expected) => {
      expect(plain(parsePythonLiteral(text))).toEqual(expected);
    },
  );

  it('parses the other literal forms', () => {
    expect(parsePythonLiteral('(1, 2.5, -3e2, True, False, None)')).toEqual([
      1,
      2.5,
      -300,
      true,
      false,
      null,
    ]);
    expect(parsePythonLiteral("['a', [1, {'k': 'v'}],]")).toEqual([
      'a',
      [1, new Map([['k', 'v']])],
    ]);
    expect(parsePythonLiteral("'\\x41\\u00e9\\U0001F600\\101'")).toBe('Aé😀A');
    expect(parsePythonLiteral('{}')).toEqual(new Map());
  });

  it('rejects malformed text naming the argument', () => {
    for (const bad of ["{0: 'a'", "{0 'a'}", "'open", '[1 2]', '{[1]: 2}', 'foo', "{0: 'a'} x"]) {
      const error = (() => {
        try {
          parsePythonLiteral(bad, 'metadata.names');
        } catch (e) {
          return e;
        }
      })() as InvalidArgumentError;
      expect(error, bad).toBeInstanceOf(InvalidArgumentError);
      expect(error.code).toBe('E_INVALID_METADATA');
      expect(error.argument).toBe('metadata.names');
    }
  });
});

describe('parseUltralyticsMetadata', () => {
  it('reads the tiny model metadata', () => {
    const meta = parseUltralyticsMetadata(tinyReference().metadata);
    expect(meta).toEqual({
      names: ['person', 'bicycle', 'traffic light'],
      imgsz: { height: 64, width: 64 },
      stride: 4,
      batch: 1,
      task: 'detect',
      description: 'Ocelot tiny test model',
      author: 'Ocelot fixtures',
      version: '0.0.0',
    });
  });

  it('reads imgsz as [height, width] or one int, and kpt_shape', () => {
    expect(parseUltralyticsMetadata({ imgsz: '[480, 640]' }).imgsz).toEqual({
      height: 480,
      width: 640,
    });
    expect(parseUltralyticsMetadata({ imgsz: '320' }).imgsz).toEqual({ height: 320, width: 320 });
    expect(parseUltralyticsMetadata({ kpt_shape: '[17, 3]', channels: '3' })).toEqual({
      kptShape: [17, 3],
      channels: 3,
    });
    expect(parseUltralyticsMetadata({})).toEqual({});
  });

  it('rejects class ids that are not 0..N-1 and bad sizes', () => {
    expect(() => parseUltralyticsMetadata({ names: "{0: 'a', 2: 'c'}" })).toThrow(
      /class ids must be 0..1/,
    );
    expect(() => parseUltralyticsMetadata({ names: '{0: 1}' })).toThrow(/not a string/);
    expect(() => parseUltralyticsMetadata({ imgsz: '[1, 2, 3]' })).toThrow(/metadata.imgsz/);
    expect(() => parseUltralyticsMetadata({ stride: '32.5' })).toThrow(/metadata.stride/);
  });
});
