import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFileError } from '../errors.js';
import { generateDataset } from '../synthetic/dataset.js';
import { encodePng8, readCoco, readVoc, readYoloLabels, writeSyntheticDataset } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocelot-synthetic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function decodeRaw(bytes: Uint8Array) {
  const { channels } = await sharp(bytes).metadata();
  // sharp widens grey to sRGB unless told to keep the one channel
  const pipeline = channels === 1 ? sharp(bytes).extractChannel(0) : sharp(bytes);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), ...info };
}

describe('encodePng8', () => {
  it('writes PNGs that an independent decoder (sharp / libvips) reads back exactly', async () => {
    const rgb = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const grey = Uint8Array.from({ length: 7 * 5 }, (_, i) => i % 7);
    const a = await decodeRaw(encodePng8(rgb, 7, 5, 3));
    expect([a.width, a.height, a.channels]).toEqual([7, 5, 3]);
    expect(a.data).toEqual(rgb);
    const b = await decodeRaw(encodePng8(grey, 7, 5, 1));
    expect([b.width, b.height, b.channels]).toEqual([7, 5, 1]);
    expect(b.data).toEqual(grey);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng8(new Uint8Array(10), 7, 5, 3)).toThrow(/data/);
  });
});

describe('writeSyntheticDataset', () => {
  const options = { seed: 11, count: 3, width: 96, height: 80 } as const;

  it('writes images, label maps, COCO, YOLO and VOC that match generateDataset', async () => {
    const out = join(dir, 'full');
    const progress: number[] = [];
    const result = await writeSyntheticDataset(out, {
      ...options,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3]);
    const expected = generateDataset(options);
    expect(result.images).toBe(3);
    expect(result.annotations).toBe(expected.coco.annotations.length);

    const coco = await readCoco(join(out, 'annotations.json'));
    expect(coco.images).toEqual(expected.coco.images);
    expect(coco.annotations).toEqual(expected.coco.annotations);
    expect(coco.categories).toEqual(expected.categories);

    for (const [i, scene] of expected.scenes.entries()) {
      const name = `00000${i}`;
      const image = await decodeRaw(await readFile(join(out, 'images', `${name}.png`)));
      expect(image.data).toEqual(scene.image.data);
      const mask = await decodeRaw(await readFile(join(out, 'masks', `${name}.png`)));
      expect(mask.channels).toBe(1);
      expect(mask.data).toEqual(scene.labelMap);
      const yolo = await readYoloLabels(join(out, 'labels', `${name}.txt`));
      expect(yolo).toHaveLength(scene.objects.length);
      yolo.forEach((label, k) => {
        const o = scene.objects[k]!;
        if (label.kind !== 'box') throw new Error('expected a box label');
        expect(label.classId).toBe(o.categoryId - 1);
        expect(label.box[0] * scene.width).toBeCloseTo(o.bbox[0] + o.bbox[2] / 2, 4);
      });
      const voc = await readVoc(join(out, 'voc', `${name}.xml`));
      expect(voc.filename).toBe(`${name}.png`);
      expect(voc.objects.map((o) => o.name)).toEqual(scene.objects.map((o) => o.shape));
    }
    expect((await readFile(join(out, 'classes.txt'), 'utf8')).trim().split('\n')).toEqual(
      expected.categories.map((c) => c.name),
    );
  });

  it('writes only the outputs asked for, and a later chunk continues the numbering', async () => {
    const out = join(dir, 'chunk');
    await writeSyntheticDataset(out, {
      ...options,
      start: 3,
      count: 2,
      outputs: ['coco', 'masks'],
    });
    expect((await readdir(out)).sort()).toEqual(['annotations.json', 'masks']);
    expect((await readdir(join(out, 'masks'))).sort()).toEqual(['000003.png', '000004.png']);
    const coco = await readCoco(join(out, 'annotations.json'));
    expect(coco.images.map((im) => im.file_name)).toEqual(['000003.png', '000004.png']);
    const whole = generateDataset({ ...options, count: 5 });
    expect(coco.images.map((im) => im.seed)).toEqual(whole.scenes.slice(3).map((s) => s.seed));
  });

  it('rejects unknown outputs and unwritable folders with typed errors', async () => {
    await expect(
      writeSyntheticDataset(join(dir, 'x'), { ...options, outputs: ['png' as never] }),
    ).rejects.toThrow(/options\.outputs/);
    // a folder below a regular file cannot be created (ENOTDIR)
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(writeSyntheticDataset(join(file, 'data'), options)).rejects.toBeInstanceOf(
      DatasetFileError,
    );
  });
});
