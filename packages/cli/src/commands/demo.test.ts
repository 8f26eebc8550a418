import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../models/store.js';
import { FIXTURE_MODELS, ocelot, tempDir, writeImage } from '../test-utils/cli.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  const models = join(dir, 'models');
  await cp(FIXTURE_MODELS, models, { recursive: true });
  await mkdir(join(models, 'samples', 'images'), { recursive: true });
  await writeImage(join(models, 'samples', 'images', 'one.png'), 64, 64, (x) =>
    x < 32 ? [200, 0, 0] : [0, 0, 200],
  );
  await writeImage(join(models, 'samples', 'images', 'two.png'), 128, 128);
  await writeFile(
    join(models, 'defaults.json'),
    JSON.stringify({
      detect: 'const-detector',
      segment: 'rgb-segmenter',
      samples: ['samples/images/one.png'],
    }),
  );
});
afterAll(async () => {
  await tmp.remove();
});

describe('ocelot demo', () => {
  it('runs the defaults of defaults.json on its samples and writes both outputs', async () => {
    const r = await ocelot(['demo', '--models-dir', 'models'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Ocelot demo — 1 sample image, offline, on cpu');
    expect(r.stdout).toContain(
      '\ndetect  const-detector (ultralytics, 3 classes) → ocelot-out/detect/\n',
    );
    expect(r.stdout).toMatch(
      /\n {2}models\/samples\/images\/one\.png {2}64×64 {2}4 objects: circle 1, square 1, triangle 2 {2}\(\d+ ms\)\n/,
    );
    expect(r.stdout).toContain('\nsegment  rgb-segmenter (fcn, 4 classes) → ocelot-out/segment/\n');
    expect(r.stdout).toMatch(/one\.png {2}64×64 {2}2 classes: red 50\.0%, blue 50\.0%/);
    expect(r.stdout).toMatch(
      /\ndone in [\d.]+ s; open ocelot-out\/detect\/\*\.png and ocelot-out\/segment\/\*\.png\n$/,
    );
    const detections = JSON.parse(
      await readFile(join(dir, 'ocelot-out', 'detect', 'results.json'), 'utf8'),
    );
    expect(detections[0]).toEqual({
      image_id: 1,
      category_id: 10,
      bbox: [8, 8, 16, 16],
      score: 0.9,
    });
    for (const f of ['detect/one.png', 'segment/one.png', 'segment/one.labels.png']) {
      expect((await sharp(join(dir, 'ocelot-out', f)).metadata()).format).toBe('png');
    }
  });

  it('takes the sample folder when defaults.json lists no samples, and images given on the command line', async () => {
    const models = join(dir, 'models2');
    await cp(join(dir, 'models'), models, { recursive: true });
    await writeFile(join(models, 'defaults.json'), JSON.stringify({ detect: 'const-detector' }));
    const r = await ocelot(['demo', '--models-dir', 'models2', '--out', 'o2', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.images).toEqual([
      'models2/samples/images/one.png',
      'models2/samples/images/two.png',
    ]);
    expect(json.detect.model.id).toBe('const-detector');
    const own = await ocelot(
      ['demo', 'models/samples/images/two.png', '--models-dir', 'models', '--out', 'o3', '--json'],
      {
        cwd: dir,
      },
    );
    expect(JSON.parse(own.stdout).images).toEqual(['models/samples/images/two.png']);
  });

  it('without trained models it says so and shows the pipeline with the test fixtures', async () => {
    const repoHasModels =
      (await new ModelStore({ env: {} }).defaultModel('detect')) !== undefined &&
      (await new ModelStore({ env: {} }).defaultModel('segment')) !== undefined;
    const empty = join(dir, 'empty-models');
    await mkdir(empty, { recursive: true });
    await writeImage(join(dir, 'pic.png'), 64, 64);
    const r = await ocelot(['demo', 'pic.png', '--models-dir', 'empty-models', '--out', 'o4'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    if (repoHasModels) return; // the repository's own models/ has trained cards: no fallback
    expect(r.stderr).toMatch(
      /note: no (detector|segmenter) with its files in .*; using the CLI's test fixture/,
    );
    expect(r.stdout).toMatch(/, test fixture\) → o4\/(detect|segment)\//);
  });
});
