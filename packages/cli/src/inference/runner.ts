/**
 * Runs a list of images through a model, either in this thread or on a bounded pool of
 * `worker_threads`, each worker holding its own session (1 intra-op thread by default) and
 * taking the next image when it finishes one. Results come back in input order; a failed image
 * is recorded with its error and the others go on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OcelotError } from '@ocelot/core';
import {
  categoryIds,
  ImageFailedError,
  type LoadedModel,
  type ModelKind,
  type OpenModelOptions,
  openModel,
} from './model.js';
import { type ImageResult, type ImageTask, type ProcessOptions, processImage } from './process.js';

/** What the caller needs to know about the loaded model. */
export interface ModelInfo {
  readonly id: string;
  readonly kind: ModelKind;
  readonly architecture: string;
  readonly classNames: readonly string[];
  /** Default COCO category id per class (card `labelIds`, else 1-based). */
  readonly categoryIds: readonly number[];
  readonly executionProvider: string;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly cardPath: string;
  /** Milliseconds to load the model (the slowest worker's). */
  readonly loadMs: number;
}

/** The outcome of one image. */
export type TaskOutcome =
  | { readonly ok: true; readonly result: ImageResult }
  | { readonly ok: false; readonly error: ImageFailedError; readonly index: number };

/** Runs images through one model. */
export interface ImageRunner {
  readonly info: ModelInfo;
  /** Number of workers (0 = this thread). */
  readonly workers: number;
  /**
   * Processes `tasks`; `onOutcome` is called as each one finishes (in completion order).
   * @returns outcomes in input order
   */
  run(
    tasks: readonly ImageTask[],
    options: ProcessOptions,
    onOutcome?: (outcome: TaskOutcome) => void,
  ): Promise<TaskOutcome[]>;
  close(): Promise<void>;
}

/** Options of {@link startRunner}. */
export interface RunnerOptions extends Omit<OpenModelOptions, 'onWarning'> {
  /** Workers to start; 0 or 1 runs in this thread. Default: cores, at most the image count. */
  readonly concurrency?: number;
  /** Number of images (caps the worker count). */
  readonly images: number;
}

/** What the runner reports about a loaded model (`loadMs`: its loading time). */
export function modelInfo(model: LoadedModel, loadMs: number): ModelInfo {
  return {
    id: model.card.id,
    kind: model.kind,
    architecture: model.card.architecture.type,
    classNames: model.classNames,
    categoryIds: categoryIds(model),
    executionProvider: model.executionProvider,
    inputWidth: model.card.input.width,
    inputHeight: model.card.input.height,
    cardPath: model.cardPath,
    loadMs,
  };
}

/** Serialised error crossing the worker boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly file?: string;
}

export function toWireError(error: unknown): WireError {
  const e = error as { name?: string; message?: string; code?: unknown; file?: string };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    code: typeof e?.code === 'string' ? e.code : undefined,
    ...(typeof e?.file === 'string' && { file: e.file }),
  };
}

/** An error re-created on this side of the worker boundary (keeps name, code, message). */
export class WorkerError extends OcelotError {
  constructor(wire: WireError) {
    super(wire.code ?? 'E_WORKER', wire.message);
    this.name = wire.name;
  }
}

/** Messages between the pool and a worker. */
export type ToWorker =
  | { readonly type: 'task'; readonly task: ImageTask; readonly options: ProcessOptions }
  | { readonly type: 'close' };
export type FromWorker =
  | { readonly type: 'ready'; readonly info: ModelInfo }
  | { readonly type: 'init-error'; readonly error: WireError }
  | { readonly type: 'result'; readonly result: ImageResult }
  | { readonly type: 'failed'; readonly index: number; readonly error: WireError }
  | { readonly type: 'closed' };

/** Data a worker starts with. */
export interface WorkerInit {
  readonly cardPath: string;
  readonly open: Omit<OpenModelOptions, 'onWarning'>;
}

/** Runs every task in this thread, one after another. */
export async function runInThread(
  model: LoadedModel,
  tasks: readonly ImageTask[],
  options: ProcessOptions,
  onOutcome?: (outcome: TaskOutcome) => void,
): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const task of tasks) {
    let outcome: TaskOutcome;
    try {
      outcome = { ok: true, result: await processImage(model, task, options) };
    } catch (error) {
      outcome = {
        ok: false,
        index: task.index,
        error:
          error instanceof ImageFailedError
            ? error
            : new ImageFailedError(task.display, String(error)),
      };
    }
    outcomes.push(outcome);
    onOutcome?.(outcome);
  }
  return outcomes;
}

async function threadRunner(cardPath: string, options: RunnerOptions): Promise<ImageRunner> {
  const start = performance.now();
  const model = await openModel(cardPath, options);
  const info = modelInfo(model, performance.now() - start);
  return {
    info,
    workers: 0,
    run: (tasks, processOptions, onOutcome) => runInThread(model, tasks, processOptions, onOutcome),
    close: () => model.dispose(),
  };
}

/** The worker entry and how to start it (sources under vitest/tsx, dist/ when built). */
function workerSpec(): { url: URL; execArgv: string[] | undefined; bootstrap: boolean } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  return fromSource
    ? { url, execArgv: ['--conditions=@ocelot/source'], bootstrap: true }
    : { url, execArgv: undefined, bootstrap: false };
}

function startWorker(init: WorkerInit): Worker {
  const spec = workerSpec();
  if (!spec.bootstrap) return new Worker(spec.url, { workerData: init });
  // Running from TypeScript sources (tests): register tsx in the worker before importing.
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = [
    `const { register } = await import(${JSON.stringify(tsx)});`,
    'register();',
    `await import(${JSON.stringify(spec.url.href)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
    workerData: init,
    ...(spec.execArgv && { execArgv: spec.execArgv }),
  });
}

class PoolRunner implements ImageRunner {
  readonly info: ModelInfo;
  readonly workers: number;
  readonly #workers: Worker[];
  #closed = false;

  constructor(workers: Worker[], info: ModelInfo) {
    this.#workers = workers;
    this.workers = workers.length;
    this.info = info;
  }

  run(
    tasks: readonly ImageTask[],
    options: ProcessOptions,
    onOutcome?: (outcome: TaskOutcome) => void,
  ): Promise<TaskOutcome[]> {
    return new Promise((resolvePromise, reject) => {
      const outcomes: (TaskOutcome | undefined)[] = new Array(tasks.length);
      const position = new Map(tasks.map((t, i) => [t.index, i]));
      let next = 0;
      let done = 0;
      let failed = false;
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error) => {
        if (failed) return;
        for (const c of cleanups) c();
        if (error) {
          failed = true;
          reject(error);
        } else {
          resolvePromise(outcomes as TaskOutcome[]);
        }
      };
      const feed = (worker: Worker) => {
        if (next >= tasks.length) return;
        const task = tasks[next++]!;
        worker.postMessage({ type: 'task', task, options } satisfies ToWorker);
      };
      if (tasks.length === 0) {
        resolvePromise([]);
        return;
      }
      for (const worker of this.#workers) {
        const onMessage = (message: FromWorker) => {
          let outcome: TaskOutcome | undefined;
          if (message.type === 'result') {
            outcome = { ok: true, result: message.result };
          } else if (message.type === 'failed') {
            const task = tasks[position.get(message.index)!]!;
            outcome = {
              ok: false,
              index: message.index,
              error: new ImageFailedError(
                message.error.file ?? task.display,
                message.error.message,
                message.error.code,
              ),
            };
          }
          if (!outcome) return;
          const index = outcome.ok ? outcome.result.index : outcome.index;
          outcomes[position.get(index)!] = outcome;
          done++;
          onOutcome?.(outcome);
          if (done === tasks.length) finish();
          else feed(worker);
        };
        const onError = (error: Error) =>
          finish(new OcelotError('E_WORKER', `a worker failed: ${error.message}`));
        const onExit = (code: number) =>
          finish(new OcelotError('E_WORKER', `a worker stopped unexpectedly (exit code ${code})`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        });
        feed(worker);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<void>((resolveClose) => {
            const timer = setTimeout(() => {
              void worker.terminate().then(() => resolveClose());
            }, 5000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolveClose();
            });
            worker.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }
}

async function poolRunner(
  cardPath: string,
  count: number,
  options: RunnerOptions,
): Promise<ImageRunner> {
  const { concurrency: _c, images: _i, ...open } = options;
  const workers: Worker[] = [];
  const start = performance.now();
  try {
    const infos = await Promise.all(
      Array.from({ length: count }, () => {
        const worker = startWorker({ cardPath, open });
        workers.push(worker);
        return new Promise<ModelInfo>((resolveReady, reject) => {
          const onMessage = (message: FromWorker) => {
            if (message.type === 'ready') {
              worker.off('error', onError);
              worker.off('exit', onExit);
              worker.off('message', onMessage);
              resolveReady(message.info);
            } else if (message.type === 'init-error') {
              reject(new WorkerError(message.error));
            }
          };
          const onError = (error: Error) =>
            reject(new OcelotError('E_WORKER', `a worker failed to start: ${error.message}`));
          const onExit = (code: number) =>
            reject(
              new OcelotError('E_WORKER', `a worker stopped while loading (exit code ${code})`),
            );
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
        });
      }),
    );
    return new PoolRunner(workers, { ...infos[0]!, loadMs: performance.now() - start });
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
}

/** The number of workers a run of `images` images gets. */
export function workerCount(concurrency: number | undefined, images: number): number {
  const wanted = concurrency ?? availableParallelism();
  return Math.max(0, Math.min(wanted, images));
}

/**
 * Loads the model — in this thread for one image or `concurrency` ≤ 1, else in each of
 * `min(concurrency, images)` workers — and returns a runner. Close it when done.
 * @throws the model's loading error (card, architecture, files), as in `openModel`
 */
export async function startRunner(cardPath: string, options: RunnerOptions): Promise<ImageRunner> {
  const count = workerCount(options.concurrency, options.images);
  if (count <= 1) return threadRunner(cardPath, options);
  return poolRunner(cardPath, count, options);
}
