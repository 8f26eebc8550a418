/**
 * Measures the models in models/ through Ocelot's own TypeScript pipeline — @ocelot/image
 * preprocessing, @ocelot/runtime (onnxruntime-node), the @ocelot/detectors `ultralytics` and
 * @ocelot/segmenters `fcn` / `unet` decoders, @ocelot/metrics `evaluateCoco` and
 * `SegmentationConfusionMatrix` — on held-out synthetic scenes generated on the fly by
 * @ocelot/datasets (dataset seed 3 = the `test` split of make_scenes.ts, never trained on).
 *
 * Used by the recipes (to write the card's `metrics`) and by the end-to-end test
 * packages/datasets/src/synthetic/models.e2e.test.ts (to check the shipped cards).
 *
 *   pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \
 *     ../../tooling/python/train/zoo_eval.ts models/ocelot-shapes-yolo/model.json [--write]
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateDataset } from '../../../packages/datasets/src/index.js';
import { loadDetector, loadModelCard } from '../../../packages/detectors/src/node.js';
import { evaluateCoco } from '../../../packages/metrics/src/index.js';
import { SegmentationConfusionMatrix } from '../../../packages/metrics/src/index.js';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins,
} from '../../../packages/segmenters/src/index.js';

/** The held-out set: `generateDataset({ seed: 3, count, width: 256, height: 256 })`. */
export const HELD_OUT_SEED = 3;
export const HELD_OUT_SIZE = 256;

export interface DetectorMetrics {
  readonly 'coco/AP': number;
  readonly 'coco/AP50': number;
  readonly 'coco/AP75': number;
  readonly 'coco/APs': number;
  readonly 'coco/APm': number;
  readonly 'coco/APl': number;
  readonly 'coco/AR100': number;
}

export interface SemanticMetrics {
  readonly meanIoU: number;
  readonly pixelAccuracy: number;
  readonly meanAccuracy: number;
  readonly iou: Record<string, number>;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * COCO bbox metrics of a detector card on `count` held-out scenes (score threshold 0.001,
 * NMS IoU 0.7, 100 detections per image: the usual COCO-eval settings).
 */
export async function evaluateDetectorCard(cardPath: string, count: number): Promise<DetectorMetrics> {
  const detector = await loadDetector(cardPath, { session: { threads: 1, executionProviders: ['cpu'] } });
  try {
    const { coco, scenes } = generateDataset({
      seed: HELD_OUT_SEED,
      count,
      width: HELD_OUT_SIZE,
      height: HELD_OUT_SIZE,
    });
    const results = [];
    for (const [i, scene] of scenes.entries()) {
      const d = await detector.detect(scene.image, {
        scoreThreshold: 0.001,
        iouThreshold: 0.7,
        maxDetections: 100,
      });
      for (let k = 0; k < d.scores.length; k++) {
        const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
        results.push({
          image_id: coco.images[i]!.id,
          category_id: d.labels[k]! + 1,
          bbox: [x1!, y1!, x2! - x1!, y2! - y1!],
          score: d.scores[k]!,
        });
      }
    }
    const s = evaluateCoco(coco, results, { iouType: 'bbox' }).stats;
    return {
      'coco/AP': round(s[0]!),
      'coco/AP50': round(s[1]!),
      'coco/AP75': round(s[2]!),
      'coco/APs': round(s[3]!),
      'coco/APm': round(s[4]!),
      'coco/APl': round(s[5]!),
      'coco/AR100': round(s[8]!),
    };
  } finally {
    await detector.dispose();
  }
}

/** Semantic metrics (FCN-paper definitions, all K + 1 classes) of a segmenter card. */
export async function evaluateSemanticCard(cardPath: string, count: number): Promise<SemanticMetrics> {
  const card = await loadModelCard(cardPath);
  const segmenter = await buildSegmenter(registerBuiltins(createSegmenterRegistry()), card, {
    base: dirname(resolve(cardPath)),
    session: { threads: 1, executionProviders: ['cpu'] },
  });
  try {
    if (segmenter.kind !== 'semantic') throw new Error(`${cardPath}: not a semantic segmenter`);
    const { scenes } = generateDataset({
      seed: HELD_OUT_SEED,
      count,
      width: HELD_OUT_SIZE,
      height: HELD_OUT_SIZE,
    });
    const cm = new SegmentationConfusionMatrix(segmenter.classNames.length, { ignoreIndex: null });
    for (const scene of scenes) {
      const { labelMap } = await segmenter.segment(scene.image);
      cm.update(labelMap, scene.labelMap);
    }
    const m = cm.compute();
    return {
      meanIoU: round(m.meanIoU),
      pixelAccuracy: round(m.pixelAccuracy),
      meanAccuracy: round(m.meanAccuracy),
      iou: Object.fromEntries(segmenter.classNames.map((name, i) => [name, round(m.iou[i]!)])),
    };
  } finally {
    await segmenter.dispose();
  }
}

/** Scenes in the card's held-out measurement and in the end-to-end test's smaller one. */
export const HELD_OUT_COUNT = 200;
export const SMOKE_COUNT = 40;

async function main(): Promise<void> {
  const [cardArg, ...flags] = process.argv.slice(2);
  if (!cardArg) {
    console.error('usage: zoo_eval.ts <model.json> [--write]');
    process.exit(2);
  }
  // relative paths are from the repository root (the documented form is `models/<id>/model.json`),
  // falling back to the directory the command was typed in
  const repoPath = fileURLToPath(new URL(`../../../${cardArg}`, import.meta.url));
  const cardPath = isAbsolute(cardArg)
    ? cardArg
    : existsSync(repoPath)
      ? repoPath
      : resolve(process.env.INIT_CWD ?? process.cwd(), cardArg);
  const card = JSON.parse(await readFile(cardPath, 'utf8'));
  const evaluate = card.task === 'detect' ? evaluateDetectorCard : evaluateSemanticCard;
  const started = Date.now();
  const heldOut = await evaluate(cardPath, HELD_OUT_COUNT);
  const smoke = await evaluate(cardPath, SMOKE_COUNT);
  const metrics = {
    ...heldOut,
    measuredOn: `${HELD_OUT_COUNT} held-out scenes, generateDataset({ seed: ${HELD_OUT_SEED}, count: ${HELD_OUT_COUNT}, width: ${HELD_OUT_SIZE}, height: ${HELD_OUT_SIZE} })`,
    measuredWith:
      card.task === 'detect'
        ? 'Ocelot: @ocelot/detectors ultralytics decoder + @ocelot/metrics evaluateCoco (bbox; score ≥ 0.001, NMS IoU 0.7, 100 per image)'
        : 'Ocelot: @ocelot/segmenters + @ocelot/metrics SegmentationConfusionMatrix (all classes incl. background)',
    smoke: { scenes: SMOKE_COUNT, ...smoke },
  };
  console.log(JSON.stringify(metrics, null, 2));
  console.error(`evaluated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (flags.includes('--write')) {
    card.metrics = metrics;
    await writeFile(cardPath, `${JSON.stringify(card, null, 2)}\n`);
    console.error(`wrote metrics into ${cardPath}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
