/**
 * @ocelot/detectors post-processing: everything a detector does after `session.run` — the
 * architecture's decode, per-class NMS, the cap and mapping boxes back to the original image —
 * on the two output shapes that dominate one-stage detection:
 *
 * - YOLOv8 at 640×640: `output0` [1, 84, 8400] (channels first; 80 classes), a realistic
 *   score distribution: sigmoid scores mostly ~1e-3 (logits N(−7, 1.5)), plus 12 objects each
 *   lit up by a cluster of 20–60 anchors scoring 0.3–0.95 with a confusable second class —
 *   about what YOLOv8n gives on a COCO photo. Defaults conf 0.25, IoU 0.7, max_det 300; image
 *   1280×720 letterboxed.
 * - RetinaNet (torchvision layout) at 640×640: per FPN level `cls_logits` [1, H, W, 9, 91] and
 *   `bbox_regression` [1, H, W, 9, 4] for P3–P7 (76,725 anchors × 91 classes = 7.0M logits),
 *   logits N(−6.5, 1.1) plus 10 object clusters; torchvision's defaults (score > 0.05, top 1000
 *   per level, NMS 0.5, 300 detections).
 *
 * Two rows:
 * - `detectors-decode` (goal ≥ 1×): Ocelot against a straightforward implementation written
 *   here — one `{x1, y1, x2, y2, score, cls}` object per candidate, `Array.prototype.sort`,
 *   greedy NMS against the kept list — the code a typical JS demo has. Check: the same
 *   detections (labels in order, boxes within 1e-3 px, scores within 1e-6).
 * - `detectors-share` (goal ≥ 10×, i.e. post-processing ≤ 10% of the model): the model's own
 *   `session.run` on onnxruntime-node (one thread) as the peer, so the ratio is model time /
 *   post-processing time. Models come from tooling/python/fixtures/detectors_bench_models.py
 *   (made on first use into the bench dir): for YOLOv8 a 640×640 conv stand-in with YOLOv8n's
 *   compute (4.35 GMAC ≈ 8.7 GFLOPs) and exactly this output; for RetinaNet torchvision's real
 *   `retinanet_resnet50_fpn` (random weights, 96.9 GMAC) up to these head outputs.
 *   Check: the model's outputs have the shapes the decoder was timed on. The
 *   `yolov8-pipeline-1080p-frame-web` case is the same pipeline on onnxruntime-web (wasm, one
 *   thread) in headless Chromium, timed in the page (./browser/yolov8-share.page.ts).
 *
 * @ocelot/detectors is loaded from its built dist/ (`@ocelot/detectors` when the bench depends
 * on it, else packages/detectors/dist by path); until it is built, the rows say so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { ORT_SESSION_OPTIONS, ort } from '../harness/ort.js';
import { inProcessPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { TimingRule } from '../harness/timing.js';
import {
  type BenchCase,
  type BenchRow,
  type Check,
  type PeerSide,
  type PreparedCase,
  SkipCase,
} from '../harness/types.js';
import type { SharePageInput, SharePageResult } from './browser/yolov8-share.page.js';
import { jpegInput, syntheticRgb } from './preprocess.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

// ---------------------------------------------------------------------------------------------
// The slice of @ocelot/detectors and @ocelot/image this file uses (typed here: the bench does
// not depend on the package at build time).

interface Candidates {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
}
interface Detections extends Candidates {
  readonly labelNames: readonly string[];
}
type Tensor = { type: 'float32'; data: Float32Array; dims: readonly number[] };
interface DecodeContext {
  model: string;
  options: unknown;
  inputSize: { width: number; height: number };
  numClasses: number;
  metadata: Record<string, string>;
}
interface TransformLike {
  toImage(boxes: Float32Array, options?: { clip?: boolean }): Float32Array;
}
interface DetectorsModule {
  resolveDetectOptions(names: readonly string[], ...layers: object[]): unknown;
  finalizeDetections(
    model: string,
    c: Candidates,
    options: unknown,
    transform: TransformLike,
    names: readonly string[],
    f?: object,
  ): Detections;
  decodeUltralyticsDense(
    outputs: Record<string, Tensor>,
    context: DecodeContext,
    params: object,
  ): Candidates;
  ULTRALYTICS_V8_DEFAULTS: object;
  RETINANET_DEFAULTS: object;
  parseModelCard(json: unknown): unknown;
  parseRetinaNetConfig(card: unknown): unknown;
  retinaNetDecodeParams(config: unknown): object;
  decodeRetinaNet(
    outputs: Record<string, Tensor>,
    context: DecodeContext,
    params: object,
  ): Candidates;
}
interface ImageModule {
  letterboxGeometry(w: number, h: number, options: { size: number }): { transform: TransformLike };
  Transform: { identity(w: number, h: number): TransformLike };
  letterboxToTensor(
    image: { data: Uint8Array; width: number; height: number },
    options: { size: number },
  ): { tensor: { data: Float32Array; dims: readonly number[] }; transform: TransformLike };
  imageToTensor(
    input: Uint8Array,
    options: { size: number },
  ): Promise<{ tensor: { data: Float32Array; dims: readonly number[] }; transform: TransformLike }>;
}

let loaded: Promise<{ det: DetectorsModule; img: ImageModule } | string> | undefined;

/** @ocelot/detectors (and @ocelot/image) from dist, or why not. */
function loadModules(): Promise<{ det: DetectorsModule; img: ImageModule } | string> {
  loaded ??= (async () => {
    const dist = join(REPO, 'packages', 'detectors', 'dist', 'index.js');
    let det: DetectorsModule | undefined;
    let why = '';
    for (const spec of ['@ocelot/detectors', pathToFileURL(dist).href]) {
      try {
        det = (await import(spec)) as DetectorsModule;
        if (typeof det.decodeUltralyticsDense === 'function') break;
        why = `${spec} has no decodeUltralyticsDense (dist older than src?)`;
        det = undefined;
      } catch (error) {
        why = (error as Error).message.split('\n')[0]!;
      }
    }
    if (!det)
      return `@ocelot/detectors is not built (pnpm --filter @ocelot/detectors build): ${why} — not yet available`;
    const img = (await import('@ocelot/image')) as unknown as ImageModule;
    return { det, img };
  })();
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Inputs

const COCO80 = Array.from({ length: 80 }, (_, i) => `class${i}`);
const COCO91 = Array.from({ length: 91 }, (_, i) => `class${i}`);
const YOLO_ANCHORS = 8400;
const YOLO_LEVELS = [
  [8, 80],
  [16, 40],
  [32, 20],
] as const;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** [1, 84, 8400] channels first: rows cx, cy, w, h (input pixels), then 80 class scores. */
function yoloOutput(rng: Rng): Float32Array {
  const A = YOLO_ANCHORS;
  const out = new Float32Array(84 * A);
  const centres: [number, number, number][] = [];
  for (const [stride, n] of YOLO_LEVELS) {
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) centres.push([(x + 0.5) * stride, (y + 0.5) * stride, stride]);
  }
  for (let a = 0; a < A; a++) {
    const [cx, cy, s] = centres[a]!;
    out[a] = cx + rng.normal() * s * 0.3;
    out[A + a] = cy + rng.normal() * s * 0.3;
    out[2 * A + a] = s * rng.logUniform(1, 8);
    out[3 * A + a] = s * rng.logUniform(1, 8);
    for (let c = 0; c < 80; c++) out[(4 + c) * A + a] = sigmoid(-7 + 1.5 * rng.normal());
  }
  for (let k = 0; k < 12; k++) {
    const cls = rng.int(80);
    const other = (cls + 1 + rng.int(79)) % 80;
    const ox = rng.uniform(60, 580);
    const oy = rng.uniform(60, 580);
    const ow = rng.logUniform(24, 300);
    const oh = rng.logUniform(24, 300);
    const top = rng.uniform(0.5, 0.95);
    const members = 20 + rng.int(41);
    for (let m = 0; m < members; m++) {
      // anchors near the object centre, on any level
      const [stride, n] = YOLO_LEVELS[rng.int(3)]!;
      const gx = Math.min(n - 1, Math.max(0, Math.floor(ox / stride) + rng.int(5) - 2));
      const gy = Math.min(n - 1, Math.max(0, Math.floor(oy / stride) + rng.int(5) - 2));
      const base = stride === 8 ? 0 : stride === 16 ? 6400 : 8000;
      const a = base + gy * n + gx;
      out[a] = ox + rng.normal() * ow * 0.06;
      out[A + a] = oy + rng.normal() * oh * 0.06;
      out[2 * A + a] = ow * Math.exp(rng.normal() * 0.08);
      out[3 * A + a] = oh * Math.exp(rng.normal() * 0.08);
      const s = top * rng.uniform(0.35, 1);
      out[(4 + cls) * A + a] = Math.max(out[(4 + cls) * A + a]!, s);
      out[(4 + other) * A + a] = Math.max(out[(4 + other) * A + a]!, s * rng.uniform(0.2, 0.9));
    }
  }
  return out;
}

const RETINA_SIZES = [80, 40, 20, 10, 5];

/** Per level [H·W·9·91] logits and [H·W·9·4] deltas, concatenated level after level. */
function retinaOutputs(rng: Rng): { logits: Float32Array[]; deltas: Float32Array[] } {
  const logits = RETINA_SIZES.map((n) => {
    const l = new Float32Array(n * n * 9 * 91);
    for (let i = 0; i < l.length; i++) l[i] = -6.5 + 1.1 * rng.normal();
    return l;
  });
  const deltas = RETINA_SIZES.map((n) => {
    const d = new Float32Array(n * n * 9 * 4);
    for (let i = 0; i < d.length; i++) d[i] = 0.2 * rng.normal();
    return d;
  });
  for (let k = 0; k < 10; k++) {
    const level = rng.int(3);
    const n = RETINA_SIZES[level]!;
    const cls = 1 + rng.int(90);
    const gx = rng.int(n);
    const gy = rng.int(n);
    for (let m = 0; m < 40; m++) {
      const x = Math.min(n - 1, Math.max(0, gx + rng.int(5) - 2));
      const y = Math.min(n - 1, Math.max(0, gy + rng.int(5) - 2));
      const a = (y * n + x) * 9 + rng.int(9);
      logits[level]![a * 91 + cls] = rng.uniform(-1, 3);
    }
  }
  return { logits, deltas };
}

// ---------------------------------------------------------------------------------------------
// The straightforward peer: one object per box, sort, greedy NMS against the kept list.

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  cls: number;
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

function greedyNms(boxes: Box[], iouThreshold: number, maxDetections: number): Box[] {
  boxes.sort((p, q) => q.score - p.score);
  const keep: Box[] = [];
  for (const b of boxes) {
    if (keep.length >= maxDetections) break;
    if (keep.every((k) => k.cls !== b.cls || iou(k, b) <= iouThreshold)) keep.push(b);
  }
  return keep;
}

function toImage(keep: Box[], transform: TransformLike): Candidates {
  const boxes = new Float32Array(4 * keep.length);
  keep.forEach((b, i) => {
    boxes.set([b.x1, b.y1, b.x2, b.y2], 4 * i);
  });
  return {
    boxes: keep.length ? transform.toImage(boxes) : boxes,
    scores: Float32Array.from(keep, (b) => b.score),
    labels: Int32Array.from(keep, (b) => b.cls),
  };
}

function naiveYolo(out: Float32Array, transform: TransformLike): Candidates {
  const A = YOLO_ANCHORS;
  const boxes: Box[] = [];
  for (let a = 0; a < A; a++) {
    let best = -1;
    let cls = -1;
    for (let c = 0; c < 80; c++) {
      const s = out[(4 + c) * A + a]!;
      if (s > best) {
        best = s;
        cls = c;
      }
    }
    if (best > 0.25) {
      const cx = out[a]!;
      const cy = out[A + a]!;
      const w = out[2 * A + a]!;
      const h = out[3 * A + a]!;
      boxes.push({
        x1: cx - w / 2,
        y1: cy - h / 2,
        x2: cx + w / 2,
        y2: cy + h / 2,
        score: best,
        cls,
      });
    }
  }
  return toImage(greedyNms(boxes, 0.7, 300), transform);
}

function naiveRetina(
  logits: Float32Array[],
  deltas: Float32Array[],
  anchors: Float32Array[],
  transform: TransformLike,
): Candidates {
  const all: Box[] = [];
  const clip = BBOX_CLIP;
  logits.forEach((level, l) => {
    const cands: { i: number; score: number }[] = [];
    for (let i = 0; i < level.length; i++) {
      const score = Math.fround(sigmoid(level[i]!));
      if (score > 0.05) cands.push({ i, score });
    }
    cands.sort((p, q) => q.score - p.score);
    for (const { i, score } of cands.slice(0, 1000)) {
      const a = Math.floor(i / 91);
      const [x1, y1, x2, y2] = anchors[l]!.subarray(4 * a, 4 * a + 4);
      const w = x2! - x1!;
      const h = y2! - y1!;
      const cx = x1! + 0.5 * w;
      const cy = y1! + 0.5 * h;
      const d = deltas[l]!.subarray(4 * a, 4 * a + 4);
      const px = d[0]! * w + cx;
      const py = d[1]! * h + cy;
      const pw = Math.exp(Math.min(d[2]!, clip)) * w;
      const ph = Math.exp(Math.min(d[3]!, clip)) * h;
      const c = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
      all.push({
        x1: c(px - pw / 2, 640),
        y1: c(py - ph / 2, 640),
        x2: c(px + pw / 2, 640),
        y2: c(py + ph / 2, 640),
        score,
        cls: i % 91,
      });
    }
  });
  return toImage(greedyNms(all, 0.5, 300), transform);
}

const BBOX_CLIP = Math.log(1000 / 16);

// ---------------------------------------------------------------------------------------------
// Checks

function sameDetections(a: Candidates, b: Candidates): Check {
  if (a.scores.length !== b.scores.length)
    return { ok: false, detail: `${a.scores.length} vs ${b.scores.length} detections` };
  let box = 0;
  let score = 0;
  for (let i = 0; i < a.scores.length; i++) {
    if (a.labels[i] !== b.labels[i])
      return { ok: false, detail: `label differs at ${i}: ${a.labels[i]} vs ${b.labels[i]}` };
    score = Math.max(score, Math.abs(a.scores[i]! - b.scores[i]!));
    for (let j = 0; j < 4; j++)
      box = Math.max(box, Math.abs(a.boxes[4 * i + j]! - b.boxes[4 * i + j]!));
  }
  const ok = box <= 1e-3 && score <= 1e-6;
  return {
    ok,
    detail: `${a.scores.length} detections, same labels in order, max box diff ${box.toExponential(1)} px, max score diff ${score.toExponential(1)}`,
  };
}

function naivePeer(run: () => Candidates): PeerSide<Candidates> {
  return inProcessPeer({
    name: 'per-box objects + sort + greedy NMS (JS)',
    start: async () => ({ run, finish: async (last) => ({ output: last as Candidates }) }),
  });
}

// ---------------------------------------------------------------------------------------------
// Model peers

type ModelName = 'yolov8' | 'retinanet';
const MODEL_FILES: Record<ModelName, string> = {
  yolov8: 'yolov8_standin_640.onnx',
  retinanet: 'retinanet_r50_fpn_640.onnx',
};

/** The model file, made on first use by the Python script; or why it cannot be had. */
function modelPath(benchDir: string, name: ModelName): string | { reason: string } {
  const dir = join(benchDir, 'detectors-models');
  const path = join(dir, MODEL_FILES[name]);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const python = process.env.OCELOT_BENCH_PYTHON ?? '/usr/bin/python3';
  const script = join(REPO, 'tooling', 'python', 'fixtures', 'detectors_bench_models.py');
  const r = spawnSync(python, [script, '--out', dir, '--only', name], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0 || !existsSync(path)) {
    const why =
      r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? `exit ${r.status}`;
    return { reason: `cannot make ${MODEL_FILES[name]} with ${python} (torch needed): ${why}` };
  }
  return path;
}

function modelPeer(
  name: ModelName,
  label: string,
  expectDims: Record<string, readonly number[]>,
  what = 'post-processing',
): PeerSide<Record<string, readonly number[]>> {
  let path: string | { reason: string } | undefined;
  return inProcessPeer({
    name: `${label} session.run (onnxruntime-node, 1 thread)`,
    note: `ratio = model time / Ocelot ${what} time; ≥ 10× means ${what} ≤ 10% of the model`,
    async unavailable(ctx) {
      path ??= modelPath(ctx.benchDir, name);
      return typeof path === 'string' ? undefined : path.reason;
    },
    async start(ctx) {
      path ??= modelPath(ctx.benchDir, name);
      if (typeof path !== 'string') throw new Error(path.reason);
      const session = await ort.InferenceSession.create(path, ORT_SESSION_OPTIONS);
      const rng = new Rng(ctx.seed ^ 0xde7);
      const image = new Float32Array(3 * 640 * 640);
      for (let i = 0; i < image.length; i++) image[i] = rng.next();
      const feeds = { images: new ort.Tensor('float32', image, [1, 3, 640, 640]) };
      return {
        run: () => session.run(feeds),
        async finish(last) {
          const outputs = last as ort.InferenceSession.ReturnType;
          const dims: Record<string, readonly number[]> = {};
          // an expected feed (the model input) is checked against the feed the model ran on
          for (const key of Object.keys(expectDims))
            dims[key] = outputs[key]?.dims ?? (key === 'images' ? feeds.images.dims : []);
          return { output: dims };
        },
        dispose: () => session.release(),
      };
    },
  });
}

function sameShapes(
  expected: Record<string, readonly number[]>,
  got: Record<string, readonly number[]>,
): Check {
  for (const [k, d] of Object.entries(expected)) {
    if ((got[k] ?? []).join(',') !== d.join(','))
      return { ok: false, detail: `${k}: model gives [${got[k]}], decoder timed on [${d}]` };
  }
  return {
    ok: true,
    detail: `model outputs have the timed shapes (${Object.keys(expected).length} outputs)`,
  };
}

// ---------------------------------------------------------------------------------------------
// Cases

interface Prepared {
  ocelot: () => Candidates;
  naive: () => Candidates;
  dims: Record<string, readonly number[]>;
}

interface PreparedYolo extends Prepared {
  outputs: Record<string, Tensor>;
  context: DecodeContext;
  params: object;
  options: unknown;
}

async function prepareYolo(
  ctx: Parameters<BenchCase['prepare']>[0],
): Promise<PreparedYolo | string> {
  const mods = await loadModules();
  if (typeof mods === 'string') return mods;
  const { det, img } = mods;
  const out = ctx.inputs.array('detectors-yolov8-output0', 'float32', [1, 84, YOLO_ANCHORS], () =>
    yoloOutput(new Rng(ctx.seed ^ 0x1008)),
  );
  const transform = img.letterboxGeometry(1280, 720, { size: 640 }).transform;
  const options = det.resolveDetectOptions(COCO80, det.ULTRALYTICS_V8_DEFAULTS);
  const outputs = {
    output0: { type: 'float32' as const, data: out.data, dims: [1, 84, YOLO_ANCHORS] },
  };
  const context: DecodeContext = {
    model: 'bench',
    options,
    inputSize: { width: 640, height: 640 },
    numClasses: 80,
    metadata: {},
  };
  const params = { head: 'v8', output: ['output0'] };
  return {
    ocelot: () => {
      const c = det.decodeUltralyticsDense(outputs, context, params);
      return det.finalizeDetections('bench', c, options, transform, COCO80);
    },
    naive: () => naiveYolo(out.data, transform),
    dims: { output0: [1, 84, YOLO_ANCHORS] },
    outputs,
    context,
    params,
    options,
  };
}

async function prepareRetina(ctx: Parameters<BenchCase['prepare']>[0]): Promise<Prepared | string> {
  const mods = await loadModules();
  if (typeof mods === 'string') return mods;
  const { det, img } = mods;
  const rng = new Rng(ctx.seed ^ 0x2e71);
  let generated: ReturnType<typeof retinaOutputs> | undefined;
  const gen = () => {
    generated ??= retinaOutputs(rng);
    return generated;
  };
  const logits = RETINA_SIZES.map(
    (n, l) =>
      ctx.inputs.array(
        `detectors-retina-cls${l}`,
        'float32',
        [1, n, n, 9, 91],
        () => gen().logits[l]!,
      ).data,
  );
  const deltas = RETINA_SIZES.map(
    (n, l) =>
      ctx.inputs.array(
        `detectors-retina-reg${l}`,
        'float32',
        [1, n, n, 9, 4],
        () => gen().deltas[l]!,
      ).data,
  );
  const outputs: Record<string, Tensor> = {};
  const dims: Record<string, readonly number[]> = {};
  RETINA_SIZES.forEach((n, l) => {
    outputs[`cls_logits_${l}`] = { type: 'float32', data: logits[l]!, dims: [1, n, n, 9, 91] };
    outputs[`bbox_regression_${l}`] = { type: 'float32', data: deltas[l]!, dims: [1, n, n, 9, 4] };
    dims[`cls_logits_${l}`] = [1, n, n, 9, 91];
    dims[`bbox_regression_${l}`] = [1, n, n, 9, 4];
  });
  const card = det.parseModelCard({
    id: 'bench',
    task: 'detect',
    architecture: { type: 'retinanet' },
    files: { model: { path: 'm.onnx' } },
    input: { width: 640, height: 640, resize: 'stretch' },
    labels: COCO91,
  });
  const params = det.retinaNetDecodeParams(det.parseRetinaNetConfig(card)) as {
    anchorsFor(f: object[], s: object): Float32Array[];
  };
  const anchors = params.anchorsFor(
    RETINA_SIZES.map((n) => ({ height: n, width: n })),
    { width: 640, height: 640 },
  );
  const options = det.resolveDetectOptions(COCO91, det.RETINANET_DEFAULTS);
  const context: DecodeContext = {
    model: 'bench',
    options,
    inputSize: { width: 640, height: 640 },
    numClasses: 91,
    metadata: {},
  };
  const transform = img.Transform.identity(640, 640);
  return {
    ocelot: () =>
      det.finalizeDetections(
        'bench',
        det.decodeRetinaNet(outputs, context, params),
        options,
        transform,
        COCO91,
      ),
    naive: () => naiveRetina(logits, deltas, anchors, transform),
    dims,
  };
}

/** The YOLOv8n-size stand-in and the built packages the share cases need, or the case that cannot run and why. */
async function prepareShare(
  ctx: Parameters<BenchCase['prepare']>[0],
): Promise<{ yolo: PreparedYolo; det: DetectorsModule; img: ImageModule } | PreparedCase<never>> {
  const yolo = await prepareYolo(ctx);
  if (typeof yolo === 'string') return unavailable(yolo);
  const mods = await loadModules();
  if (typeof mods === 'string') return unavailable(mods);
  return { yolo, ...mods };
}

/** A case that cannot run yet (a package not built, a model not made), saying why. */
function unavailable(reason: string): PreparedCase<never> {
  return {
    ocelot: { available: false, reason },
    peers: [],
    check: () => ({ ok: false, detail: reason }),
  };
}

function decodeCase(id: string, workload: string, prep: typeof prepareRetina): BenchCase {
  return {
    id: `detectors-decode/${id}`,
    workload,
    async prepare(ctx): Promise<PreparedCase<Candidates>> {
      const p = await prep(ctx);
      if (typeof p === 'string') return unavailable(p);
      return {
        ocelot: { available: true, label: 'decode + finalizeDetections', run: p.ocelot },
        peers: [naivePeer(p.naive)],
        check: (a, b) => sameDetections(a, b),
      };
    },
  };
}

function shareCase(
  id: string,
  workload: string,
  prep: typeof prepareRetina,
  model: ModelName,
  label: string,
): BenchCase {
  return {
    id: `detectors-share/${id}`,
    workload,
    async prepare(ctx): Promise<PreparedCase<unknown>> {
      const p = await prep(ctx);
      if (typeof p === 'string') return unavailable(p);
      return {
        ocelot: {
          available: true,
          label: 'decode + finalizeDetections',
          run: () => {
            p.ocelot();
            return p.dims;
          },
        },
        peers: [modelPeer(model, label, p.dims)],
        // the Ocelot answer here is the shape it decodes; the model's answer the shapes it gives
        check: (a, b) =>
          sameShapes(
            a as Record<string, readonly number[]>,
            b as Record<string, readonly number[]>,
          ),
      };
    },
  };
}

/**
 * Everything Ocelot adds around a 640×640 YOLOv8 model for one 1920×1080 frame: letterbox +
 * normalise to [1,3,640,640] (`letterboxToTensor`, the OpenCV-exact bilinear kernel) and the
 * post-processing above, mapped back through the frame's own transform. `source: 'frame'` starts
 * from decoded RGB pixels (a video frame, or a photo the caller has decoded — what the
 * real-model row `realworld-e2e` times); `source: 'jpeg'` starts from the JPEG bytes of row 6,
 * so the libjpeg decode (~11 ms here, which any pipeline pays) is counted as well.
 */
function pipelineShareCase(source: 'frame' | 'jpeg'): BenchCase {
  return {
    id: `detectors-share/yolov8-pipeline-1080p-${source}`,
    workload:
      source === 'frame'
        ? 'YOLOv8n-size stand-in vs Ocelot pre + post: 1920×1080 RGB frame → letterbox 640 → NMS → frame boxes'
        : 'YOLOv8n-size stand-in vs Ocelot pre + post: 1920×1080 JPEG bytes → decode → letterbox 640 → NMS → image boxes',
    async prepare(ctx): Promise<PreparedCase<unknown>> {
      const ready = await prepareShare(ctx);
      if ('ocelot' in ready) return ready;
      const { yolo: p } = ready;
      const { det, img } = ready;
      // the bench's one-thread rule (row 6): libvips' pool is per process
      sharp.concurrency(1);
      const frame = { data: syntheticRgb(ctx.seed ^ 0x6a9), width: 1920, height: 1080 };
      const { bytes } = await jpegInput(ctx.inputs.dir, ctx.seed);
      const pre =
        source === 'frame'
          ? async () => img.letterboxToTensor(frame, { size: 640 })
          : () => img.imageToTensor(bytes, { size: 640 });
      return {
        ocelot: {
          available: true,
          label:
            source === 'frame'
              ? 'letterboxToTensor(frame) + decode + finalizeDetections'
              : 'imageToTensor(jpeg) + decode + finalizeDetections',
          run: async () => {
            const { tensor, transform } = await pre();
            const c = det.decodeUltralyticsDense(p.outputs, p.context, p.params);
            det.finalizeDetections('bench', c, p.options, transform, COCO80);
            return { images: tensor.dims, ...p.dims };
          },
        },
        peers: [
          modelPeer(
            'yolov8',
            'YOLOv8n-size stand-in',
            { images: [1, 3, 640, 640], ...p.dims },
            source === 'frame' ? 'pre + post-processing' : 'JPEG decode + pre + post-processing',
          ),
        ],
        check: (a, b) =>
          sameShapes(
            a as Record<string, readonly number[]>,
            b as Record<string, readonly number[]>,
          ),
      };
    },
  };
}

type Dims = Record<string, readonly number[]>;
interface WebAnswer {
  readonly dims: Dims;
  /** Ocelot's side only: the page's detections against Node's decode of the same output0. */
  readonly parity?: Check;
}

/**
 * The onnxruntime-web twin of `pipelineShareCase('frame')`: the same Ocelot pipeline and the
 * same model, but both in headless Chromium (@ocelot/browser-test; @ocelot/runtime's browser
 * entry, wasm execution provider, one thread), timed in alternation in the page
 * (./browser/yolov8-share.page.ts) under the bench's rule; the page returns the durations and
 * Node takes the medians. Check: the model's outputs have the decoded shapes, and the page's
 * detections equal what Node's decode + finalize make of the model output the page decoded.
 */
function webPipelineShareCase(): BenchCase {
  return {
    id: 'detectors-share/yolov8-pipeline-1080p-frame-web',
    workload:
      'onnxruntime-web wasm in Chromium: YOLOv8n-size stand-in vs Ocelot pre + post: 1920×1080 RGB frame → letterbox 640 → NMS → frame boxes',
    async prepare(ctx): Promise<PreparedCase<unknown>> {
      const ready = await prepareShare(ctx);
      if ('ocelot' in ready) return ready;
      const { yolo: p } = ready;
      const browser = await import('@ocelot/browser-test');
      const why = browser.browserUnavailableReason();
      if (why !== undefined) throw new SkipCase(`no Chromium for onnxruntime-web: ${why}`);
      const path = modelPath(ctx.benchDir, 'yolov8');
      if (typeof path !== 'string') throw new SkipCase(path.reason);
      const { det, img } = ready;
      let harness: Awaited<ReturnType<typeof browser.launchBrowserHarness>> | undefined;
      let page: Promise<SharePageResult> | undefined;
      const inPage = (rule: TimingRule): Promise<SharePageResult> => {
        page ??= (async () => {
          ctx.log('    launching Chromium (Vite bundle of the page) …');
          harness = await browser.launchBrowserHarness({
            modules: {
              share: fileURLToPath(new URL('./browser/yolov8-share.page.ts', import.meta.url)),
            },
            serve: { '/models/': dirname(path) },
            runTimeoutMs: 600_000,
          });
          const input: SharePageInput = {
            modelUrl: `/models/${MODEL_FILES.yolov8}`,
            wasmPaths: browser.ORT_WEB_PREFIX,
            warmup: rule.warmup,
            runs: rule.runs,
            minWarmupMs: rule.minWarmupMs ?? 0,
          };
          const r = await harness.run<SharePageResult>('share', input);
          if (r.executionProvider !== 'wasm')
            throw new Error(`the page ran on ${r.executionProvider}, not wasm`);
          return r;
        })();
        return page;
      };
      const parity = (r: SharePageResult): Check => {
        const bytes = Buffer.from(r.output0Base64, 'base64');
        const data = new Float32Array(bytes.byteLength / 4);
        new Uint8Array(data.buffer).set(bytes);
        const outputs = { output0: { type: 'float32' as const, data, dims: r.output0 } };
        const transform = img.letterboxGeometry(1920, 1080, { size: 640 }).transform;
        const node = det.finalizeDetections(
          'bench',
          det.decodeUltralyticsDense(outputs, p.context, p.params),
          p.options,
          transform,
          COCO80,
        );
        const web = {
          boxes: Float32Array.from(r.detections.boxes),
          scores: Float32Array.from(r.detections.scores),
          labels: Int32Array.from(r.detections.labels),
        };
        const c = sameDetections(web, node);
        return { ok: c.ok, detail: `Chromium vs Node decode of the same output0: ${c.detail}` };
      };
      const label = 'letterboxToTensor(frame) + decode + finalizeDetections (Chromium)';
      const peer: PeerSide<WebAnswer> = {
        name: 'YOLOv8n-size stand-in session.run (onnxruntime-web wasm, 1 thread, Chromium)',
        note: 'ratio = model time / Ocelot pre + post-processing time, both timed in the page in alternation; ≥ 10× means pre + post ≤ 10% of the model',
        unavailable: async () => undefined,
        async measure(_ctx, rule) {
          const r = await inPage(rule);
          return {
            times: r.model.times,
            warmup: r.model.warmup,
            output: { dims: { images: [1, 3, 640, 640], output0: r.output0 } },
          };
        },
      };
      return {
        ocelot: {
          available: true,
          label,
          run: () => {
            throw new Error('this case runs in Chromium (measureElsewhere)');
          },
          async measureElsewhere(rule) {
            const r = await inPage(rule);
            return {
              times: r.ocelot.times,
              warmup: r.ocelot.warmup,
              output: {
                dims: { images: r.images, ...p.dims },
                parity: parity(r),
              } satisfies WebAnswer,
            };
          },
        },
        peers: [peer as PeerSide<unknown>],
        check: (a, b) => {
          const o = a as WebAnswer;
          const shapes = sameShapes(o.dims, (b as WebAnswer).dims);
          if (!shapes.ok || !o.parity) return shapes;
          return { ok: o.parity.ok, detail: `${shapes.detail}; ${o.parity.detail}` };
        },
        dispose: async () => {
          await harness?.close();
        },
      };
    },
  };
}

export const detectorsDecodeRow: BenchRow = {
  id: 'detectors-decode',
  number: 9,
  title: 'detector post-processing (decode + NMS + map back) vs a per-box-object implementation',
  goal: 1,
  correctness: 'same detections (labels in order, boxes ≤ 1e-3 px, scores ≤ 1e-6)',
  cases: () => [
    decodeCase('yolov8-84x8400', 'YOLOv8 [1,84,8400] → per-class NMS 0.7, cap 300', prepareYolo),
    decodeCase(
      'retinanet-640',
      'RetinaNet P3–P7 640², 91 cl. → top-1k/level, NMS 0.5',
      prepareRetina,
    ),
  ],
};

export const detectorsShareRow: BenchRow = {
  id: 'detectors-share',
  number: 9,
  title: 'detector post-processing as a share of the model run (640×640)',
  goal: 10,
  correctness: 'model outputs have the decoded shapes',
  cases: () => [
    shareCase(
      'yolov8-84x8400',
      'YOLOv8-shaped model (4.35 GMAC stand-in) vs its post-processing',
      prepareYolo,
      'yolov8',
      'YOLOv8n-size stand-in',
    ),
    shareCase(
      'retinanet-640',
      'RetinaNet R50-FPN (torchvision, 96.9 GMAC) vs its post-processing',
      prepareRetina,
      'retinanet',
      'RetinaNet R50-FPN',
    ),
    pipelineShareCase('frame'),
    pipelineShareCase('jpeg'),
    webPipelineShareCase(),
  ],
};
