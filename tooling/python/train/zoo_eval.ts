/**
 * Measures the models Ocelot trained (models/ocelot-shapes-*, models/shapes-*) through its own
 * TypeScript pipeline — @ocelot/image preprocessing, @ocelot/runtime (onnxruntime-node), the card's
 * decoder from @ocelot/detectors (ultralytics, ssdlite, faster-rcnn composed from its graphs) or
 * @ocelot/segmenters (fcn, unet; mask-rcnn), @ocelot/metrics `evaluateCoco` and
 * `SegmentationConfusionMatrix` — on held-out synthetic scenes generated on the fly by
 * @ocelot/datasets (dataset seed 3 = the `test` split of make_scenes.ts, never trained on).
 *
 * What is measured follows the card's task: `detect` → COCO bbox metrics; `instance-segment` →
 * bbox and segm; `segment` → mean IU, pixel and mean accuracy, per-class IU. Detectors and
 * instance segmenters run with the card's defaults except the usual COCO-eval settings: score
 * ≥ 0.001 and at most 100 detections per image.
 *
 * Used by the recipes (to write the card's `metrics`) and by the end-to-end test
 * packages/datasets/src/synthetic/models.e2e.test.ts (to check the shipped cards).
 *
 *   pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \
 *     ../../tooling/python/train/zoo_eval.ts models/ocelot-shapes-yolo/model.json [--count 200] [--write]
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateDataset } from '../../../packages/datasets/src/index.js';
import { loadDetector, loadModelCard } from '../../../packages/detectors/src/node.js';
import { evaluateCoco, SegmentationConfusionMatrix } from '../../../packages/metrics/src/index.js';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins,
  toCocoResults,
} from '../../../packages/segmenters/src/index.js';

/** The held-out set: `generateDataset({ seed: 3, count, width: 256, height: 256 })`. */
export const HELD_OUT_SEED = 3;
export const HELD_OUT_SIZE = 256;

export interface SemanticMetrics {
  readonly meanIoU: number;
  readonly pixelAccuracy: number;
  readonly meanAccuracy: number;
  readonly iou: Record<string, number>;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** The usual COCO-eval settings on top of the card's defaults. */
const COCO_OPTIONS = { scoreThreshold: 0.001, maxDetections: 100 } as const;
const SESSION = { threads: 1, executionProviders: ['cpu'] as ('cpu' | 'cuda' | 'webgpu')[] };

export interface BoxMetrics {
  readonly 'coco/AP': number;
  readonly 'coco/AP50': number;
  readonly 'coco/AP75': number;
  readonly 'coco/APs': number;
  readonly 'coco/APm': number;
  readonly 'coco/APl': number;
  readonly 'coco/AR100': number;
}

export interface InstanceMetrics extends BoxMetrics {
  readonly 'segm/AP': number;
  readonly 'segm/AP50': number;
  readonly 'segm/AP75': number;
}

function summary(stats: readonly number[], prefix: 'coco' | 'segm'): Record<string, number> {
  const keys = prefix === 'coco' ? ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'] : ['AP', 'AP50', 'AP75'];
  const out: Record<string, number> = Object.fromEntries(keys.map((k, i) => [`${prefix}/${k}`, round(stats[i]!)]));
  if (prefix === 'coco') out['coco/AR100'] = round(stats[8]!);
  return out;
}

function heldOut(count: number) {
  return generateDataset({ seed: HELD_OUT_SEED, count, width: HELD_OUT_SIZE, height: HELD_OUT_SIZE });
}

/** COCO bbox metrics of a `detect` card on `count` held-out scenes. */
export async function evaluateDetectorCard(cardPath: string, count: number): Promise<BoxMetrics> {
  const detector = await loadDetector(cardPath, { session: SESSION });
  try {
    const { coco, scenes } = heldOut(count);
    const results = [];
    for (const [i, scene] of scenes.entries()) {
      const d = await detector.detect(scene.image, COCO_OPTIONS);
      for (let k = 0; k < d.scores.length; k++) {
        const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
        results.push({
          image_id: coco.images[i]!.id,
          // class index k is COCO category k + 1 (labels are the scene categories in id order)
          category_id: d.labels[k]! + 1,
          bbox: [x1!, y1!, x2! - x1!, y2! - y1!] as [number, number, number, number],
          score: d.scores[k]!,
        });
      }
    }
    return summary(evaluateCoco(coco, results, { iouType: 'bbox' }).stats, 'coco') as unknown as BoxMetrics;
  } finally {
    await detector.dispose();
  }
}

/** COCO bbox and segm metrics of an `instance-segment` card on `count` held-out scenes. */
export async function evaluateInstanceCard(cardPath: string, count: number): Promise<InstanceMetrics> {
  const card = await loadModelCard(cardPath);
  const segmenter = await buildSegmenter(registerBuiltins(createSegmenterRegistry()), card, {
    base: dirname(resolve(cardPath)),
    session: SESSION,
  });
  try {
    if (segmenter.kind !== 'instance') throw new Error(`${cardPath}: not an instance segmenter`);
    const { coco, scenes } = heldOut(count);
    const boxes = [];
    const masks = [];
    for (const [i, scene] of scenes.entries()) {
      const r = await segmenter.segment(scene.image, COCO_OPTIONS);
      const categoryIds = r.labelNames.map((_, k) => k + 1);
      const imageId = coco.images[i]!.id;
      boxes.push(...toCocoResults(r, { imageId, categoryIds, iouType: 'bbox' }));
      masks.push(...toCocoResults(r, { imageId, categoryIds, iouType: 'segm' }));
    }
    return {
      ...summary(evaluateCoco(coco, boxes, { iouType: 'bbox' }).stats, 'coco'),
      ...summary(evaluateCoco(coco, masks, { iouType: 'segm' }).stats, 'segm'),
    } as unknown as InstanceMetrics;
  } finally {
    await segmenter.dispose();
  }
}

/** Semantic metrics (FCN-paper definitions, all K + 1 classes) of a segmenter card. */
export async function evaluateSemanticCard(cardPath: string, count: number): Promise<SemanticMetrics> {
  const card = await loadModelCard(cardPath);
  const segmenter = await buildSegmenter(registerBuiltins(createSegmenterRegistry()), card, {
    base: dirname(resolve(cardPath)),
    session: SESSION,
  });
  try {
    if (segmenter.kind !== 'semantic') throw new Error(`${cardPath}: not a semantic segmenter`);
    const { scenes } = heldOut(count);
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

export type CardMetrics = BoxMetrics | InstanceMetrics | SemanticMetrics;

/** The metrics of the card's task (see the file comment) on `count` held-out scenes. */
export async function evaluateCard(cardPath: string, count: number): Promise<CardMetrics> {
  const { task } = JSON.parse(await readFile(cardPath, 'utf8')) as { task: string };
  if (task === 'detect') return evaluateDetectorCard(cardPath, count);
  if (task === 'instance-segment') return evaluateInstanceCard(cardPath, count);
  if (task === 'segment') return evaluateSemanticCard(cardPath, count);
  throw new Error(`${cardPath}: no held-out measurement for task "${task}"`);
}

const MEASURED_WITH: Record<string, string> = {
  detect: 'bbox; card defaults with score ≥ 0.001, 100 per image',
  'instance-segment': 'bbox and segm; card defaults with score ≥ 0.001, 100 per image',
  segment: 'SegmentationConfusionMatrix, all classes incl. background',
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cardArg = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--count');
  if (!cardArg) {
    console.error('usage: zoo_eval.ts <model.json> [--count N] [--write]');
    process.exit(2);
  }
  const countAt = args.indexOf('--count');
  const count = countAt >= 0 ? Number(args[countAt + 1]) : HELD_OUT_COUNT;
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${args[countAt + 1]}`);
  // relative paths are from the repository root (the documented form is `models/<id>/model.json`),
  // falling back to the directory the command was typed in
  const repoPath = fileURLToPath(new URL(`../../../${cardArg}`, import.meta.url));
  const cardPath = isAbsolute(cardArg)
    ? cardArg
    : existsSync(repoPath)
      ? repoPath
      : resolve(process.env.INIT_CWD ?? process.cwd(), cardArg);
  const card = JSON.parse(await readFile(cardPath, 'utf8'));
  const started = Date.now();
  const held = await evaluateCard(cardPath, count);
  const smokeCount = Math.min(SMOKE_COUNT, count);
  const smoke = await evaluateCard(cardPath, smokeCount);
  const pkg = card.task === 'detect' ? 'detectors' : 'segmenters';
  const metrics = {
    ...held,
    measuredOn: `${count} held-out scenes, generateDataset({ seed: ${HELD_OUT_SEED}, count: ${count}, width: ${HELD_OUT_SIZE}, height: ${HELD_OUT_SIZE} })`,
    measuredWith: `Ocelot: @ocelot/${pkg} ${card.architecture.type} + @ocelot/metrics (${MEASURED_WITH[card.task]})`,
    measuredAt: new Date().toISOString().slice(0, 10),
    smoke: { scenes: smokeCount, ...smoke },
  };
  console.log(JSON.stringify(metrics, null, 2));
  console.error(`evaluated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (args.includes('--write')) {
    card.metrics = metrics;
    await writeFile(cardPath, `${JSON.stringify(card, null, 2)}\n`);
    console.error(`wrote metrics into ${cardPath}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
