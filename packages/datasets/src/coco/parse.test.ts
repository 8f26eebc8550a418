import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tinyCoco, tinyResults } from '../__fixtures__/tiny.js';
import { DatasetParseError, DatasetValidationError } from '../errors.js';
import { parseCoco, parseCocoResults, stringifyCoco, stringifyCocoResults } from './parse.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const coco128 = `${shared}realworld/coco128/annotations/instances_train2017_subset16.json`;
const seed1 = `${shared}fixtures/coco-eval/seed1/`;

describe('parseCoco / stringifyCoco', () => {
  it('round-trips a dataset through text, keeping extra fields', () => {
    const data = tinyCoco();
    data.images[0]!.license = 3;
    const text = stringifyCoco(data);
    expect(parseCoco(text)).toEqual(data);
    expect(parseCoco(stringifyCoco(data, { indent: 2 }))).toEqual(data);
    expect(stringifyCoco(parseCoco(text))).toBe(text);
  });

  it('accepts parsed objects and validates them', () => {
    const data = tinyCoco();
    expect(parseCoco(data)).toBe(data);
    data.annotations[0]!.category_id = 99;
    expect(() => parseCoco(data, { file: 'x.json' })).toThrow(
      'x.json: annotations[0] (id 10): category_id: category id 99 is not in "categories"',
    );
    expect(parseCoco(data, { validate: false })).toBe(data);
  });

  it('collects every problem into one error in collect mode', () => {
    const data = tinyCoco();
    data.annotations[0]!.category_id = 99;
    data.annotations[1]!.bbox = [0, 0, -1, 1];
    try {
      parseCoco(data, { mode: 'collect' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetValidationError);
      expect((error as DatasetValidationError).issues).toHaveLength(2);
      expect((error as Error).message).toMatch(/\(and 1 more issue\)$/);
    }
  });

  it('names the file and position of malformed JSON', () => {
    expect(() => parseCoco('{"images": [}', { file: 'gt.json' })).toThrow(DatasetParseError);
    expect(() => parseCoco('{"images": [}', { file: 'gt.json' })).toThrow(
      /^gt\.json:1:13: invalid JSON/,
    );
  });
});

describe('parseCocoResults', () => {
  it('round-trips results and checks them against the ground truth', () => {
    const results = tinyResults();
    const text = stringifyCocoResults(results);
    expect(parseCocoResults(text, { groundTruth: tinyCoco() })).toEqual(results);
    results[0]!.image_id = 3;
    expect(() => parseCocoResults(results, { groundTruth: tinyCoco(), file: 'dt.json' })).toThrow(
      'dt.json: [0] (image_id 3): image_id: image id 3 is not in the ground truth',
    );
  });
});

describe.skipIf(!existsSync(coco128))('real COCO files (../shared/realworld)', () => {
  it('parses and validates the official COCO train2017 subset', () => {
    const text = readFileSync(coco128, 'utf8');
    const data = parseCoco(text, { file: coco128, requireSegmentation: true });
    expect(data.images).toHaveLength(16);
    expect(data.annotations).toHaveLength(72);
    expect(data.categories).toHaveLength(80);
    expect(JSON.parse(stringifyCoco(data))).toEqual(JSON.parse(text));
  });
});

describe.skipIf(!existsSync(seed1))('pycocotools fixtures (../shared/fixtures/coco-eval)', () => {
  it('validates seed1 ground truth (crowd RLE, polygons) and both results files', () => {
    const gt = parseCoco(readFileSync(`${seed1}gt.json`, 'utf8'), { requireSegmentation: true });
    const bbox = parseCocoResults(readFileSync(`${seed1}dt_bbox.json`, 'utf8'), {
      groundTruth: gt,
    });
    const segm = parseCocoResults(readFileSync(`${seed1}dt_segm.json`, 'utf8'), {
      groundTruth: gt,
      requireSegmentation: true,
    });
    expect(gt.annotations.filter((a) => a.iscrowd === 1).length).toBeGreaterThan(0);
    expect(bbox.length).toBeGreaterThan(0);
    expect(segm.length).toBe(bbox.length);
  });
});
