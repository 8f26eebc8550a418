import { describe, expect, it } from 'vitest';
import { RunClock, timedSession } from './timing.js';
import type { Session } from './types.js';

describe('RunClock', () => {
  it('splits a call into pre, model (summed runs) and post', () => {
    const clock = new RunClock();
    clock.begin(100);
    clock.record(110, 150); // first run: pre = 10
    clock.record(160, 170); // a second graph (composed models)
    expect(clock.end(200)).toEqual({ preMs: 10, modelMs: 50, postMs: 40, totalMs: 100 });
  });

  it('counts a call without runs as pre-processing only', () => {
    const clock = new RunClock();
    clock.begin(0);
    expect(clock.end(8)).toEqual({ preMs: 8, modelMs: 0, postMs: 0, totalMs: 8 });
  });

  it('takes pre-processing up to the earliest run start when runs finish out of order', () => {
    const clock = new RunClock();
    clock.begin(0);
    clock.record(6, 9); // started later, finished first
    clock.record(4, 12);
    expect(clock.end(20)).toEqual({ preMs: 4, modelMs: 11, postMs: 5, totalMs: 20 });
  });

  it('starts afresh at every begin', () => {
    const clock = new RunClock();
    clock.begin(0);
    clock.record(1, 2);
    clock.begin(10);
    clock.record(12, 15);
    expect(clock.end(20)).toMatchObject({ preMs: 2, modelMs: 3, postMs: 5 });
  });
});

describe('timedSession', () => {
  function fakeSession(log: string[]): Session {
    return {
      name: 'fake',
      inputs: [{ name: 'images', type: 'float32', dims: [1, 3, 2, 2] }],
      outputs: [],
      executionProvider: 'wasm',
      providerAttempts: [{ provider: 'wasm', ok: true, ms: 1 }],
      metadata: { k: 'v' },
      modelInfo: {} as Session['modelInfo'],
      sha256: 'a'.repeat(64),
      async run(feeds) {
        log.push(`run ${Object.keys(feeds).join()}`);
        await new Promise((r) => setTimeout(r, 15));
        return {};
      },
      async runRaw() {
        log.push('runRaw');
        throw new Error('boom');
      },
      async dispose() {
        log.push('dispose');
      },
      [Symbol.dispose]() {
        log.push('sync dispose');
      },
      async [Symbol.asyncDispose]() {
        log.push('async dispose');
      },
    };
  }

  it('delegates everything and times runs, failed ones included', async () => {
    const log: string[] = [];
    const inner = fakeSession(log);
    const clock = new RunClock();
    const s = timedSession(inner, clock);
    expect([s.name, s.executionProvider, s.sha256, s.metadata, s.inputs]).toEqual([
      inner.name,
      inner.executionProvider,
      inner.sha256,
      inner.metadata,
      inner.inputs,
    ]);
    expect(s.providerAttempts).toBe(inner.providerAttempts);
    clock.begin();
    await s.run({ images: { data: new Float32Array(12), dims: [1, 3, 2, 2] } });
    await expect(s.runRaw({})).rejects.toThrow('boom');
    const t = clock.end();
    expect(t.modelMs).toBeGreaterThanOrEqual(14);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.preMs + t.modelMs);
    await s.dispose();
    s[Symbol.dispose]();
    await s[Symbol.asyncDispose]();
    expect(log).toEqual(['run images', 'runRaw', 'dispose', 'sync dispose', 'async dispose']);
  });
});
