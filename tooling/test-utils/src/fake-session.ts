/**
 * A `Session` stand-in for decoder tests: fixed outputs, or outputs computed from the feeds,
 * without onnxruntime.
 */
import type { Session, Tensor, TensorLike, ValueInfo } from '@ocelot/runtime';

export interface FakeSessionOptions {
  /** The model inputs; default one float32 `[1, 3, h, w]` input named `images`. */
  readonly inputs?: readonly ValueInfo[];
  readonly outputs:
    | Readonly<Record<string, Tensor>>
    | ((feeds: Readonly<Record<string, TensorLike>>) => Record<string, Tensor>);
  readonly metadata?: Readonly<Record<string, string>>;
  readonly name?: string;
  /**
   * Keep the feeds of every `run` in `calls` (default true). Off for tests with many large
   * runs, which would otherwise hold every input tensor (and skew memory measurements).
   */
  readonly recordFeeds?: boolean;
}

export interface FakeSession extends Session {
  /** Feeds of every `run`, in order (empty with `recordFeeds: false`). */
  readonly calls: Record<string, TensorLike>[];
  /** Number of `run` calls. */
  runs: number;
  disposed: boolean;
}

/** A float32 tensor. */
export function f32(data: ArrayLike<number>, dims: readonly number[]): Tensor {
  return { type: 'float32', data: Float32Array.from(data), dims };
}

/** The single float32 `[1, 3, h, w]` image input called `name`. */
export function imageInput(name: string): ValueInfo[] {
  return [{ name, type: 'float32', dims: [1, 3, 'h', 'w'] }];
}

export function fakeSession(options: FakeSessionOptions): FakeSession {
  const calls: Record<string, TensorLike>[] = [];
  const outputsOf = options.outputs;
  const outputNames = typeof outputsOf === 'function' ? [] : Object.keys(outputsOf);
  const session = {
    name: options.name ?? 'fake',
    inputs: options.inputs ?? imageInput('images'),
    outputs: outputNames.map((name) => ({ name, type: 'float32', dims: undefined })),
    executionProvider: 'fake',
    providerAttempts: [],
    metadata: options.metadata ?? {},
    modelInfo: {} as Session['modelInfo'],
    sha256: '0'.repeat(64),
    calls,
    runs: 0,
    disposed: false,
    async run(feeds: Readonly<Record<string, TensorLike>>) {
      if (options.recordFeeds !== false) calls.push({ ...feeds });
      session.runs++;
      return typeof outputsOf === 'function' ? outputsOf(feeds) : { ...outputsOf };
    },
    async runRaw(): Promise<never> {
      throw new Error('runRaw is not faked');
    },
    async dispose() {
      session.disposed = true;
    },
    [Symbol.dispose]() {
      session.disposed = true;
    },
    async [Symbol.asyncDispose]() {
      session.disposed = true;
    },
  };
  return session as unknown as FakeSession;
}

/** A build context serving one session for every role. */
export function contextOf(session: Session): { loadSession(role: string): Promise<Session> } {
  return { loadSession: async () => session };
}
