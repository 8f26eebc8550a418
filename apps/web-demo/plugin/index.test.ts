import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../src/shared/manifest.js';
import { ISOLATION_HEADERS, ORT_FILES, onnxruntimeWebDist } from './index.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('ORT_FILES', () => {
  it("are the files onnxruntime-web's extern-wasm build loads", async () => {
    const dist = onnxruntimeWebDist();
    for (const f of ORT_FILES) expect(existsSync(join(dist, f)), f).toBe(true);
    const names = (text: string) =>
      new Set(text.match(/ort-wasm-simd-threaded[\w.]*?\.(?:mjs|wasm)/g) ?? []);
    // ort.min.mjs (the 'onnxruntime-web-use-extern-wasm' import) imports the JSEP glue ...
    const entry = await readFile(join(dist, 'ort.min.mjs'), 'utf8');
    expect([...names(entry)]).toEqual(['ort-wasm-simd-threaded.jsep.mjs']);
    // ... which fetches its binary.
    const glue = await readFile(join(dist, 'ort-wasm-simd-threaded.jsep.mjs'), 'utf8');
    expect([...names(glue)]).toEqual(['ort-wasm-simd-threaded.jsep.wasm']);
    expect([...ORT_FILES].sort()).toEqual([...names(entry), ...names(glue)].sort());
  });
});

describe('dev server', () => {
  let server: ViteDevServer;
  let origin: string;

  beforeAll(async () => {
    server = await createServer({
      root: appDir,
      configFile: join(appDir, 'vite.config.ts'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await server.listen();
    const address = server.httpServer?.address() as AddressInfo;
    origin = `http://127.0.0.1:${address.port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const isolated = (r: Response) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) expect(r.headers.get(k), k).toBe(v);
  };

  it('sends COOP/COEP/CORP on pages, modules and assets', async () => {
    for (const path of ['/', '/src/main.ts', '/models/index.json']) {
      const r = await fetch(`${origin}${path}`);
      expect(r.status, path).toBe(200);
      isolated(r);
    }
  });

  it("serves onnxruntime-web's files from node_modules, and only those", async () => {
    const wasm = await fetch(`${origin}/ort/ort-wasm-simd-threaded.jsep.wasm`, { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    isolated(wasm);
    const glue = await fetch(`${origin}/ort/ort-wasm-simd-threaded.jsep.mjs`);
    expect(glue.headers.get('content-type')).toMatch(/^text\/javascript/);
    // sent as published, not rewritten by Vite's module transform
    expect(await glue.text()).toBe(
      await readFile(join(onnxruntimeWebDist(), 'ort-wasm-simd-threaded.jsep.mjs'), 'utf8'),
    );
    expect((await fetch(`${origin}/ort/ort.min.js`)).status).toBe(404);
    expect((await fetch(`${origin}/ort/..%2Fpackage.json`)).status).toBe(404);
  });

  it('serves the manifest, the cards and their files', async () => {
    const manifest = (await (await fetch(`${origin}/models/index.json`)).json()) as Manifest;
    expect(manifest.models.length).toBeGreaterThan(0);
    for (const m of manifest.models) {
      const card = await (await fetch(`${origin}/${m.cardUrl}`)).json();
      expect(card.task).toBe(m.task);
      for (const f of Object.values(card.files) as { path: string; bytes: number }[]) {
        const r = await fetch(`${origin}/models/${m.id}/${f.path}`, { method: 'HEAD' });
        expect(r.status).toBe(200);
        expect(Number(r.headers.get('content-length'))).toBe(f.bytes);
      }
    }
    for (const s of manifest.samples) {
      const r = await fetch(`${origin}/${s.url}`, { method: 'HEAD' });
      expect(r.headers.get('content-type')).toBe('image/png');
    }
    const missing = await fetch(`${origin}/models/no-such-model/model.json`);
    expect(missing.status).toBe(404);
    isolated(missing);
  });
});
