import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONST_DETECTOR, ocelot, RGB_SEGMENTER, tempDir, writeImage } from '../test-utils/cli.js';
import { mapCategories } from './eval-detect.js';

// Five 64×64 images (the const-detector's input size: boxes come out as in its output). Odd
// images hold exactly the four default detections of the fixture (perfect matches), even ones
// one circle elsewhere (every detection a false positive, the circle missed).
const PERFECT = [
  [10, [8, 8, 16, 16]],
  [20, [30, 35, 20, 10]],
  [30, [31, 35, 20, 10]],
  [30, [44, 12, 8, 8]],
] as const;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  await mkdir(join(dir, 'ds', 'images'), { recursive: true });
  const images = [];
  const annotations = [];
  let id = 1;
  for (let i = 1; i <= 5; i++) {
    await writeImage(join(dir, 'ds', 'images', `${i}.png`), 64, 64, () => [30 * i, 30, 30]);
    images.push({ id: i, file_name: `${i}.png`, width: 64, height: 64 });
    const objects = i % 2 === 1 ? PERFECT : ([[10, [40, 40, 10, 10]]] as const);
    for (const [category_id, bbox] of objects) {
      annotations.push({
        id: id++,
        image_id: i,
        category_id,
        bbox,
        area: bbox[2] * bbox[3],
        iscrowd: 0,
      });
    }
  }
  const categories = [
    { id: 10, name: 'circle' },
    { id: 20, name: 'square' },
    { id: 30, name: 'triangle' },
  ];
  await writeFile(
    join(dir, 'ds', 'annotations.json'),
    JSON.stringify({ images, annotations, categories }),
  );
  // the same set with only the odd (perfect) images
  await writeFile(
    join(dir, 'ds', 'perfect.json'),
    JSON.stringify({
      images: images.filter((im) => im.id % 2 === 1),
      annotations: annotations.filter((a) => a.image_id % 2 === 1),
      categories,
    }),
  );
}, 60_000);
afterAll(async () => {
  await tmp.remove();
});

/** `ocelot eval detect -m CONST_DETECTOR …args` in the temporary folder. */
function evalDetect(...args: string[]) {
  return ocelot(['eval', 'detect', '-m', CONST_DETECTOR, ...args], { cwd: dir });
}

describe('ocelot eval detect', () => {
  it('scores perfect detections AP 1 (small objects only)', async () => {
    const r = await evalDetect('--dataset', 'ds/perfect.json', '--score', '0.25', '--json', '-q');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // AR@1: circle and square have one object per image, triangle two (one found at maxDets 1)
    expect(json.stats).toEqual([1, 1, 1, 1, -1, -1, (1 + 1 + 0.5) / 3, 1, 1, 1, -1, -1]);
    expect(json.detections).toBe(12);
    expect(json.categoryMapping).toBe('labelIds');
  });

  it('prints the same numbers as `ocelot eval coco` on the results it writes, plus PR curves', async () => {
    const r = await evalDetect(
      '--dataset',
      'ds/annotations.json',
      '--out',
      'ev',
      '--per-category',
      '-j',
      '2',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('detecting: 5 images...\nevaluating bbox...\n');
    const coco = await ocelot(
      ['eval', 'coco', '--gt', 'ds/annotations.json', '--dt', 'ev/results.json', '-q'],
      {
        cwd: dir,
      },
    );
    expect(coco.code).toBe(0);
    expect(r.stdout.startsWith(coco.stdout)).toBe(true);
    expect(r.stdout).toMatch(
      /\n\nid {2}category {5}AP {3}AP50 {2}AR100 {2}objects {2}detections\n10 {2}circle {4}/,
    );
    expect(r.stdout).toMatch(
      /\n5 images, 25 detections in [\d.]+ s \([\d.]+ img\/s\); wrote 10 files to ev\n$/,
    );
    const metrics = JSON.parse(await readFile(join(dir, 'ev', 'metrics.json'), 'utf8'));
    const direct = JSON.parse(
      (
        await ocelot(
          ['eval', 'coco', '--gt', 'ds/annotations.json', '--dt', 'ev/results.json', '--json'],
          { cwd: dir },
        )
      ).stdout,
    );
    expect(metrics.stats).toEqual(direct.stats);
    // default detection settings of a COCO evaluation: score >= 0.001 (the 0.1 box counts)
    const results = JSON.parse(await readFile(join(dir, 'ev', 'results.json'), 'utf8'));
    expect(results).toHaveLength(25);
    expect(results.every((x: { segmentation?: unknown }) => x.segmentation === undefined)).toBe(
      true,
    );
    for (const stem of ['all', '10-circle', '20-square', '30-triangle']) {
      const svg = await readFile(join(dir, 'ev', 'pr', `${stem}.svg`), 'utf8');
      expect(svg).toMatch(
        /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="640" height="480"/,
      );
      expect(svg).toContain('<polyline');
      const meta = await sharp(join(dir, 'ev', 'pr', `${stem}.png`)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 640, 480]);
    }
    expect(await readFile(join(dir, 'ev', 'pr', '10-circle.svg'), 'utf8')).toContain(
      `AP ${metrics.perCategory[0].ap.toFixed(3)}`,
    );
  }, 120_000);

  it('names a missing image and suggests --images', async () => {
    const r = await evalDetect('--dataset', 'ds/annotations.json', '--images', 'elsewhere');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'ocelot: error: elsewhere/1.png: image 1 of ds/annotations.json not found (and 4 more); pass --images DIR\n',
    );
  });

  it('names the dataset file when it is missing or invalid', async () => {
    const missing = await evalDetect('--dataset', 'nope.json');
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'ocelot: error: nope.json: cannot read: no such file\n',
    });
    await writeFile(join(dir, 'bad.json'), '{"images": [');
    const bad = await evalDetect('--dataset', 'bad.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ocelot: error: bad\.json:1:\d+: invalid JSON/);
  });

  it('refuses a semantic model, and segm without an instance model', async () => {
    const semantic = await ocelot(
      ['eval', 'detect', '-m', RGB_SEGMENTER, '--dataset', 'ds/annotations.json'],
      {
        cwd: dir,
      },
    );
    expect(semantic.code).toBe(2);
    expect(semantic.stderr).toContain('is a semantic segmenter');
    const segm = await evalDetect('--dataset', 'ds/perfect.json', '--iou-type', 'segm');
    expect(segm.code).toBe(1); // the ground truth has no segmentation: named by the validator
    expect(segm.stderr).toContain('ds/perfect.json');
  });
});

describe('mapCategories', () => {
  const dataset = {
    categories: [
      { id: 3, name: 'cat' },
      { id: 7, name: 'dog' },
    ],
  };
  it('uses labelIds, keeping only ids the dataset has', () => {
    expect(
      mapCategories({ classNames: ['cat', 'dog', 'cow'], labelIds: [3, 7, 9] }, dataset, 'd'),
    ).toEqual({
      ids: [3, 7, -1],
      how: 'labelIds',
    });
  });
  it('matches by name (background left out), else by order', () => {
    expect(
      mapCategories({ classNames: ['background', 'dog', 'cat', 'cow'] }, dataset, 'd'),
    ).toEqual({
      ids: [-1, 7, 3, -1],
      how: 'names',
    });
    expect(mapCategories({ classNames: ['a', 'b'] }, dataset, 'd')).toEqual({
      ids: [3, 7],
      how: 'order',
    });
  });
  it('throws naming the unmatched categories', () => {
    expect(() => mapCategories({ classNames: ['dog', 'x', 'y'] }, dataset, 'gt.json')).toThrow(
      /^gt\.json: cannot match the dataset's categories to the model's classes \(no labelIds in the card; categories without a class of the same name: cat; model classes: dog, x, y\)$/,
    );
    expect(() => mapCategories({ classNames: ['a'], labelIds: [1] }, dataset, 'gt.json')).toThrow(
      "gt.json: none of the model's labelIds (1) is a category id of the dataset",
    );
  });
});
