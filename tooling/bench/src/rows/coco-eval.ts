/**
 * Row 5 — COCO evaluation, bbox and segm, on a val2017-sized synthetic set (5000 images,
 * ~37k objects with polygons and ~1% crowd RLE, 80 categories, 100 detections per image; 500
 * images with --quick), against pycocotools COCOeval. Goal ≥ 10×; check: the 12 summary stats
 * equal to 1e-9.
 *
 * Both sides start from parsed JSON: Ocelot times `evaluateCoco(gt, dt, { iouType })`;
 * pycocotools times building the gt index, `loadRes`, `evaluate()`, `accumulate()` and
 * `summarize()` (tooling/python/bench/peers.py `pycocotools_eval`). pycocotools takes tens of
 * seconds per call, so it is timed once per run (0 warm-up + 1 run, printed in the runs
 * column; OCELOT_BENCH_COCO_RUNS=3 for more).
 *
 * The set is made by tooling/python/bench/make_coco_synthetic.py (seeded; needs numpy and
 * pycocotools for RLE) and cached in the bench dir by seed and size.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statsEqual } from '../harness/check.js';
import type { BenchContext } from '../harness/context.js';
import { type ExportOr, type MetricsModule, ocelotFunction } from '../harness/ocelot.js';
import { pythonPeer } from '../harness/peers.js';
import type { TimingRule } from '../harness/timing.js';
import { type BenchCase, type BenchRow, type PreparedCase, SkipCase } from '../harness/types.js';

type EvaluateCocoFn = ExportOr<
  MetricsModule,
  'evaluateCoco',
  (gt: unknown, dt: unknown, options: { iouType: 'bbox' | 'segm' }) => { stats: readonly number[] }
>;
type GroundTruth = Parameters<EvaluateCocoFn>[0];
type Detections = Parameters<EvaluateCocoFn>[1];

const TOLERANCE = 1e-9;
const COCO_RUNS = Math.max(1, Number(process.env.OCELOT_BENCH_COCO_RUNS ?? 1));
const PYCOCOTOOLS_TIMING: TimingRule = { warmup: 0, runs: COCO_RUNS };

interface Manifest {
  readonly annotations: number;
  readonly crowd: number;
  readonly detections: number;
  readonly images: number;
  readonly cached: boolean;
  readonly files: { readonly gt: string; readonly dt_bbox: string; readonly dt_segm: string };
}

const datasets = new Map<string, Promise<{ dir: string; manifest: Manifest } | string>>();
const parsed = new Map<string, unknown>();

/** The cached synthetic set for (seed, images), generating it once if needed. */
function dataset(ctx: BenchContext, images: number) {
  const dir = join(ctx.benchDir, `coco-synthetic-seed${ctx.seed}-n${images}`);
  let p = datasets.get(dir);
  if (!p) {
    p = (async () => {
      const missing = await ctx.python.unavailable(['numpy', 'pycocotools']);
      if (missing) {
        return `the synthetic COCO set is made by tooling/python/bench/make_coco_synthetic.py, which cannot run: ${missing}`;
      }
      ctx.log(`    synthetic COCO set (${images} images) in ${dir} …`);
      const t0 = Date.now();
      const r = await ctx.python.call('coco.synthetic', { outDir: dir, seed: ctx.seed, images });
      const manifest = r.manifest as Manifest;
      ctx.log(
        `    … ${manifest.cached ? 'cached' : `generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`}: ${manifest.annotations} objects (${manifest.crowd} crowd), ${manifest.detections} detections`,
      );
      return { dir, manifest };
    })();
    datasets.set(dir, p);
  }
  return p;
}

function parseOnce<T>(path: string): T {
  let v = parsed.get(path);
  if (v === undefined) {
    v = JSON.parse(readFileSync(path, 'utf8'));
    parsed.set(path, v);
  }
  return v as T;
}

function cocoCase(iouType: 'bbox' | 'segm'): BenchCase {
  return {
    id: `coco-eval/${iouType}`,
    workload: `COCO eval ${iouType}`,
    async prepare(ctx): Promise<PreparedCase<readonly number[]>> {
      const images = ctx.quick ? 500 : 5000;
      const set = await dataset(ctx, images);
      const peerName = 'pycocotools COCOeval';
      if (typeof set === 'string') throw new SkipCase(set);
      const { dir, manifest } = set;
      const gtPath = join(dir, manifest.files.gt);
      const dtPath = join(
        dir,
        iouType === 'bbox' ? manifest.files.dt_bbox : manifest.files.dt_segm,
      );
      const evaluateCoco = await ocelotFunction<EvaluateCocoFn>('@ocelot/metrics', 'evaluateCoco');
      const gt = parseOnce<GroundTruth>(gtPath);
      const dt = parseOnce<Detections>(dtPath);
      return {
        ocelot:
          'fn' in evaluateCoco
            ? {
                available: true,
                label: `evaluateCoco(${iouType})`,
                run: () => evaluateCoco.fn(gt, dt, { iouType }).stats,
              }
            : { available: false, reason: evaluateCoco.reason },
        peers: [
          pythonPeer({
            name: peerName,
            modules: ['numpy', 'pycocotools'],
            task: 'pycocotools.eval',
            args: () => ({ gt: gtPath, dt: dtPath, iouType }),
            read: (r) => r.stats as number[],
            timing: PYCOCOTOOLS_TIMING,
            note: `pycocotools timed ${PYCOCOTOOLS_TIMING.warmup}+${PYCOCOTOOLS_TIMING.runs} (one call is tens of seconds); set: ${manifest.images} images, ${manifest.annotations} objects (${manifest.crowd} crowd), ${manifest.detections} detections`,
          }),
        ],
        check: (ocelot, peer) => statsEqual(ocelot, peer, TOLERANCE),
        dispose: () => {
          parsed.delete(dtPath);
        },
      };
    },
  };
}

export const cocoEvalRow: BenchRow = {
  id: 'coco-eval',
  number: 5,
  title: 'COCO evaluation',
  goal: 10,
  correctness: '12 stats equal to 1e-9',
  cases: () => [cocoCase('bbox'), cocoCase('segm')],
};
