import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rleDecode, rleFromCoco } from '@ocelot/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONST_DETECTOR,
  CONST_YOLOSEG,
  ocelot,
  RGB_SEGMENTER,
  readGray,
  tempDir,
  writeImage,
} from '../test-utils/cli.js';

// rgb-segmenter labels a pixel by its strongest channel (1 red, 2 green, 3 blue), background (0)
// when every channel is below 0.3 · 255. Its input is 32×32, so a 32×32 image is segmented
// without resampling: the label map is exact.
const quadrants = (x: number, y: number): [number, number, number] =>
  x < 16 ? [220, 10, 10] : y < 16 ? [10, 10, 200] : [0, 0, 0];

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  await writeImage(join(dir, 'quad.png'), 32, 32, quadrants);
  await writeImage(join(dir, 'green.png'), 48, 40, () => [0, 180, 0]);
  await writeImage(join(dir, 'quad64.png'), 64, 64, (x, y) => quadrants(x >> 1, y >> 1));
  await writeImage(join(dir, 'grey64.png'), 64, 64, () => [90, 90, 90]);
});
afterAll(async () => {
  await tmp.remove();
});

describe('ocelot segment (semantic)', () => {
  it('labels every pixel and reports the share of each class', async () => {
    const r = await ocelot(['segment', 'quad.png', 'green.png', '-m', RGB_SEGMENTER, '-j', '1'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^quad\.png {2}32×32 {2}3 classes: red 50\.0%, background 25\.0%, blue 25\.0% {2}\(\d+ ms\)\ngreen\.png {2}48×40 {2}1 class: green 100\.0% {2}\(\d+ ms\)\n2 images in /,
    );
  });

  it('writes the overlay, the raw label map and COCO-Stuff style RLE regions', async () => {
    const r = await ocelot(
      ['segment', 'quad.png', '-m', RGB_SEGMENTER, '--out', 'seg', '--json', '-q'],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const labels = await readGray(join(dir, 'seg', 'quad.labels.png'));
    expect([labels.width, labels.height]).toEqual([32, 32]);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        expect(labels.data[y * 32 + x]).toBe(x < 16 ? 1 : y < 16 ? 3 : 0);
      }
    }
    const results = JSON.parse(await readFile(join(dir, 'seg', 'results.json'), 'utf8'));
    // background is left out; category ids are the class indices (background is 0)
    expect(
      results.map((x: { category_id: number; area: number }) => [x.category_id, x.area]),
    ).toEqual([
      [1, 512],
      [3, 256],
    ]);
    const blue = rleDecode(rleFromCoco(results[1].segmentation));
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) expect(blue[y * 32 + x]).toBe(x >= 16 && y < 16 ? 1 : 0);
    }
    expect(JSON.parse(r.stdout).results).toEqual(results);
    // the overlay: background pixels unchanged (black), red blended with the VOC colour of class 1
    const { data } = await sharp(join(dir, 'seg', 'quad.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray(3 * (y * 32 + x), 3 * (y * 32 + x) + 3)];
    expect(px(31, 31)).toEqual([0, 0, 0]);
    expect(px(0, 0)).toEqual([Math.round(0.5 * 220 + 0.5 * 128), 5, 5]);
  });

  it('--classes restricts the labels; --alpha 0 leaves the image as it was', async () => {
    const r = await ocelot(
      [
        'segment',
        'quad.png',
        '-m',
        RGB_SEGMENTER,
        '--classes',
        'background,blue',
        '--alpha',
        '0',
        '--out',
        'seg2',
        '--json',
        '-q',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // the red half may not be red: its best allowed class is background (0.3 > blue 10/255)
    expect(json.images[0].counts).toEqual({ background: 768, blue: 256 });
    const { data } = await sharp(join(dir, 'seg2', 'quad.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const original = await sharp(join(dir, 'quad.png')).raw().toBuffer();
    expect(Buffer.compare(data, original)).toBe(0);
  });

  it('refuses a detector with a pointer to `ocelot detect`', async () => {
    const r = await ocelot(['segment', 'quad.png', '-m', CONST_DETECTOR], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a detector (task "detect"); use \'ocelot detect\'');
  });

  it('--alpha must be within [0, 1]', async () => {
    const r = await ocelot(['segment', 'quad.png', '-m', RGB_SEGMENTER, '--alpha', '2'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--alpha must be a number in [0, 1]; got '2'");
  });
});

describe('--imgsz', () => {
  it('runs a dynamic-size model at another input size', async () => {
    const r = await ocelot(
      ['segment', 'quad64.png', '-m', RGB_SEGMENTER, '--imgsz', '64', '--json', '-q'],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.model.inputWidth, json.model.inputHeight]).toEqual([64, 64]);
    // at its own size the 64×64 image is segmented exactly
    expect(json.images[0].counts).toEqual({ background: 1024, red: 2048, blue: 1024 });
  });

  it('a fixed-size model says why it cannot, naming the image', async () => {
    const r = await ocelot(['detect', 'grey64.png', '-m', CONST_DETECTOR, '--imgsz', '96'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ocelot: error: grey64\.png: .*96/m);
  });
});

// const-yoloseg (tooling/python/fixtures/cli_models.py): in its 64×64 input, a circle whose mask
// is its whole box (8..24) and a square (24..56) whose mask is the left half of its box.
describe('ocelot segment (instance)', () => {
  it('writes boxes with RLE masks (COCO results) and draws them', async () => {
    const r = await ocelot(
      ['segment', 'grey64.png', '-m', CONST_YOLOSEG, '--out', 'inst', '--json', '-q'],
      {
        cwd: dir,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.model).toMatchObject({
      kind: 'instance',
      architecture: 'yolo-seg',
      categoryIds: [1, 2],
    });
    expect(json.images[0].counts).toEqual({ circle: 1, square: 1 });
    const results = JSON.parse(await readFile(join(dir, 'inst', 'results.json'), 'utf8'));
    expect(
      results.map((x: { category_id: number; bbox: number[]; score: number }) => [
        x.category_id,
        x.bbox,
        x.score,
      ]),
    ).toEqual([
      [1, [8, 8, 16, 16], 0.9],
      [2, [24, 24, 32, 32], 0.8],
    ]);
    const masks = results.map((x: { segmentation: { size: [number, number]; counts: string } }) =>
      rleDecode(rleFromCoco(x.segmentation)),
    );
    const inside = (m: Uint8Array, x0: number, x1: number, y0: number, y1: number) => {
      let n = 0;
      let outside = 0;
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          if (!m[y * 64 + x]) continue;
          if (x >= x0 && x < x1 && y >= y0 && y < y1) n++;
          else outside++;
        }
      return { n, outside };
    };
    // upsampling the prototype masks rounds the corners off: all pixels in place, a few lost
    const circle = inside(masks[0], 8, 24, 8, 24);
    expect(circle.outside).toBe(0);
    expect(circle.n).toBeGreaterThanOrEqual(0.97 * 256);
    const square = inside(masks[1], 24, 40, 24, 56);
    expect(square.outside).toBe(0);
    expect(square.n).toBeGreaterThanOrEqual(0.97 * 512);
    expect((await sharp(join(dir, 'inst', 'grey64.png')).metadata()).format).toBe('png');
  });

  it('an instance model also answers `ocelot detect` (boxes with masks)', async () => {
    const r = await ocelot(
      ['detect', 'grey64.png', '-m', CONST_YOLOSEG, '--score', '0.85', '--json', '-q'],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.results.map((x: { category_id: number }) => x.category_id)).toEqual([1]);
    expect(json.results[0].segmentation.size).toEqual([64, 64]);
  });

  it('eval detect --iou-type segm scores masks against polygon ground truth', async () => {
    await mkdir(join(dir, 'segds', 'images'), { recursive: true });
    await writeImage(join(dir, 'segds', 'images', '1.png'), 64, 64, () => [90, 90, 90]);
    const box = (x: number, y: number, w: number, h: number) => ({
      bbox: [x, y, w, h],
      area: w * h,
      segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
      iscrowd: 0,
    });
    await writeFile(
      join(dir, 'segds', 'gt.json'),
      JSON.stringify({
        images: [{ id: 1, file_name: '1.png', width: 64, height: 64 }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, ...box(8, 8, 16, 16) },
          { id: 2, image_id: 1, category_id: 2, ...box(24, 24, 16, 32) },
        ],
        categories: [
          { id: 1, name: 'circle' },
          { id: 2, name: 'square' },
        ],
      }),
    );
    const segm = await ocelot(
      [
        'eval',
        'detect',
        '-m',
        CONST_YOLOSEG,
        '--dataset',
        'segds/gt.json',
        '--iou-type',
        'segm',
        '--json',
        '-q',
      ],
      { cwd: dir },
    );
    expect(segm.code).toBe(0);
    // every mask overlaps its object with IoU > 0.95: perfect at every threshold
    for (const v of JSON.parse(segm.stdout).stats.slice(0, 4)) expect(v).toBeCloseTo(1, 12);
    const bbox = await ocelot(
      ['eval', 'detect', '-m', CONST_YOLOSEG, '--dataset', 'segds/gt.json', '--json', '-q'],
      {
        cwd: dir,
      },
    );
    // the square's box is twice its mask: IoU 0.5 — found at IoU 0.50 only
    const stats = JSON.parse(bbox.stdout).stats;
    expect(stats[1]).toBeCloseTo(1, 12);
    expect(stats[2]).toBeCloseTo(0.5, 10);
  });
});
