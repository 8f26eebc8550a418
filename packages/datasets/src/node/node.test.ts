import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCoco, tinyResults } from '../__fixtures__/tiny.js';
import { DatasetFileError, DatasetParseError, DatasetValidationError } from '../errors.js';
import {
  readCoco,
  readCocoResults,
  readVoc,
  readYoloLabels,
  readYoloNames,
  writeCoco,
  writeCocoResults,
  writeVoc,
  writeYoloLabels,
} from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocelot-datasets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('@ocelot/datasets/node', () => {
  it('writes and reads COCO and results files', async () => {
    const gtPath = join(dir, 'nested', 'gt.json');
    await writeCoco(gtPath, tinyCoco());
    const gt = await readCoco(gtPath);
    expect(gt).toEqual(tinyCoco());
    const dtPath = join(dir, 'dt.json');
    await writeCocoResults(dtPath, tinyResults(), { indent: 1 });
    expect(await readCocoResults(dtPath, { groundTruth: gt })).toEqual(tinyResults());
    expect(await readCoco(tinyCoco())).toEqual(tinyCoco());
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readCoco(missing)).rejects.toBeInstanceOf(DatasetFileError);
    await expect(readCoco(missing)).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
      file: missing,
      message: `${missing}: cannot read: no such file`,
    });
    await expect(readCoco(dir)).rejects.toMatchObject({
      message: `${dir}: cannot read: is a directory, expected a file`,
    });
  });

  it('names the file in parse and validation errors', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"images": [\n  {"id": 1,}\n]}');
    await expect(readCoco(bad)).rejects.toBeInstanceOf(DatasetParseError);
    await expect(readCoco(bad)).rejects.toThrow(
      `${bad}:2:12: invalid JSON: Expected double-quoted property name`,
    );
    const invalid = join(dir, 'invalid.json');
    const data = tinyCoco();
    data.annotations[3]!.image_id = 4;
    await writeCoco(invalid, data);
    await expect(readCoco(invalid)).rejects.toBeInstanceOf(DatasetValidationError);
    await expect(readCoco(invalid)).rejects.toThrow(
      `${invalid}: annotations[3] (id 13): image_id: image id 4 is not in "images"`,
    );
  });

  it('reads and writes VOC, YOLO labels and names', async () => {
    const vocPath = join(dir, 'a.xml');
    const voc = {
      filename: 'a.jpg',
      size: { width: 10, height: 10 },
      objects: [{ name: 'x', bndbox: { xmin: 1, ymin: 2, xmax: 3, ymax: 4 } }],
    };
    await writeVoc(vocPath, voc);
    expect(await readVoc(vocPath)).toEqual(voc);
    const labelPath = join(dir, 'labels', 'a.txt');
    await writeYoloLabels(labelPath, [{ kind: 'box', classId: 1, box: [0.5, 0.5, 0.25, 0.125] }]);
    expect(await readYoloLabels(labelPath)).toEqual([
      { kind: 'box', classId: 1, box: [0.5, 0.5, 0.25, 0.125] },
    ]);
    await writeFile(join(dir, 'bad.txt'), '0 0.5 0.5 2 0.1\n');
    await expect(readYoloLabels(join(dir, 'bad.txt'))).rejects.toThrow(
      `${join(dir, 'bad.txt')}: line 1: w: 2 is outside [0, 1]`,
    );
    await writeFile(join(dir, 'data.yaml'), 'names:\n  0: cat\n');
    expect(await readYoloNames(join(dir, 'data.yaml'))).toEqual(new Map([[0, 'cat']]));
    await writeFile(join(dir, 'c.names'), 'cat\ndog\n');
    expect(await readYoloNames(join(dir, 'c.names'))).toEqual(['cat', 'dog']);
  });
});
