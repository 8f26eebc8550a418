/**
 * Evaluates the classic-road models (models/classic-shapes-*) on held-out synthetic scenes with
 * @ocelot/metrics' `evaluateCoco` (pycocotools' numbers) and writes the result into each
 * card's `metrics`:
 *
 *   cd packages/datasets && node --conditions=@ocelot/source --import tsx \
 *     ../../tooling/python/train/classic_eval.ts [--count 100] [--only rcnn,fast-rcnn] [--write]
 *
 * The scenes are the classic_scenes.ts test split (seed 103, 256×256), regenerated here; no
 * scene of it was used in training. Detectors run with their card's defaults except the score
 * threshold, lowered to 0.05 (COCO AP wants the low-score tail).
 *
 * `--proposals '<selective search options JSON>'` instead measures selective search: recall of
 * the ground-truth boxes at IoU 0.5 / 0.7 in the top 100 / 500 / 2000 proposals and CPU ms per
 * image; `--cv2 file.json` reads OpenCV's proposals for the same scenes (written by
 * `/usr/bin/python3 tooling/python/bench/selective_search_cv2.py --images /tmp/classic-scenes/test.u8
 * --shape 100,256,256 --out file.json`) and prints the same table for them.
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
  selectiveSearch,
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
    proposals: { type: 'string' },
    cv2: { type: 'string' },
    /** JSON merged into each card's architecture (e.g. '{"regressBoxes":true}'); implies no --write. */
    arch: { type: 'string' },
  },
});
const count = Number(values.count);
const { coco, scenes } = generateDataset({ seed: 103, count, width: 256, height: 256 });
const registry = registerBuiltins(createDetectorRegistry());
const names = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

/** Recall at IoU 0.5 / 0.7 in the top 100 / 500 / 2000 proposals of every scene. */
function recallTable(proposals: readonly Float32Array[]): string {
  const cells: string[] = [];
  for (const top of [100, 500, 2000]) {
    for (const th of [0.5, 0.7]) {
      let hit = 0;
      let total = 0;
      scenes.forEach((scene, s) => {
        const p = proposals[s]!;
        for (const o of scene.objects) {
          total++;
          const [x, y, w, h] = o.bbox;
          for (let i = 0; i < Math.min(top, p.length / 4); i++) {
            const iw = Math.min(x! + w!, p[4 * i + 2]!) - Math.max(x!, p[4 * i]!);
            const ih = Math.min(y! + h!, p[4 * i + 3]!) - Math.max(y!, p[4 * i + 1]!);
            if (iw <= 0 || ih <= 0) continue;
            const inter = iw * ih;
            const area = (p[4 * i + 2]! - p[4 * i]!) * (p[4 * i + 3]! - p[4 * i + 1]!);
            if (inter / (w! * h! + area - inter) >= th) {
              hit++;
              break;
            }
          }
        }
      });
      cells.push(`R@${top}/${th} ${(hit / total).toFixed(3)}`);
    }
  }
  const mean = proposals.reduce((a, p) => a + p.length / 4, 0) / proposals.length;
  return `${cells.join('  ')}  (${mean.toFixed(0)} proposals/image)`;
}

if (values.cv2 !== undefined) {
  const doc = JSON.parse(readFileSync(values.cv2, 'utf8')) as {
    images: { boxes: number[][]; cpuMs: number }[];
  };
  const cpu = doc.images.reduce((a, im) => a + im.cpuMs, 0) / doc.images.length;
  const boxes = doc.images.slice(0, count).map((im) => Float32Array.from(im.boxes.flat()));
  console.log(`OpenCV: ${recallTable(boxes)}  cpu ${cpu.toFixed(0)} ms/image`);
}
if (values.proposals !== undefined) {
  const options = JSON.parse(values.proposals);
  const boxes: Float32Array[] = [];
  let cpu = 0;
  selectiveSearch(scenes[0]!.image, options); // JIT warm-up
  for (const scene of scenes) {
    const c0 = process.cpuUsage();
    boxes.push(selectiveSearch(scene.image, options));
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  console.log(`Ocelot ${values.proposals}: ${recallTable(boxes)}  cpu ${(cpu / scenes.length).toFixed(0)} ms/image`);
}

for (const kind of values.proposals !== undefined || values.cv2 !== undefined ? [] : (values.only?.split(',') ?? ALL)) {
  const dir = join(MODELS, `classic-shapes-${kind}`);
  const path = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const card = parseModelCard(
    values.arch ? { ...json, architecture: { ...json.architecture, ...JSON.parse(values.arch) } } : json,
    path,
  );
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
  if (values.write && values.arch === undefined) {
    json.metrics = metrics;
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  }
}
