import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserHarness,
  browserUnavailableReason,
  launchBrowserHarness,
  startStaticServer,
} from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const unavailable = browserUnavailableReason();

describe('startStaticServer', () => {
  it('serves mounts with isolation headers and refuses traversal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocelot-static-'));
    writeFileSync(join(dir, 'a.wasm'), 'x');
    const server = await startStaticServer({
      mounts: { '/m/': dir },
      pages: { '/': { body: 'hi', type: 'text/html' } },
    });
    try {
      const a = await fetch(`${server.origin}/m/a.wasm`);
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('application/wasm');
      expect(a.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(a.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await (await fetch(`${server.origin}/`)).text()).toBe('hi');
      expect(
        (await fetch(`${server.origin}/m/%2e%2e/%2e%2e/etc/passwd`)).status,
      ).toBeGreaterThanOrEqual(403);
      expect((await fetch(`${server.origin}/m/missing`)).status).toBe(404);
      expect((await fetch(`${server.origin}/elsewhere`)).status).toBe(404);
      expect(server.requests).toContain('/m/a.wasm');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(unavailable !== undefined)(
  `launchBrowserHarness in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let harness: BrowserHarness;
    let fixtures: string;
    beforeAll(async () => {
      fixtures = mkdtempSync(join(tmpdir(), 'ocelot-fixtures-'));
      writeFileSync(join(fixtures, 'hello.txt'), 'hello from disk');
      harness = await launchBrowserHarness({
        modules: {
          smoke: join(here, 'test-pages', 'smoke.page.ts'),
          throws: join(here, 'test-pages', 'throws.page.ts'),
        },
        serve: { '/fixtures/': fixtures },
      });
    }, 120_000);
    afterAll(async () => {
      await harness?.close();
      rmSync(fixtures, { recursive: true, force: true });
    });

    it('runs a page module and returns its JSON, cross-origin isolated and offline', async () => {
      const result = await harness.run<Record<string, unknown>>('smoke', { values: [1, 2, 3.5] });
      expect(result).toEqual({
        sum: 6.5,
        crossOriginIsolated: true,
        sharedArrayBuffer: true,
        wasmStatus: 200,
        wasmType: 'application/wasm',
        coep: 'require-corp',
        fixture: 'hello from disk',
        external: 'blocked',
        ortWeb: '1.30.0',
      });
      expect(harness.blockedRequests).toEqual([
        'https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.min.js',
      ]);
    });

    it('rethrows page errors with the page console', async () => {
      await expect(harness.run('throws', { message: 'boom from the page' })).rejects.toThrow(
        /boom from the page[\s\S]*about to throw/,
      );
      await expect(harness.run('nope')).rejects.toThrow(/unknown page module "nope"/);
    });

    it('runs in a document that is not cross-origin isolated on request', async () => {
      const plain = await harness.run<Record<string, unknown>>(
        'smoke',
        { values: [1] },
        { crossOriginIsolated: false },
      );
      expect(plain.crossOriginIsolated).toBe(false);
      const isolated = await harness.run<Record<string, unknown>>('smoke', { values: [1] });
      expect(isolated.crossOriginIsolated).toBe(true);
    });
  },
);
