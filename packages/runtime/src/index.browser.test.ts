/**
 * The browser entry in real Chromium (onnxruntime-web, wasm) through @ocelot/browser-test:
 * outputs equal onnxruntime-node's (and PyTorch's) within 1e-4 for the same input, provider
 * fallback, threads vs cross-origin isolation, typed errors and Cache Storage.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  ORT_WEB_PREFIX,
  browserUnavailableReason,
  launchBrowserHarness,
} from '@ocelot/browser-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createTensor } from './index.node.js';
import { FIXTURES, maxAbsDiff, recipeInput } from './test-utils/fixtures.js';
import { FIXTURE_DIR, fixtureBytes, tinyReference } from './test-utils/node-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const unavailable = browserUnavailableReason();
const ref = tinyReference();
const tinySha = createHash('sha256').update(fixtureBytes(FIXTURES.tiny)).digest('hex');

interface PageTensor {
  dims: number[];
  type: string;
  data: number[];
}
interface ParityResult {
  runtimeBackend: string;
  crossOriginIsolated: boolean;
  numThreads: number;
  executionProvider: string;
  attempts: { provider: string; ok: boolean; reason?: string; ms: number }[];
  inputs: unknown;
  outputs: unknown;
  metadata: Record<string, string>;
  ultralytics: { names: string[]; imgsz: { width: number; height: number }; stride: number };
  sha256: string;
  features: PageTensor;
  logits: PageTensor;
  warnings: string[];
}
interface ErrorInfo {
  name: string;
  code: string | undefined;
  message: string;
  fields: Record<string, unknown>;
  hasCause: boolean;
}
type Settled = { ok: unknown } | { error: ErrorInfo };

function errorOf(s: Settled): ErrorInfo {
  if (!('error' in s))
    throw new Error(`expected an error, got ${JSON.stringify(s.ok).slice(0, 200)}`);
  return s.error;
}

describe.skipIf(unavailable !== undefined)(
  `browser entry in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let harness: BrowserHarness;
    let nodeFeatures: Float32Array;
    let nodeLogits: Float32Array;

    beforeAll(async () => {
      harness = await launchBrowserHarness({
        modules: { runtime: join(here, 'test-utils', 'browser-runtime.page.ts') },
        serve: { '/fixtures/': FIXTURE_DIR },
      });
      const session = await createSession(fixtureBytes(FIXTURES.tiny), {
        executionProviders: ['cpu'],
      });
      const out = await session.run({
        images: createTensor(recipeInput([1, 3, 64, 64]), [1, 3, 64, 64]),
      });
      nodeFeatures = out.features!.data as Float32Array;
      nodeLogits = out.logits!.data as Float32Array;
      await session.dispose();
    }, 180_000);

    afterAll(async () => {
      await harness?.close();
    });

    it('runs the tiny model on wasm with the same outputs as Node and PyTorch', async () => {
      const r = await harness.run<ParityResult>('runtime', {
        task: 'parity',
        modelUrl: '/fixtures/tiny.onnx',
        sha256: tinySha,
        wasmPaths: ORT_WEB_PREFIX,
        threads: 2,
      });
      expect(r.runtimeBackend).toBe('onnxruntime-web');
      expect(r.crossOriginIsolated).toBe(true);
      expect(r.numThreads).toBe(2);
      expect(r.warnings).toEqual([]);
      expect(r.sha256).toBe(tinySha);

      // --disable-gpu: no WebGPU adapter and no WebNN, so webgpu → webnn → wasm.
      expect(r.executionProvider).toBe('wasm');
      expect(r.attempts.map((a) => [a.provider, a.ok])).toEqual([
        ['webgpu', false],
        ['webnn', false],
        ['wasm', true],
      ]);
      expect(r.attempts[0]!.reason).toMatch(/WebGPU|navigator\.gpu/);
      expect(r.attempts[1]!.reason).toMatch(/WebNN|navigator\.ml/);

      expect(r.inputs).toEqual([{ name: 'images', type: 'float32', dims: [1, 3, 64, 64] }]);
      expect(r.outputs).toEqual([
        { name: 'features', type: 'float32', dims: [1, 6, 16, 16] },
        { name: 'logits', type: 'float32', dims: [1, 3] },
      ]);
      expect(r.metadata).toEqual(ref.metadata);
      expect(r.ultralytics.names).toEqual(['person', 'bicycle', 'traffic light']);

      expect(r.features.dims).toEqual([1, 6, 16, 16]);
      expect(r.logits.dims).toEqual([1, 3]);
      expect(maxAbsDiff(r.features.data, nodeFeatures)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.logits.data, nodeLogits)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.features.data, ref.features)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.logits.data, ref.logits)).toBeLessThan(1e-4);

      // Everything came from the loopback server: onnxruntime-web's wasm from /ort/, no CDN.
      expect(harness.blockedRequests).toEqual([]);
      expect(
        harness.requests.some((p) => p.startsWith(ORT_WEB_PREFIX) && p.endsWith('.wasm')),
      ).toBe(true);
    });

    it('warns and uses one thread when the page is not cross-origin isolated', async () => {
      const r = await harness.run<ParityResult>(
        'runtime',
        {
          task: 'parity',
          modelUrl: '/fixtures/tiny.onnx',
          sha256: tinySha,
          wasmPaths: ORT_WEB_PREFIX,
          threads: 4,
        },
        { crossOriginIsolated: false },
      );
      expect(r.crossOriginIsolated).toBe(false);
      expect(r.numThreads).toBe(1);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(
        /4 wasm threads requested.*not cross-origin isolated.*using 1 thread/,
      );
      expect(maxAbsDiff(r.logits.data, nodeLogits)).toBeLessThan(1e-4);
    });

    it('reports typed errors in the browser', async () => {
      const r = await harness.run<Record<string, Settled>>(
        'runtime',
        {
          task: 'errors',
          modelUrl: '/fixtures/tiny.onnx',
          unsupportedUrl: '/fixtures/unsupported_op.onnx',
          wasmPaths: ORT_WEB_PREFIX,
        },
        { freshPage: true },
      );
      const truncated = errorOf(r.truncated!);
      expect(truncated.name).toBe('ModelLoadError');
      expect(truncated.code).toBe('E_MODEL_CORRUPT');
      expect(truncated.message).toMatch(/truncated/);

      const checksum = errorOf(r.checksum!);
      expect(checksum.name).toBe('ChecksumMismatchError');
      expect(checksum.fields).toMatchObject({ expected: '0'.repeat(64), actual: tinySha });

      const missing = errorOf(r.missing!);
      expect(missing.code).toBe('E_MODEL_FETCH');
      expect(missing.message).toContain('HTTP 404');

      const unsupported = errorOf(r.unsupported!);
      expect(unsupported.name).toBe('UnsupportedOperatorError');
      expect(unsupported.fields).toMatchObject({
        operator: 'Frobnicate',
        domain: 'com.ocelot.test',
        provider: 'wasm',
      });
      expect(unsupported.hasCause).toBe(true);

      const feed = errorOf(r.feed!);
      expect(feed.name).toBe('InvalidFeedError');
      expect(feed.fields).toMatchObject({
        input: 'images',
        expected: 'float32 [1,3,64,64]',
        actual: 'float32 [1,3,32,32]',
      });
      expect(errorOf(r.disposed!).name).toBe('SessionDisposedError');
    });

    it('keeps downloaded models in Cache Storage', async () => {
      const path = '/fixtures/tiny_dynamic.onnx';
      const count = () => harness.requests.filter((p) => p === path).length;
      const before = count();
      const r = await harness.run<{ cachedBytes: number }>('runtime', {
        task: 'cache',
        modelUrl: path,
        wasmPaths: ORT_WEB_PREFIX,
      });
      expect(r.cachedBytes).toBe(fixtureBytes(FIXTURES.tinyDynamic).length);
      // First session downloads, second comes from the cache, `cache: false` downloads again.
      expect(count() - before).toBe(2);
    });
  },
);
