/**
 * Page module for `detectors-share/yolov8-pipeline-1080p-frame-web` (row 9, onnxruntime-web),
 * run in headless Chromium by @ocelot/browser-test (bundled with the browser conditions, so
 * @ocelot/runtime is its onnxruntime-web entry). Ocelot's pre + post-processing of a
 * 1920×1080 RGB frame (letterboxToTensor → decodeUltralyticsDense → finalizeDetections mapped
 * back to the frame) and the model's own `session.run` (wasm, one thread) are timed in
 * alternation (O, P, O, P, …) in the page; the durations go back to Node, which takes the
 * medians. The frame is a deterministic pattern made here (its content does not change the
 * cost of either side).
 */
import {
  finalizeDetections,
  resolveDetectOptions,
  ULTRALYTICS_V8_DEFAULTS,
} from '@ocelot/detectors';
import { decodeUltralyticsDense } from '@ocelot/detectors';
import { letterboxToTensor } from '@ocelot/image';
import { createSession, createTensor } from '@ocelot/runtime';

export interface SharePageInput {
  readonly modelUrl: string;
  readonly wasmPaths: string;
  readonly warmup: number;
  readonly runs: number;
  /** Keep warming up (both sides) until the Ocelot warm-ups took this long (ms). */
  readonly minWarmupMs: number;
}

export interface SharePageResult {
  readonly executionProvider: string;
  readonly ocelot: { times: number[]; warmup: number };
  readonly model: { times: number[]; warmup: number };
  readonly images: number[];
  readonly output0: number[];
  /** The model's first output0, little-endian float32, base64 (for Node's decode check). */
  readonly output0Base64: string;
  readonly detections: { boxes: number[]; scores: number[]; labels: number[] };
}

const WIDTH = 1920;
const HEIGHT = 1080;
const NAMES = Array.from({ length: 80 }, (_, i) => `class${i}`);

function frame(): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const o = 3 * (y * WIDTH + x);
      data[o] = Math.round(60 + (140 * x) / WIDTH);
      data[o + 1] = Math.round(50 + (150 * y) / HEIGHT);
      data[o + 2] = Math.round(128 + 80 * Math.sin((x + y) / 97));
    }
  }
  return { data, width: WIDTH, height: HEIGHT };
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export default async function run(input: SharePageInput): Promise<SharePageResult> {
  const session = await createSession(input.modelUrl, {
    executionProviders: ['wasm'],
    threads: 1,
    wasmPaths: input.wasmPaths,
  });
  try {
    const image = frame();
    const options = resolveDetectOptions(NAMES, ULTRALYTICS_V8_DEFAULTS);
    const context = {
      model: 'bench',
      options,
      inputSize: { width: 640, height: 640 },
      numClasses: 80,
      metadata: {},
    };
    const params = { head: 'v8' as const, output: ['output0'] };
    // the model runs on the frame's own letterboxed tensor; Ocelot decodes its real outputs
    const first = letterboxToTensor(image, { size: 640 });
    const feeds = { images: createTensor(first.tensor.data, [1, 3, 640, 640]) };
    const outputs = await session.run(feeds);
    const out0 = outputs.output0;
    if (!out0) throw new Error(`the model gave no output0 (got ${Object.keys(outputs)})`);
    const decodeOutputs = { output0: out0 } as unknown as Parameters<
      typeof decodeUltralyticsDense
    >[0];

    const ocelot = () => {
      const { transform } = letterboxToTensor(image, { size: 640 });
      const c = decodeUltralyticsDense(decodeOutputs, context as never, params as never);
      return finalizeDetections('bench', c, options, transform, NAMES);
    };
    const model = () => session.run(feeds);

    const o = { times: [] as number[], warmup: 0 };
    const m = { times: [] as number[], warmup: 0 };
    let warmMs = 0;
    let last: ReturnType<typeof ocelot> | undefined;
    while (o.warmup < input.warmup || (warmMs < input.minWarmupMs && o.warmup < 1000)) {
      const t0 = performance.now();
      last = ocelot();
      warmMs += performance.now() - t0;
      o.warmup++;
      if (m.warmup < input.warmup) {
        await model();
        m.warmup++;
      }
    }
    for (let i = 0; i < input.runs; i++) {
      let t0 = performance.now();
      last = ocelot();
      o.times.push(performance.now() - t0);
      t0 = performance.now();
      await model();
      m.times.push(performance.now() - t0);
    }
    const data = out0.data as Float32Array;
    return {
      executionProvider: session.executionProvider,
      ocelot: o,
      model: m,
      images: [...first.tensor.dims],
      output0: [...out0.dims],
      output0Base64: base64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
      detections: {
        boxes: Array.from(last!.boxes),
        scores: Array.from(last!.scores),
        labels: Array.from(last!.labels),
      },
    };
  } finally {
    await session.dispose();
  }
}
