import { describe, expect, it } from 'vitest';
import { InvalidFeedError } from './errors.js';
import { validateFeeds } from './feeds.js';
import type { ValueInfo } from './types.js';

const inputs: ValueInfo[] = [
  { name: 'images', type: 'float32', dims: ['batch', 3, 'h', 'w'] },
  { name: 'sizes', type: 'int64', dims: ['batch', 2] },
  { name: 'anything', type: 'uint8', dims: undefined },
];
const f32 = (dims: number[]) => ({ data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims });
const i64 = (dims: number[]) => ({
  data: new BigInt64Array(dims.reduce((a, b) => a * b, 1)),
  dims,
});

describe('validateFeeds', () => {
  it('accepts consistent feeds and returns them in input order', () => {
    const checked = validateFeeds('m', inputs, {
      anything: { data: new Uint8Array(5), dims: [5] },
      sizes: i64([2, 2]),
      images: f32([2, 3, 8, 8]),
    });
    expect(checked.map((c) => [c.name, c.type, c.dims])).toEqual([
      ['images', 'float32', [2, 3, 8, 8]],
      ['sizes', 'int64', [2, 2]],
      ['anything', 'uint8', [5]],
    ]);
  });

  it('binds a symbolic dim once across inputs', () => {
    const e = (() => {
      try {
        validateFeeds('m', inputs, {
          images: f32([2, 3, 8, 8]),
          sizes: i64([3, 2]),
          anything: { data: new Uint8Array(1), dims: [1] },
        });
      } catch (x) {
        return x;
      }
    })() as InvalidFeedError;
    expect(e).toBeInstanceOf(InvalidFeedError);
    expect(e.input).toBe('sizes');
    expect(e.message).toContain('symbolic dim "batch" is 3 on axis 0 but 2 in input "images"');
    expect(e.expected).toBe('int64 [batch,2]');
    expect(e.actual).toBe('int64 [3,2]');
  });

  it('passes a device tensor through on its declared type and dims', () => {
    const gpu = { location: 'gpu-buffer', type: 'float32', dims: [1, 3, 4, 4] };
    const checked = validateFeeds('m', inputs.slice(0, 1), { images: gpu });
    expect(checked[0]!.data).toBeUndefined();
    expect(checked[0]!.value).toBe(gpu);
    expect(() =>
      validateFeeds('m', inputs.slice(0, 1), { images: { ...gpu, type: 'float16' } }),
    ).toThrow(/wrong dtype/);
  });

  it('rejects bad dims and a non-object feed', () => {
    expect(() =>
      validateFeeds('m', inputs.slice(0, 1), {
        images: { data: new Float32Array(1), dims: [1, -1, 1, 1] },
      }),
    ).toThrow(/dims must be an array of non-negative integers/);
    expect(() => validateFeeds('m', inputs.slice(0, 1), { images: 5 })).toThrow(
      /a feed must be a tensor/,
    );
    expect(() => validateFeeds('m', inputs.slice(0, 1), [f32([1, 3, 1, 1])])).toThrow(
      /feeds must be an object/,
    );
  });
});
