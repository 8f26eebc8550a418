/**
 * Selective search: Ocelot's TypeScript `selectiveSearch` (@ocelot/detectors) against OpenCV's
 * `cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()` (opencv_contrib, C++), both
 * single-threaded, on the same synthetic shape scenes.
 *
 * One call = selective search on every scene of the case (so the timing rule applies to the
 * set; time per image = ms / scenes). OpenCV runs in a Python process of its own
 * (tooling/python/bench/selective_search_cv2.py, `cv2.setNumThreads(1)`, the same timing rule
 * via common.measure). Check: Ocelot's recall of the ground-truth boxes at IoU 0.5 and 0.7 for
 * the top 100, 500 and 2000 proposals is at least OpenCV's at every point — the goal is
 * "OpenCV's recall at no more than its time".
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../harness/context.js';
import type { Measured, TimingRule } from '../harness/timing.js';
import type { BenchCase, BenchRow, Check, PreparedCase } from '../harness/types.js';
import { type DatasetsModule, type Image, iou, loadBuilt, REPO, scenes } from './classic-shared.js';

interface DetectorsModule {
  selectiveSearch(image: Image, options?: { strategy?: string }): Float32Array;
}

const SCRIPT = join(REPO, 'tooling', 'python', 'bench', 'selective_search_cv2.py');
const TOPS = [100, 500, 2000] as const;
const IOUS = [0.5, 0.7] as const;

/** Recall at every (top, IoU) point over all scenes. */
export function recallTable(
  proposals: readonly Float32Array[],
  gt: readonly { boxes: Float32Array }[],
): number[] {
  const hits = new Array<number>(TOPS.length * IOUS.length).fill(0);
  let objects = 0;
  proposals.forEach((p, s) => {
    const g = gt[s]!.boxes;
    for (let j = 0; j < g.length / 4; j++) {
      objects++;
      TOPS.forEach((top, t) => {
        let best = 0;
        const m = Math.min(top, p.length / 4);
        for (let i = 0; i < m; i++) best = Math.max(best, iou(p, i, g, j));
        IOUS.forEach((th, k) => {
          if (best >= th) hits[t * IOUS.length + k]!++;
        });
      });
    }
  });
  return hits.map((h) => h / Math.max(1, objects));
}

function formatTable(r: readonly number[]): string {
  return TOPS.flatMap((top, t) =>
    IOUS.map((th, k) => `R@${top}/${th} ${r[t * IOUS.length + k]!.toFixed(3)}`),
  ).join(' ');
}

function ssCase(strategy: 'fast' | 'single', count: number): BenchCase {
  return {
    id: `classic-selective-search/${strategy}/${count}x256`,
    workload: `selective search (${strategy}) on ${count} synthetic scenes 256×256, one call = all scenes`,
    async prepare(ctx: BenchContext): Promise<PreparedCase<Float32Array[]>> {
      const datasets = await loadBuilt<DatasetsModule>('datasets', ['generateScene', 'deriveSeed']);
      const detectors = await loadBuilt<DetectorsModule>('detectors', ['selectiveSearch']);
      if (typeof datasets === 'string') {
        return {
          ocelot: { available: false, reason: datasets },
          peers: [],
          check: () => ({ ok: true, detail: '' }),
        };
      }
      const { images, spec, gt } = scenes(ctx, datasets, `classic-scenes-${count}x256`, count, 256);
      const mode = strategy;
      return {
        ocelot:
          typeof detectors === 'string'
            ? { available: false, reason: detectors }
            : {
                available: true,
                label: `selectiveSearch({ strategy: '${strategy}' })`,
                run: () => images.map((im) => detectors.selectiveSearch(im, { strategy })),
              },
        peers: [
          {
            name: `OpenCV ${mode} (cv2.ximgproc, 1 thread)`,
            async unavailable(c) {
              return c.python.unavailable(['cv2']);
            },
            async measure(c, timing: TimingRule): Promise<Measured<Float32Array[]>> {
              const out = c.inputs.outputPath(`classic-ss-${mode}-${count}.json`);
              const r = spawnSync(
                c.python.executable,
                [
                  SCRIPT,
                  '--images',
                  spec.path,
                  '--shape',
                  `${count},256,256`,
                  '--mode',
                  mode,
                  '--out',
                  out,
                  '--max-proposals',
                  '2000',
                  '--timing',
                  JSON.stringify(timing),
                ],
                { encoding: 'utf8', maxBuffer: 1 << 26 },
              );
              if (r.status !== 0) throw new Error(`${SCRIPT} failed: ${r.stderr || r.error}`);
              const doc = JSON.parse(readFileSync(out, 'utf8')) as {
                times: number[];
                warmup: number;
                images: { boxes: number[][] }[];
              };
              return {
                times: doc.times,
                warmup: doc.warmup,
                output: doc.images.map((im) => Float32Array.from(im.boxes.flat())),
              };
            },
          },
        ],
        check(ocelot, peer): Check {
          const a = recallTable(ocelot, gt);
          const b = recallTable(peer, gt);
          const ok = a.every((v, i) => v >= b[i]!);
          const n = (x: readonly Float32Array[]) =>
            (x.reduce((s, p) => s + p.length / 4, 0) / x.length).toFixed(0);
          return {
            ok,
            detail: `recall Ocelot [${formatTable(a)}] (${n(ocelot)} proposals/image) vs OpenCV [${formatTable(b)}] (${n(peer)}/image)${ok ? '' : ' — Ocelot below OpenCV somewhere'}`,
          };
        },
      };
    },
  };
}

export const classicSelectiveSearchRow: BenchRow = {
  id: 'classic-selective-search',
  number: 11,
  title: 'selective search (TypeScript) vs OpenCV ximgproc',
  goal: 1,
  correctness: 'recall@{100,500,2000} × IoU {0.5,0.7} ≥ OpenCV’s',
  cases: (ctx) => (ctx.quick ? [ssCase('fast', 5)] : [ssCase('fast', 20), ssCase('single', 20)]),
};
