/**
 * `ocelot bench`: a quick end-to-end throughput measurement of one model in this process —
 * images/s and how each prediction's time splits between pre-processing, the network and
 * post-processing. (The side-by-side suite against torchvision / onnxruntime is `pnpm bench`.)
 */
import { createRgbImage, decodeImage, type RgbImage } from '@ocelot/image';
import { defineCommand } from '../command.js';
import { resolveModelOption } from '../inference/batch.js';
import { openModel, type PredictTiming } from '../inference/model.js';
import {
  MODEL_OPTIONS,
  modelStore,
  numberOption,
  providersFor,
  RUNTIME_OPTIONS,
  runtimeValues,
} from '../inference/options.js';
import { imageError } from '../inference/process.js';
import { expandInputs } from '../inference/sources.js';
import { sampleImages } from './demo.js';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** A deterministic textured test image (no sample available). */
function testImage(width: number, height: number): RgbImage {
  const image = createRgbImage(width, height);
  let seed = 12345;
  for (let i = 0; i < image.data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    image.data[i] = 64 + ((seed >>> 16) & 127);
  }
  return image;
}

export const benchCommand = defineCommand({
  path: ['bench'],
  summary: 'measure a model end to end: images/s and the pre / model / post split',
  description: [
    'Loads the model once in this process, decodes the images once, runs warm-up predictions,',
    'then times --runs predictions (cycling through the images) and prints the median and mean',
    'of each stage: pre (resize, normalise), model (onnxruntime session.run), post (decode,',
    'NMS, masks, mapping back) and their total, with the images per second of one stream.',
    'Without images it uses the sample scenes of models/defaults.json, else a generated test',
    "image at the model's input size. This is a quick check; `pnpm bench` is the full suite.",
  ].join('\n'),
  positionals: [
    { name: 'images', description: 'images, folders or globs (optional)', variadic: true },
  ],
  options: {
    ...MODEL_OPTIONS,
    runs: { type: 'string', valueName: 'N', default: '20', description: 'timed predictions' },
    warmup: {
      type: 'string',
      valueName: 'N',
      default: '3',
      description: 'untimed predictions first',
    },
    ...RUNTIME_OPTIONS,
  },
  examples: [
    'ocelot bench --model ocelot-shapes-yolo',
    'ocelot bench photos/*.jpg -m yolov8n --runs 50 --json',
  ],
  async run(context) {
    const { values } = context;
    const { threads, imgsz } = runtimeValues(values);
    const runs = numberOption('runs', values.runs, { integer: true, min: 1 })!;
    const warmup = numberOption('warmup', values.warmup, { integer: true, min: 0 })!;
    const cwd = context.io.cwd ?? process.cwd();
    const store = modelStore(context, values['models-dir']);
    const cardPath = await resolveModelOption(context, store, values.model, 'detect');

    const loadStart = performance.now();
    const model = await openModel(cardPath, {
      providers: providersFor(values.provider),
      threads,
      ...(imgsz !== undefined && { imgsz }),
    });
    const loadMs = performance.now() - loadStart;
    try {
      const sources =
        context.positionals.length > 0
          ? expandInputs(context.positionals, context.resolvePath, cwd)
          : (await sampleImages(store)).map((path) => ({ path, display: path }));
      const images: { name: string; image: RgbImage; decodeMs: number }[] = [];
      for (const source of sources) {
        const start = performance.now();
        try {
          images.push({
            name: source.display,
            image: await decodeImage(source.path),
            decodeMs: performance.now() - start,
          });
        } catch (error) {
          throw imageError(source, error);
        }
      }
      if (images.length === 0) {
        const { width, height } = model.card.input;
        images.push({
          name: `generated ${width}×${height}`,
          image: testImage(width, height),
          decodeMs: 0,
        });
      }
      const progress = context.progress(`benchmarking ${model.card.id}`);
      for (let i = 0; i < warmup; i++) await model.predict(images[i % images.length]!.image);
      const timings: PredictTiming[] = [];
      const start = performance.now();
      for (let i = 0; i < runs; i++) {
        timings.push((await model.predict(images[i % images.length]!.image)).timing);
        progress.update(i + 1, runs);
      }
      const wall = (performance.now() - start) / 1000;
      progress.done();
      const stage = (key: keyof PredictTiming) => {
        const v = timings.map((t) => t[key]);
        return { medianMs: median(v), meanMs: mean(v) };
      };
      const result = {
        model: model.card.id,
        kind: model.kind,
        executionProvider: model.executionProvider,
        threads,
        input: { width: model.card.input.width, height: model.card.input.height },
        images: images.map((i) => ({ name: i.name, width: i.image.width, height: i.image.height })),
        loadMs,
        decodeMs: images.some((i) => i.decodeMs > 0)
          ? median(images.map((i) => i.decodeMs))
          : undefined,
        runs,
        warmup,
        pre: stage('preMs'),
        run: stage('modelMs'),
        post: stage('postMs'),
        total: stage('totalMs'),
        imagesPerSecond: runs / wall,
      };
      if (context.json) {
        context.printJson(result);
        return 0;
      }
      const share = (ms: number) => `${((100 * ms) / result.total.meanMs).toFixed(0)}%`.padStart(4);
      const row = (name: string, s: { medianMs: number; meanMs: number }) =>
        `  ${name.padEnd(6)} ${s.medianMs.toFixed(2).padStart(9)} ${s.meanMs.toFixed(2).padStart(9)}  ${share(s.meanMs)}`;
      const lines = [
        `${context.style.bold(model.card.id)} (${model.card.architecture.type}, ${model.kind}) on ${model.executionProvider}, ${threads} thread${threads === 1 ? '' : 's'}, input ${result.input.width}×${result.input.height}`,
        `images: ${images.map((i) => `${i.name} (${i.image.width}×${i.image.height})`).join(', ')}`,
        `load ${loadMs.toFixed(0)} ms${result.decodeMs !== undefined ? `; decode ${result.decodeMs.toFixed(1)} ms per image (not in the totals)` : ''}; ${warmup} warm-up + ${runs} timed runs`,
        '',
        `  stage  median ms   mean ms  share`,
        row('pre', result.pre),
        row('model', result.run),
        row('post', result.post),
        row('total', result.total),
        '',
        `${context.style.bold(`${result.imagesPerSecond.toFixed(1)} images/s`)} (one stream); pre + post = ${((100 * (result.pre.meanMs + result.post.meanMs)) / result.total.meanMs).toFixed(1)}% of the time`,
      ];
      context.print(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await model.dispose();
    }
  },
});
