/**
 * A `Session` stand-in for decoder tests: returns fixed outputs (or computes them from the
 * feeds) without onnxruntime.
 */
import type { Session, Tensor, TensorLike, ValueInfo } from '@ocelot/runtime';

export interface FakeSessionOptions {
  readonly inputs?: readonly ValueInfo[];
  readonly outputs:
    | Readonly<Record<string, Tensor>>
    | ((feeds: Readonly<Record<string, TensorLike>>) => Record<string, Tensor>);
  readonly metadata?: Readonly<Record<string, string>>;
  readonly name?: string;
}

/** A float32 tensor. */
export function f32(data: ArrayLike<number>, dims: readonly number[]): Tensor {
  return { type: 'float32', data: Float32Array.from(data), dims };
}

export interface FakeSession extends Session {
  /** Feeds of every `run`, in order. */
  readonly calls: Record<string, TensorLike>[];
  disposed: boolean;
}

export function fakeSession(options: FakeSessionOptions): FakeSession {
  const calls: Record<string, TensorLike>[] = [];
  const outputsOf = options.outputs;
  const outputNames = typeof outputsOf === 'function' ? [] : Object.keys(outputsOf);
  const session = {
    name: options.name ?? 'fake',
    inputs: options.inputs ?? [{ name: 'images', type: 'float32', dims: [1, 3, 'h', 'w'] }],
    outputs: outputNames.map((name) => ({ name, type: 'float32', dims: undefined })),
    executionProvider: 'fake',
    providerAttempts: [],
    metadata: options.metadata ?? {},
    modelInfo: {} as Session['modelInfo'],
    sha256: '0'.repeat(64),
    calls,
    disposed: false,
    async run(feeds: Readonly<Record<string, TensorLike>>) {
      calls.push({ ...feeds });
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
