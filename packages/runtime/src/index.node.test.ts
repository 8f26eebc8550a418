import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, OcelotError } from '@ocelot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  ExecutionProviderError,
  InferenceError,
  InvalidFeedError,
  ModelLoadError,
  type Session,
  SessionDisposedError,
  UnsupportedOperatorError,
  createSession,
  createTensor,
  defaultExecutionProviders,
  parseUltralyticsMetadata,
  runtimeBackend,
} from './index.node.js';
import { FIXTURES, maxAbsDiff, recipeInput } from './test-utils/fixtures.js';
import { fixtureBytes, fixturePath, tinyReference } from './test-utils/node-fixtures.js';

const ref = tinyReference();
const quiet = { onWarning: () => {} };
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ocelot-runtime-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** True when this machine has no device node a GPU provider could use. */
function machineHasNoGpu(): boolean {
  const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('render'));
  const nvidia = existsSync('/dev/nvidia0');
  return process.platform === 'linux' && !dri && !nvidia;
}

describe('createSession (node entry)', () => {
  it('is the onnxruntime-node entry with the node provider order', () => {
    expect(runtimeBackend).toBe('onnxruntime-node');
    expect(defaultExecutionProviders).toEqual(['cuda', 'webgpu', 'cpu']);
  });

  it('matches PyTorch on the tiny model within 1e-4 and exposes the signature and metadata', async () => {
    const session = await createSession(fixturePath(FIXTURES.tiny), {
      executionProviders: ['cpu'],
    });
    try {
      expect(session.executionProvider).toBe('cpu');
      expect(session.inputs).toEqual([{ name: 'images', type: 'float32', dims: [1, 3, 64, 64] }]);
      expect(session.outputs).toEqual([
        { name: 'features', type: 'float32', dims: [1, 6, 16, 16] },
        { name: 'logits', type: 'float32', dims: [1, 3] },
      ]);
      expect(session.metadata).toEqual(ref.metadata);
      expect(session.modelInfo.opsets['']).toBe(ref.opset);
      const meta = parseUltralyticsMetadata(session.metadata);
      expect(meta.names).toEqual(['person', 'bicycle', 'traffic light']);
      expect(meta.imgsz).toEqual({ height: 64, width: 64 });
      expect(meta.stride).toBe(4);

      const images = createTensor(recipeInput(ref.input.dims), ref.input.dims);
      const out = await session.run({ images });
      expect(Object.keys(out).sort()).toEqual(['features', 'logits']);
      expect(out.features!.dims).toEqual(ref.outputs.features!.dims);
      expect(out.logits!.dims).toEqual(ref.outputs.logits!.dims);
      expect(out.features!.type).toBe('float32');
      expect(out.features!.data).toBeInstanceOf(Float32Array);
      expect(maxAbsDiff(out.features!.data as Float32Array, ref.features)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.logits!.data as Float32Array, ref.logits)).toBeLessThan(1e-4);
    } finally {
      await session.dispose();
    }
  });

  it('falls back from cuda and webgpu to cpu quickly, recording why', async () => {
    const t0 = performance.now();
    const session = await createSession(fixtureBytes(FIXTURES.tiny), quiet);
    const elapsed = performance.now() - t0;
    try {
      const attempts = session.providerAttempts;
      expect(attempts.map((a) => a.provider)).toEqual(
        defaultExecutionProviders.slice(0, attempts.length),
      );
      const last = attempts.at(-1)!;
      expect(last.ok).toBe(true);
      expect(last.provider).toBe(session.executionProvider);
      for (const a of attempts.slice(0, -1)) {
        expect(a.ok).toBe(false);
        expect(a.reason).toMatch(/\w/);
      }
      if (machineHasNoGpu()) {
        expect(session.executionProvider).toBe('cpu');
        expect(attempts[0]!.reason).toMatch(/cuda|CUDA|shared library/);
        expect(attempts[1]!.reason).toMatch(/WebGPU|adapter|webgpu/i);
        // "Fail fast": both GPU attempts together well under 10 s on a GPU-less machine.
        expect(elapsed).toBeLessThan(10_000);
      }
    } finally {
      await session.dispose();
    }
    // A second session does not pay for the failed GPU probes again.
    const t1 = performance.now();
    const again = await createSession(fixtureBytes(FIXTURES.tiny), quiet);
    await again.dispose();
    if (machineHasNoGpu()) {
      expect(again.providerAttempts.slice(0, -1).every((a) => a.ms === 0)).toBe(true);
      expect(performance.now() - t1).toBeLessThan(2_000);
    }
  });

  it('skips unknown providers with a reason and fails with ExecutionProviderError when none work', async () => {
    const s = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: ['dml', 'cpu'],
    });
    expect(s.executionProvider).toBe('cpu');
    expect(s.providerAttempts[0]).toMatchObject({ provider: 'dml', ok: false, ms: 0 });
    expect(s.providerAttempts[0]!.reason).toMatch(/not available in this onnxruntime-node build/);
    await s.dispose();

    // onnxruntime's option objects work as entries too.
    const withOptions = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: [{ name: 'cpu', useArena: false }],
    });
    expect(withOptions.executionProvider).toBe('cpu');
    await withOptions.dispose();

    const error = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: ['dml', 'nonsense'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionProviderError);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ExecutionProviderError).attempts.map((a) => a.provider)).toEqual([
      'dml',
      'nonsense',
    ]);
    expect((error as Error).message).toMatch(/dml: .*nonsense: /);
  });

  it('runs a model with symbolic dims and reports them', async () => {
    const session = await createSession(fixturePath(FIXTURES.tinyDynamic), {
      executionProviders: ['cpu'],
      warmup: { runs: 2, dims: { height: 32, width: 32 } },
      threads: 1,
      graphOptimizationLevel: 'basic',
    });
    try {
      expect(session.inputs[0]!.dims).toEqual(['batch', 3, 'height', 'width']);
      expect(session.outputs[1]!.dims).toEqual(['batch', 3]);
      const dims = ref.dynamic.inputDims;
      const out = await session.run({ images: { data: recipeInput(dims), dims } });
      expect(out.features!.dims).toEqual(ref.dynamic.featuresDims);
      expect(maxAbsDiff(out.logits!.data as Float32Array, ref.dynamic.logits)).toBeLessThan(1e-4);
      const only = await session.run(
        { images: { data: recipeInput(dims), dims } },
        { outputs: ['logits'] },
      );
      expect(Object.keys(only)).toEqual(['logits']);
      await expect(
        session.run({ images: { data: recipeInput(dims), dims } }, { outputs: ['nope'] }),
      ).rejects.toThrow(InvalidArgumentError);
    } finally {
      await session.dispose();
    }
  });

  it('returns outputs the caller owns, fresh on every run', async () => {
    const session = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: ['cpu'],
    });
    const images = createTensor(recipeInput([1, 3, 64, 64]), [1, 3, 64, 64]);
    const a = await session.run({ images });
    const b = await session.run({ images });
    expect(a.logits!.data).not.toBe(b.logits!.data);
    expect(a.logits!.data.buffer).not.toBe(b.logits!.data.buffer);
    (a.logits!.data as Float32Array).fill(123);
    const c = await session.run({ images });
    expect(maxAbsDiff(c.logits!.data as Float32Array, ref.logits)).toBeLessThan(1e-4);
    // Queued concurrent runs give identical answers.
    const many = await Promise.all(Array.from({ length: 6 }, () => session.run({ images })));
    for (const m of many)
      expect(Array.from(m.logits!.data as Float32Array)).toEqual(
        Array.from(c.logits!.data as Float32Array),
      );
    await session.dispose();
  });
});

describe('feed validation (before onnxruntime)', () => {
  let session: Session;
  beforeAll(async () => {
    session = await createSession(fixturePath(FIXTURES.tiny), { executionProviders: ['cpu'] });
  });
  afterAll(() => session.dispose());

  const good = () => createTensor(new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);

  it('names an unknown input and lists the real ones', async () => {
    const e = (await session.run({ image: good() }).catch((x: unknown) => x)) as InvalidFeedError;
    expect(e).toBeInstanceOf(InvalidFeedError);
    expect(e).toBeInstanceOf(OcelotError);
    expect(e.code).toBe('E_INVALID_FEED');
    expect(e.input).toBe('image');
    expect(e.message).toContain('unknown input "image"');
    expect(e.message).toContain('inputs images');
    expect(e.model).toBe(fixturePath(FIXTURES.tiny));
  });

  it('names a missing input with its expected type and shape', async () => {
    const e = (await session.run({}).catch((x: unknown) => x)) as InvalidFeedError;
    expect(e).toBeInstanceOf(InvalidFeedError);
    expect(e.message).toContain('missing input "images"');
    expect(e.expected).toBe('float32 [1,3,64,64]');
  });

  it('rejects a dtype mismatch', async () => {
    const e = (await session
      .run({ images: createTensor(new Int32Array(3 * 64 * 64), [1, 3, 64, 64]) })
      .catch((x: unknown) => x)) as InvalidFeedError;
    expect(e).toBeInstanceOf(InvalidFeedError);
    expect(e.message).toContain('wrong dtype');
    expect(e.expected).toBe('float32 [1,3,64,64]');
    expect(e.actual).toBe('int32 [1,3,64,64]');
  });

  it('rejects wrong rank and wrong fixed dims', async () => {
    const rank = (await session
      .run({ images: createTensor(new Float32Array(3 * 64 * 64), [3, 64, 64]) })
      .catch((x: unknown) => x)) as InvalidFeedError;
    expect(rank).toBeInstanceOf(InvalidFeedError);
    expect(rank.message).toMatch(/wrong rank \(3 instead of 4\)/);
    expect(rank.actual).toBe('float32 [3,64,64]');
    const dims = (await session
      .run({ images: createTensor(new Float32Array(3 * 32 * 32), [1, 3, 32, 32]) })
      .catch((x: unknown) => x)) as InvalidFeedError;
    expect(dims).toBeInstanceOf(InvalidFeedError);
    expect(dims.message).toContain('wrong size on axis 2 (32 instead of 64)');
  });

  it('rejects data that does not fit its own dims or type, and non-tensors', async () => {
    await expect(
      session.run({ images: { data: new Float32Array(10), dims: [1, 3, 64, 64] } }),
    ).rejects.toThrow(/data has 10 elements but dims \[1,3,64,64\] need 12288/);
    await expect(
      session.run({
        images: { data: new Float32Array(12288), dims: [1, 3, 64, 64], type: 'int32' },
      }),
    ).rejects.toThrow(/type "int32" does not match its Float32Array data/);
    await expect(
      session.run({ images: { data: [1, 2, 3] as unknown as Float32Array, dims: [3] } }),
    ).rejects.toThrow(/data must be a typed array/);
    await expect(session.run(null as never)).rejects.toThrow(InvalidFeedError);
  });

  it('wraps an onnxruntime failure after validation in InferenceError with the cause', async () => {
    const dynamic = await createSession(fixturePath(FIXTURES.tinyDynamic), {
      executionProviders: ['cpu'],
    });
    // 0x0 passes validation (symbolic dims) but the first Conv rejects it inside onnxruntime.
    const e = (await dynamic
      .run({ images: createTensor(new Float32Array(0), [1, 3, 0, 0]) })
      .catch((x: unknown) => x)) as InferenceError;
    await dynamic.dispose();
    expect(e).toBeInstanceOf(InferenceError);
    expect(e.message).toContain(fixturePath(FIXTURES.tinyDynamic));
    expect(e.cause).toBeInstanceOf(Error);
  });
});

describe('model loading errors', () => {
  it('a missing file is ModelLoadError E_MODEL_NOT_FOUND naming the path', async () => {
    const path = join(tmp, 'nope.onnx');
    const e = (await createSession(path).catch((x: unknown) => x)) as ModelLoadError;
    expect(e).toBeInstanceOf(ModelLoadError);
    expect(e.code).toBe('E_MODEL_NOT_FOUND');
    expect(e.message).toContain(path);
    expect(e.model).toBe(path);
  });

  it('a truncated file is E_MODEL_CORRUPT, reported before onnxruntime', async () => {
    const bytes = fixtureBytes(FIXTURES.tiny);
    const path = join(tmp, 'truncated.onnx');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const e = (await createSession(path).catch((x: unknown) => x)) as ModelLoadError;
    expect(e).toBeInstanceOf(ModelLoadError);
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toMatch(/truncated/);
    expect(e.message).toContain(`file has ${Math.floor(bytes.length * 0.6)} bytes`);
  });

  it('a corrupted file is E_MODEL_CORRUPT or a ModelLoadError from onnxruntime, never a raw error', async () => {
    const bytes = fixtureBytes(FIXTURES.tiny).slice();
    // Overwrite a stretch in the middle of the graph (weights and node headers) with 0xff.
    bytes.fill(0xff, 200, 260);
    const path = join(tmp, 'corrupted.onnx');
    writeFileSync(path, bytes);
    const e = await createSession(path, { executionProviders: ['cpu'] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as ModelLoadError).message).toContain(path);
    const garbage = join(tmp, 'garbage.onnx');
    writeFileSync(garbage, 'this is not an onnx model at all');
    const g = (await createSession(garbage).catch((x: unknown) => x)) as ModelLoadError;
    expect(g).toBeInstanceOf(ModelLoadError);
    expect(g.code).toBe('E_MODEL_CORRUPT');
    const empty = (await createSession(new Uint8Array(0)).catch(
      (x: unknown) => x,
    )) as ModelLoadError;
    expect(empty.code).toBe('E_MODEL_CORRUPT');
    expect(empty.message).toContain('in-memory model');
  });

  it('a checksum mismatch names expected and actual digests', async () => {
    const wrong = 'ab'.repeat(32);
    const e = (await createSession(fixturePath(FIXTURES.tiny), { sha256: wrong }).catch(
      (x: unknown) => x,
    )) as ChecksumMismatchError;
    expect(e).toBeInstanceOf(ChecksumMismatchError);
    expect(e.code).toBe('E_CHECKSUM_MISMATCH');
    expect(e.expected).toBe(wrong);
    expect(e.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(e.message).toContain(wrong);
    expect(e.message).toContain(e.actual);
    // The right digest (upper case accepted) passes and is reported.
    const ok = await createSession(fixturePath(FIXTURES.tiny), {
      sha256: e.actual.toUpperCase(),
      executionProviders: ['cpu'],
    });
    expect(ok.sha256).toBe(e.actual);
    await ok.dispose();
    await expect(createSession(fixturePath(FIXTURES.tiny), { sha256: 'abc' })).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it('an unsupported operator names the operator, its domain and the provider, keeping the cause', async () => {
    const e = (await createSession(fixturePath(FIXTURES.unsupported), {
      executionProviders: ['cpu'],
    }).catch((x: unknown) => x)) as UnsupportedOperatorError;
    expect(e).toBeInstanceOf(UnsupportedOperatorError);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect(e.code).toBe('E_UNSUPPORTED_OPERATOR');
    expect(e.operator).toBe('Frobnicate');
    expect(e.domain).toBe('com.ocelot.test');
    expect(e.provider).toBe('cpu');
    expect(e.message).toContain('com.ocelot.test::Frobnicate');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('rejects bad sources and options with InvalidArgumentError', async () => {
    await expect(createSession(42 as never)).rejects.toThrow(InvalidArgumentError);
    await expect(createSession('')).rejects.toThrow(InvalidArgumentError);
    await expect(createSession('ftp://example.invalid/m.onnx')).rejects.toThrow(
      /unsupported URL scheme/,
    );
    await expect(createSession(fixturePath(FIXTURES.tiny), { threads: -1 })).rejects.toThrow(
      /options.threads/,
    );
    await expect(
      createSession(fixturePath(FIXTURES.tiny), { executionProviders: [] }),
    ).rejects.toThrow(/options.executionProviders/);
    await expect(createSession(fixturePath(FIXTURES.tiny), { warmup: -2 })).rejects.toThrow(
      /options.warmup/,
    );
  });

  it('accepts ArrayBuffer and file: URL sources', async () => {
    const bytes = fixtureBytes(FIXTURES.tiny);
    const ab = bytes.slice().buffer;
    const s1 = await createSession(ab, { executionProviders: ['cpu'], name: 'tiny-from-buffer' });
    expect(s1.name).toBe('tiny-from-buffer');
    await s1.dispose();
    const s2 = await createSession(new URL(`file://${fixturePath(FIXTURES.tiny)}`), {
      executionProviders: ['cpu'],
    });
    expect(s2.name).toBe(fixturePath(FIXTURES.tiny));
    await s2.dispose();
  });
});

describe('lifecycle', () => {
  it('dispose releases the session; later runs throw SessionDisposedError', async () => {
    const session = await createSession(fixtureBytes(FIXTURES.tiny), {
      executionProviders: ['cpu'],
    });
    const images = createTensor(new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
    const inFlight = session.run({ images });
    await session.dispose();
    // The run that started before dispose() completes.
    await expect(inFlight).resolves.toHaveProperty('logits');
    await expect(session.run({ images })).rejects.toThrow(SessionDisposedError);
    await session.dispose(); // idempotent
  });

  it('supports Symbol.dispose and Symbol.asyncDispose', async () => {
    const a = await createSession(fixtureBytes(FIXTURES.tiny), { executionProviders: ['cpu'] });
    a[Symbol.dispose]();
    await expect(
      a.run({ images: createTensor(new Float32Array(3 * 64 * 64), [1, 3, 64, 64]) }),
    ).rejects.toThrow(SessionDisposedError);
    const b = await createSession(fixtureBytes(FIXTURES.tiny), { executionProviders: ['cpu'] });
    await b[Symbol.asyncDispose]();
    await expect(b.dispose()).resolves.toBeUndefined();
  });

  it('warm-up failures release the session and surface the error', async () => {
    const e = await createSession(fixturePath(FIXTURES.tinyDynamic), {
      executionProviders: ['cpu'],
      warmup: { runs: 1, dims: { height: 0, width: 0 } }, // Conv rejects a 0x0 image
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InferenceError);
  });
});
