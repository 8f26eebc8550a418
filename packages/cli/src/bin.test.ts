/**
 * The real program: builds this package's dist/ with tsc, then runs bin/ocelot.js as a child
 * process. Needs the dist/ of the packages it imports (core, datasets, metrics), which
 * `pnpm test` builds first (turbo's ^build); skipped when they are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(packageDir, 'bin', 'ocelot.js');
const seed1 = fileURLToPath(
  new URL('../../metrics/src/__fixtures__/coco-eval/seed1/', import.meta.url),
);
const dependencies = [
  'core/dist/index.js',
  'datasets/dist/node/index.js',
  'metrics/dist/index.js',
  'detectors/dist/node.js',
  'segmenters/dist/index.js',
  'image/dist/index.node.js',
  'runtime/dist/index.node.js',
].map((p) => fileURLToPath(new URL(`../../${p}`, import.meta.url)));
const built = dependencies.every((p) => existsSync(p));

async function ocelot(args: string[], cwd = packageDir, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!built)('bin/ocelot.js (child process, after building)', () => {
  beforeAll(async () => {
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    await run(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], {
      cwd: packageDir,
    });
  }, 120_000);

  it('--help exits 0 with the command list on stdout', async () => {
    const r = await ocelot(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: ocelot <command> [options]');
    expect(r.stderr).toBe('');
  });

  it('usage errors exit 2; a missing file exits 1 naming it', async () => {
    const usage = await ocelot(['eval', 'coco', '--gt', 'a.json']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing required option --dt FILE');
    const missing = await ocelot(['eval', 'coco', '--gt', 'missing.json', '--dt', 'dt.json']);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ocelot: error: missing.json: cannot read: no such file\n',
    });
  });

  it('eval coco prints exactly what pycocotools prints', async () => {
    const expected = JSON.parse(
      await readFile(new URL('./__fixtures__/eval-coco-seed1.json', import.meta.url), 'utf8'),
    );
    const r = await ocelot(
      ['eval', 'coco', '--gt', 'gt.json', '--dt', 'dt_segm.json', '--iou-type', 'segm'],
      seed1,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected.segm.summary);
    expect(r.stderr).toBe('evaluating segm...\n'); // not a TTY: one plain progress line
  });
});

describe.skipIf(!built)('bin/ocelot.js running models (child process, after building)', () => {
  const models = fileURLToPath(new URL('./__fixtures__/models/', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocelot-bin-models-'));
    const { writeImage } = await import('./test-utils/cli.js');
    await mkdir(join(dir, 'imgs'));
    for (const name of ['a', 'b', 'c'])
      await writeImage(join(dir, 'imgs', `${name}.png`), 128, 128);
    await writeFile(join(dir, 'imgs', 'broken.png'), 'not a png');
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('detect: a folder on a pool of two worker threads (built worker.js), one bad image named', async () => {
    const r = await ocelot(
      ['detect', 'imgs', '-m', 'const-detector', '-j', '2', '--out', 'out', '--json'],
      dir,
      {
        OCELOT_MODELS_DIR: models,
      },
    );
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.totals).toMatchObject({ images: 4, failed: 1, workers: 2 });
    expect(json.images.map((i: { file: string }) => i.file)).toEqual([
      'imgs/a.png',
      'imgs/b.png',
      'imgs/c.png',
    ]);
    expect(json.errors).toEqual([
      { file: 'imgs/broken.png', message: 'imgs/broken.png: not a recognised image format' },
    ]);
    expect(json.results).toHaveLength(12);
    expect(r.stderr).toContain('ocelot: error: imgs/broken.png: not a recognised image format\n');
    const written = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'));
    expect(written).toEqual(json.results);
  }, 120_000);

  it('demo: default models and samples from a models folder with defaults.json', async () => {
    const root = join(dir, 'models');
    await mkdir(join(root, 'samples'), { recursive: true });
    const { cp } = await import('node:fs/promises');
    await cp(models, root, { recursive: true });
    await copyFile(join(dir, 'imgs', 'a.png'), join(root, 'samples', 'scene.png'));
    await writeFile(
      join(root, 'defaults.json'),
      JSON.stringify({
        detect: 'const-detector',
        segment: 'rgb-segmenter',
        samples: ['samples/scene.png'],
      }),
    );
    const r = await ocelot(['demo', '--models-dir', 'models', '--out', 'demo-out'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Ocelot demo — 1 sample image, offline, on cpu\n/);
    expect(r.stdout).toContain(
      'detect  const-detector (ultralytics, 3 classes) → demo-out/detect/',
    );
    expect(r.stdout).toContain('segment  rgb-segmenter (fcn, 4 classes) → demo-out/segment/');
    for (const f of [
      'detect/scene.png',
      'detect/results.json',
      'segment/scene.png',
      'segment/scene.labels.png',
    ]) {
      expect(existsSync(join(dir, 'demo-out', f))).toBe(true);
    }
  }, 120_000);
});

describe('bin/ocelot.js without dist/', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocelot-bin-'));
    await mkdir(join(dir, 'bin'));
    await copyFile(bin, join(dir, 'bin', 'ocelot.js'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a one-line hint to build and exits 1', async () => {
    try {
      await run(process.execPath, [join(dir, 'bin', 'ocelot.js'), '--help']);
      expect.unreachable();
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      expect(e.code).toBe(1);
      expect(e.stdout).toBe('');
      expect(e.stderr).toBe(
        'ocelot: @ocelot/cli is not built (packages/cli/dist is missing); run `pnpm build` first\n',
      );
    }
  });
});
