/**
 * Evaluates the classic-road models (models/classic-shapes-*) on held-out synthetic scenes with
 * @ocelot/metrics' `evaluateCoco` (pycocotools' numbers) and writes the result into each
 * card's `metrics`:
 *
 *   cd packages/datasets && node --conditions=@ocelot/source --import tsx \
 *     ../../tooling/python/train/classic_eval.ts [--count 100] [--only rcnn,fast-rcnn] [--write]
 *
 * The scenes are the classic_scenes.ts test split (seed 103, 256×256), regenerated here; no
 * scene of it was used in training or for choosing anything. Detectors run with their card's
 * defaults except the score threshold, lowered to 0.05 (COCO AP wants the low-score tail).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDataset } from '../../../packages/datasets/src/index.js';
import {
  buildDetector,
  createDetectorRegistry,
  parseModelCard,
  registerBuiltins,
} from '../../../packages/detectors/src/index.js';
import { evaluateCoco } from '../../../packages/metrics/src/index.js';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
const ALL = ['sliding-window', 'overfeat', 'rcnn', 'fast-rcnn'];

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    threshold: { type: 'string', default: '0.05' },
  },
});
const count = Number(values.count);
const { coco, scenes } = generateDataset({ seed: 103, count, width: 256, height: 256 });
const registry = registerBuiltins(createDetectorRegistry());
const names = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

for (const kind of values.only?.split(',') ?? ALL) {
  const dir = join(MODELS, `classic-shapes-${kind}`);
  const path = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const card = parseModelCard(json, path);
  const detector = await buildDetector(registry, card, {
    base: dir,
    session: { executionProviders: ['cpu'], threads: 1 },
  });
  const detections: { image_id: number; category_id: number; score: number; bbox: number[] }[] = [];
  const started = performance.now();
  let cpu = 0;
  for (let i = 0; i < scenes.length; i++) {
    const c0 = process.cpuUsage();
    const d = await detector.detect(scenes[i]!.image, { scoreThreshold: Number(values.threshold) });
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    for (let k = 0; k < d.scores.length; k++) {
      const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
      detections.push({
        image_id: coco.images[i]!.id,
        category_id: d.labels[k]! + 1,
        score: d.scores[k]!,
        bbox: [x1!, y1!, x2! - x1!, y2! - y1!],
      });
    }
  }
  const wall = (performance.now() - started) / scenes.length;
  await detector.dispose();
  const result = evaluateCoco(coco, detections, { iouType: 'bbox' });
  const stats = Object.fromEntries(names.map((n, i) => [`coco/${n}`, Number(result.stats[i]!.toFixed(4))]));
  const metrics = {
    ...stats,
    where: `${count} held-out synthetic scenes (tooling/python/train/classic_scenes.ts test split, seed 103, 256×256), @ocelot/metrics evaluateCoco, score threshold ${values.threshold}`,
    msPerImage: { cpu: Math.round(cpu / scenes.length), wall: Math.round(wall) },
    measured: new Date().toISOString().slice(0, 10),
  };
  console.log(kind, JSON.stringify(metrics));
  if (values.write) {
    json.metrics = metrics;
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  }
}
