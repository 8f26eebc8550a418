/**
 * Local bench: 1920×1080 JPEG bytes → letterbox 640 → [1,3,640,640] float32 in 0–1.
 *
 *   pnpm --filter @ocelot/image bench            (needs /usr/bin/python3 with cv2 for the peer)
 *
 * Rows: Ocelot `imageToTensor` with the sharp resizer and with the exact resizer, a plain sharp
 * pipeline written the obvious way, and OpenCV (imdecode + letterbox + blobFromImage) in
 * /usr/bin/python3 — one thread on every side (sharp.concurrency(1), cv2.setNumThreads(1)).
 * 3 warm-ups, then the median of RUNS. Correctness: the exact path must match OpenCV's blob to
 * 1 ulp; the sharp paths report their mean difference.
 *
 * The test image is a 3×3 mosaic of real COCO photos (640×360 crops) when
 * ../shared/realworld/coco128 exists, else a synthetic image; either way written once to the OS
 * temp dir and read by both sides.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, imageToTensor, letterboxToTensor } from '../src/index.node.js';

const RUNS = Number(process.env.RUNS ?? 15);
const WARMUP = 3;
const SIZE = 640;
const REPO = new URL('../../../', import.meta.url).pathname;
const COCO = join(REPO, '..', 'shared', 'realworld', 'coco128', 'images', 'train2017');

sharp.concurrency(1);

async function testJpeg(): Promise<{ path: string; kind: string }> {
  const dir = join(tmpdir(), 'ocelot-image-bench');
  mkdirSync(dir, { recursive: true });
  const useCoco = existsSync(COCO);
  const path = join(dir, useCoco ? 'coco-mosaic-1920x1080.jpg' : 'synthetic-1920x1080.jpg');
  const kind = useCoco ? 'mosaic of 9 COCO photos, q90' : 'synthetic, q90';
  if (existsSync(path)) return { path, kind };
  if (useCoco) {
    const files = readdirSync(COCO)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, 9);
    const tiles = await Promise.all(
      files.map((f) => sharp(join(COCO, f)).resize(640, 360, { fit: 'cover' }).toBuffer()),
    );
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#000' } })
      .composite(
        tiles.map((input, i) => ({ input, left: (i % 3) * 640, top: Math.floor(i / 3) * 360 })),
      )
      .jpeg({ quality: 90 })
      .toFile(path);
  } else {
    const w = 1920;
    const h = 1080;
    const data = new Uint8Array(w * h * 3);
    let s = 12345;
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const x = (i / 3) % w;
      const y = Math.floor(i / 3 / w);
      data[i] =
        128 + 90 * Math.sin(x * 0.01 + (i % 3)) * Math.cos(y * 0.013) + ((s >>> 24) % 24) - 12;
    }
    await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path);
  }
  return { path, kind };
}

/** The obvious sharp pipeline: resize with `contain` + background, raw, then a JS loop. */
async function plainSharp(bytes: Uint8Array): Promise<Float32Array> {
  const { data } = await sharp(bytes)
    .resize(SIZE, SIZE, { fit: 'contain', background: { r: 114, g: 114, b: 114 } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Float32Array(3 * SIZE * SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    for (let c = 0; c < 3; c++) out[c * SIZE * SIZE + i] = data[i * 3 + c]! / 255;
  }
  return out;
}

interface Timing {
  wall_ms: number[];
  cpu_ms: number[];
}

/** Wall and process-CPU time per call. CPU time (all threads, libvips' included) is what
 * survives a machine shared with other jobs; wall time is printed for context. */
async function time(fn: () => Promise<unknown> | unknown): Promise<Timing> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall_ms: wall, cpu_ms: cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function compare(a: Float32Array, b: Float32Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

async function main(): Promise<void> {
  const { path, kind } = await testJpeg();
  const bytes = new Uint8Array(readFileSync(path));
  const meta = await sharp(bytes).metadata();

  const cvOut = join(tmpdir(), 'ocelot-image-bench', 'cv2-blob.f32');
  const py = JSON.parse(
    execFileSync('/usr/bin/python3', [
      join(REPO, 'tooling/python/fixtures/image_bench_cv2.py'),
      path,
      String(SIZE),
      String(RUNS),
      String(WARMUP),
      cvOut,
    ]).toString(),
  ) as { total: Timing; decode: Timing; cv2: string };
  const cvBuf = readFileSync(cvOut);
  const cvBlob = new Float32Array(cvBuf.buffer, cvBuf.byteOffset, cvBuf.byteLength / 4);

  const fast = await imageToTensor(bytes, { size: SIZE });
  const exact = await imageToTensor(bytes, { size: SIZE, resizer: 'exact' });
  const plain = await plainSharp(bytes);
  const decoded = await decodeImage(bytes);

  const rows: [string, Timing, string][] = [
    ['OpenCV imdecode + letterbox + blobFromImage', py.total, 'reference'],
    [
      'Ocelot imageToTensor (sharp resizer)',
      await time(() => imageToTensor(bytes, { size: SIZE })),
      fmt(compare(fast.tensor.data, cvBlob)),
    ],
    [
      'Ocelot imageToTensor (exact resizer)',
      await time(() => imageToTensor(bytes, { size: SIZE, resizer: 'exact' })),
      fmt(compare(exact.tensor.data, cvBlob)),
    ],
    [
      'plain sharp (contain + raw + JS loop)',
      await time(() => plainSharp(bytes)),
      fmt(compare(plain, cvBlob)),
    ],
    ['  part: OpenCV imdecode alone', py.decode, ''],
    [
      '  part: Ocelot decodeImage alone (sharp, full size)',
      await time(() => decodeImage(bytes)),
      '',
    ],
    [
      '  part: Ocelot letterboxToTensor alone (pure, decoded input)',
      await time(() => letterboxToTensor(decoded, { size: SIZE })),
      '',
    ],
  ];
  const cv = median(py.total.cpu_ms);
  console.log(`# @ocelot/image preprocessing bench — ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `input: ${meta.width}×${meta.height} JPEG (${kind}), ${bytes.length} bytes → [1,3,${SIZE},${SIZE}] float32`,
  );
  console.log(
    `node ${process.version}, nproc ${cpus().length}, ${cpus()[0]?.model}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), OpenCV ${py.cv2}; one thread each; median of ${RUNS} after ${WARMUP} warm-ups; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('');
  console.log(
    '| pipeline | CPU ms (median) | wall ms (median) | speed vs OpenCV (CPU) | vs OpenCV blob |',
  );
  console.log('|---|---:|---:|---:|---|');
  for (const [name, t, check] of rows) {
    const m = median(t.cpu_ms);
    const ratio = name.startsWith('  part') ? '' : `${(cv / m).toFixed(2)}×`;
    console.log(
      `| ${name} | ${m.toFixed(1)} | ${median(t.wall_ms).toFixed(1)} | ${ratio} | ${check} |`,
    );
  }
}

function fmt({ max, mean }: { max: number; mean: number }): string {
  return `max ${max.toExponential(1)}, mean ${(mean * 255).toFixed(3)} levels`;
}

await main();
