import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONST_DETECTOR,
  FIXTURE_MODELS,
  ocelot,
  RGB_SEGMENTER,
  tempDir,
  writeImage,
} from '../test-utils/cli.js';

// The const-detector fixture returns six fixed boxes in its 64×64 input (see
// tooling/python/fixtures/cli_models.py). On a 128×128 image the letterbox scale is exactly
// 1/2 without padding, so every box doubles: COCO xywh below.
const A0 = { category_id: 10, bbox: [16, 16, 32, 32], score: 0.9 }; // circle
const A1 = { category_id: 10, bbox: [18, 16, 32, 32], score: 0.8 }; // circle, IoU 0.88 with A0
const A2 = { category_id: 20, bbox: [60, 70, 40, 20], score: 0.7 }; // square
const A3 = { category_id: 30, bbox: [62, 70, 40, 20], score: 0.6 }; // triangle, IoU 0.90 with A2
const A4 = { category_id: 30, bbox: [88, 24, 16, 16], score: 0.3 }; // triangle
const A5 = { category_id: 20, bbox: [14, 94, 12, 12], score: 0.1 }; // square below 0.25

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  await mkdir(join(dir, 'imgs'));
  await writeImage(join(dir, 'imgs', 'b.png'), 128, 128, (x) => [x, 40, 200]);
  await writeImage(join(dir, 'imgs', 'a.png'), 128, 128);
  await writeImage(join(dir, 'imgs', 'c.jpg'), 128, 128, (x, y) => [x, y, 0]);
  await writeFile(join(dir, 'imgs', 'notes.txt'), 'not an image');
  await writeImage(join(dir, 'small.png'), 64, 64);
  await writeFile(join(dir, 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\n garbage'));
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'empty', 'readme.md'), '# no images here');
}, 60_000);
afterAll(async () => {
  await tmp.remove();
});

const detect = (args: string[], env: Record<string, string> = {}) =>
  ocelot(['detect', ...args], { cwd: dir, env });

function records(stdout: string) {
  return (JSON.parse(stdout) as { results: Record<string, unknown>[] }).results.map((r) => ({
    category_id: r.category_id,
    bbox: r.bbox,
    score: r.score,
  }));
}

describe('ocelot detect', () => {
  it('finds the fixture boxes in original-image pixels with the card defaults (score 0.25, iou 0.7)', async () => {
    const r = await detect(['imgs/a.png', '--model', CONST_DETECTOR, '--json']);
    expect(r.stderr).toBe('detecting: 1 image...\n');
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual([A0, A2, A3, A4]);
    const json = JSON.parse(r.stdout);
    expect(json.model).toMatchObject({
      id: 'const-detector',
      kind: 'detect',
      classNames: ['circle', 'square', 'triangle'],
      categoryIds: [10, 20, 30],
    });
    expect(json.images).toEqual([
      expect.objectContaining({
        file: 'imgs/a.png',
        imageId: 1,
        width: 128,
        height: 128,
        found: 4,
        counts: { circle: 1, square: 1, triangle: 2 },
      }),
    ]);
    expect(json.totals).toMatchObject({ images: 1, failed: 0, workers: 0 });
    expect(json.errors).toEqual([]);
  });

  it.each([
    [
      ['--iou', '0.95'],
      [A0, A1, A2, A3, A4],
    ],
    [['--agnostic'], [A0, A2, A4]],
    [['--classes', 'square'], [A2]],
    [
      ['--classes', '2,circle'],
      [A0, A3, A4],
    ],
    [
      ['--max-det', '2'],
      [A0, A2],
    ],
    [
      ['--score', '0.05'],
      [A0, A2, A3, A4, A5],
    ],
    [
      ['--score', '0.65'],
      [A0, A2],
    ],
  ])('%j', async (options, expected) => {
    const r = await detect(['imgs/a.png', '-m', CONST_DETECTOR, '--json', '-q', ...options]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual(expected);
  });

  it('prints a line per image in input order and writes annotated PNGs, results.json and summary.json', async () => {
    const r = await detect([
      'imgs',
      'small.png',
      '--model',
      CONST_DETECTOR,
      '--out',
      'out1',
      '-j',
      '1',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^imgs\/a\.png {2}128×128 {2}4 objects: circle 1, square 1, triangle 2 {2}\(\d+ ms\)$/,
    );
    expect(lines[1]).toMatch(/^imgs\/b\.png /);
    expect(lines[2]).toMatch(/^imgs\/c\.jpg /);
    expect(lines[3]).toMatch(/^small\.png {2}64×64 {2}4 objects/);
    expect(lines[4]).toMatch(
      /^4 images in [\d.]+ s \([\d.]+ img\/s, 1 thread\); wrote 4 annotated images, results\.json and summary\.json to out1$/,
    );
    const results = JSON.parse(await readFile(join(dir, 'out1', 'results.json'), 'utf8'));
    expect(results).toHaveLength(16);
    expect(results.map((x: { image_id: number }) => x.image_id)).toEqual([
      1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
    ]);
    // the 64×64 image is the network input itself: boxes as in the model's output
    expect(results[12]).toEqual({ image_id: 4, category_id: 10, bbox: [8, 8, 16, 16], score: 0.9 });
    const summary = JSON.parse(await readFile(join(dir, 'out1', 'summary.json'), 'utf8'));
    expect(summary.images.map((i: { file: string }) => i.file)).toEqual([
      'imgs/a.png',
      'imgs/b.png',
      'imgs/c.jpg',
      'small.png',
    ]);
    expect(summary.totals.counts).toEqual({ circle: 4, square: 4, triangle: 8 });
    for (const name of ['a', 'b', 'c', 'small']) {
      const meta = await sharp(join(dir, 'out1', `${name}.png`)).metadata();
      expect(meta.format).toBe('png');
    }
    // the annotation changed pixels (boxes drawn) of a flat grey image
    const { data } = await sharp(join(dir, 'out1', 'a.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(data.some((v) => v !== 90)).toBe(true);
  });

  it('runs a worker pool with the same results, in input order', async () => {
    const single = await detect(['imgs', 'small.png', '-m', CONST_DETECTOR, '--json', '-j', '1']);
    const pool = await detect(['imgs', 'small.png', '-m', CONST_DETECTOR, '--json', '-j', '2']);
    expect(pool.code).toBe(0);
    const a = JSON.parse(single.stdout);
    const b = JSON.parse(pool.stdout);
    expect(b.totals.workers).toBe(2);
    expect(a.totals.workers).toBe(0);
    expect(b.results).toEqual(a.results);
    expect(b.images.map((i: { file: string }) => i.file)).toEqual(
      a.images.map((i: { file: string }) => i.file),
    );
  }, 120_000);

  it('expands quoted glob patterns (**, {a,b}, hidden folders skipped) and skips duplicates', async () => {
    await mkdir(join(dir, 'tree', 'x', 'y'), { recursive: true });
    await mkdir(join(dir, 'tree', '.hidden'), { recursive: true });
    await writeImage(join(dir, 'tree', 'top.png'), 64, 64);
    await writeImage(join(dir, 'tree', 'x', 'y', 'deep.png'), 64, 64);
    await writeImage(join(dir, 'tree', '.hidden', 'h.png'), 64, 64);
    const r = await detect([
      'tree/**/*.png',
      'imgs/{a,c}.*',
      'tree/top.png',
      '-m',
      CONST_DETECTOR,
      '--json',
      '-q',
      '-j',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).images.map((i: { file: string }) => i.file)).toEqual([
      'tree/top.png',
      'tree/x/y/deep.png',
      'imgs/a.png',
      'imgs/c.jpg',
    ]);
  });

  it('finds models by id in --models-dir and OCELOT_MODELS_DIR', async () => {
    const byFlag = await detect([
      'small.png',
      '-m',
      'const-detector',
      '--models-dir',
      FIXTURE_MODELS,
      '--json',
      '-q',
    ]);
    expect(byFlag.code).toBe(0);
    const byEnv = await detect(['small.png', '-m', 'const-detector', '--json', '-q'], {
      OCELOT_MODELS_DIR: FIXTURE_MODELS,
    });
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout).results).toEqual(JSON.parse(byFlag.stdout).results);
    const byCard = await detect([
      'small.png',
      '-m',
      join(CONST_DETECTOR, 'model.json'),
      '--json',
      '-q',
    ]);
    expect(JSON.parse(byCard.stdout).results).toEqual(JSON.parse(byFlag.stdout).results);
  });

  it('without --model uses the default detector of defaults.json', async () => {
    // (the fallback to the first detector with its files is tested on ModelStore, where the
    // repository's own models/ can be left out)
    const models = join(dir, 'default-models');
    await mkdir(models, { recursive: true });
    await cp(CONST_DETECTOR, join(models, 'my-detector'), { recursive: true });
    await writeFile(join(models, 'defaults.json'), JSON.stringify({ detect: 'my-detector' }));
    const r = await detect(['small.png', '--models-dir', 'default-models', '--json', '-q']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).model.cardPath).toBe(join(models, 'my-detector', 'model.json'));
  });

  it('uses 1-based class indices as category ids when the card has no labelIds', async () => {
    const copy = join(dir, 'no-ids');
    await mkdir(copy, { recursive: true });
    const card = JSON.parse(await readFile(join(CONST_DETECTOR, 'model.json'), 'utf8'));
    delete card.labelIds;
    await writeFile(join(copy, 'model.json'), JSON.stringify(card));
    await copyFile(join(CONST_DETECTOR, 'model.onnx'), join(copy, 'model.onnx'));
    const r = await detect(['small.png', '-m', copy, '--json', '-q']);
    expect(r.code).toBe(0);
    expect(records(r.stdout).map((x) => x.category_id)).toEqual([1, 2, 3, 3]);
  });

  it('reports a corrupt image naming it, goes on with the others, and exits 1', async () => {
    const r = await detect(['corrupt.png', 'small.png', '-m', CONST_DETECTOR, '-j', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ocelot: error: corrupt.png: ');
    expect(r.stderr).toContain('ocelot: 1 of 2 images failed\n');
    expect(r.stdout).toMatch(/^small\.png {2}64×64 {2}4 objects/m);
    expect(r.stdout).toMatch(/^1 image, 1 failed in /m);
  });

  it('reports a text file given as an image', async () => {
    const r = await detect(['imgs/notes.txt', '-m', CONST_DETECTOR, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors).toEqual([
      { file: 'imgs/notes.txt', message: 'imgs/notes.txt: not a recognised image format' },
    ]);
  });

  it.each([
    [['missing.png'], 'ocelot: error: missing.png: no such file or folder\n'],
    [['empty'], /^ocelot: error: empty: folder has no images \(looked for \.jpg /],
    [['nothing/*.png'], 'ocelot: error: nothing/*.png: pattern matched no images\n'],
  ])('input %j → exit 1 naming it', async (inputs, message) => {
    const r = await detect([...inputs, '-m', CONST_DETECTOR]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  it('unknown model ids and card paths exit 1 naming them', async () => {
    const id = await detect(['small.png', '-m', 'const-detectr', '--models-dir', FIXTURE_MODELS]);
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(
      /^ocelot: error: unknown model 'const-detectr'; known models: .*const-detector/,
    );
    const path = await detect(['small.png', '-m', 'nope/model.json']);
    expect(path).toMatchObject({
      code: 1,
      stderr: 'ocelot: error: nope/model.json: no such model card\n',
    });
  });

  it('a broken card names the card file and the field', async () => {
    const bad = join(dir, 'bad-card');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'model.json'), JSON.stringify({ id: 'x', task: 'detect' }));
    const r = await detect(['small.png', '-m', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(bad, 'model.json'));
    expect(r.stderr).toContain('architecture.type');
  });

  it.each([
    [['--score', '2'], "--score must be a number in [0, 1]; got '2'"],
    [['--iou', 'x'], "--iou must be a number in [0, 1]; got 'x'"],
    [['--max-det', '1.5'], "--max-det must be an integer >= 1; got '1.5'"],
    [['-j', '0'], "--concurrency must be an integer >= 1; got '0'"],
    [['--provider', 'tpu'], '--provider must be one of cpu, webgpu, cuda'],
    [
      ['--classes', 'hexagon'],
      "--classes: unknown class 'hexagon'; the model's classes are circle, square, triangle",
    ],
    [['--classes', ','], '--classes needs at least one class name'],
  ])('usage error %j → exit 2', async (options, message) => {
    const r = await detect(['small.png', '-m', CONST_DETECTOR, ...options]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/Run 'ocelot detect --help' for usage\.\n$/);
  });

  it('refuses a semantic segmenter with a pointer to `ocelot segment`', async () => {
    const r = await detect(['small.png', '-m', RGB_SEGMENTER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a semantic segmenter (task "segment"); use \'ocelot segment\'');
  });

  it('needs at least one image', async () => {
    const r = await detect(['-m', CONST_DETECTOR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing argument images');
  });

  it('--help lists the options', async () => {
    const r = await detect(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ocelot detect \[options\] images\.\.\.\n/);
    for (const flag of [
      '--model',
      '--score',
      '--iou',
      '--max-det',
      '--classes',
      '--agnostic',
      '--imgsz',
      '--provider',
      '--out',
      '--concurrency',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('draws a live progress bar on a TTY (stderr) and keeps stdout lines whole', async () => {
    const r = await ocelot(['detect', 'imgs', '-m', CONST_DETECTOR, '-j', '1'], {
      cwd: dir,
      tty: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('detecting ');
    expect(r.stderr).toMatch(/3\/3/);
    expect(r.stderr).toContain('\r\u001b[K');
    expect(r.stdout).not.toContain('\r');
  });
});
