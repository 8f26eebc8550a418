import { readFileSync } from 'node:fs';
import { OcelotError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { CocoFormatError, UnknownImageError } from '../errors.js';
import { evaluateCoco } from './evaluate.js';
import { formatCocoSummary } from './summary.js';
import type { CocoDetection, CocoEvalOptions, CocoGroundTruth } from './types.js';

const FIX = new URL('../__fixtures__/coco-eval/', import.meta.url);
const readJson = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIX), 'utf8')) as T;

interface Expected {
  stats: number[];
  summary: string;
  counts: number[];
  recall: number[];
  precisionMeanR: number[];
  scoresMeanR: number[];
  precision?: number[];
  scores?: number[];
  evalImgs?: {
    imageId: number;
    categoryId: number;
    areaRange: number[];
    maxDet: number;
    dtIds: number[];
    gtIds: number[];
    dtMatches: number[];
    gtMatches: number[];
    dtScores: number[];
    gtIgnore: number[];
    dtIgnore: number[];
  }[];
}
interface Case {
  name: string;
  iouType: 'bbox' | 'segm';
  params: {
    iouThrs?: number[];
    recThrs?: number[];
    maxDets?: number[];
    areaRng?: [number, number][];
    areaRngLbl?: string[];
    useCats?: number;
    imgIds?: number[];
    catIds?: number[];
  };
  gtFile?: string;
  dtFile?: string | null;
  gt?: CocoGroundTruth;
  dt?: CocoDetection[];
  expected: Expected;
}

const extra = readJson<{ generator: string; cases: Case[] }>('extra.json');

function optionsOf(c: Case): CocoEvalOptions {
  const p = c.params;
  return {
    iouType: c.iouType,
    ...(p.iouThrs ? { iouThresholds: p.iouThrs } : {}),
    ...(p.recThrs ? { recallThresholds: p.recThrs } : {}),
    ...(p.maxDets ? { maxDets: p.maxDets } : {}),
    ...(p.areaRng
      ? {
          areaRanges: p.areaRng.map(([min, max], i) => ({ label: p.areaRngLbl![i]!, min, max })),
        }
      : {}),
    ...(p.useCats !== undefined ? { useCats: p.useCats === 1 } : {}),
    ...(p.imgIds ? { imgIds: p.imgIds } : {}),
    ...(p.catIds ? { catIds: p.catIds } : {}),
  };
}

/** Mean over the R axis of a [T,R,K,A,M] array, as numpy's `mean(axis=1)`. */
function meanOverR(data: Float64Array, dims: readonly number[]): number[] {
  const [T, R, K, A, M] = dims as [number, number, number, number, number];
  const out: number[] = [];
  const inner = K * A * M;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < inner; j++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += data[(t * R + r) * inner + j]!;
      out.push(s / R);
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= tol) && !(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (at >= 0) {
    expect.fail(`index ${at}: got ${actual[at]}, expected ${expected[at]} (|diff| ${worst})`);
  }
}

describe('evaluateCoco — shared fixtures (/work/shared/fixtures/coco-eval)', () => {
  for (const seed of ['seed1', 'seed2', 'seed3']) {
    const gt = readJson<CocoGroundTruth>(`${seed}/gt.json`);
    const expected = readJson<{ expected: Record<'bbox' | 'segm', number[]> }>(
      `${seed}/expected.json`,
    ).expected;
    for (const iouType of ['bbox', 'segm'] as const) {
      it(`${seed} ${iouType}: the 12 stats within 1e-9 of pycocotools`, () => {
        const dt = readJson<CocoDetection[]>(`${seed}/dt_${iouType}.json`);
        const r = evaluateCoco(gt, dt, { iouType });
        expectClose(r.stats, expected[iouType], 1e-9);
        // In fact bit-identical: same float64 operations in the same order.
        expect(r.stats).toEqual(expected[iouType]);
      });
    }
  }
});

describe(`evaluateCoco — pycocotools cases (${extra.generator})`, () => {
  const cache = new Map<string, unknown>();
  const load = <T>(name: string): T => {
    if (!cache.has(name)) cache.set(name, readJson<T>(name));
    return cache.get(name) as T;
  };
  for (const c of extra.cases) {
    it(c.name, () => {
      const gt = c.gt ?? load<CocoGroundTruth>(c.gtFile!);
      const dt = c.dt ?? (c.dtFile ? load<CocoDetection[]>(c.dtFile) : []);
      const e = c.expected;
      const r = evaluateCoco(gt, dt, { ...optionsOf(c), perImage: e.evalImgs !== undefined });
      expect(r.stats).toEqual(e.stats);
      expect([...r.precision.dims]).toEqual(e.counts);
      expectClose(r.recall.data, e.recall, 0);
      expectClose(meanOverR(r.precision.data, r.precision.dims), e.precisionMeanR, 1e-12);
      expectClose(meanOverR(r.scores.data, r.scores.dims), e.scoresMeanR, 1e-12);
      if (e.precision) expectClose(r.precision.data, e.precision, 0);
      if (e.scores) expectClose(r.scores.data, e.scores, 0);
      expect(formatCocoSummary(r.stats, c.iouType, r.params)).toBe(e.summary);
      if (e.evalImgs) {
        const got = r.evalImgs!;
        expect(got.length).toBe(e.evalImgs.length);
        got.forEach((g, i) => {
          const x = e.evalImgs![i]!;
          expect({
            imageId: g.imageId,
            categoryId: g.categoryId,
            areaRange: [...g.areaRange],
            maxDet: g.maxDet,
            dtIds: [...g.dtIds],
            gtIds: [...g.gtIds],
            dtMatches: [...g.dtMatches],
            gtMatches: [...g.gtMatches],
            dtScores: [...g.dtScores],
            gtIgnore: [...g.gtIgnore],
            dtIgnore: [...g.dtIgnore],
          }).toEqual(x);
        });
      }
    });
  }
});

describe('evaluateCoco — results', () => {
  const gt = readJson<CocoGroundTruth>('seed1/gt.json');
  const dt = readJson<CocoDetection[]>('seed1/dt_bbox.json');

  it('per-category AP averages to stats[0] and names the categories', () => {
    const r = evaluateCoco(gt, dt, { iouType: 'bbox' });
    expect(r.perCategory.map((c) => c.categoryId)).toEqual(
      gt.categories.map((c) => c.id).sort((a, b) => Number(a) - Number(b)),
    );
    const valid = r.perCategory.filter((c) => c.ap > -1);
    // Same elements, different summation order than numpy's flattened mean: close, not equal.
    const mean = valid.reduce((s, c) => s + c.ap, 0) / valid.length;
    expect(mean).toBeCloseTo(r.stats[0]!, 12);
    for (const c of r.perCategory) expect(c.name).toBe(`class_${c.categoryId}`);
    expect(r.perCategory.reduce((s, c) => s + c.numDetections, 0)).toBe(dt.length);
  });

  it('reports progress up to the total', () => {
    const calls: [number, number][] = [];
    evaluateCoco(gt, dt, { iouType: 'bbox', onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(200);
    const last = calls[calls.length - 1]!;
    expect(last[0]).toBe(last[1]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
  });

  it('does not modify its inputs', () => {
    const g = structuredClone(gt);
    const d = structuredClone(dt);
    evaluateCoco(g, d, { iouType: 'bbox' });
    evaluateCoco(g, d, { iouType: 'segm' });
    expect(g).toEqual(gt);
    expect(d).toEqual(dt);
    const ds = readJson<CocoDetection[]>('seed1/dt_segm.json');
    const ds2 = structuredClone(ds);
    evaluateCoco(g, ds2, { iouType: 'segm' });
    evaluateCoco(g, ds2, { iouType: 'bbox' });
    expect(ds2).toEqual(ds);
  });

  it('formatCocoSummary rejects what is not 12 stats', () => {
    expect(() => formatCocoSummary([1, 2], 'bbox')).toThrow(/12 COCO statistics/);
    expect(() => formatCocoSummary(new Array(12).fill(0), 'keypoints' as 'bbox')).toThrow(
      /iouType/,
    );
    const text = formatCocoSummary(new Array(12).fill(-1), 'segm', { maxDets: [5] });
    expect(text.split('\n')[7]).toBe(
      ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  - ] = -1.000',
    );
  });

  it('polygon and uncompressed-RLE segm results are read (pycocotools only takes compressed RLE)', () => {
    const img = { id: 1, height: 20, width: 20 };
    const g = {
      images: [img],
      categories: [{ id: 1 }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          area: 100,
          segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]],
        },
      ],
    };
    const poly = [
      { image_id: 1, category_id: 1, score: 1, segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]] },
    ];
    const r = evaluateCoco(g, poly, { iouType: 'segm' });
    expect(r.stats[0]).toBeCloseTo(1, 15);
  });

  it('a perfect detector scores 1 everywhere it has ground truth', () => {
    const perfect = (gt.annotations ?? [])
      .filter((a) => !a.iscrowd)
      .map((a) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox!, score: 1 }));
    const r = evaluateCoco(gt, perfect, { iouType: 'bbox' });
    for (const i of [0, 1, 2, 8]) expect(r.stats[i]).toBe(1);
  });

  it('detections of images or categories outside the subset are skipped and counted', () => {
    const r = evaluateCoco(gt, dt, { iouType: 'bbox', imgIds: [gt.images[0]!.id] });
    expect(r.skipped.detections).toBe(dt.filter((d) => d.image_id !== gt.images[0]!.id).length);
  });
});

describe('evaluateCoco — bad input', () => {
  const gt: CocoGroundTruth = {
    images: [{ id: 1, height: 10, width: 10 }],
    categories: [{ id: 1, name: 'a' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0 }],
  };
  const det = { image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 };
  const bbox = { iouType: 'bbox' } as const;

  const fails = (g: unknown, d: unknown, code: string, text: RegExp, opts: unknown = bbox) => {
    let err: unknown;
    try {
      evaluateCoco(g as CocoGroundTruth, d as CocoDetection[], opts as CocoEvalOptions);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OcelotError);
    expect((err as OcelotError).code).toBe(code);
    expect((err as Error).message).toMatch(text);
  };

  it('unknown image id → UnknownImageError naming the record', () => {
    let err: unknown;
    try {
      evaluateCoco(gt, [det, { ...det, image_id: 42 }], bbox);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownImageError);
    expect(err).toBeInstanceOf(CocoFormatError);
    expect((err as UnknownImageError).index).toBe(1);
    expect((err as UnknownImageError).imageId).toBe(42);
    expect((err as Error).message).toMatch(/detections\[1\]\.image_id/);
  });
  it('NaN / missing score', () => {
    fails(gt, [det, { ...det, score: Number.NaN }], 'E_NON_FINITE', /detections\[1\]\.score/);
    fails(gt, [{ ...det, score: undefined }], 'E_COCO_FORMAT', /detections\[0\]\.score: missing/);
    fails(gt, [{ ...det, score: '0.5' }], 'E_COCO_FORMAT', /detections\[0\]\.score/);
  });
  it('malformed structures', () => {
    fails(null, [], 'E_COCO_FORMAT', /groundTruth/);
    fails([], [], 'E_COCO_FORMAT', /groundTruth/);
    fails({ categories: [] }, [], 'E_COCO_FORMAT', /groundTruth\.images: missing/);
    fails({ images: [] }, [], 'E_COCO_FORMAT', /groundTruth\.categories: missing/);
    fails({ ...gt, annotations: {} }, [], 'E_COCO_FORMAT', /groundTruth\.annotations/);
    fails(gt, { 0: det }, 'E_COCO_FORMAT', /detections: expected an array/);
    fails(gt, [det, 7], 'E_COCO_FORMAT', /detections\[1\]: expected an object/);
    fails(
      gt,
      [{ image_id: 1, category_id: 1, score: 1 }],
      'E_COCO_FORMAT',
      /neither bbox nor segmentation/,
    );
    fails(
      gt,
      [det, { ...det, bbox: undefined }],
      'E_COCO_FORMAT',
      /detections\[1\]\.bbox: missing/,
    );
    fails(gt, [{ ...det, bbox: [1, 2, 3] }], 'E_COCO_FORMAT', /detections\[0\]\.bbox/);
    fails(gt, [{ ...det, bbox: [1, 2, 3, Number.POSITIVE_INFINITY] }], 'E_NON_FINITE', /bbox\[3\]/);
    fails(gt, [{ ...det, category_id: null }], 'E_COCO_FORMAT', /detections\[0\]\.category_id/);
  });
  it('malformed ground truth records', () => {
    const ann = gt.annotations![0]!;
    fails(
      { ...gt, annotations: [{ ...ann, area: undefined }] },
      [],
      'E_COCO_FORMAT',
      /annotations\[0\]\.area: missing/,
    );
    fails(
      { ...gt, annotations: [{ ...ann, id: undefined }] },
      [],
      'E_COCO_FORMAT',
      /annotations\[0\]\.id/,
    );
    fails(
      { ...gt, annotations: [ann, ann] },
      [],
      'E_COCO_DUPLICATE_ID',
      /annotations\[1\]\.id: duplicate/,
    );
    fails(
      { ...gt, images: [gt.images[0], gt.images[0]] },
      [],
      'E_COCO_DUPLICATE_ID',
      /images\[1\]\.id/,
    );
    fails(
      { ...gt, annotations: [{ ...ann, bbox: undefined }] },
      [],
      'E_COCO_FORMAT',
      /annotations\[0\]\.bbox: missing/,
    );
    fails({ ...gt, annotations: [{ ...ann, iscrowd: 'yes' }] }, [], 'E_COCO_FORMAT', /iscrowd/);
    fails({ ...gt, annotations: [ann] }, [], 'E_COCO_FORMAT', /segmentation: missing/, {
      iouType: 'segm',
    });
  });
  it('malformed segmentations name the record', () => {
    const seg = (segmentation: unknown) => ({
      ...gt,
      annotations: [{ ...gt.annotations![0]!, segmentation }],
    });
    const d = {
      image_id: 1,
      category_id: 1,
      segmentation: { size: [10, 10], counts: [10, 90] },
      score: 1,
    };
    const segm = { iouType: 'segm' };
    fails(
      seg({ size: [10, 10], counts: '!!' }),
      [d],
      'E_COCO_SEGMENTATION',
      /annotations\[0\]\.segmentation/,
      segm,
    );
    fails(seg([[1, 2, 3, 4]]), [d], 'E_COCO_FORMAT', /first polygon of 4 numbers/, segm);
    fails(
      seg({ size: [8, 10], counts: [80] }),
      [d],
      'E_COCO_MASK_SIZE',
      /differs from the image/,
      segm,
    );
    fails(seg({ size: [10], counts: [] }), [d], 'E_COCO_FORMAT', /segmentation\.size/, segm);
    const good = seg([[0, 0, 5, 0, 5, 5, 0, 5]]);
    fails(
      good,
      [{ ...d, segmentation: { size: [10, 10], counts: 'zz' } }],
      'E_COCO_SEGMENTATION',
      /detections\[0\]\.segmentation/,
      segm,
    );
    const noSize = { ...good, images: [{ id: 1 }] };
    fails(noSize, [d], 'E_COCO_FORMAT', /polygons need the image height and width/, segm);
  });
  it('bad options', () => {
    fails(gt, [det], 'E_INVALID_ARGUMENT', /options\.iouType/, { iouType: 'keypoints' });
    fails(gt, [det], 'E_INVALID_ARGUMENT', /options\.maxDets\[0\]/, {
      iouType: 'bbox',
      maxDets: [1.5],
    });
    fails(gt, [det], 'E_INVALID_ARGUMENT', /options\.iouThresholds\[1\]/, {
      iouType: 'bbox',
      iouThresholds: [0.5, Number.NaN],
    });
    fails(gt, [det], 'E_INVALID_ARGUMENT', /options\.areaRanges\[0\]\.label/, {
      iouType: 'bbox',
      areaRanges: [{ min: 0, max: 1 }],
    });
    fails(gt, [det], 'E_COCO_FORMAT', /mix numbers and strings/, {
      iouType: 'bbox',
      imgIds: [1, '2'],
    });
  });

  it('documented behaviours instead of errors', () => {
    // Empty detections: COCOeval (bypassing loadRes, which raises IndexError on []) gives 0.
    expect(evaluateCoco(gt, [], bbox).stats).toEqual([0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
    // No annotations at all: every statistic is -1.
    const { annotations: _, ...noAnns } = gt;
    expect(evaluateCoco(noAnns, [det], bbox).stats.every((v) => v === -1)).toBe(true);
    // Missing iscrowd reads as 0 (pycocotools raises KeyError).
    const { iscrowd: __, ...noCrowd } = gt.annotations![0]!;
    expect(evaluateCoco({ ...gt, annotations: [noCrowd] }, [det], bbox).stats[0]).toBeCloseTo(
      1,
      15,
    );
    // Negative box sizes are accepted as pycocotools does: IoU 0, area out of every range.
    const r = evaluateCoco(gt, [det, { ...det, bbox: [0, 0, 5, -5], score: 0.9 }], bbox);
    expect(r.stats[0]).toBeCloseTo(1, 15);
    // String ids work (not mixed with numbers).
    const sgt = {
      images: [{ id: 'a' }],
      categories: [{ id: 'c' }],
      annotations: [{ id: 1, image_id: 'a', category_id: 'c', bbox: [0, 0, 5, 5], area: 25 }],
    };
    expect(
      evaluateCoco(sgt, [{ ...det, image_id: 'a', category_id: 'c' }], bbox).stats[0],
    ).toBeCloseTo(1, 15);
  });
});
