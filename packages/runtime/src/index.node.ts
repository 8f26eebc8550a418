/**
 * @ocelot/runtime for Node (the `node` export condition): sessions on onnxruntime-node, models
 * from files, URLs (cached on disk) or bytes.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_DEFAULT_PROVIDERS, nodePlatform, resolveCacheDir } from './node/platform.js';
import { createSessionWith } from './session.js';
import type { CreateSessionOptions, ModelSource, Session } from './types.js';

export * from './common.js';

/** Which onnxruntime package this entry runs on. */
export const runtimeBackend: 'onnxruntime-node' | 'onnxruntime-web' = 'onnxruntime-node';

/** The execution providers tried when `options.executionProviders` is not given. */
export const defaultExecutionProviders: readonly string[] = NODE_DEFAULT_PROVIDERS;

/**
 * Loads an ONNX model and creates a session on the first execution provider that works.
 *
 * Steps: read the model (file path, `file:`/`http(s):` URL — downloads are cached on disk — or
 * bytes); check `options.sha256`; parse the ONNX header, signature and metadata (a truncated or
 * corrupt file fails here, before onnxruntime); try each execution provider in order
 * (default cuda → webgpu → cpu), recording why the skipped/failed ones did not work; run the
 * warm-up runs.
 *
 * @param model path, URL or bytes of an `.onnx` file
 * @param options see `CreateSessionOptions`
 * @returns a `Session`; call `dispose()` (or `using`) when done
 * @throws ModelLoadError (missing file `E_MODEL_NOT_FOUND`, download `E_MODEL_FETCH`, corrupt
 *   `E_MODEL_CORRUPT`), ChecksumMismatchError, UnsupportedOperatorError, ExecutionProviderError,
 *   InvalidArgumentError for bad options
 */
export function createSession(
  model: ModelSource,
  options?: CreateSessionOptions,
): Promise<Session> {
  return createSessionWith(nodePlatform, model, options);
}

/**
 * Deletes downloaded models from the cache (`options.cacheDir`, else env `OCELOT_CACHE_DIR`,
 * else the OS cache path). Files the caller passed by path are never touched.
 */
export async function clearModelCache(options: { readonly cacheDir?: string } = {}): Promise<void> {
  await rm(join(resolveCacheDir(options.cacheDir), 'models'), { recursive: true, force: true });
}
