import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rleArea, rleFromPolygons } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tinyCoco } from '../__fixtures__/tiny.js';
import { parseCoco } from '../coco/parse.js';
import type { CocoDataset } from '../coco/types.js';
import { validateCoco } from '../coco/validate.js';
import { parseVoc, stringifyVoc, validateVoc } from '../voc/voc.js';
import { parseYoloLabels, parseYoloNames, stringifyYoloLabels } from '../yolo/yolo.js';
import { cocoToVoc, vocToCoco } from './coco-voc.js';
import { cocoToYolo, vocToYolo, yoloToCoco, yoloToVoc } from './coco-yolo.js';

const realworld = fileURLToPath(new URL('../../../../../shared/realworld/', import.meta.url));
const coco128 = `${realworld}coco128/`;
const vocFixture = readFileSync(new URL('../__fixtures__/voc-000005.xml', import.meta.url), 'utf8');

/** A random valid COCO dataset of boxes (integer or fractional coordinates). */
function arbitraryCoco(integer: boolean): fc.Arbitrary<CocoDataset> {
  const coordinate = (max: number) =>
    integer
      ? fc.integer({ min: 0, max })
      : fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });
  return fc
    .array(
      fc.record({
        width: fc.integer({ min: 8, max: 2000 }),
        height: fc.integer({ min: 8, max: 2000 }),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .chain((sizes) =>
      fc
        .array(
          fc.nat(sizes.length - 1).chain((imageIndex) => {
            const { width, height } = sizes[imageIndex]!;
            return fc
              .record({
                x: coordinate(width - 2),
                y: coordinate(height - 2),
                category: fc.nat(2),
                crowd: fc.boolean(),
                fw: fc.double({ min: 0.01, max: 1, noNaN: true }),
                fh: fc.double({ min: 0.01, max: 1, noNaN: true }),
              })
              .map(({ x, y, category, crowd, fw, fh }) => {
                const w = Math.max(1, integer ? Math.round(fw * (width - x)) : fw * (width - x));
                const h = Math.max(1, integer ? Math.round(fh * (height - y)) : fh * (height - y));
                return {
                  imageIndex,
                  x,
                  y,
                  w: Math.min(w, width - x),
                  h: Math.min(h, height - y),
                  category,
                  crowd,
                };
              });
          }),
          { maxLength: 12 },
        )
        .map((boxes) => ({
          images: sizes.map((s, i) => ({ id: i + 1, file_name: `img${i + 1}.jpg`, ...s })),
          categories: ['bird', 'cat', 'dog'].map((name, k) => ({ id: k + 1, name })),
          annotations: boxes.map((b, k) => ({
            id: k + 1,
            image_id: b.imageIndex + 1,
            category_id: b.category + 1,
            bbox: [b.x, b.y, b.w, b.h] as [number, number, number, number],
            area: b.w * b.h,
            iscrowd: (b.crowd ? 1 : 0) as 0 | 1,
          })),
        })),
    );
}

/** Annotations in image order (the order the converters emit them). */
function byImage(data: CocoDataset) {
  return data.images.flatMap((im) => data.annotations.filter((a) => a.image_id === im.id));
}

describe('COCO ⇄ VOC', () => {
  it('uses the devkit convention: a whole-image box is (1, 1, W, H)', () => {
    const voc = cocoToVoc(tinyCoco());
    expect(voc[0]!.objects[1]!.bndbox).toEqual({ xmin: 1, ymin: 1, xmax: 640, ymax: 480 });
    expect(voc[0]!.objects[0]!.bndbox).toEqual({ xmin: 11, ymin: 21, xmax: 110, ymax: 220 });
    expect(voc[1]!.objects[0]).toMatchObject({ name: 'car', difficult: true }); // the crowd
    expect(voc[1]!.filename).toBe('sub/b.png');
    expect(cocoToVoc(tinyCoco(), { crowd: 'skip' })[1]!.objects.map((o) => o.name)).toEqual([
      'person',
    ]);
    const continuous = cocoToVoc(tinyCoco(), { convention: 'continuous' });
    expect(continuous[0]!.objects[1]!.bndbox).toEqual({ xmin: 0, ymin: 0, xmax: 640, ymax: 480 });
  });

  it('rounds fractional boxes to integer pixel indices inside the image by default', () => {
    const data = tinyCoco();
    data.annotations[0]!.bbox = [10.4, 20.6, 99.9, 200.2];
    data.annotations[1]!.bbox = [-0.3, 0, 640.5, 480];
    const [voc] = cocoToVoc(data);
    expect(voc!.objects[0]!.bndbox).toEqual({ xmin: 11, ymin: 22, xmax: 110, ymax: 221 });
    expect(voc!.objects[1]!.bndbox).toEqual({ xmin: 1, ymin: 1, xmax: 640, ymax: 480 });
    const [exact] = cocoToVoc(data, { rounding: 'none' });
    expect(exact!.objects[0]!.bndbox.xmin).toBeCloseTo(11.4, 12);
  });

  it('VOC → COCO → VOC reproduces the file', () => {
    const voc = parseVoc(vocFixture);
    const coco = vocToCoco([voc]);
    expect(coco.categories).toEqual([
      { id: 1, name: 'chair' },
      { id: 2, name: 'dining & table' },
    ]);
    expect(coco.annotations[0]).toEqual({
      id: 1,
      image_id: 1,
      category_id: 1,
      bbox: [262, 210, 62, 129],
      area: 62 * 129,
      iscrowd: 0,
    });
    expect(coco.annotations[1]!.iscrowd).toBe(1); // difficult
    expect(validateCoco(coco, { mode: 'collect' }).issues).toEqual([]);
    const back = cocoToVoc(coco)[0]!;
    expect(back.objects.map((o) => [o.name, o.bndbox, o.difficult])).toEqual(
      voc.objects.map((o) => [o.name, o.bndbox, o.difficult ?? false]),
    );
    expect(parseVoc(stringifyVoc(back))).toEqual(back);
  });

  it('honours categories and difficult options, naming unknown names', () => {
    const voc = parseVoc(vocFixture);
    expect(vocToCoco([voc], { difficult: 'skip' }).annotations).toHaveLength(2);
    expect(vocToCoco([voc], { difficult: 'normal' }).annotations.map((a) => a.iscrowd)).toEqual([
      0, 0, 0,
    ]);
    expect(
      vocToCoco([voc], { categories: ['dining & table', 'chair', 'sofa'] }).annotations[0]!
        .category_id,
    ).toBe(2);
    expect(() => vocToCoco([voc], { categories: ['chair'] })).toThrow(
      '000005.jpg: object[2] (dining & table): name: "dining & table" is not among the categories (chair)',
    );
  });

  it('COCO → VOC → COCO is exact for integer boxes (property)', () => {
    fc.assert(
      fc.property(arbitraryCoco(true), (data) => {
        expect(validateCoco(data, { mode: 'collect' }).ok).toBe(true);
        const voc = cocoToVoc(data);
        for (const v of voc)
          expect(validateVoc(v, { mode: 'collect', boxTolerance: 0 }).issues).toEqual([]);
        const back = vocToCoco(voc, { categories: ['bird', 'cat', 'dog'] });
        expect(back.annotations.map((a) => [a.image_id, a.category_id, a.bbox, a.iscrowd])).toEqual(
          byImage(data).map((a) => [a.image_id, a.category_id, a.bbox, a.iscrowd]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('COCO → VOC → COCO keeps fractional boxes to 1e-9 with rounding none (property)', () => {
    fc.assert(
      fc.property(
        arbitraryCoco(false),
        fc.constantFrom('devkit' as const, 'continuous' as const),
        (data, convention) => {
          const back = vocToCoco(cocoToVoc(data, { rounding: 'none', convention }), {
            categories: ['bird', 'cat', 'dog'],
            convention,
          });
          const expected = byImage(data);
          back.annotations.forEach((a, k) => {
            a.bbox.forEach((v, j) => {
              expect(Math.abs(v - expected[k]!.bbox[j]!)).toBeLessThan(1e-9);
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('COCO ⇄ YOLO', () => {
  it('normalises boxes and maps sorted category ids to 0..K-1', () => {
    const result = cocoToYolo(tinyCoco());
    expect([...result.names]).toEqual([
      [0, 'person'],
      [1, 'car'],
      [2, 'dog'],
    ]);
    expect([...result.categoryIds]).toEqual([
      [0, 1],
      [1, 3],
      [2, 18],
    ]);
    expect(result.images[0]!.labelFile).toBe('a.txt');
    expect(result.images[1]!.labelFile).toBe('b.txt');
    expect(result.images[0]!.labels).toEqual([
      { kind: 'box', classId: 0, box: [60 / 640, 120 / 480, 100 / 640, 200 / 480] },
      { kind: 'box', classId: 2, box: [0.5, 0.5, 1, 1] },
    ]);
    expect(result.images[1]!.labels).toEqual([
      { kind: 'box', classId: 0, box: [0.5, 1 / 3, 0.5, 2 / 3] },
    ]);
    expect(result.skipped).toEqual([{ annotationId: 12, reason: 'crowd' }]);
    expect(cocoToYolo(tinyCoco(), { classIds: 'categoryId' }).images[0]!.labels[1]!.classId).toBe(
      18,
    );
  });

  it('writes polygons for segmentation, skipping RLE objects', () => {
    const data = tinyCoco();
    data.annotations[0]!.segmentation = [
      [0, 0, 64, 0, 64, 48],
      [100, 100, 420, 100, 420, 340, 100, 340],
    ];
    const largest = cocoToYolo(data, { segmentation: true });
    expect(largest.images[0]!.labels).toEqual([
      {
        kind: 'polygon',
        classId: 0,
        polygon: [
          100 / 640,
          100 / 480,
          420 / 640,
          100 / 480,
          420 / 640,
          340 / 480,
          100 / 640,
          340 / 480,
        ],
      },
    ]);
    expect(largest.skipped.map((s) => s.reason)).toEqual([
      'no segmentation',
      'crowd',
      'RLE segmentation (no polygon)',
    ]);
    expect(
      cocoToYolo(data, { segmentation: true, multiPolygon: 'split' }).images[0]!.labels,
    ).toHaveLength(2);
  });

  it('YOLO → COCO computes boxes, and polygon areas as pycocotools would', () => {
    const names = ['cat', 'dog'];
    const coco = yoloToCoco(
      [
        {
          fileName: 'x.jpg',
          width: 200,
          height: 100,
          labels: [
            { kind: 'box', classId: 1, box: [0.5, 0.5, 0.5, 0.2] },
            { kind: 'polygon', classId: 0, polygon: [0.1, 0.1, 0.6, 0.1, 0.6, 0.9] },
          ],
        },
      ],
      names,
    );
    expect(coco.categories).toEqual([
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ]);
    expect(coco.annotations[0]).toEqual({
      id: 1,
      image_id: 1,
      category_id: 2,
      bbox: [50, 40, 100, 20],
      area: 2000,
      iscrowd: 0,
    });
    const polygon = coco.annotations[1]!;
    expect(polygon.bbox).toEqual([20, 10, 100, 80]);
    expect(polygon.area).toBe(rleArea(rleFromPolygons([[20, 10, 120, 10, 120, 90]], 100, 200)));
    expect(validateCoco(coco, { mode: 'collect' }).issues).toEqual([]);
    expect(() =>
      yoloToCoco(
        [
          {
            fileName: 'x.jpg',
            width: 2,
            height: 2,
            labels: [{ kind: 'box', classId: 5, box: [0.5, 0.5, 1, 1] }],
          },
        ],
        names,
      ),
    ).toThrow('x.jpg: labels[0]: class: class 5 has no name or category id');
  });

  it('COCO → YOLO → COCO keeps boxes to 1e-9 (property)', () => {
    fc.assert(
      fc.property(arbitraryCoco(false), (data) => {
        const yolo = cocoToYolo(data, { includeCrowd: true });
        const back = yoloToCoco(
          yolo.images.map((im) => ({
            fileName: im.image.file_name!,
            width: im.image.width,
            height: im.image.height,
            labels: im.labels,
          })),
          yolo.names,
          { categoryIds: yolo.categoryIds },
        );
        const expected = byImage(data);
        expect(back.annotations).toHaveLength(expected.length);
        back.annotations.forEach((a, k) => {
          expect(a.category_id).toBe(expected[k]!.category_id);
          a.bbox.forEach((v, j) => {
            expect(Math.abs(v - expected[k]!.bbox[j]!)).toBeLessThan(1e-9);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('VOC ⇄ YOLO go through COCO', () => {
    const voc = parseVoc(vocFixture);
    const yolo = vocToYolo([voc]);
    expect([...yolo.names.values()]).toEqual(['chair', 'dining & table']);
    expect(yolo.images[0]!.labels).toHaveLength(2); // the difficult chair is a crowd: left out
    const back = yoloToVoc(
      [{ fileName: voc.filename, width: 500, height: 375, labels: yolo.images[0]!.labels }],
      [...yolo.names.values()],
    );
    expect(back[0]!.objects.map((o) => [o.name, o.bndbox])).toEqual([
      ['chair', voc.objects[0]!.bndbox],
      ['dining & table', voc.objects[2]!.bndbox],
    ]);
  });
});

describe.skipIf(!existsSync(coco128))('real COCO128 files (../shared/realworld)', () => {
  it('COCO instances → YOLO equals the published YOLO labels', () => {
    const data = parseCoco(
      readFileSync(`${coco128}annotations/instances_train2017_subset16.json`, 'utf8'),
    );
    const names = parseYoloNames(readFileSync(`${realworld}labels/coco80_ultralytics.txt`, 'utf8'));
    const yolo = cocoToYolo(data);
    expect([...yolo.names.values()]).toEqual(names);
    let identicalText = 0;
    for (const { labelFile, labels } of yolo.images) {
      const text = readFileSync(`${coco128}labels/train2017/${labelFile}`, 'utf8');
      const published = parseYoloLabels(text, { classNames: names });
      expect(labels.map((l) => l.classId)).toEqual(published.map((l) => l.classId));
      labels.forEach((label, k) => {
        const theirs = published[k]!;
        if (label.kind !== 'box' || theirs.kind !== 'box') throw new Error('expected boxes');
        label.box.forEach((v, j) => {
          expect(Math.abs(v - theirs.box[j]!)).toBeLessThanOrEqual(5e-7 + 1e-12);
        });
      });
      if (stringifyYoloLabels(labels) === text) identicalText++;
    }
    expect(identicalText).toBe(yolo.images.length);
  });
});
