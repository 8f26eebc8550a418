/**
 * The page's side of the inference worker: one promise per run, progress and warnings as
 * callbacks. The image buffer is transferred (the caller gives up its copy).
 */
import type {
  Backend,
  ErrorInfo,
  ImagePayload,
  InferenceResult,
  ModelRef,
  RunOptions,
  RuntimeSetup,
  WorkerRequest,
  WorkerResponse,
} from '../shared/protocol.js';

/** A failed run, carrying the worker's error name and code. */
export class InferenceFailure extends Error {
  readonly code: string | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.code = info.code;
  }
}

export interface InferenceClientEvents {
  onProgress?(id: number, stage: 'loading' | 'running'): void;
  onWarning?(message: string): void;
}

export class InferenceClient {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve(r: InferenceResult): void; reject(e: Error): void }
  >();
  #nextId = 1;

  constructor(
    worker: Worker,
    readonly setup: RuntimeSetup,
    events: InferenceClientEvents = {},
  ) {
    this.#worker = worker;
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => {
      const m = event.data;
      if (m.type === 'warning') {
        events.onWarning?.(m.message);
        return;
      }
      if (m.type === 'progress') {
        events.onProgress?.(m.id, m.stage);
        return;
      }
      const pending = this.#pending.get(m.id);
      if (!pending) return;
      this.#pending.delete(m.id);
      if (m.type === 'result') pending.resolve(m.result);
      else pending.reject(new InferenceFailure(m.error));
    });
    worker.addEventListener('error', (event: ErrorEvent) => {
      const error = new InferenceFailure({
        name: 'WorkerError',
        message: `the inference worker failed: ${event.message || 'could not be loaded'}`,
      });
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    });
  }

  /** The id the next `run` will get. */
  get nextId(): number {
    return this.#nextId;
  }

  /**
   * Runs `model` on `image` in the worker; `image.data`'s buffer is transferred.
   * @returns the result; rejects with `InferenceFailure`
   */
  run(
    model: ModelRef,
    backend: Backend,
    image: ImagePayload,
    options: RunOptions,
  ): { id: number; result: Promise<InferenceResult> } {
    const id = this.#nextId++;
    const result = new Promise<InferenceResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    const request: WorkerRequest = {
      type: 'run',
      id,
      setup: this.setup,
      model,
      backend,
      image,
      options,
    };
    this.#worker.postMessage(request, [image.data.buffer as ArrayBuffer]);
    return { id, result };
  }
}
