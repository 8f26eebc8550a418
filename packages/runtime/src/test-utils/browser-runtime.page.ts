/**
 * Page module for index.browser.test.ts, run in Chromium by @ocelot/browser-test. It imports
 * the adapter's browser entry (the file the `browser` export condition points to) and returns
 * plain JSON.
 */
import * as ort from 'onnxruntime-web';
import {
  type CreateSessionOptions,
  type Session,
  createSession,
  createTensor,
  parseUltralyticsMetadata,
  runtimeBackend,
} from '../index.browser.js';
import { recipeInput } from './fixtures.js';

interface ErrorInfo {
  name: string;
  code: string | undefined;
  message: string;
  fields: Record<string, unknown>;
  hasCause: boolean;
}

function describeError(error: unknown): ErrorInfo {
  const e = error as Error & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of ['model', 'input', 'expected', 'actual', 'operator', 'domain', 'provider']) {
    if (key in e) fields[key] = e[key];
  }
  return {
    name: e?.name ?? typeof error,
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: String(e?.message ?? error),
    fields,
    hasCause: e?.cause !== undefined,
  };
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: T } | { error: ErrorInfo }> {
  try {
    return { ok: await promise };
  } catch (error) {
    return { error: describeError(error) };
  }
}

export interface ParityInput {
  readonly modelUrl: string;
  readonly sha256: string;
  readonly wasmPaths: string;
  readonly threads?: number;
}

async function parity(input: ParityInput) {
  const warnings: string[] = [];
  const options: CreateSessionOptions = {
    sha256: input.sha256,
    wasmPaths: input.wasmPaths,
    onWarning: (m) => warnings.push(m),
    ...(input.threads !== undefined ? { threads: input.threads } : {}),
  };
  const session = await createSession(input.modelUrl, options);
  try {
    const out = await session.run({
      images: createTensor(recipeInput([1, 3, 64, 64]), [1, 3, 64, 64]),
    });
    return {
      runtimeBackend,
      crossOriginIsolated: globalThis.crossOriginIsolated,
      numThreads: ort.env.wasm.numThreads,
      executionProvider: session.executionProvider,
      attempts: session.providerAttempts,
      inputs: session.inputs,
      outputs: session.outputs,
      metadata: session.metadata,
      ultralytics: parseUltralyticsMetadata(session.metadata),
      sha256: session.sha256,
      features: {
        dims: out.features!.dims,
        type: out.features!.type,
        data: Array.from(out.features!.data as Float32Array),
      },
      logits: {
        dims: out.logits!.dims,
        type: out.logits!.type,
        data: Array.from(out.logits!.data as Float32Array),
      },
      warnings,
    };
  } finally {
    await session.dispose();
  }
}

export interface ErrorsInput {
  readonly modelUrl: string;
  readonly unsupportedUrl: string;
  readonly wasmPaths: string;
}

async function errors(input: ErrorsInput) {
  const base = { wasmPaths: input.wasmPaths, executionProviders: ['wasm'] };
  const bytes = new Uint8Array(await (await fetch(input.modelUrl)).arrayBuffer());
  const truncated = await settle(createSession(bytes.slice(0, Math.floor(bytes.length / 2)), base));
  const checksum = await settle(createSession(input.modelUrl, { ...base, sha256: '0'.repeat(64) }));
  const missing = await settle(
    createSession(new URL('/fixtures/missing.onnx', location.href), base),
  );
  const unsupported = await settle(createSession(input.unsupportedUrl, base));
  let feed: { error: ErrorInfo } | { ok: unknown } = { ok: 'no error' };
  let disposed: { error: ErrorInfo } | { ok: unknown } = { ok: 'no error' };
  const session: Session = await createSession(bytes, base);
  feed = await settle(
    session.run({ images: createTensor(new Float32Array(3 * 32 * 32), [1, 3, 32, 32]) }),
  );
  await session.dispose();
  disposed = await settle(
    session.run({ images: createTensor(new Float32Array(3 * 64 * 64), [1, 3, 64, 64]) }),
  );
  return { truncated, checksum, missing, unsupported, feed, disposed };
}

export interface CacheInput {
  readonly modelUrl: string;
  readonly wasmPaths: string;
}

/** Two sessions from one URL: the second comes from Cache Storage. Then `cache: false`. */
async function cache(input: CacheInput) {
  const base = { wasmPaths: input.wasmPaths, executionProviders: ['wasm'] };
  const first = await createSession(input.modelUrl, base);
  await first.dispose();
  const second = await createSession(input.modelUrl, base);
  await second.dispose();
  const cached = await (await caches.open('ocelot-models-v1')).match(
    new URL(input.modelUrl, location.href).href,
  );
  const uncached = await createSession(input.modelUrl, { ...base, cache: false });
  await uncached.dispose();
  return { cachedBytes: cached ? (await cached.arrayBuffer()).byteLength : 0 };
}

export type PageInput =
  | ({ readonly task: 'parity' } & ParityInput)
  | ({ readonly task: 'errors' } & ErrorsInput)
  | ({ readonly task: 'cache' } & CacheInput);

export default async function run(input: PageInput): Promise<unknown> {
  switch (input.task) {
    case 'parity':
      return parity(input);
    case 'errors':
      return errors(input);
    case 'cache':
      return cache(input);
  }
}
