import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceCocoEval } from '../test-utils/cocoevalReference.js';
import { evaluateCoco } from './evaluate.js';
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from './params.js';

/** Random small COCO problems rich in ties, crowds, empty groups and area-range edges. */
const problem = fc
  .record({
    imgIds: fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 4 }),
    catIds: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    gt: fc.array(
      fc.record({
        img: fc.nat(),
        cat: fc.nat(),
        x: fc.integer({ min: 0, max: 40 }),
        y: fc.integer({ min: 0, max: 40 }),
        w: fc.integer({ min: 0, max: 40 }),
        h: fc.integer({ min: 0, max: 40 }),
        area: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2000 })),
        crowd: fc.integer({ min: 0, max: 5 }).map((v) => (v === 0 ? 1 : 0)),
      }),
      { maxLength: 12 },
    ),
    gtIdBase: fc.integer({ min: -3, max: 1 }), // sometimes an annotation id 0 (or negative)
    dt: fc.array(
      fc.record({
        img: fc.nat(),
        cat: fc.nat({ max: 4 }),
        near: fc.option(fc.nat(), { nil: undefined }),
        dx: fc.integer({ min: -6, max: 6 }),
        dy: fc.integer({ min: -6, max: 6 }),
        x: fc.integer({ min: 0, max: 40 }),
        y: fc.integer({ min: 0, max: 40 }),
        w: fc.integer({ min: -2, max: 40 }),
        h: fc.integer({ min: 0, max: 40 }),
        score: fc.oneof(
          fc.constantFrom(0.5, 0.5, 0.9, 0.1, 0, -0, -0.25),
          fc.double({ min: -1, max: 1, noNaN: true }),
        ),
      }),
      { maxLength: 20 },
    ),
    maxDets: fc.oneof(
      fc.constant<number[]>([1, 10, 100]),
      fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
    ),
    iouThrs: fc.oneof(
      fc.constant(Array.from(COCO_IOU_THRESHOLDS)),
      fc.array(fc.constantFrom(0.1, 0.3, 0.5, 0.75, 0.9, 1), { minLength: 1, maxLength: 4 }),
    ),
    recThrs: fc.oneof(
      fc.constant(Array.from(COCO_RECALL_THRESHOLDS)),
      fc.array(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { minLength: 1, maxLength: 6 }),
    ),
    customAreas: fc.boolean(),
    useCats: fc.boolean(),
  })
  .map((r) => {
    const annotations = r.gt.map((g, i) => ({
      id: r.gtIdBase + i,
      image_id: r.imgIds[g.img % r.imgIds.length]!,
      category_id: r.catIds[g.cat % r.catIds.length]!,
      bbox: [g.x, g.y, g.w, g.h],
      area: g.area < 0 ? g.w * g.h : g.area,
      iscrowd: g.crowd,
    }));
    const detections = r.dt.map((d) => {
      const g =
        d.near !== undefined && annotations.length > 0
          ? annotations[d.near % annotations.length]!
          : undefined;
      return {
        image_id: g ? g.image_id : r.imgIds[d.img % r.imgIds.length]!,
        category_id: g && d.cat < 3 ? g.category_id : d.cat + 1,
        bbox: g
          ? [g.bbox[0]! + d.dx, g.bbox[1]! + d.dy, g.bbox[2]!, g.bbox[3]!]
          : [d.x, d.y, d.w, d.h],
        score: d.score,
      };
    });
    const areaRanges = r.customAreas
      ? [
          { label: 'all', min: 0, max: 1e10 },
          { label: 'small', min: 0, max: 100 },
          { label: 'medium', min: 100, max: 400 },
          { label: 'large', min: 400, max: 1e10 },
        ]
      : COCO_AREA_RANGES;
    return { ...r, annotations, detections, areaRanges };
  });

describe('evaluateCoco against a literal port of cocoeval.py (property)', () => {
  it('stats, precision, recall and scores are identical', () => {
    fc.assert(
      fc.property(problem, (pb) => {
        const gt = {
          images: pb.imgIds.map((id) => ({ id })),
          categories: pb.catIds.map((id) => ({ id })),
          annotations: pb.annotations,
        };
        const got = evaluateCoco(gt, pb.detections, {
          iouType: 'bbox',
          iouThresholds: pb.iouThrs,
          recallThresholds: pb.recThrs,
          maxDets: pb.maxDets,
          areaRanges: pb.areaRanges,
          useCats: pb.useCats,
        });
        const ref = referenceCocoEval(pb.annotations, pb.detections, pb.imgIds, pb.catIds, {
          iouThrs: pb.iouThrs,
          recThrs: pb.recThrs,
          maxDets: pb.maxDets,
          areaRng: pb.areaRanges.map((a) => [a.min, a.max]),
          areaRngLbl: pb.areaRanges.map((a) => a.label),
          useCats: pb.useCats,
        });
        expect(got.stats).toEqual(ref.stats);
        // A plain loop (Object.is per element) instead of toEqual on 10^4–10^5-element arrays:
        // same strictness, a fraction of the time, so the property can afford its 400 runs.
        expect(firstDifference(got.recall.data, ref.recall)).toBe(-1);
        expect(firstDifference(got.precision.data, ref.precision)).toBe(-1);
        expect(firstDifference(got.scores.data, ref.scores)).toBe(-1);
      }),
      { numRuns: 400, seed: 20240611 },
    );
  }, 300_000);
});

/** Index of the first element where `a` and `b` differ (Object.is), or -1 when identical. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
