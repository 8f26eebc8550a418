/**
 * The three COCO detectors of the zoo — YOLOX-nano (top-left letterbox, BGR 0–255), NanoDet-m
 * (GFL head, BGR mean/std, plain resize) and DEIMv2-atto (set prediction, int64
 * orig_target_sizes) — on 16 COCO train2017 photos with their official annotations, built from
 * their model cards with the files taken from ../shared/realworld/models.
 *
 * Floors: the COCO AP / AP50 measured here (onnxruntime-node 1.30, CPU, one thread; the card's
 * `metrics`) minus 0.03. The same runtime gives the same numbers every run; the margin absorbs
 * other onnxruntime builds, whose last-digit differences can flip a borderline match (one
 * match moves AP by about 0.01 on these 72 objects). A card or decoder mistake costs more:
 * swapped colour channels cost YOLOX 0.05 AP and DEIMv2 0.04 (a test below checks the floors
 * catch them), NanoDet's centres at x·s instead of (x + 0.5)·s cost it 0.18.
 */
import { boxIou } from '@ocelot/core';
import {
  buildDetector,
  createDetectorRegistry,
  type Detector,
  registerBuiltins,
} from '@ocelot/detectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DetectorScore,
  EVAL_OPTIONS,
  loadPhotos,
  type Photo,
  scoreDetector,
} from './evaluate.js';
import {
  CPU_ONE_THREAD,
  type CocoGroundTruth,
  loadGroundTruth,
  loadZooCard,
  MODELS_DIR,
  realworldUnavailable,
  ZOO,
  type ZooId,
  zooDetector,
} from './realworld.js';

const unavailable = realworldUnavailable();

/** Measured COCO AP and AP50 on the 16 photos (see each card's metrics). */
const MEASURED: Record<string, { ap: number; ap50: number }> = {
  [ZOO.yolox]: { ap: 0.57, ap50: 0.793 },
  [ZOO.nanodet]: { ap: 0.516, ap50: 0.69 },
  [ZOO.deimv2]: { ap: 0.555, ap50: 0.731 },
};
const MARGIN = 0.03;

/**
 * Objects every one of the three finds (score ≥ 0.3, IoU ≥ 0.5 with the annotated box):
 * photo id → COCO category names.
 */
const OBVIOUS: Record<number, string[]> = {
  9: ['broccoli', 'bowl'],
  25: ['giraffe'],
  30: ['potted plant', 'vase'],
  34: ['zebra'],
  36: ['person', 'umbrella'],
  72: ['giraffe'],
  74: ['dog', 'bicycle'],
  78: ['clock'],
  81: ['airplane'],
};

describe.skipIf(unavailable !== undefined)(
  `COCO detectors on real photos${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let gt: CocoGroundTruth;
    let photos: Photo[];
    beforeAll(async () => {
      gt = await loadGroundTruth();
      photos = await loadPhotos(gt);
    });

    describe.each([ZOO.yolox, ZOO.nanodet, ZOO.deimv2] as ZooId[])('%s', (id) => {
      let detector: Detector;
      let labelIds: readonly number[];
      let score: DetectorScore;
      beforeAll(async () => {
        detector = await zooDetector(id);
        labelIds = (await loadZooCard(id)).labelIds!;
        score = await scoreDetector(detector, photos, gt, labelIds, EVAL_OPTIONS);
      });
      afterAll(() => detector?.dispose());

      it(`COCO AP50 ≥ ${(MEASURED[id]!.ap50 - MARGIN).toFixed(3)} and AP ≥ ${(MEASURED[id]!.ap - MARGIN).toFixed(3)} on the 16 photos`, () => {
        const [ap, ap50] = score.stats as [number, number];
        expect(ap50).toBeGreaterThanOrEqual(MEASURED[id]!.ap50 - MARGIN);
        expect(ap).toBeGreaterThanOrEqual(MEASURED[id]!.ap - MARGIN);
        expect(ap50).toBeLessThanOrEqual(1);
      });

      it('finds the obvious objects where the annotations put them', () => {
        const names = new Map(gt.categories.map((c) => [c.name, c.id]));
        const missed: string[] = [];
        for (const [photo, wanted] of Object.entries(OBVIOUS)) {
          const d = score.detections.get(Number(photo))!;
          for (const name of wanted) {
            const category = names.get(name)!;
            const boxes = gt.annotations
              .filter((a) => a.image_id === Number(photo) && a.category_id === category)
              .map((a) => [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]]);
            let best = 0;
            for (let i = 0; i < d.scores.length; i++) {
              if (d.scores[i]! < 0.3 || labelIds[d.labels[i]!] !== category) continue;
              const iou = boxIou(Float32Array.from(boxes.flat()), d.boxes.slice(4 * i, 4 * i + 4));
              best = Math.max(best, ...iou);
            }
            if (best < 0.5) missed.push(`${name} in ${photo} (best IoU ${best.toFixed(2)})`);
          }
        }
        expect(missed).toEqual([]);
      });

      it('boxes are in original-image pixels, inside the photo, sorted by score, named by the card', async () => {
        const photo = photos.find((p) => p.id === 36)!;
        const d = score.detections.get(36)!;
        expect(d.imageSize).toEqual({ width: photo.image.width, height: photo.image.height });
        for (let i = 0; i < d.scores.length; i++) {
          const [x1, y1, x2, y2] = d.boxes.subarray(4 * i, 4 * i + 4) as unknown as number[];
          expect(x1).toBeGreaterThanOrEqual(0);
          expect(y1).toBeGreaterThanOrEqual(0);
          expect(x2).toBeLessThanOrEqual(photo.image.width);
          expect(y2).toBeLessThanOrEqual(photo.image.height);
          if (i > 0) expect(d.scores[i]).toBeLessThanOrEqual(d.scores[i - 1]!);
          expect(d.labelNames[i]).toBe(detector.classNames[d.labels[i]!]);
        }
        // the person under the umbrella is the top detection (annotation: 480 × 640 portrait)
        expect(d.labelNames.slice(0, 2)).toContain('person');
      });

      it('the class allow-list and the card’s defaults apply', async () => {
        const photo = photos.find((p) => p.id === 74)!;
        const dogs = await detector.detect(photo.image, { classes: ['dog'] });
        expect(dogs.scores.length).toBeGreaterThan(0);
        expect(new Set(dogs.labelNames)).toEqual(new Set(['dog']));
        const plain = await detector.detect(photo.image);
        expect(Math.min(...plain.scores)).toBeGreaterThanOrEqual(
          ({ [ZOO.yolox]: 0.3, [ZOO.nanodet]: 0.05, [ZOO.deimv2]: 0.5 } as Record<string, number>)[
            id
          ]!,
        );
      });
    });

    it.each([ZOO.yolox, ZOO.deimv2] as ZooId[])(
      'the floors catch a wrong card: %s with its colour channels swapped falls below them',
      async (id) => {
        const card = await loadZooCard(id);
        const swapped = card.input.channelOrder === 'bgr' ? 'rgb' : 'bgr';
        const wrong = await buildDetector(
          registerBuiltins(createDetectorRegistry()),
          { ...card, input: { ...card.input, channelOrder: swapped } },
          { base: MODELS_DIR, session: CPU_ONE_THREAD },
        );
        const s = await scoreDetector(wrong, photos, gt, card.labelIds!, EVAL_OPTIONS);
        await wrong.dispose();
        const [ap, ap50] = s.stats as [number, number];
        expect(ap < MEASURED[id]!.ap - MARGIN || ap50 < MEASURED[id]!.ap50 - MARGIN).toBe(true);
      },
    );
  },
);
