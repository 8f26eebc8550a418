/**
 * A `Session` stand-in for decoder tests: fixed outputs, or outputs computed from the feeds,
 * without onnxruntime.
 */
import type { Session, Tensor, TensorLike, ValueInfo } from '@ocelot/runtime';

export interface FakeSessionOptions {
  readonly inputs?: readonly ValueInfo[];
  readonly outputs:
    | Readonly<Record<string, Tensor>>
    | ((feeds: Readonly<Record<string, TensorLike>>) => Record<string, Tensor>);
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface FakeSession extends Session {
  /** Number of `run` calls. */
  runs: number;
  disposed: boolean;
}

/** A float32 tensor. */
export function f32(data: ArrayLike<number>, dims: readonly number[]): Tensor {
  return { type: 'float32', data: Float32Array.from(data), dims };
}

export function fakeSession(options: FakeSessionOptions): FakeSession {
  const outputsOf = options.outputs;
  const session = {
    name: 'fake',
    inputs: options.inputs ?? [{ name: 'input', type: 'float32', dims: [1, 3, 'h', 'w'] }],
    outputs:
      typeof outputsOf === 'function'
        ? []
        : Object.keys(outputsOf).map((name) => ({ name, type: 'float32', dims: undefined })),
    executionProvider: 'fake',
    providerAttempts: [],
    metadata: options.metadata ?? {},
    modelInfo: {} as Session['modelInfo'],
    sha256: '0'.repeat(64),
    runs: 0,
    disposed: false,
    async run(feeds: Readonly<Record<string, TensorLike>>) {
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
