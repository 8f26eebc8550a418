import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rleDecode, rleFromCoco } from '@ocelot/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONST_DETECTOR,
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
