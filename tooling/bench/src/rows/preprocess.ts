/**
 * Row 6 — model input preprocessing: a 1920×1080 JPEG (quality 90, bytes in memory) → decode →
 * letterbox to 640×640 (pad 114) → CHW float32 in [0, 1], RGB, `[1, 3, 640, 640]`.
 *
 * Ocelot: `imageToTensor(bytes, { size: 640 })` with the default sharp resizer (libvips
 * shrink-on-load + reduce) and with `resizer: 'exact'` (full decode + the pure bilinear resampler,
 * meant to equal OpenCV's INTER_LINEAR). Peers, all timed from the same JPEG bytes:
 * - OpenCV: `cv2.imdecode` + Ultralytics-style letterbox (`cv2.resize` INTER_LINEAR to 640×360,
 *   `copyMakeBorder` 114) + `cv2.dnn.blobFromImage(1/255, swapRB=True)`, one thread
 *   (`cv2.letterbox_blob` in tooling/python/bench/peers.py);
 * - plain sharp: `resize(640, 640, { fit: 'contain', background: 114 }).raw()` then a naive
 *   per-pixel HWC→CHW float loop, written the obvious way.
 *
 * One thread: `sharp.concurrency(1)` for both Node sides (libvips' pool is per process),
 * `cv2.setNumThreads(1)` for OpenCV.
 *
 * Checks (same dims `[1,3,640,640]` always):
 * - 'exact' vs OpenCV: max abs diff ≤ 1e-6 (OpenCV multiplies by 1/255, Ocelot divides: 1 ulp);
 * - every other pair (different resampling filters): mean abs diff ≤ 0.03 (7.65 grey levels on
 *   average), a loose bound that still catches a wrong layout or channel order. It is that loose
 *   because at this 3× reduction INTER_LINEAR reads only 2×2 source pixels per output pixel and
 *   aliases the image's noise, while sharp's reduce averages every pixel: first loaded run,
 *   sharp vs OpenCV mean 1.6e-2 (max 0.43), Ocelot 'sharp' vs plain sharp mean 3.6e-3.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readArray } from '../harness/files.js';
import { ocelotFunction } from '../harness/ocelot.js';
import { inProcessPeer, pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchRow, Check, PreparedCase } from '../harness/types.js';

interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

type ImageToTensorFn = (
  input: Uint8Array,
  options: { size: number; resizer?: 'sharp' | 'exact' },
) => Promise<{ tensor: Tensor }>;

const WIDTH = 1920;
const HEIGHT = 1080;
const SIZE = 640;
const PAD = 114;
const QUALITY = 90;
const EXACT_TOLERANCE = 1e-6;
const MEAN_TOLERANCE = 0.03;
const CV2_NAME = 'cv2 imdecode + letterbox + dnn.blobFromImage';
const SHARP_NAME = 'plain sharp resize(contain) + naive HWC→CHW loop';

/**
 * A deterministic photo-like 1920×1080 RGB image: smooth gradients, seeded noise and a few
 * hundred filled rectangles and discs (edges and texture, so the JPEG decode is realistic).
 */
export function syntheticRgb(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const px = new Float32Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const o = 3 * (y * WIDTH + x);
      px[o] = 60 + (140 * x) / WIDTH;
      px[o + 1] = 50 + (150 * y) / HEIGHT;
      px[o + 2] = 128 + 80 * Math.sin((x + y) / 97);
    }
  }
  for (let s = 0; s < 300; s++) {
    const c = [rng.int(256), rng.int(256), rng.int(256)];
    const cx = rng.int(WIDTH);
    const cy = rng.int(HEIGHT);
    const r = 8 + rng.int(120);
    const disc = rng.next() < 0.5;
    for (let y = Math.max(0, cy - r); y < Math.min(HEIGHT, cy + r); y++) {
      for (let x = Math.max(0, cx - r); x < Math.min(WIDTH, cx + r); x++) {
        if (disc && (x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const o = 3 * (y * WIDTH + x);
        px[o] = c[0]!;
        px[o + 1] = c[1]!;
        px[o + 2] = c[2]!;
      }
    }
  }
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i++) {
    out[i] = Math.max(0, Math.min(255, Math.round(px[i]! + 12 * rng.normal())));
  }
  return out;
}

/** The JPEG under the run's inputs dir, written once per seed, read back as bytes. */
export async function jpegInput(
  dir: string,
  seed: number,
): Promise<{ path: string; bytes: Uint8Array }> {
  const path = join(dir, `preprocess-${WIDTH}x${HEIGHT}-q${QUALITY}.jpg`);
  if (!existsSync(path)) {
    const jpeg = await sharp(syntheticRgb(seed ^ 0x6a9), {
      raw: { width: WIDTH, height: HEIGHT, channels: 3 },
    })
      .jpeg({ quality: QUALITY })
      .toBuffer();
    writeFileSync(path, jpeg);
  }
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

/** The obvious sharp pipeline a user would write. */
async function plainSharp(bytes: Uint8Array): Promise<Tensor> {
  const { data, info } = await sharp(bytes)
    .resize(SIZE, SIZE, { fit: 'contain', background: { r: PAD, g: PAD, b: PAD } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const out = new Float32Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        out[c * width * height + y * width + x] = data[(y * width + x) * channels + c]! / 255;
      }
    }
  }
  return { data: out, dims: [1, 3, height, width] };
}

function sameDims(a: Tensor, b: Tensor): boolean {
  return a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
}

function compare(a: Tensor, b: Tensor, exact: boolean): Check {
  if (!sameDims(a, b)) {
    return { ok: false, detail: `dims [${a.dims}] vs [${b.dims}]` };
  }
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    sum += d;
  }
  const mean = sum / a.data.length;
  const stats = `dims [${a.dims}], max abs diff ${max.toExponential(2)}, mean abs diff ${mean.toExponential(2)}`;
  return exact
    ? { ok: max <= EXACT_TOLERANCE, detail: `${stats} (bound: max ≤ 1e-6)` }
    : { ok: mean <= MEAN_TOLERANCE, detail: `${stats} (bound: mean ≤ ${MEAN_TOLERANCE})` };
}

function variant(resizer: 'sharp' | 'exact') {
  return {
    id: `preprocess/${resizer}`,
    workload: `${WIDTH}×${HEIGHT} JPEG q${QUALITY} → letterbox ${SIZE} → [1,3,${SIZE},${SIZE}] f32, resizer '${resizer}'`,
    async prepare(ctx: Parameters<BenchRow['cases']>[0]): Promise<PreparedCase<Tensor>> {
      // The bench's one-thread rule: libvips' thread pool is per process, so this covers
      // Ocelot's sharp calls and the plain sharp peer alike (cv2 runs with setNumThreads(1)).
      sharp.concurrency(1);
      const { path, bytes } = await jpegInput(ctx.inputs.dir, ctx.seed);
      const imageToTensor = await ocelotFunction<ImageToTensorFn>('@ocelot/image', 'imageToTensor');
      const options = resizer === 'exact' ? { size: SIZE, resizer } : { size: SIZE };
      const sharpPeer = inProcessPeer<Tensor>({
        name: SHARP_NAME,
        start: async () => ({
          run: () => plainSharp(bytes),
          finish: async (last) => ({ output: last as Tensor }),
        }),
      });
      return {
        ocelot:
          'fn' in imageToTensor
            ? {
                available: true,
                label: `imageToTensor(bytes, ${JSON.stringify(options)})`,
                run: async () => (await imageToTensor.fn(bytes, options)).tensor,
              }
            : { available: false, reason: imageToTensor.reason },
        peers: [
          pythonPeer({
            name: CV2_NAME,
            modules: ['cv2', 'numpy'],
            task: 'cv2.letterbox_blob',
            reuse: `preprocess-cv2-${ctx.seed}`,
            args: () => ({
              jpeg: path,
              size: SIZE,
              padValue: PAD,
              out: ctx.inputs.outputPath('preprocess-cv2.f32'),
            }),
            read: (r) => ({
              data: readArray({ ...r.output!, dtype: 'float32' }),
              dims: r.output!.shape,
            }),
          }),
          sharpPeer,
        ],
        check: (ocelot, peer, peerName) =>
          compare(ocelot, peer, resizer === 'exact' && peerName === CV2_NAME),
      };
    },
  };
}

export const preprocessRow: BenchRow = {
  id: 'preprocess',
  number: 6,
  title: 'image → letterboxed CHW tensor',
  goal: 1,
  correctness: "'exact' vs OpenCV max abs diff ≤ 1e-6; other pairs mean abs diff ≤ 0.03; same dims",
  cases: () => [variant('sharp'), variant('exact')],
};
