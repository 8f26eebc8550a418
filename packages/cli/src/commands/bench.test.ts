import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONST_DETECTOR, ocelot, RGB_SEGMENTER, tempDir, writeImage } from '../test-utils/cli.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
  await writeImage(join(tmp.dir, 'a.png'), 96, 80);
});
afterAll(async () => {
  await tmp.remove();
});

describe('ocelot bench', () => {
  it('times pre / model / post of one model on the images given', async () => {
    const r = await ocelot(
      ['bench', 'a.png', '-m', CONST_DETECTOR, '--runs', '5', '--warmup', '1', '--json'],
      {
        cwd: tmp.dir,
      },
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      model: 'const-detector',
      kind: 'detect',
      executionProvider: 'cpu',
      threads: 1,
      input: { width: 64, height: 64 },
      images: [{ name: 'a.png', width: 96, height: 80 }],
      runs: 5,
      warmup: 1,
    });
    for (const stage of ['pre', 'run', 'post', 'total'] as const) {
      expect(json[stage].medianMs).toBeGreaterThanOrEqual(0);
      expect(json[stage].meanMs).toBeGreaterThanOrEqual(0);
    }
    // the stages add up to the total (means of per-run sums)
    expect(json.pre.meanMs + json.run.meanMs + json.post.meanMs).toBeCloseTo(json.total.meanMs, 6);
    expect(json.run.meanMs).toBeGreaterThan(0);
    expect(json.imagesPerSecond).toBeGreaterThan(0);
  });

  it('prints a table; without images it uses a generated test image at the input size', async () => {
    const r = await ocelot(
      ['bench', '-m', RGB_SEGMENTER, '--runs', '3', '--models-dir', join(tmp.dir, 'nowhere')],
      {
        cwd: tmp.dir,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rgb-segmenter \(fcn, semantic\) on cpu, 1 thread, input 32×32\n/);
    // the repository's sample scenes when it has them, else a generated image
    expect(r.stdout).toMatch(/\nimages: (generated 32×32 \(32×32\)|.*000000\.png \(256×256\).*)\n/);
    expect(r.stdout).toMatch(
      /\n {2}stage {2}median ms {3}mean ms {2}share\n {2}pre +[\d.]+ +[\d.]+ +\d+%\n {2}model +[\d.]+/,
    );
    expect(r.stdout).toMatch(
      /\n[\d.]+ images\/s \(one stream\); pre \+ post = [\d.]+% of the time\n$/,
    );
  });

  it('names a bad image and checks its options', async () => {
    const missing = await ocelot(['bench', 'nope.png', '-m', CONST_DETECTOR], { cwd: tmp.dir });
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'ocelot: error: nope.png: no such file or folder\n',
    });
    const runs = await ocelot(['bench', '-m', CONST_DETECTOR, '--runs', '0'], { cwd: tmp.dir });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain("--runs must be an integer >= 1; got '0'");
  });
});
