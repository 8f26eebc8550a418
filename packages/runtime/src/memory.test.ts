/**
 * 1000 inferences after warm-up must not grow the process: RSS and the JS heap + external
 * (ArrayBuffer) memory stay within 10 %. This file runs in its own forked process (vitest
 * `pool: 'forks'`), so RSS is this test's alone. The run uses a 256x256 input so that keeping
 * any per-run buffer alive (feeds: 768 KB, outputs: 98 KB) would add 98 MB or more over 1000
 * runs, several times the 10 % allowance.
 */
import { describe, expect, it } from 'vitest';
import { createSession, createTensor } from './index.node.js';
import { FIXTURES, recipeInput } from './test-utils/fixtures.js';
import { fixtureBytes } from './test-utils/node-fixtures.js';

const gc = (globalThis as { gc?: () => void }).gc;

function settle(): void {
  if (gc) {
    gc();
    gc();
  }
}

function snapshot(): { rss: number; js: number } {
  settle();
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.external + m.arrayBuffers };
}

describe('memory', () => {
  it('1000 runs after warm-up keep RSS and JS memory within 10 %', {
    timeout: 180_000,
  }, async () => {
    expect(gc, 'run with --expose-gc (see vitest.config.ts)').toBeTypeOf('function');
    const dims = [1, 3, 256, 256];
    const input = recipeInput(dims);
    const session = await createSession(fixtureBytes(FIXTURES.tinyDynamic), {
      executionProviders: ['cpu'],
      threads: 1,
      warmup: { runs: 50, dims: { height: 256, width: 256 } },
    });
    let checksum = 0;
    const runBatch = async (n: number) => {
      for (let i = 0; i < n; i++) {
        // A fresh feed every run, as callers do.
        const out = await session.run({ images: createTensor(input.slice(), dims) });
        checksum += (out.logits!.data as Float32Array)[0]!;
      }
    };
    await runBatch(100); // let onnxruntime's arena and V8 reach their steady state
    const before = snapshot();
    await runBatch(1000);
    const after = snapshot();
    await session.dispose();

    const rssGrowth = (after.rss - before.rss) / before.rss;
    const jsGrowth = (after.js - before.js) / before.js;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    const report = `RSS ${mb(before.rss)} -> ${mb(after.rss)}, JS heap+external ${mb(before.js)} -> ${mb(after.js)}`;
    expect(Number.isFinite(checksum)).toBe(true);
    expect(rssGrowth, report).toBeLessThan(0.1);
    expect(jsGrowth, report).toBeLessThan(0.1);
  });
});
