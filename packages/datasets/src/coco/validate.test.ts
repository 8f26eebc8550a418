import { OcelotError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { tinyCoco, tinyResults } from '../__fixtures__/tiny.js';
import { DatasetValidationError, formatIssue } from '../errors.js';
import type { CocoDataset } from './types.js';
import { validateCoco, validateCocoResults } from './validate.js';

/** Runs validateCoco in collect mode on a mutated copy of tinyCoco(). */
function issuesOf(mutate: (d: CocoDataset) => void, options = {}) {
  const data = tinyCoco();
  mutate(data);
  return validateCoco(data, { mode: 'collect', file: 'gt.json', ...options }).issues;
}

function single(mutate: (d: CocoDataset) => void, options = {}) {
  const issues = issuesOf(mutate, options);
  expect(issues).toHaveLength(1);
  return issues[0]!;
}

describe('validateCoco', () => {
  it('accepts a valid dataset with polygons, uncompressed and compressed RLE', () => {
    const report = validateCoco(tinyCoco(), { mode: 'collect' });
    expect(report).toEqual({ ok: true, issues: [], truncated: false });
    expect(() => validateCoco(tinyCoco())).not.toThrow();
  });

  it('throws the first issue as a DatasetValidationError naming file, record and field', () => {
    const data = tinyCoco();
    data.annotations[2]!.id = 10;
    data.annotations[3]!.image_id = 99;
    let error: unknown;
    try {
      validateCoco(data, { file: 'gt.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect(error).toBeInstanceOf(OcelotError);
    const e = error as DatasetValidationError;
    expect(e.code).toBe('E_DUPLICATE_ID');
    expect(e.file).toBe('gt.json');
    expect(e.record).toBe('annotations[2] (id 10)');
    expect(e.field).toBe('id');
    expect(e.message).toBe(
      'gt.json: annotations[2] (id 10): id: duplicate annotation id 10 (first used by annotations[0] (id 10))',
    );
    expect(e.issues).toHaveLength(1);
  });

  it('collects every issue in collect mode, and caps them with maxIssues', () => {
    const mutate = (d: CocoDataset) => {
      d.annotations[2]!.id = 10;
      d.annotations[3]!.image_id = 99;
      d.images[0]!.width = 0;
    };
    const issues = issuesOf(mutate);
    expect(issues.map((i) => i.code)).toEqual([
      'E_NON_POSITIVE_SIZE',
      'E_DUPLICATE_ID',
      'E_UNKNOWN_IMAGE',
    ]);
    const data = tinyCoco();
    mutate(data);
    const capped = validateCoco(data, { mode: 'collect', maxIssues: 2 });
    expect(capped.issues).toHaveLength(2);
    expect(capped.truncated).toBe(true);
    expect(capped.ok).toBe(false);
  });

  it('reports duplicate image and category ids', () => {
    expect(issuesOf((d) => (d.images[1]!.id = 1))[0]).toMatchObject({
      code: 'E_DUPLICATE_ID',
      record: 'images[1] (id 1)',
      field: 'id',
    });
    expect(issuesOf((d) => (d.categories[2]!.id = 3))[0]).toMatchObject({
      code: 'E_DUPLICATE_ID',
      record: 'categories[2] (id 3)',
    });
  });

  it('reports boxes outside the image, honouring boxTolerance', () => {
    const outside = (d: CocoDataset) => {
      d.annotations[1]!.bbox = [0, 0, 641.5, 480];
    };
    const issue = single(outside);
    expect(issue).toMatchObject({
      code: 'E_BOX_OUTSIDE_IMAGE',
      record: 'annotations[1] (id 11)',
      field: 'bbox',
    });
    expect(issue.message).toContain('1.5 px outside the 640x480 image (tolerance 1 px)');
    expect(issuesOf(outside, { boxTolerance: 2 })).toEqual([]);
    expect(
      single((d) => (d.annotations[0]!.bbox = [-0.5, 20, 100, 200]), { boxTolerance: 0 }).code,
    ).toBe('E_BOX_OUTSIDE_IMAGE');
    // within the default 1 px tolerance
    expect(issuesOf((d) => (d.annotations[1]!.bbox = [-0.5, 0, 640.9, 480]))).toEqual([]);
  });

  it('reports non-positive image and box sizes', () => {
    expect(single((d) => (d.images[0]!.height = -5))).toMatchObject({
      code: 'E_NON_POSITIVE_SIZE',
      record: 'images[0] (id 1)',
      field: 'height',
    });
    expect(single((d) => (d.annotations[0]!.bbox = [10, 20, 0, 200]))).toMatchObject({
      code: 'E_NON_POSITIVE_SIZE',
      field: 'bbox',
    });
    expect(single((d) => (d.images[0]!.width = 640.5))).toMatchObject({
      code: 'E_TYPE',
      field: 'width',
    });
  });

  it('reports unknown categories and images', () => {
    expect(single((d) => (d.annotations[0]!.category_id = 2))).toMatchObject({
      code: 'E_UNKNOWN_CATEGORY',
      record: 'annotations[0] (id 10)',
      field: 'category_id',
      message: 'category id 2 is not in "categories"',
    });
    expect(single((d) => (d.annotations[1]!.image_id = 2))).toMatchObject({
      code: 'E_UNKNOWN_IMAGE',
      field: 'image_id',
    });
  });

  it('reports malformed RLE: counts not summing to h*w, bad size, size not the image', () => {
    const rle = (d: CocoDataset) => d.annotations[2]!;
    expect(
      single((d) => (rle(d).segmentation = { size: [3, 4], counts: [3, 2, 1, 2, 5] })),
    ).toMatchObject({
      code: 'E_MALFORMED_RLE',
      record: 'annotations[2] (id 12)',
      field: 'segmentation.counts',
      message: 'run lengths sum to 13, expected height*width = 3*4 = 12',
    });
    expect(
      single((d) => (rle(d).segmentation = { size: [3, 4], counts: [3, -2, 1, 2, 4] })),
    ).toMatchObject({
      code: 'E_MALFORMED_RLE',
      field: 'segmentation.counts[1]',
    });
    expect(
      single((d) => (rle(d).segmentation = { size: [3], counts: [12] } as never)),
    ).toMatchObject({
      code: 'E_MALFORMED_RLE',
      field: 'segmentation.size',
    });
    expect(single((d) => (rle(d).segmentation = { size: [4, 3], counts: [12] }))).toMatchObject({
      code: 'E_RLE_SIZE',
      message: "[4, 3] does not match the image's [height, width] = [3, 4]",
    });
    // compressed: a wrong size makes the decoded runs sum wrong; a bad character is caught
    const compressed = (d: CocoDataset) =>
      d.annotations[3]!.segmentation as { counts: string; size: number[] };
    const wrongSize = issuesOf((d) => {
      compressed(d).size = [3, 5];
    });
    expect(wrongSize.map((i) => i.code)).toEqual(['E_RLE_SIZE', 'E_MALFORMED_RLE']);
    expect(wrongSize[1]!.message).toMatch(
      /^bad compressed RLE: run lengths sum to 12, expected height × width = 15/,
    );
    expect(single((d) => (compressed(d).counts = '1~')).code).toBe('E_MALFORMED_RLE');
    expect(single((d) => (rle(d).segmentation = { size: [3, 4], counts: 12 } as never)).field).toBe(
      'segmentation.counts',
    );
  });

  it('reports malformed polygons', () => {
    const seg = (value: unknown) => (d: CocoDataset) => {
      d.annotations[0]!.segmentation = value as never;
    };
    expect(single(seg([[10, 20, 110, 20, 110]]))).toMatchObject({
      code: 'E_MALFORMED_POLYGON',
      record: 'annotations[0] (id 10)',
      field: 'segmentation[0]',
      message: 'odd number of coordinates (5); expected x,y pairs',
    });
    expect(single(seg([[10, 20, 110, 20]])).message).toBe(
      '2 point(s); a polygon needs at least 3 (6 coordinates)',
    );
    expect(single(seg([])).message).toBe('empty polygon list');
    expect(single(seg([[10, 20, 110, 'x', 50, 50]]))).toMatchObject({
      field: 'segmentation[0][3]',
    });
    expect(single(seg([[10, 20, 110, 20, 110, 220], 5])).field).toBe('segmentation[1]');
    expect(single(seg([[10, 20, 110, 20, 110, 490]]))).toMatchObject({
      code: 'E_POLYGON_OUTSIDE_IMAGE',
      field: 'segmentation[0][5]',
    });
    expect(single(seg('polygon')).code).toBe('E_MALFORMED_SEGMENTATION');
  });

  it('reports missing and mistyped fields', () => {
    expect(
      single((d) => delete (d.annotations[0] as Partial<(typeof d.annotations)[0]>).area),
    ).toMatchObject({
      code: 'E_MISSING_FIELD',
      field: 'area',
    });
    expect(single((d) => (d.annotations[0]!.iscrowd = 2 as never))).toMatchObject({
      code: 'E_TYPE',
      field: 'iscrowd',
    });
    expect(single((d) => (d.annotations[0]!.bbox = [1, 2, 3] as never))).toMatchObject({
      code: 'E_MALFORMED_BBOX',
      field: 'bbox',
    });
    expect(single((d) => (d.annotations[0]!.bbox = [1, 2, Number.NaN, 4]))).toMatchObject({
      field: 'bbox[2]',
    });
    expect(issuesOf((d) => (d.images[0]!.id = '1' as never))[0]).toMatchObject({
      code: 'E_TYPE',
      field: 'id',
    });
    expect(single((d) => (d.categories[0]!.name = undefined as never))).toMatchObject({
      code: 'E_MISSING_FIELD',
      field: 'name',
    });
    expect(single((d) => delete (d as Partial<CocoDataset>).categories)).toMatchObject({
      code: 'E_MISSING_FIELD',
      record: '',
      field: 'categories',
    });
    expect(validateCoco([], { mode: 'collect' }).issues[0]!.code).toBe('E_TYPE');
    expect(single((d) => (d.annotations[1] = 5 as never))).toMatchObject({
      record: 'annotations[1]',
    });
  });

  it('requireSegmentation reports annotations without one', () => {
    expect(single(() => {}, { requireSegmentation: true })).toMatchObject({
      code: 'E_MISSING_FIELD',
      record: 'annotations[1] (id 11)',
      field: 'segmentation',
    });
  });

  it('formats issues as file: record: field: message', () => {
    const issue = single((d) => (d.annotations[0]!.category_id = 2));
    expect(formatIssue(issue)).toBe(
      'gt.json: annotations[0] (id 10): category_id: category id 2 is not in "categories"',
    );
  });
});

describe('validateCocoResults', () => {
  const results = (mutate: (r: ReturnType<typeof tinyResults>) => void, options = {}) => {
    const r = tinyResults();
    mutate(r);
    return validateCocoResults(r, {
      mode: 'collect',
      file: 'dt.json',
      groundTruth: tinyCoco(),
      ...options,
    }).issues;
  };

  it('accepts valid bbox and RLE detections', () => {
    expect(results(() => {})).toEqual([]);
  });

  it('reports ids unknown to the ground truth', () => {
    const issues = results((r) => {
      r[0]!.image_id = 5;
      r[1]!.category_id = 0;
    });
    expect(issues.map((i) => [i.code, i.record, i.field])).toEqual([
      ['E_UNKNOWN_IMAGE', '[0] (image_id 5)', 'image_id'],
      ['E_UNKNOWN_CATEGORY', '[1] (image_id 7)', 'category_id'],
    ]);
  });

  it('reports missing scores, negative boxes, polygon segmentations and missing geometry', () => {
    const issues = results((r) => {
      delete (r[0] as { score?: number }).score;
      r[0]!.bbox = [1, 1, -2, 3];
      r[1]!.segmentation = [[1, 1, 2, 2, 3, 1]] as never;
      r.push({ image_id: 1, category_id: 1, score: 0.3 });
    });
    expect(issues.map((i) => [i.code, i.field])).toEqual([
      ['E_MISSING_FIELD', 'score'],
      ['E_NON_POSITIVE_SIZE', 'bbox'],
      ['E_MALFORMED_SEGMENTATION', 'segmentation'],
      ['E_MISSING_FIELD', 'bbox'],
    ]);
  });

  it('reports RLE sizes that differ from the image', () => {
    expect(results((r) => (r[1]!.segmentation = { size: [4, 3], counts: [12] }))[0]).toMatchObject({
      code: 'E_RLE_SIZE',
    });
  });

  it('requires an array, and honours requireSegmentation', () => {
    expect(validateCocoResults({}, { mode: 'collect' }).issues[0]!.code).toBe('E_TYPE');
    expect(results(() => {}, { requireSegmentation: true })).toMatchObject([
      { code: 'E_MISSING_FIELD', record: '[0] (image_id 1)', field: 'segmentation' },
    ]);
    expect(() => validateCocoResults([{ image_id: 1 }], { file: 'dt.json' })).toThrow(
      'dt.json: [0] (image_id 1): category_id: missing category id',
    );
  });
});
