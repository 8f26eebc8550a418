/**
 * Faster R-CNN, composed (@ocelot/detectors `faster-rcnn`): where one image's time goes.
 *
 * Ocelot side: every TypeScript stage of one detection — the R-CNN transform (normalise,
 * float resize, pad), the proposal maths (anchors, top-n, decode, sigmoid, NMS per level), the
 * multi-scale RoI Align and the box post-processing (softmax, decode, NMS per class, rescale) —
 * on the real image, with the three networks replaced by parts that return the outputs
 * recorded from a live run (the composition makes that a constructor argument). Peer: the three
 * ONNX graphs themselves (backbone, RPN head, box head) under onnxruntime-node, one thread, on
 * the same inputs. Ratio = graphs / TypeScript, so the goal ≥ 9 means the TypeScript share of
 * the whole detection is ≤ 10 % (BENCHMARKS.md row 9's rule, applied to the two-stage model).
 *
 * Check: the replayed TypeScript run gives exactly the live run's detections. The detail line
 * holds the median time of every stage, so the split is in RESULTS.md.
 *
 * Cases: `faster-rcnn/tiny` — the committed parity fixture (64-channel FPN on MobileNetV3-small
 * ×0.5, 256-px input; always available); `faster-rcnn/r50-fpn-800` — torchvision's
 * `fasterrcnn_resnet50_fpn` (random weights, 91 classes) at 800×1066, exported on first use
 * by tooling/python/export/torchvision_rcnn_split.py into the bench scratch dir (needs
 * /usr/bin/python3 with torch; skipped otherwise and in --quick). With random weights every
 * class score sits near 1/91, so that case sets the box score threshold to the 2000th best
 * class score: 2000 candidates reach NMS, a busy but plausible post-processing load.
 *
 * Needs @ocelot/detectors built and resolvable from this package (`"@ocelot/detectors":
 * "workspace:*"` in tooling/bench/package.json); until then the Ocelot side reports why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../harness/context.js';
import { type Measured, measure, median, type TimingRule } from '../harness/timing.js';
import {
  type BenchCase,
  type BenchRow,
  type Check,
  type PeerSide,
  type PreparedCase,
  SkipCase,
} from '../harness/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..', '..', '..');
const TINY = join(
  REPO,
  'packages',
  'detectors',
  'src',
  'faster-rcnn',
  '__fixtures__',
  'faster_rcnn_tiny',
);
const EXPORTER = join(REPO, 'tooling', 'python', 'export', 'torchvision_rcnn_split.py');

// ------------------------------------------------------------------------------------------
// The slice of @ocelot/detectors this row uses (typed locally: the package is loaded at run
// time, from its build).

interface View {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
type Maps = Readonly<Record<string, View>>;
interface Timings {
  readonly transform: number;
  readonly backbone: number;
  readonly rpnHead: number;
  readonly proposals: number;
  readonly roiAlign: number;
  readonly boxHead: number;
  readonly postprocess: number;
  readonly total: number;
}
interface RunResult {
  readonly detections: { boxes: Float32Array; scores: Float32Array; labels: Int32Array };
  readonly input: { tensor: View; imageSize: { width: number; height: number } };
  readonly features: Maps;
  readonly proposals: { boxes: Float32Array };
  readonly timings: Timings;
}
interface Backbone {
  readonly outputNames: readonly string[];
  run(images: View): Promise<Maps>;
}
interface RpnHead {
  run(features: Maps, levels: readonly string[]): Promise<{ objectness: View; deltas: View }[]>;
}
interface BoxHead {
  run(x: View): Promise<{ classLogits: View; boxRegression: View }>;
}
interface Model {
  readonly classNames: readonly string[];
  readonly backbone: Backbone;
  readonly transform: unknown;
  readonly rpn: { readonly head: RpnHead; readonly featureNames: readonly string[] } & Record<
    string,
    unknown
  >;
  readonly roiHeads: {
    readonly boxHead: BoxHead;
    readonly featureNames: readonly string[];
    readonly boxRoiPool: {
      forward(
        f: readonly View[],
        b: readonly Float32Array[],
        s: readonly { width: number; height: number }[],
      ): View;
    };
  } & Record<string, unknown>;
  run(image: Image, options?: { scoreThresh?: number }): Promise<RunResult>;
  dispose(): Promise<void>;
}
interface Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
interface DetectorsModule {
  createDetectorRegistry(): unknown;
  registerBuiltins(registry: unknown): unknown;
  parseModelCard(json: unknown, source?: string): unknown;
  buildDetector(
    registry: unknown,
    card: unknown,
    options: unknown,
  ): Promise<{ model: Model; dispose(): Promise<void> }>;
  FasterRCNN: new (options: Record<string, unknown>) => Model;
  softmaxRows(logits: Float32Array, rows: number, cols: number): Float32Array;
}

async function loadDetectors(): Promise<DetectorsModule | string> {
  const name = '@ocelot/detectors';
  try {
    const m = (await import(name)) as Partial<DetectorsModule>;
    if (typeof m.FasterRCNN !== 'function') {
      return '@ocelot/detectors does not export FasterRCNN (rebuild it) — not yet available';
    }
    return m as DetectorsModule;
  } catch (error) {
    return `@ocelot/detectors cannot be loaded from @ocelot/bench (${(error as Error).message.split('\n')[0]}); add "@ocelot/detectors": "workspace:*" to tooling/bench/package.json and build it`;
  }
}

// ------------------------------------------------------------------------------------------

/** A deterministic textured test image (bars, gradients, rectangles). */
function testImage(width: number, height: number, seed: number): Image {
  const data = new Uint8Array(width * height * 3);
  let r = (seed * 2654435761) >>> 0;
  const next = () => {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    return r;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = ((x ^ y) & 31) * 8;
    }
  }
  for (let k = 0; k < 12; k++) {
    const x0 = next() % width;
    const y0 = next() % height;
    const w = 16 + (next() % (width >> 2));
    const h = 16 + (next() % (height >> 2));
    const c = [next() & 255, next() & 255, next() & 255];
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) data.set(c, 3 * (y * width + x));
    }
  }
  return { width, height, data };
}

const STAGES = [
  'transform',
  'backbone',
  'rpnHead',
  'proposals',
  'roiAlign',
  'boxHead',
  'postprocess',
] as const;
const TS_STAGES = ['transform', 'proposals', 'roiAlign', 'postprocess'] as const;

function sameDetections(a: RunResult['detections'], b: RunResult['detections']): Check {
  const n = a.labels.length;
  if (n !== b.labels.length) return { ok: false, detail: `${n} vs ${b.labels.length} detections` };
  for (let i = 0; i < n; i++) {
    if (a.labels[i] !== b.labels[i] || a.scores[i] !== b.scores[i]) {
      return {
        ok: false,
        detail: `detection ${i} differs (label ${a.labels[i]} vs ${b.labels[i]}, score ${a.scores[i]} vs ${b.scores[i]})`,
      };
    }
  }
  for (let i = 0; i < 4 * n; i++) {
    if (a.boxes[i] !== b.boxes[i]) return { ok: false, detail: `box ${i >> 2} differs` };
  }
  return { ok: true, detail: `identical to the live run (${n} detections)` };
}

function splitLine(
  ts: readonly Timings[],
  graphs: Record<'backbone' | 'rpnHead' | 'boxHead', number[]>,
): string {
  const m: Record<string, number> = {};
  for (const s of TS_STAGES) m[s] = median(ts.map((t) => t[s]));
  for (const s of ['backbone', 'rpnHead', 'boxHead'] as const)
    m[s] = graphs[s].length ? median(graphs[s]) : Number.NaN;
  const total = STAGES.reduce((a, s) => a + m[s]!, 0);
  const tsTotal = TS_STAGES.reduce((a, s) => a + m[s]!, 0);
  const parts = STAGES.map((s) => `${s} ${m[s]!.toFixed(1)}`).join(', ');
  return `median ms per stage: ${parts}; TypeScript ${tsTotal.toFixed(1)} of ${total.toFixed(1)} ms (${((100 * tsTotal) / total).toFixed(1)} %)`;
}

interface ModelSource {
  readonly dir: string;
  readonly image: Image;
  /** Box score threshold, or a number of candidates to let through. */
  readonly candidates?: number;
}

async function prepareModel(
  ctx: BenchContext,
  source: ModelSource,
): Promise<PreparedCase<RunResult['detections']>> {
  const det = await loadDetectors();
  if (typeof det === 'string') {
    return {
      ocelot: { available: false, reason: det },
      peers: [],
      check: () => ({ ok: true, detail: '' }),
    };
  }
  const cardJson = JSON.parse(readFileSync(join(source.dir, 'model.json'), 'utf8'));
  const registry = det.registerBuiltins(det.createDetectorRegistry());
  const detector = await det.buildDetector(registry, det.parseModelCard(cardJson, source.dir), {
    base: source.dir,
    session: {
      executionProviders: ['cpu'],
      threads: 1,
      sessionOptions: { interOpNumThreads: 1, executionMode: 'sequential' },
    },
  });
  const live = detector.model;
  ctx.log(`faster-rcnn: live run on ${source.image.width}x${source.image.height}`);
  // One live run records what the networks return for this image.
  const first = await live.run(source.image);
  const heads = await live.rpn.head.run(first.features, live.rpn.featureNames);
  const pooled = live.roiHeads.boxRoiPool.forward(
    live.roiHeads.featureNames.map((n) => first.features[n]!),
    [first.proposals.boxes],
    [first.input.imageSize],
  );
  const box = await live.roiHeads.boxHead.run(pooled);
  let scoreThresh: number | undefined;
  if (source.candidates !== undefined) {
    const [K, C1] = box.classLogits.dims as [number, number];
    const probs = det.softmaxRows(box.classLogits.data, K, C1);
    const fg: number[] = [];
    for (let k = 0; k < K; k++) for (let c = 1; c < C1; c++) fg.push(probs[k * C1 + c]!);
    fg.sort((a, b) => b - a);
    scoreThresh = fg[Math.min(source.candidates, fg.length) - 1]! - 1e-9;
  }
  const reference =
    scoreThresh === undefined ? first : await live.run(source.image, { scoreThresh });

  // The same model with recorded networks: only the TypeScript stages cost time.
  const replay = new det.FasterRCNN({
    name: 'replay',
    classNames: live.classNames,
    backbone: { outputNames: live.backbone.outputNames, run: async () => first.features },
    transform: live.transform,
    rpn: { ...live.rpn, head: { run: async () => heads } },
    roiHeads: { ...live.roiHeads, boxHead: { run: async () => box } },
  });
  const tsTimings: Timings[] = [];
  const graphTimes = { backbone: [] as number[], rpnHead: [] as number[], boxHead: [] as number[] };
  const options = scoreThresh === undefined ? {} : { scoreThresh };
  const graphsPeer: PeerSide<RunResult['detections']> = {
    name: 'onnxruntime graphs (backbone + RPN head + box head)',
    unavailable: async () => undefined,
    async measure(_ctx, timing: TimingRule): Promise<Measured<RunResult['detections']>> {
      const m = await measure(async () => {
        let t = performance.now();
        await live.backbone.run(first.input.tensor);
        graphTimes.backbone.push(performance.now() - t);
        t = performance.now();
        await live.rpn.head.run(first.features, live.rpn.featureNames);
        graphTimes.rpnHead.push(performance.now() - t);
        t = performance.now();
        await live.roiHeads.boxHead.run(pooled);
        graphTimes.boxHead.push(performance.now() - t);
        return reference.detections;
      }, timing);
      return { times: m.times, warmup: m.warmup, output: m.output };
    },
  };
  return {
    ocelot: {
      available: true,
      label: 'FasterRCNN TypeScript stages (networks replayed)',
      run: async () => {
        const r = await replay.run(source.image, options);
        tsTimings.push(r.timings);
        return r.detections;
      },
    },
    peers: [graphsPeer],
    check: (ocelot) => {
      const same = sameDetections(ocelot, reference.detections);
      return {
        ok: same.ok,
        detail: `${same.detail}; ${splitLine(tsTimings.slice(-7), graphTimes)}`,
      };
    },
    dispose: () => detector.dispose(),
  };
}

function r50Model(ctx: BenchContext): string {
  const dir = join(ctx.benchDir, 'faster-rcnn-r50-fpn');
  if (existsSync(join(dir, 'model.json'))) return dir;
  ctx.log('faster-rcnn: exporting torchvision fasterrcnn_resnet50_fpn (random weights) once …');
  const run = spawnSync(
    ctx.python.executable,
    [
      EXPORTER,
      '--builder',
      'fasterrcnn_resnet50_fpn',
      '--num-classes',
      '91',
      '--seed',
      '0',
      '--id',
      'frcnn-r50-fpn-random',
      '--out',
      dir,
    ],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  if (run.status !== 0 || !existsSync(join(dir, 'model.json'))) {
    throw new SkipCase(
      `exporting fasterrcnn_resnet50_fpn failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-1)[0]}`,
    );
  }
  return dir;
}

export const fasterRcnnSplitRow: BenchRow = {
  id: 'faster-rcnn',
  number: 9,
  title: 'Faster R-CNN (composed): TypeScript share of one detection',
  goal: 9,
  correctness: 'replayed TypeScript stages give the live run’s detections exactly',
  cases: (ctx): readonly BenchCase[] => {
    const cases: BenchCase[] = [
      {
        id: 'faster-rcnn/tiny',
        workload: 'tiny fixture model (MobileNetV3-small×0.5 + 64-ch FPN), 640×480 → 256×341',
        prepare: (c) => prepareModel(c, { dir: TINY, image: testImage(640, 480, 1) }),
      },
    ];
    if (!ctx.quick) {
      cases.push({
        id: 'faster-rcnn/r50-fpn-800',
        workload:
          'fasterrcnn_resnet50_fpn (random weights), 640×480 → 800×1066, 2000 candidates to NMS',
        async prepare(c) {
          const missing = await c.python.unavailable(['torch', 'torchvision']);
          if (missing) throw new SkipCase(missing);
          return prepareModel(c, {
            dir: r50Model(c),
            image: testImage(640, 480, 2),
            candidates: 2000,
          });
        },
      });
    }
    return cases;
  },
};
