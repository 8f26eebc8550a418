/**
 * The real program: builds this package's dist/ with tsc, then runs bin/ocelot.js as a child
 * process. Needs the dist/ of the packages it imports (core, datasets, metrics), which
 * `pnpm test` builds first (turbo's ^build); skipped when they are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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
].map((p) => fileURLToPath(new URL(`../../${p}`, import.meta.url)));
const built = dependencies.every((p) => existsSync(p));

async function ocelot(args: string[], cwd = packageDir) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '' },
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
