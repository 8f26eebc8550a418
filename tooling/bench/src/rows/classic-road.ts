/**
 * The lecture's road on one machine (BENCHMARKS.md row 10): sliding window → OverFeat →
 * R-CNN → Fast R-CNN → Faster R-CNN, time per image on the same synthetic scenes, every
 * pipeline from @ocelot/detectors with its small model from models/ (classic-shapes-*), one
 * onnxruntime thread.
 *
 * Cases (one call = every scene of the case):
 * - `classic-road/fast-rcnn`: Ocelot side Fast R-CNN (selective search + shared features);
 *   peers the older pipelines — sliding window, OverFeat, R-CNN. Ratio = peer / Fast R-CNN,
 *   so ≥ 1 means "slower than Fast R-CNN", as the lecture's table has it (R-CNN ≈ 9–25×
 *   slower at test time; sliding window slower still).
 * - `classic-road/faster-rcnn`: Ocelot side Faster R-CNN, peer Fast R-CNN. Uses a Faster R-CNN
 *   card trained on the shapes when models/ has one; otherwise the committed tiny test fixture
 *   (random weights, 256-px input) — time only, said in the check line.
 *
 * Check: every pipeline finds the objects at all (class-aware recall of its detections at IoU
 * 0.5 above 0) — a fast pipeline that finds nothing is a failure; the detail line gives each
 * side's recall and the stages of Fast R-CNN's time (selective search vs the networks).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../harness/context.js';
import { measure, type Measured, type TimingRule } from '../harness/timing.js';
import {
  type BenchCase,
  type BenchRow,
  type Check,
  type PeerSide,
  type PreparedCase,
  SkipCase,
} from '../harness/types.js';
import { type DatasetsModule, type Image, iou, loadBuilt, REPO, scenes } from './classic-shared.js';

interface Detections {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
}
interface RunResult {
  readonly detections: Detections;
  readonly timings?: Readonly<Record<string, number>>;
}
interface Pipeline {
  run?(image: Image, options?: unknown): Promise<RunResult>;
  detect(image: Image): Promise<Detections>;
  dispose(): Promise<void>;
}
interface DetectorsModule {
  createDetectorRegistry(): unknown;
  registerBuiltins(registry: unknown): unknown;
  parseModelCard(json: unknown, source?: string): { labels?: readonly string[] };
  buildDetector(registry: unknown, card: unknown, options: unknown): Promise<Pipeline>;
}

/** One call's answer: which pipeline, detections per scene and the summed stage timings. */
interface RoadOut {
  readonly label: string;
  readonly detections: Detections[];
  readonly stages: Record<string, number>;
}

const MODELS = join(REPO, 'models');
/** Where the shapes Faster R-CNN lands (tooling/python/train/faster_rcnn.py). */
const SHAPES_FASTER_RCNN = join(MODELS, 'shapes-faster-rcnn');
const SESSION = { executionProviders: ['cpu'], threads: 1 };

async function build(d: DetectorsModule, dir: string): Promise<Pipeline> {
  const card = d.parseModelCard(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')), dir);
  return d.buildDetector(d.registerBuiltins(d.createDetectorRegistry()), card, {
    base: dir,
    session: SESSION,
  });
}

async function runAll(p: Pipeline, images: readonly Image[], label: string): Promise<RoadOut> {
  const detections: Detections[] = [];
  const stages: Record<string, number> = {};
  for (const image of images) {
    if (p.run) {
      const r = await p.run(image);
      detections.push(r.detections);
      for (const [k, v] of Object.entries(r.timings ?? {})) {
        if (k !== 'total') stages[k] = (stages[k] ?? 0) + v;
      }
    } else {
      detections.push(await p.detect(image));
    }
  }
  return { label, detections, stages };
}

/** Class-aware recall at IoU 0.5 of the detections against the scenes' objects. */
function recall(out: RoadOut, gt: readonly { boxes: Float32Array; labels: Int32Array }[]): number {
  let hit = 0;
  let total = 0;
  out.detections.forEach((d, s) => {
    const g = gt[s]!;
    for (let j = 0; j < g.labels.length; j++) {
      total++;
      for (let i = 0; i < d.labels.length; i++) {
        if (d.labels[i] === g.labels[j] && iou(d.boxes, i, g.boxes, j) >= 0.5) {
          hit++;
          break;
        }
      }
    }
  });
  return hit / Math.max(1, total);
}

/** Is `dir` a Faster R-CNN card trained on the shapes? */
function isShapesFasterRcnn(dir: string): boolean {
  const card = join(dir, 'model.json');
  if (!existsSync(card)) return false;
  try {
    const json = JSON.parse(readFileSync(card, 'utf8'));
    return json?.architecture?.type === 'faster-rcnn' && json?.labels?.includes?.('circle');
  } catch {
    return false; // not a card
  }
}

/** A Faster R-CNN card trained on the shapes: models/shapes-faster-rcnn, else any in models/. */
function shapesFasterRcnn(): string | undefined {
  if (isShapesFasterRcnn(SHAPES_FASTER_RCNN)) return SHAPES_FASTER_RCNN;
  if (!existsSync(MODELS)) return undefined;
  return readdirSync(MODELS)
    .sort()
    .map((entry) => join(MODELS, entry))
    .find(isShapesFasterRcnn);
}

function pipelinePeer(
  name: string,
  dir: string,
  detectors: DetectorsModule,
  images: readonly Image[],
  pipelines: Pipeline[],
): PeerSide<RoadOut> {
  return {
    name,
    async unavailable() {
      return existsSync(join(dir, 'model.json')) ? undefined : `no model card at ${dir}`;
    },
    async measure(_ctx: BenchContext, timing: TimingRule): Promise<Measured<RoadOut>> {
      const p = await build(detectors, dir);
      pipelines.push(p);
      return measure(() => runAll(p, images, name.replace(/ \(.*$/, '')), timing);
    },
  };
}

/** "R-CNN: recall 0.72, 356 ms/image (proposals 253, crops 60, …; without proposals 103)". */
function describe(out: RoadOut, recallAt: number, n: number): string {
  const entries = Object.entries(out.stages);
  const total = entries.reduce((a, [, v]) => a + v, 0) / n;
  const split = entries.map(([k, v]) => `${k} ${(v / n).toFixed(0)}`).join(', ');
  const rest =
    out.stages.proposals === undefined
      ? ''
      : `; without proposals ${(total - out.stages.proposals / n).toFixed(0)}`;
  const recall = Number.isNaN(recallAt) ? 'n/a' : recallAt.toFixed(2);
  return entries.length === 0
    ? `${out.label}: recall@0.5 ${recall}`
    : `${out.label}: recall@0.5 ${recall}, ${total.toFixed(0)} ms/image in stages (${split}${rest})`;
}

function roadCase(kind: 'fast-rcnn' | 'faster-rcnn', count: number): BenchCase {
  return {
    id: `classic-road/${kind}`,
    workload: `${kind === 'fast-rcnn' ? 'Fast R-CNN vs the older pipelines' : 'Faster R-CNN vs Fast R-CNN'}, ${count} scenes 256×256, one call = all scenes`,
    async prepare(ctx): Promise<PreparedCase<RoadOut>> {
      const datasets = await loadBuilt<DatasetsModule>('datasets', ['generateScene', 'deriveSeed']);
      const detectors = await loadBuilt<DetectorsModule>('detectors', [
        'buildDetector',
        'registerBuiltins',
        'createDetectorRegistry',
        'parseModelCard',
      ]);
      const none = () => ({ ok: true, detail: '' });
      if (typeof datasets === 'string') {
        return { ocelot: { available: false, reason: datasets }, peers: [], check: none };
      }
      if (typeof detectors === 'string') {
        return { ocelot: { available: false, reason: detectors }, peers: [], check: none };
      }
      const { images, gt } = scenes(ctx, datasets, `classic-scenes-${count}x256`, count, 256);
      const pipelines: Pipeline[] = [];
      const fastDir = join(MODELS, 'classic-shapes-fast-rcnn');
      let ocelotDir = fastDir;
      let label = 'Fast R-CNN (selective search fast, roiPool, classic-shapes-fast-rcnn)';
      const peers: PeerSide<RoadOut>[] = [];
      if (kind === 'fast-rcnn') {
        for (const [name, id] of [
          [
            'sliding window (crop classifier, pyramid of 8 scales, stride 8)',
            'classic-shapes-sliding-window',
          ],
          ['OverFeat (fully convolutional, 8 scales)', 'classic-shapes-overfeat'],
          ['R-CNN (selective search fast, warped crops)', 'classic-shapes-rcnn'],
        ] as const) {
          peers.push(pipelinePeer(name, join(MODELS, id), detectors, images, pipelines));
        }
      } else {
        const trained = shapesFasterRcnn();
        if (trained === undefined) {
          throw new SkipCase(
            `no Faster R-CNN card trained on the shapes in models/ (expected ${SHAPES_FASTER_RCNN}, made by tooling/python/train/faster_rcnn.py); the case runs once it is there`,
          );
        }
        ocelotDir = trained;
        label = `Faster R-CNN (RPN proposals, ${trained.split('/').pop()})`;
        peers.push(
          pipelinePeer('Fast R-CNN (selective search fast)', fastDir, detectors, images, pipelines),
        );
      }
      if (!existsSync(join(ocelotDir, 'model.json'))) {
        return {
          ocelot: { available: false, reason: `no model card at ${ocelotDir}` },
          peers,
          check: none,
        };
      }
      const ocelotPipeline = await build(detectors, ocelotDir);
      pipelines.push(ocelotPipeline);
      const ocelotName = label.replace(/ \(.*$/, '');
      return {
        ocelot: { available: true, label, run: () => runAll(ocelotPipeline, images, ocelotName) },
        peers,
        check(a, b): Check {
          const ra = recall(a, gt);
          const rb = recall(b, gt);
          const ok = ra > 0 && rb > 0;
          return {
            ok,
            detail: `${describe(a, ra, count)} vs ${describe(b, rb, count)}${ok ? '' : ' — a pipeline found nothing'}`,
          };
        },
        async dispose() {
          for (const p of pipelines) await p.dispose();
        },
      };
    },
  };
}

export const classicRoadRow: BenchRow = {
  id: 'classic-road',
  number: 10,
  title: "the lecture's road: sliding window, OverFeat, R-CNN, Fast R-CNN, Faster R-CNN",
  goal: 1,
  correctness: 'every pipeline finds objects (recall@0.5 > 0)',
  cases: (ctx) => {
    const n = ctx.quick ? 2 : 5;
    return [roadCase('fast-rcnn', n), roadCase('faster-rcnn', n)];
  },
};
