import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSha256, sha256Hex, sha256HexSync } from './sha256.js';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sha256', () => {
  it('matches known digests', () => {
    expect(sha256HexSync(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256HexSync(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('pure TypeScript matches node:crypto at every padding boundary', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(sha256HexSync(bytes), `length ${n}`).toBe(nodeSha(bytes));
    }
  });

  it('pure TypeScript and Web Crypto match node:crypto on random data and subarray views', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.nat(16), async (bytes, offset) => {
        const view = bytes.subarray(Math.min(offset, bytes.length));
        const expected = nodeSha(view);
        expect(sha256HexSync(view)).toBe(expected);
        expect(await sha256Hex(view)).toBe(expected);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('normalises expected digests', () => {
    const d = 'AB'.repeat(32);
    expect(normaliseSha256(d)).toBe('ab'.repeat(32));
    expect(normaliseSha256(`sha256:${d}`)).toBe('ab'.repeat(32));
    expect(normaliseSha256('xyz')).toBeUndefined();
    expect(normaliseSha256('ab'.repeat(31))).toBeUndefined();
  });
});
