/**
 * Measures the torchvision-family cards trained on the synthetic shapes (models/shapes-faster-rcnn,
 * models/shapes-mask-rcnn, models/shapes-ssdlite) through Ocelot's own TypeScript pipelines —
 * @ocelot/detectors (`faster-rcnn`: backbone / rpn_head / box_head graphs composed in TypeScript;
 * `ssdlite`: one graph + default boxes) and @ocelot/segmenters `mask-rcnn` (+ mask_head),
 * @ocelot/metrics `evaluateCoco` — on held-out
 * scenes generated on the fly (dataset seed 3 = the `test` split of make_scenes.ts, never
 * trained on; the same set as zoo_eval.ts).
 *
 *   pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \
 *     ../../tooling/python/train/mask_rcnn_eval.ts models/shapes-mask-rcnn/model.json [--count 200] [--write]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateDataset } from '../../../packages/datasets/src/index.js';
import { loadDetector, loadModelCard } from '../../../packages/detectors/src/node.js';
import { evaluateCoco } from '../../../packages/metrics/src/index.js';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins,
  toCocoResults,
} from '../../../packages/segmenters/src/index.js';
import { HELD_OUT_SEED, HELD_OUT_SIZE } from './zoo_eval.js';

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** COCO settings of the measurement: score ≥ 0.001, at most 100 detections per image. */
const OPTIONS = { scoreThreshold: 0.001, maxDetections: 100 } as const;

export interface RcnnMetrics {
  readonly 'coco/AP': number;
  readonly 'coco/AP50': number;
  readonly 'coco/AP75': number;
  readonly 'coco/AR100': number;
  readonly 'segm/AP'?: number;
  readonly 'segm/AP50'?: number;
  readonly 'segm/AP75'?: number;
}

function summary(stats: readonly number[], prefix: 'coco' | 'segm') {
  return {
    [`${prefix}/AP`]: round(stats[0]!),
    [`${prefix}/AP50`]: round(stats[1]!),
    [`${prefix}/AP75`]: round(stats[2]!),
    ...(prefix === 'coco' ? { 'coco/AR100': round(stats[8]!) } : {}),
  };
}

/**
 * bbox (and, for `instance-segment` cards, segm) COCO metrics of a card on `count` held-out
 * scenes.
 */
export async function evaluateRcnnCard(cardPath: string, count: number): Promise<RcnnMetrics> {
  const card = await loadModelCard(cardPath);
  const session = { threads: 1, executionProviders: ['cpu'] as const };
  const { coco, scenes } = generateDataset({
    seed: HELD_OUT_SEED,
    count,
    width: HELD_OUT_SIZE,
    height: HELD_OUT_SIZE,
  });
  const boxes = [];
  const masks = [];
  if (card.task === 'instance-segment') {
    const segmenter = await buildSegmenter(registerBuiltins(createSegmenterRegistry()), card, {
      base: dirname(resolve(cardPath)),
      session: { ...session, executionProviders: [...session.executionProviders] },
    });
    try {
      if (segmenter.kind !== 'instance') throw new Error(`${cardPath}: not an instance segmenter`);
      for (const [i, scene] of scenes.entries()) {
        const r = await segmenter.segment(scene.image, OPTIONS);
        // class index k is COCO category k + 1 (labels are the scene categories in id order)
        const categoryIds = r.labelNames.map((_, k) => k + 1);
        const imageId = coco.images[i]!.id;
        boxes.push(...toCocoResults(r, { imageId, categoryIds, iouType: 'bbox' }));
        masks.push(...toCocoResults(r, { imageId, categoryIds, iouType: 'segm' }));
      }
    } finally {
      await segmenter.dispose();
    }
  } else {
    const detector = await loadDetector(cardPath, {
      session: { ...session, executionProviders: [...session.executionProviders] },
    });
    try {
      for (const [i, scene] of scenes.entries()) {
        const d = await detector.detect(scene.image, OPTIONS);
        for (let k = 0; k < d.scores.length; k++) {
          const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
          boxes.push({
            image_id: coco.images[i]!.id,
            category_id: d.labels[k]! + 1,
            bbox: [x1!, y1!, x2! - x1!, y2! - y1!] as [number, number, number, number],
            score: d.scores[k]!,
          });
        }
      }
    } finally {
      await detector.dispose();
    }
  }
  const bbox = summary(evaluateCoco(coco, boxes, { iouType: 'bbox' }).stats, 'coco');
  const segm =
    card.task === 'instance-segment'
      ? summary(evaluateCoco(coco, masks, { iouType: 'segm' }).stats, 'segm')
      : {};
  return { ...bbox, ...segm } as unknown as RcnnMetrics;
}

export const SMOKE_COUNT = 40;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cardArg = args.find((a) => !a.startsWith('--'));
  if (!cardArg) {
    console.error('usage: mask_rcnn_eval.ts <model.json> [--count N] [--write]');
    process.exit(2);
  }
  const countAt = args.indexOf('--count');
  const count = countAt >= 0 ? Number(args[countAt + 1]) : 200;
  const cardPath = resolve(process.env.INIT_CWD ?? process.cwd(), cardArg);
  const card = JSON.parse(await readFile(cardPath, 'utf8'));
  const started = Date.now();
  const heldOut = await evaluateRcnnCard(cardPath, count);
  const smoke = await evaluateRcnnCard(cardPath, Math.min(SMOKE_COUNT, count));
  const metrics = {
    ...heldOut,
    measuredOn: `${count} held-out scenes, generateDataset({ seed: ${HELD_OUT_SEED}, count: ${count}, width: ${HELD_OUT_SIZE}, height: ${HELD_OUT_SIZE} })`,
    measuredWith: `Ocelot: @ocelot/${card.task === 'detect' ? 'detectors' : 'segmenters'} ${card.architecture.type} + @ocelot/metrics evaluateCoco (score ≥ 0.001, 100 per image)`,
    measuredAt: new Date().toISOString().slice(0, 10),
    smoke: { scenes: Math.min(SMOKE_COUNT, count), ...smoke },
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
