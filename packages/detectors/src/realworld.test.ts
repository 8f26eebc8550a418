/**
 * Real models on real photos (../shared/realworld, see its README): YOLOX-nano and DEIMv2-atto
 * through the model-card pipeline, scored against the photos' ground truth. Skips cleanly when
 * that folder is absent — a fresh clone never needs it and nothing from it is committed.
 *
 * What it proves: the card's preprocessing (YOLOX: top-left letterbox, floor rounding, BGR,
 * 0–255; DEIMv2: plain resize, RGB, /255, int64 `orig_target_sizes`) and the decoders give
 * detections that land on the annotated objects, with the right classes, in original pixels.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boxIou } from '@ocelot/core';
import { decodeImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from './builtins.js';
import type { Detector } from './detector.js';
import { parseModelCard } from './model-card.js';
import { buildDetector, createDetectorRegistry } from './registry.js';

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'realworld',
);
const present = existsSync(join(ROOT, 'models', 'yolox_nano_coco_416.onnx'));
const IMAGES = join(ROOT, 'coco128', 'images', 'train2017');
const LABELS = join(ROOT, 'coco128', 'labels', 'train2017');

interface Scores {
  recall: number;
  precision: number;
  objects: number;
  detections: number;
}

/** Class-aware matching at IoU ≥ 0.5 against the YOLO-format ground truth of every photo. */
async function evaluate(detector: Detector, scoreThreshold: number): Promise<Scores> {
  let objects = 0;
  let found = 0;
  let detections = 0;
  let correct = 0;
  for (const file of readdirSync(IMAGES).sort()) {
    const image = await decodeImage(join(IMAGES, file));
    const gtLines = readFileSync(join(LABELS, file.replace(/\.jpg$/, '.txt')), 'utf8')
      .trim()
      .split('\n');
    const gtBoxes = new Float32Array(4 * gtLines.length);
    const gtLabels = gtLines.map((line, i) => {
      const [c, cx, cy, w, h] = line.split(' ').map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      gtBoxes.set(
        [
          (cx - w / 2) * image.width,
          (cy - h / 2) * image.height,
          (cx + w / 2) * image.width,
          (cy + h / 2) * image.height,
        ],
        4 * i,
      );
      return c;
    });
    const det = await detector.detect(image, { scoreThreshold });
    objects += gtLabels.length;
    detections += det.scores.length;
    if (det.scores.length === 0) continue;
    const iou = boxIou(det.boxes, gtBoxes);
    const used = new Set<number>();
    for (let d = 0; d < det.scores.length; d++) {
      let best = -1;
      let bestIou = 0.5;
      for (let g = 0; g < gtLabels.length; g++) {
        const v = iou[d * gtLabels.length + g]!;
        if (!used.has(g) && gtLabels[g] === det.labels[d] && v >= bestIou) {
          best = g;
          bestIou = v;
        }
      }
      if (best >= 0) {
        used.add(best);
        correct++;
      }
    }
    found += used.size;
  }
  return {
    recall: found / objects,
    precision: detections === 0 ? 0 : correct / detections,
    objects,
    detections,
  };
}

const coco80 = () =>
  readFileSync(join(ROOT, 'labels', 'coco80_ultralytics.txt'), 'utf8')
    .trim()
    .split('\n');

describe.skipIf(!present)('real models on COCO photos (../shared/realworld)', () => {
  it('YOLOX-nano 416 (yolox: top-left letterbox, BGR 0–255)', async () => {
    const card = parseModelCard({
      id: 'yolox-nano',
      task: 'detect',
      architecture: { type: 'yolox' },
      files: { model: { path: join(ROOT, 'models', 'yolox_nano_coco_416.onnx') } },
      input: {
        width: 416,
        height: 416,
        resize: 'letterbox',
        center: false,
        sizeRounding: 'floor',
        padValue: 114,
        scale: 1,
        channelOrder: 'bgr',
      },
      labels: coco80(),
    });
    const detector = await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      const s = await evaluate(detector, 0.3);
      console.info(
        `YOLOX-nano: recall ${s.recall.toFixed(3)}, precision ${s.precision.toFixed(3)} (${s.objects} objects, ${s.detections} detections)`,
      );
      expect(s.recall).toBeGreaterThan(0.38);
      expect(s.precision).toBeGreaterThan(0.7);
    } finally {
      await detector.dispose();
    }
    // the test has teeth: the same model fed RGB 0–1 (a common mistake) finds far less
    const wrong = await buildDetector(
      registerBuiltins(createDetectorRegistry()),
      parseModelCard({ ...card, input: { ...card.input, channelOrder: 'rgb', scale: 1 / 255 } }),
      { session: { executionProviders: ['cpu'], threads: 1 } },
    );
    try {
      const s = await evaluate(wrong, 0.3);
      console.info(
        `YOLOX-nano fed RGB 0–1: recall ${s.recall.toFixed(3)}, precision ${s.precision.toFixed(3)}`,
      );
      expect(s.recall).toBeLessThan(0.2);
    } finally {
      await wrong.dispose();
    }
  });

  it('DEIMv2-atto 320 (rt-detr, post-processed export fed orig_target_sizes)', async () => {
    const card = parseModelCard({
      id: 'deimv2-atto',
      task: 'detect',
      architecture: { type: 'rt-detr', outputs: 'postprocessed' },
      files: { model: { path: join(ROOT, 'models', 'deimv2_hgnetv2_atto_coco_320.onnx') } },
      input: { width: 320, height: 320, resize: 'stretch' },
      labels: coco80(),
    });
    const detector = await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      const s = await evaluate(detector, 0.4);
      console.info(
        `DEIMv2-atto: recall ${s.recall.toFixed(3)}, precision ${s.precision.toFixed(3)} (${s.objects} objects, ${s.detections} detections)`,
      );
      expect(s.recall).toBeGreaterThan(0.35);
      expect(s.precision).toBeGreaterThan(0.5);
    } finally {
      await detector.dispose();
    }
  });
});
