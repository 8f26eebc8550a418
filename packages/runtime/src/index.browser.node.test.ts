/**
 * The browser entry's logic (provider checks, threads, loading bytes/URLs, errors) under Node,
 * where `onnxruntime-web` resolves to its Node build (wasm, single-threaded). Runs without a
 * browser; the Chromium test (index.browser.test.ts) is the real proof.
 */
import { describe, expect, it } from 'vitest';
import {
  ExecutionProviderError,
  createSession,
  createTensor,
  defaultExecutionProviders,
  runtimeBackend,
} from './index.browser.js';
import { FIXTURES, maxAbsDiff, recipeInput } from './test-utils/fixtures.js';
import { fixtureBytes, tinyReference } from './test-utils/node-fixtures.js';

const ref = tinyReference();

describe('browser entry under Node (onnxruntime-web wasm)', () => {
  it('falls back webgpu → webnn → wasm and matches PyTorch within 1e-4', async () => {
    const warnings: string[] = [];
    const session = await createSession(fixtureBytes(FIXTURES.tiny), {
      threads: 2,
      onWarning: (m) => warnings.push(m),
    });
    try {
      expect(runtimeBackend).toBe('onnxruntime-web');
      expect(session.providerAttempts.map((a) => [a.provider, a.ok])).toEqual(
        defaultExecutionProviders.map((p) => [p, p === 'wasm']),
      );
      expect(session.providerAttempts[0]!.reason).toMatch(/navigator\.gpu/);
      expect(warnings).toEqual([
        '2 wasm threads requested, but onnxruntime-web runs single-threaded in Node; using 1',
      ]);
      const out = await session.run({
        images: createTensor(recipeInput([1, 3, 64, 64]), [1, 3, 64, 64]),
      });
      expect(maxAbsDiff(out.features!.data as Float32Array, ref.features)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.logits!.data as Float32Array, ref.logits)).toBeLessThan(1e-4);
      expect(session.metadata).toEqual(ref.metadata);
    } finally {
      await session.dispose();
    }
  });

  it('rejects relative URLs without a page location and reports when no provider works', async () => {
    await expect(createSession('models/tiny.onnx')).rejects.toThrow(/not a URL/);
    const e = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: ['webgpu', 'webnn'],
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExecutionProviderError);
    expect((e as ExecutionProviderError).attempts.every((a) => a.ms === 0)).toBe(true);
  });
});
