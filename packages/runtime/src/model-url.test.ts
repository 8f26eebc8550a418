import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  ModelLoadError,
  clearModelCache,
  createSession,
  createTensor,
} from './index.node.js';
import { FIXTURES, maxAbsDiff, recipeInput } from './test-utils/fixtures.js';
import { fixtureBytes, tinyReference } from './test-utils/node-fixtures.js';

const tiny = fixtureBytes(FIXTURES.tiny);
const tinySha = createHash('sha256').update(tiny).digest('hex');
const ref = tinyReference();

let server: Server;
let base: string;
const requests: string[] = [];
let tmp: string;
const savedEnv = process.env.OCELOT_CACHE_DIR;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ocelot-url-'));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/models/tiny.onnx' || req.url === '/models/tiny-copy.onnx') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': tiny.length,
      });
      res.end(Buffer.from(tiny));
    } else if (req.url === '/models/broken.onnx') {
      // Announces the full length, sends 100 bytes, then drops the connection.
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': tiny.length,
      });
      res.write(Buffer.from(tiny.subarray(0, 100)), () => res.destroy());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  requests.length = 0;
  if (savedEnv === undefined) delete process.env.OCELOT_CACHE_DIR;
  else process.env.OCELOT_CACHE_DIR = savedEnv;
});

function freshDir(name: string): string {
  return mkdtempSync(join(tmp, `${name}-`));
}

async function check(session: Awaited<ReturnType<typeof createSession>>): Promise<void> {
  const out = await session.run({
    images: createTensor(recipeInput([1, 3, 64, 64]), [1, 3, 64, 64]),
  });
  expect(maxAbsDiff(out.logits!.data as Float32Array, ref.logits)).toBeLessThan(1e-4);
  await session.dispose();
}

describe('models from URLs (loopback server)', () => {
  it('downloads once, then serves from the on-disk cache keyed by URL', async () => {
    const cacheDir = freshDir('by-url');
    const url = `${base}/models/tiny.onnx`;
    const s1 = await createSession(url, { cacheDir, executionProviders: ['cpu'] });
    expect(s1.name).toBe(url);
    await check(s1);
    expect(requests).toEqual(['/models/tiny.onnx']);
    const files = readdirSync(join(cacheDir, 'models'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^url-[0-9a-f]{64}\.onnx$/);

    await check(await createSession(new URL(url), { cacheDir, executionProviders: ['cpu'] }));
    expect(requests).toEqual(['/models/tiny.onnx']); // no second request
  });

  it('keys the cache by sha256 when given, shared between URLs of the same file', async () => {
    const cacheDir = freshDir('by-sha');
    await check(
      await createSession(`${base}/models/tiny.onnx`, {
        cacheDir,
        sha256: tinySha,
        executionProviders: ['cpu'],
      }),
    );
    expect(readdirSync(join(cacheDir, 'models'))).toEqual([`sha256-${tinySha}.onnx`]);
    await check(
      await createSession(`${base}/models/tiny-copy.onnx`, {
        cacheDir,
        sha256: tinySha,
        executionProviders: ['cpu'],
      }),
    );
    expect(requests).toEqual(['/models/tiny.onnx']);
  });

  it('re-downloads a cached copy that fails its checksum, with a warning', async () => {
    const cacheDir = freshDir('bad-cache');
    await (
      await createSession(`${base}/models/tiny.onnx`, { cacheDir, sha256: tinySha })
    ).dispose();
    const cached = join(cacheDir, 'models', `sha256-${tinySha}.onnx`);
    writeFileSync(cached, tiny.subarray(0, 500)); // damage the cache
    const warnings: string[] = [];
    await check(
      await createSession(`${base}/models/tiny.onnx`, {
        cacheDir,
        sha256: tinySha,
        executionProviders: ['cpu'],
        onWarning: (m) => warnings.push(m),
      }),
    );
    expect(requests).toEqual(['/models/tiny.onnx', '/models/tiny.onnx']);
    expect(warnings.join('\n')).toMatch(/cached copy .* has sha256 .*downloading again/);
    expect(readFileSync(cached).length).toBe(tiny.length);
  });

  it('a wrong sha256 throws ChecksumMismatchError and caches nothing', async () => {
    const cacheDir = freshDir('mismatch');
    const wrong = '0'.repeat(64);
    const e = (await createSession(`${base}/models/tiny.onnx`, { cacheDir, sha256: wrong }).catch(
      (x: unknown) => x,
    )) as ChecksumMismatchError;
    expect(e).toBeInstanceOf(ChecksumMismatchError);
    expect(e.expected).toBe(wrong);
    expect(e.actual).toBe(tinySha);
    expect(e.model).toBe(`${base}/models/tiny.onnx`);
    expect(existsSync(join(cacheDir, 'models', `sha256-${wrong}.onnx`))).toBe(false);
  });

  it('HTTP errors and broken downloads are ModelLoadError E_MODEL_FETCH', async () => {
    const cacheDir = freshDir('errors');
    const e404 = (await createSession(`${base}/models/missing.onnx`, { cacheDir }).catch(
      (x: unknown) => x,
    )) as ModelLoadError;
    expect(e404).toBeInstanceOf(ModelLoadError);
    expect(e404.code).toBe('E_MODEL_FETCH');
    expect(e404.message).toContain('HTTP 404');
    expect(e404.message).toContain('/models/missing.onnx');
    const broken = (await createSession(`${base}/models/broken.onnx`, { cacheDir }).catch(
      (x: unknown) => x,
    )) as ModelLoadError;
    expect(broken).toBeInstanceOf(ModelLoadError);
    expect(broken.code).toBe('E_MODEL_FETCH');
    const closed = (await createSession('http://127.0.0.1:1/m.onnx', { cacheDir }).catch(
      (x: unknown) => x,
    )) as ModelLoadError;
    expect(closed.code).toBe('E_MODEL_FETCH');
    expect(existsSync(join(cacheDir, 'models'))).toBe(false);
  });

  it('cache: false always downloads; OCELOT_CACHE_DIR is the default cache dir; clearModelCache empties it', async () => {
    const url = `${base}/models/tiny.onnx`;
    await (await createSession(url, { cache: false })).dispose();
    await (await createSession(url, { cache: false })).dispose();
    expect(requests).toHaveLength(2);

    const envDir = freshDir('env');
    process.env.OCELOT_CACHE_DIR = envDir;
    await (await createSession(url)).dispose();
    expect(readdirSync(join(envDir, 'models'))).toHaveLength(1);
    await clearModelCache();
    expect(existsSync(join(envDir, 'models'))).toBe(false);
  });

  it('passes a custom fetch and an abort signal', async () => {
    const seen: string[] = [];
    const session = await createSession(`${base}/models/tiny.onnx`, {
      cache: false,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await session.dispose();
    expect(seen).toEqual([`${base}/models/tiny.onnx`]);
    const controller = new AbortController();
    controller.abort();
    const e = (await createSession(`${base}/models/tiny.onnx`, {
      cache: false,
      signal: controller.signal,
    }).catch((x: unknown) => x)) as ModelLoadError;
    expect(e.code).toBe('E_MODEL_FETCH');
  });
});
