/**
 * The adapter's public types, shared by the Node entry (onnxruntime-node) and the browser entry
 * (onnxruntime-web). Nothing here imports a runtime at run time.
 */
import type { InferenceSession, OnnxValue, OnnxValueDataLocation } from 'onnxruntime-common';
import type { ProviderAttempt } from './errors.js';
import type { OnnxModelInfo } from './onnx-proto.js';
import type { Tensor, TensorLike, TensorType } from './tensor.js';

/**
 * Where a model comes from.
 * - `string`: in Node a file path (or an `http(s)://` / `file://` URL); in the browser a URL,
 *   relative ones resolved against `location.href`.
 * - `URL`: fetched (`file:` URLs are read from disk in Node).
 * - `Uint8Array` / `ArrayBuffer`: the model bytes themselves.
 *
 * Nothing is ever downloaded unless the caller passes a URL.
 */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

/**
 * An execution provider by name (`'cpu'`, `'cuda'`, `'webgpu'`, `'webnn'`, `'wasm'`, …) or
 * onnxruntime's option object for it (e.g. `{ name: 'cuda', deviceId: 1 }`).
 */
export type ExecutionProviderSpec = string | InferenceSession.ExecutionProviderConfig;

/** Where outputs should stay after `run` (onnxruntime-web's webgpu/webnn only). */
export type OutputLocation = OnnxValueDataLocation;

/** Options of the warm-up runs made by `createSession` before it returns. */
export interface WarmupOptions {
  /** Number of runs (0 = none). */
  readonly runs: number;
  /**
   * Values for symbolic dims, by symbol (e.g. `{ batch: 1, height: 640, width: 640 }`). A
   * symbol not listed here is 1.
   */
  readonly dims?: Readonly<Record<string, number>>;
  /** Feeds to use instead of the zero tensors built from the input spec. */
  readonly feeds?: Readonly<Record<string, TensorLike>>;
}

/** Options of `createSession`. All are optional. */
export interface CreateSessionOptions {
  /** Name used in errors and warnings (default: the path, the URL, or `"in-memory model"`). */
  readonly name?: string;
  /**
   * Expected sha256 of the model bytes (64 hex digits, e.g. from the model card). A mismatch
   * throws `ChecksumMismatchError` naming both digests.
   */
  readonly sha256?: string;
  /**
   * Execution providers by preference; the first that creates a session wins and the session
   * reports it (`executionProvider`) with the reasons the earlier ones failed
   * (`providerAttempts`). Default: Node `['cuda', 'webgpu', 'cpu']`, browser
   * `['webgpu', 'webnn', 'wasm']`.
   */
  readonly executionProviders?: readonly ExecutionProviderSpec[];
  /**
   * Intra-op threads. Node: onnxruntime's `intraOpNumThreads` (default: onnxruntime's choice).
   * Browser: `env.wasm.numThreads`; needs a cross-origin-isolated page, otherwise a warning is
   * sent to `onWarning` and 1 thread is used. onnxruntime-web reads it once, before its first
   * session.
   */
  readonly threads?: number;
  /** onnxruntime graph optimisation level (default `'all'`). */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  /** Warm-up runs with zero feeds built from the input spec (default: none). */
  readonly warmup?: number | WarmupOptions;
  /**
   * Where outputs should be kept (`'gpu-buffer'` / `'ml-tensor'` with webgpu/webnn). `run` still
   * returns CPU arrays (it downloads and releases device data); `runRaw` returns them in place.
   */
  readonly preferredOutputLocation?: OutputLocation | Readonly<Record<string, OutputLocation>>;
  /** Cache models loaded from URLs (default `true`): on disk in Node, Cache Storage in browsers. */
  readonly cache?: boolean;
  /**
   * Node only: the cache directory. Default: env `OCELOT_CACHE_DIR`, else the OS cache path
   * (`$XDG_CACHE_HOME/ocelot` or `~/.cache/ocelot`, `~/Library/Caches/ocelot`,
   * `%LOCALAPPDATA%\ocelot\Cache`).
   */
  readonly cacheDir?: string;
  /** The `fetch` used for URL sources (default: `globalThis.fetch`). */
  readonly fetch?: typeof globalThis.fetch;
  /** Aborts a download in progress. */
  readonly signal?: AbortSignal;
  /**
   * Browser only: where onnxruntime-web loads its `.wasm`/`.mjs` files from (`env.wasm.wasmPaths`),
   * e.g. `'/ort/'`. Default: next to onnxruntime-web's own module.
   */
  readonly wasmPaths?: string | { readonly wasm?: string; readonly mjs?: string };
  /** Receives non-fatal warnings (default: `console.warn`). */
  readonly onWarning?: (message: string) => void;
  /** Extra onnxruntime session options, applied last (escape hatch; not validated). */
  readonly sessionOptions?: InferenceSession.SessionOptions;
}

/** A model input or output. */
export interface ValueInfo {
  readonly name: string;
  /** Element type, e.g. `'float32'` (onnxruntime's name; non-tensor values say `'non-tensor'`). */
  readonly type: TensorType | string;
  /**
   * Dims: numbers for fixed sizes, strings for symbolic ones (`'batch'`; `''` when unnamed).
   * `undefined` when the model declares no shape.
   */
  readonly dims: readonly (number | string)[] | undefined;
}

/** Options of one `run`. */
export interface RunOptions {
  /** Outputs to compute (default: all). */
  readonly outputs?: readonly string[];
}

/** A loaded model, ready to run. Dispose it when done (`using`/`await using` work too). */
export interface Session {
  /** The name used in errors. */
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** The execution provider the session was created with, e.g. `'cpu'` or `'wasm'`. */
  readonly executionProvider: string;
  /** Every provider tried, in order, with the reason each failed or was skipped. */
  readonly providerAttempts: readonly ProviderAttempt[];
  /** Custom ONNX `metadata_props` (see `parseUltralyticsMetadata`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Header, signature and operators read from the ONNX file. */
  readonly modelInfo: OnnxModelInfo;
  /** sha256 of the model bytes (lowercase hex). */
  readonly sha256: string;
  /**
   * Runs the model. Feeds are validated first (names, dtype, rank, fixed dims, symbolic dims
   * consistent across inputs) and a bad one throws `InvalidFeedError` without calling
   * onnxruntime. Runs on one session are queued, never concurrent.
   *
   * @param feeds one tensor per input name; `type` may be left out when the array implies it
   * @returns one tensor per output, on the CPU, in typed arrays the caller owns: onnxruntime
   *   allocates them per run (Node) or copies them out of wasm memory (web), and device outputs
   *   are downloaded and their device memory released. The feeds are not kept.
   */
  run(
    feeds: Readonly<Record<string, TensorLike>>,
    options?: RunOptions,
  ): Promise<Record<string, Tensor>>;
  /**
   * Runs the model and returns onnxruntime's own output values, which may stay on the device
   * (`preferredOutputLocation`). The caller must `dispose()` device tensors. Feeds are validated
   * as in `run`.
   */
  runRaw(
    feeds: Readonly<Record<string, TensorLike | OnnxValue>>,
    options?: RunOptions,
  ): Promise<Record<string, OnnxValue>>;
  /** Releases the onnxruntime session after queued runs finish. Idempotent. */
  dispose(): Promise<void>;
  /** Starts `dispose()` (for `using`); errors go to `onWarning`. */
  [Symbol.dispose](): void;
  /** `dispose()` (for `await using`). */
  [Symbol.asyncDispose](): Promise<void>;
}
