/**
 * Messages between the page and the inference worker. Everything is structured-clone data;
 * pixel and result buffers are transferred, not copied.
 */
import type { StageTimings as RunStageTimings } from '@ocelot/runtime';
import type { ModelTask } from './manifest.js';

/** Execution providers the page offers. */
export type Backend = 'wasm' | 'webgpu' | 'webnn';

export const BACKENDS: readonly Backend[] = ['wasm', 'webgpu', 'webnn'];

/** What the worker needs to know about the page, sent once with every run (cheap). */
export interface RuntimeSetup {
  /** Absolute URL of the folder holding onnxruntime-web's `.mjs` / `.wasm` (ends with `/`). */
  readonly wasmPaths: string;
  /** wasm threads to ask for (1 when the page is not cross-origin isolated). */
  readonly threads: number;
}

/** The model to run: its card URL (absolute) and what it does. */
export interface ModelRef {
  readonly id: string;
  readonly task: ModelTask;
  readonly cardUrl: string;
}

/** Post-processing options sent with a run (the page filters further without re-running). */
export interface RunOptions {
  /** Candidates scoring at or below this are dropped by the model's decoder. */
  readonly scoreThreshold?: number;
}

/** An `RgbImage` in transit: `data` is transferred to the worker. */
export interface ImagePayload {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly setup: RuntimeSetup;
  readonly model: ModelRef;
  readonly backend: Backend;
  readonly image: ImagePayload;
  readonly options: RunOptions;
}

export type WorkerRequest = RunRequest;

/** Milliseconds of one run: image → tensor, the network(s), decode + NMS + mapping back. */
export interface StageTimings extends RunStageTimings {
  /** Model fetch + session creation, when this run had to load the model (else 0). */
  readonly loadMs: number;
}

/** One execution provider tried while creating the session. */
export interface ProviderAttemptInfo {
  readonly provider: string;
  readonly ok: boolean;
  readonly reason?: string;
}

/** What every result carries besides the predictions. */
export interface ResultBase {
  readonly modelId: string;
  readonly imageSize: { readonly width: number; readonly height: number };
  readonly classNames: readonly string[];
  readonly timings: StageTimings;
  /** The provider the session was created with (what actually ran). */
  readonly executionProvider: string;
  readonly providerAttempts: readonly ProviderAttemptInfo[];
  /** The worker's own view: is it cross-origin isolated, and how many wasm threads run. */
  readonly worker: { readonly crossOriginIsolated: boolean; readonly threads: number };
  /** The options the model ran with, after the card's and the architecture's defaults. */
  readonly options: RunOptions;
}

/** Detections (column store, as `@ocelot/detectors` returns them). */
export interface DetectResult extends ResultBase {
  readonly kind: 'detect';
  /** [N,4] xyxy, image pixels. */
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
  /** Row i's mask as COCO RLE (`size` [H,W], column-major counts) — instance models only. */
  readonly masks?: readonly { readonly size: [number, number]; readonly counts: Uint32Array }[];
}

/** A class per pixel. */
export interface SemanticResult extends ResultBase {
  readonly kind: 'semantic';
  /** [H,W] row-major class index per pixel. */
  readonly labelMap: Uint8Array | Uint16Array;
  /** Classes present, increasing. */
  readonly classesPresent: Int32Array;
}

export type InferenceResult = DetectResult | SemanticResult;

/** A failure, with the typed error's name and code when it had them. */
export interface ErrorInfo {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

export type WorkerResponse =
  | { readonly type: 'progress'; readonly id: number; readonly stage: 'loading' | 'running' }
  | { readonly type: 'result'; readonly id: number; readonly result: InferenceResult }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorInfo }
  | { readonly type: 'warning'; readonly message: string };

/** A thrown value as plain data for `postMessage`. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The buffers of a result, for the transfer list. */
export function resultTransferables(result: InferenceResult): ArrayBuffer[] {
  const out: ArrayBufferLike[] =
    result.kind === 'detect'
      ? [
          result.boxes.buffer,
          result.scores.buffer,
          result.labels.buffer,
          ...(result.masks ?? []).map((m) => m.counts.buffer),
        ]
      : [result.labelMap.buffer, result.classesPresent.buffer];
  // Distinct, non-shared buffers only (a transfer list must not repeat one).
  return [...new Set(out)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
