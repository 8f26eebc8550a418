/**
 * @ocelot/runtime for browsers (the `browser` and `default` export conditions): sessions on
 * onnxruntime-web (WebGPU, WebNN, wasm), models from URLs (kept in Cache Storage) or bytes.
 * Nothing here imports onnxruntime-node or a Node built-in.
 */
import {
  BROWSER_DEFAULT_PROVIDERS,
  MODEL_CACHE_NAME,
  browserPlatform,
} from './browser/platform.js';
import { createSessionWith } from './session.js';
import type { CreateSessionOptions, ModelSource, Session } from './types.js';

export * from './common.js';

/** Which onnxruntime package this entry runs on. */
export const runtimeBackend: 'onnxruntime-node' | 'onnxruntime-web' = 'onnxruntime-web';

/** The execution providers tried when `options.executionProviders` is not given. */
export const defaultExecutionProviders: readonly string[] = BROWSER_DEFAULT_PROVIDERS;

/**
 * Loads an ONNX model and creates a session on the first execution provider that works.
 *
 * Steps: fetch the model (a URL, relative ones against `location.href`; kept in Cache Storage)
 * or take its bytes; check `options.sha256`; parse the ONNX header, signature and metadata (a
 * truncated or corrupt file fails here, before onnxruntime); try each execution provider in
 * order (default webgpu → webnn → wasm), recording why the skipped/failed ones did not work;
 * run the warm-up runs. Set `options.wasmPaths` to serve onnxruntime-web's `.wasm`/`.mjs`
 * files yourself.
 *
 * @param model URL or bytes of an `.onnx` file
 * @param options see `CreateSessionOptions`
 * @returns a `Session`; call `dispose()` (or `using`) when done
 * @throws ModelLoadError (download `E_MODEL_FETCH`, corrupt `E_MODEL_CORRUPT`),
 *   ChecksumMismatchError, UnsupportedOperatorError, ExecutionProviderError,
 *   InvalidArgumentError for bad options
 */
export function createSession(
  model: ModelSource,
  options?: CreateSessionOptions,
): Promise<Session> {
  return createSessionWith(browserPlatform, model, options);
}

/** Deletes downloaded models from Cache Storage. `cacheDir` is accepted and ignored (Node only). */
export async function clearModelCache(
  _options: { readonly cacheDir?: string } = {},
): Promise<void> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (storage) await storage.delete(MODEL_CACHE_NAME);
}
