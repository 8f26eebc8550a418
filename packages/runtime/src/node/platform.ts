/**
 * The Node world: onnxruntime-node, files, a download cache on disk, node:crypto.
 * Imported only by the `node` entry, so no browser bundle ever reaches it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@ocelot/core';
import type { InferenceSession } from 'onnxruntime-common';
import ort from 'onnxruntime-node';
import { ChecksumMismatchError, ModelLoadError, messageOf } from '../errors.js';
import type { LoadedModel, OrtApi, Platform, ResolvedOptions } from '../session.js';
import type { ModelSource } from '../types.js';

/** Node's default preference: a CUDA GPU, then WebGPU (Dawn), then the CPU. */
export const NODE_DEFAULT_PROVIDERS: readonly string[] = ['cuda', 'webgpu', 'cpu'];

function sha256Node(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The cache directory for downloaded models: `option`, else env `OCELOT_CACHE_DIR`, else the OS
 * cache path (`$XDG_CACHE_HOME/ocelot` or `~/.cache/ocelot` on Linux, `~/Library/Caches/ocelot`
 * on macOS, `%LOCALAPPDATA%\ocelot\Cache` on Windows).
 */
export function resolveCacheDir(option?: string): string {
  if (option) return option;
  const fromEnv = process.env.OCELOT_CACHE_DIR;
  if (fromEnv) return fromEnv;
  if (process.platform === 'win32') {
    return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ocelot', 'Cache');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ocelot');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ocelot');
}

function sourceToUrl(source: string | URL): URL | undefined {
  if (source instanceof URL) return source;
  // Any scheme://… is a URL (a Windows path like C:\m.onnx has no "//").
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return new URL(source);
  return undefined;
}

async function readModelFile(path: string, name: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ModelLoadError(name, `model file not found: ${path}`, 'E_MODEL_NOT_FOUND', {
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new ModelLoadError(name, `model path is a directory: ${path}`, 'E_MODEL_NOT_FOUND', {
        cause: error,
      });
    }
    throw new ModelLoadError(name, `cannot read ${path}: ${messageOf(error)}`, 'E_MODEL_LOAD', {
      cause: error,
    });
  }
}

/** Downloads `url`; HTTP errors and network failures become `ModelLoadError` (`E_MODEL_FETCH`). */
export async function downloadModel(
  url: URL,
  name: string,
  options: Pick<ResolvedOptions, 'fetch' | 'signal'>,
): Promise<Uint8Array> {
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

async function loadUrl(url: URL, name: string, options: ResolvedOptions): Promise<LoadedModel> {
  const expected = options.expectedSha256;
  if (options.cache === false) {
    return { bytes: await downloadModel(url, name, options), name };
  }
  const dir = join(resolveCacheDir(options.cacheDir), 'models');
  // Content-addressed when the digest is known (several URLs of one file share it), else by URL.
  const file = join(
    dir,
    expected
      ? `sha256-${expected}.onnx`
      : `url-${sha256Node(new TextEncoder().encode(url.href))}.onnx`,
  );
  if (existsSync(file)) {
    const bytes = await readModelFile(file, name);
    if (!expected) return { bytes, name };
    const actual = sha256Node(bytes);
    if (actual === expected) return { bytes, name, verifiedSha256: actual };
    options.warn(
      `${name}: cached copy ${file} has sha256 ${actual}, expected ${expected}; downloading again`,
    );
    await rm(file, { force: true });
  }
  const bytes = await downloadModel(url, name, options);
  let verifiedSha256: string | undefined;
  if (expected) {
    verifiedSha256 = sha256Node(bytes);
    // Never cache a file that fails its checksum.
    if (verifiedSha256 !== expected)
      throw new ChecksumMismatchError(name, expected, verifiedSha256);
  }
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (error) {
    options.warn(`${name}: could not write the model cache ${file}: ${messageOf(error)}`);
  }
  return verifiedSha256 ? { bytes, name, verifiedSha256 } : { bytes, name };
}

async function loadNode(source: ModelSource, options: ResolvedOptions): Promise<LoadedModel> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'in-memory model' };
  if (source instanceof ArrayBuffer)
    return { bytes: new Uint8Array(source), name: 'in-memory model' };
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new InvalidArgumentError(
      'model',
      `expected a path, URL, Uint8Array or ArrayBuffer, got ${source === null ? 'null' : typeof source}`,
    );
  }
  if (typeof source === 'string' && source.trim() === '') {
    throw new InvalidArgumentError('model', 'expected a path, got an empty string');
  }
  const url = sourceToUrl(source);
  if (!url)
    return {
      bytes: await readModelFile(source as string, source as string),
      name: source as string,
    };
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    return { bytes: await readModelFile(path, path), name: path };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      'model',
      `unsupported URL scheme ${url.protocol} (use http, https or file)`,
    );
  }
  return loadUrl(url, url.href, options);
}

/**
 * Where onnxruntime-node keeps its native libraries, to check that an optional provider's
 * library (CUDA, TensorRT: downloaded by onnxruntime-node's install script) is present before
 * asking for it — asking without it fails only after a native error on stderr.
 */
function bindingDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

function providerLibrary(provider: string): string {
  return process.platform === 'win32'
    ? `onnxruntime_providers_${provider}.dll`
    : process.platform === 'darwin'
      ? `libonnxruntime_providers_${provider}.dylib`
      : `libonnxruntime_providers_${provider}.so`;
}

/** Failures that depend on the machine, not the model: not worth repeating in this process. */
const ENVIRONMENT_FAILURE =
  /Failed to load shared library|Failed to get a WebGPU adapter|No supported adapters|backend not found|cannot open shared object|CUDA driver|no CUDA-capable device/i;

const rememberedFailures = new Map<string, string>();

export const nodePlatform: Platform = {
  backendName: 'onnxruntime-node',
  defaultProviders: NODE_DEFAULT_PROVIDERS,
  ort: ort as unknown as OrtApi,
  load: loadNode,
  sha256: async (bytes) => sha256Node(bytes),
  async skipReason(provider) {
    const remembered = rememberedFailures.get(provider);
    if (remembered) return `${remembered} (remembered from an earlier attempt in this process)`;
    if (provider === 'cpu') return undefined;
    const backends = ort.listSupportedBackends();
    const backend = backends.find((b) => b.name === provider);
    if (!backend) {
      return `not available in this onnxruntime-node build for ${process.platform}-${process.arch} (available: ${backends.map((b) => b.name).join(', ')})`;
    }
    if (!backend.bundled) {
      const dir = bindingDir();
      const lib = providerLibrary(provider);
      if (dir && !existsSync(join(dir, lib))) {
        return `onnxruntime-node's ${provider} provider library ${lib} is not installed (onnxruntime-node's install script downloads it)`;
      }
    }
    return undefined;
  },
  recordFailure(provider, message) {
    if (ENVIRONMENT_FAILURE.test(message)) rememberedFailures.set(provider, message);
  },
  sessionOptions(options): InferenceSession.SessionOptions {
    if (options.threads !== undefined && options.threads > 0) {
      return { intraOpNumThreads: options.threads };
    }
    return {};
  },
};

/** For tests: forget remembered provider failures. */
export function resetRememberedFailures(): void {
  rememberedFailures.clear();
}
