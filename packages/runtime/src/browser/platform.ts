/**
 * The browser world: onnxruntime-web (wasm, WebGPU, WebNN), `fetch`, Cache Storage, Web Crypto.
 * Imported only by the `browser`/`default` entry; it never touches a Node built-in.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { InferenceSession } from 'onnxruntime-common';
import * as ort from 'onnxruntime-web';
import { ChecksumMismatchError, ModelLoadError, messageOf } from '../errors.js';
import type { LoadedModel, OrtApi, Platform, ResolvedOptions } from '../session.js';
import { sha256Hex } from '../sha256.js';
import type { ModelSource } from '../types.js';

/** The browser's default preference: WebGPU, then WebNN, then WebAssembly on the CPU. */
export const BROWSER_DEFAULT_PROVIDERS: readonly string[] = ['webgpu', 'webnn', 'wasm'];

/** Cache Storage bucket holding downloaded models. */
export const MODEL_CACHE_NAME = 'ocelot-models-v1';

interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<unknown> };
  ml?: unknown;
}

function nav(): NavigatorLike | undefined {
  return (globalThis as { navigator?: NavigatorLike }).navigator;
}

function isNode(): boolean {
  return (
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
      ?.node === 'string'
  );
}

async function download(url: URL, name: string, options: ResolvedOptions): Promise<Uint8Array> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    throw new ModelLoadError(
      name,
      `download of ${url.href} failed: ${messageOf(error)}`,
      'E_MODEL_FETCH',
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new ModelLoadError(
      name,
      `download of ${url.href} failed: HTTP ${response.status} ${response.statusText}`,
      'E_MODEL_FETCH',
    );
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new ModelLoadError(
      name,
      `download of ${url.href} broke off: ${messageOf(error)}`,
      'E_MODEL_FETCH',
      { cause: error },
    );
  }
}

async function openCache(options: ResolvedOptions): Promise<Cache | undefined> {
  if (options.cache === false) return undefined;
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return undefined; // insecure context or not a browser: no Cache Storage
  try {
    return await storage.open(MODEL_CACHE_NAME);
  } catch (error) {
    options.warn(`Cache Storage unavailable, models will not be cached: ${messageOf(error)}`);
    return undefined;
  }
}

async function loadUrl(url: URL, name: string, options: ResolvedOptions): Promise<LoadedModel> {
  const expected = options.expectedSha256;
  const cache =
    url.protocol === 'http:' || url.protocol === 'https:' ? await openCache(options) : undefined;
  if (cache) {
    const hit = await cache.match(url.href);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if (!expected) return { bytes, name };
      const actual = await sha256Hex(bytes);
      if (actual === expected) return { bytes, name, verifiedSha256: actual };
      options.warn(
        `${name}: cached copy has sha256 ${actual}, expected ${expected}; downloading again`,
      );
      await cache.delete(url.href);
    }
  }
  const bytes = await download(url, name, options);
  let verifiedSha256: string | undefined;
  if (expected) {
    verifiedSha256 = await sha256Hex(bytes);
    if (verifiedSha256 !== expected)
      throw new ChecksumMismatchError(name, expected, verifiedSha256);
  }
  if (cache) {
    try {
      await cache.put(
        url.href,
        new Response(bytes.slice().buffer, {
          headers: { 'content-type': 'application/octet-stream' },
        }),
      );
    } catch (error) {
      options.warn(`${name}: could not store the model in Cache Storage: ${messageOf(error)}`);
    }
  }
  return verifiedSha256 ? { bytes, name, verifiedSha256 } : { bytes, name };
}

async function loadBrowser(source: ModelSource, options: ResolvedOptions): Promise<LoadedModel> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'in-memory model' };
  if (source instanceof ArrayBuffer)
    return { bytes: new Uint8Array(source), name: 'in-memory model' };
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new InvalidArgumentError(
      'model',
      `expected a URL, Uint8Array or ArrayBuffer, got ${source === null ? 'null' : typeof source}`,
    );
  }
  let url: URL;
  try {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    url = source instanceof URL ? source : new URL(source, base);
  } catch (error) {
    throw new InvalidArgumentError('model', `not a URL: ${String(source)} (${messageOf(error)})`);
  }
  return loadUrl(url, url.href, options);
}

let sessionsCreated = 0;
const envSettings: { threads?: number; wasmPaths?: string } = {};
const providerChecks = new Map<string, Promise<string | undefined>>();
const rememberedFailures = new Map<string, string>();

const ENVIRONMENT_FAILURE =
  /no available backend|backend not found|WebGPU is not supported|Failed to get GPU adapter|WebNN is not supported|navigator\.ml/i;

function timeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

async function checkProvider(provider: string): Promise<string | undefined> {
  if (provider === 'wasm' || provider === 'cpu') return undefined;
  if (provider === 'webgpu') {
    const gpu = nav()?.gpu;
    if (!gpu) return 'navigator.gpu is not available (WebGPU is unsupported or disabled here)';
    try {
      const adapter = await timeout(gpu.requestAdapter(), 5000, 'timeout' as const);
      if (adapter === 'timeout') return 'navigator.gpu.requestAdapter() did not answer within 5 s';
      if (!adapter) return 'no WebGPU adapter (navigator.gpu.requestAdapter() returned null)';
    } catch (error) {
      return `navigator.gpu.requestAdapter() failed: ${messageOf(error)}`;
    }
    return undefined;
  }
  if (provider === 'webnn') {
    if (!nav()?.ml) return 'navigator.ml is not available (WebNN is not enabled in this browser)';
    return undefined;
  }
  return undefined;
}

function sameWasmPaths(a: ResolvedOptions['wasmPaths']): string | undefined {
  return a === undefined ? undefined : JSON.stringify(a);
}

export const browserPlatform: Platform = {
  backendName: 'onnxruntime-web',
  defaultProviders: BROWSER_DEFAULT_PROVIDERS,
  ort: ort as unknown as OrtApi,
  load: loadBrowser,
  sha256: sha256Hex,
  skipReason(provider) {
    const remembered = rememberedFailures.get(provider);
    if (remembered)
      return Promise.resolve(`${remembered} (remembered from an earlier attempt on this page)`);
    let check = providerChecks.get(provider);
    if (!check) {
      check = checkProvider(provider);
      providerChecks.set(provider, check);
    }
    return check;
  },
  recordFailure(provider, message) {
    if (ENVIRONMENT_FAILURE.test(message)) rememberedFailures.set(provider, message);
  },
  sessionOptions(options): InferenceSession.SessionOptions {
    // onnxruntime-web reads env.wasm once, when its first session initialises the runtime.
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    let threads = options.threads;
    if (isNode()) {
      if (threads !== undefined && threads > 1) {
        options.warn(
          `${threads} wasm threads requested, but onnxruntime-web runs single-threaded in Node; using 1`,
        );
      }
      threads = 1;
    } else if (!isolated && (threads === undefined || threads > 1)) {
      if (threads !== undefined) {
        options.warn(
          `${threads} wasm threads requested, but the page is not cross-origin isolated (crossOriginIsolated is false: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); using 1 thread`,
        );
      }
      threads = 1;
    }
    const wasmPaths = sameWasmPaths(options.wasmPaths);
    if (sessionsCreated === 0) {
      if (threads !== undefined) ort.env.wasm.numThreads = threads;
      if (options.wasmPaths !== undefined)
        ort.env.wasm.wasmPaths = options.wasmPaths as ort.Env.WasmPrefixOrFilePaths;
      if (threads !== undefined) envSettings.threads = threads;
      if (wasmPaths !== undefined) envSettings.wasmPaths = wasmPaths;
    } else {
      if (
        options.threads !== undefined &&
        threads !== envSettings.threads &&
        envSettings.threads !== undefined
      ) {
        options.warn(
          `threads: ${options.threads} ignored, onnxruntime-web already runs with ${envSettings.threads} (it reads env.wasm.numThreads before its first session only)`,
        );
      }
      if (
        wasmPaths !== undefined &&
        envSettings.wasmPaths !== undefined &&
        wasmPaths !== envSettings.wasmPaths
      ) {
        options.warn(
          `wasmPaths ${wasmPaths} ignored, onnxruntime-web is already loaded from ${envSettings.wasmPaths}`,
        );
      }
    }
    sessionsCreated++;
    return {};
  },
};

/** The effective `env.wasm` settings (for tests and diagnostics). */
export function wasmEnvironment(): {
  numThreads: number | undefined;
  crossOriginIsolated: boolean;
} {
  return {
    numThreads: ort.env.wasm.numThreads,
    crossOriginIsolated:
      (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  };
}
