/**
 * Local bench: the OpenCV-exact bilinear resize + normalise kernel, WebAssembly SIMD against
 * TypeScript, side by side in one process (alternating calls, median of RUNS each), so a busy
 * machine perturbs both alike.
 *
 *   pnpm --filter @ocelot/image bench:kernel        (RUNS=200 by default)
 *
 * Cases: 640×426 → 416×277 (the realworld-e2e photo into YOLOX-nano's letterbox content) and
 * 1920×1080 → 640×360 (a video frame into a 640 letterbox), both NCHW with ImageNet mean/std,
 * written into a reused `out` buffer; plus the first case in NHWC / BGR. The input is a
 * deterministic pseudo-random image (the kernel's cost does not depend on pixel values).
 */
import { cpus, loadavg } from 'node:os';
import { IMAGENET_MEAN, IMAGENET_STD, resizeToTensor, setBilinearBackend } from '../src/index.js';

const RUNS = Number(process.env.RUNS ?? 200);

function image(w: number, h: number) {
  const data = new Uint8Array(w * h * 3);
  let s = 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width: w, height: h };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const cases = [
  { sw: 640, sh: 426, dw: 416, dh: 277, extra: {} },
  { sw: 1920, sh: 1080, dw: 640, dh: 360, extra: {} },
  { sw: 640, sh: 426, dw: 416, dh: 277, extra: { layout: 'nhwc', channelOrder: 'bgr' } },
] as const;

console.log(
  `node ${process.version}, ${cpus()[0]?.model}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, median of ${RUNS} alternating calls each`,
);
console.log('| case | TS ns/px | WASM ns/px | TS ms | WASM ms | speed-up |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const { sw, sh, dw, dh, extra } of cases) {
  const img = image(sw, sh);
  const out = new Float32Array(dw * dh * 3);
  const opts = { width: dw, height: dh, mean: IMAGENET_MEAN, std: IMAGENET_STD, out, ...extra };
  const times = { ts: [] as number[], wasm: [] as number[] };
  for (let r = 0; r < RUNS + 10; r++) {
    for (const backend of r % 2 ? (['ts', 'wasm'] as const) : (['wasm', 'ts'] as const)) {
      setBilinearBackend(backend);
      const t0 = performance.now();
      resizeToTensor(img, opts);
      const t = performance.now() - t0;
      if (r >= 10) times[backend].push(t);
    }
  }
  setBilinearBackend('auto');
  const ts = median(times.ts);
  const wasm = median(times.wasm);
  const px = dw * dh;
  const name = `${sw}×${sh} → ${dw}×${dh}${Object.keys(extra).length ? ` ${Object.values(extra).join(' ')}` : ''}`;
  console.log(
    `| ${name} | ${((ts * 1e6) / px).toFixed(2)} | ${((wasm * 1e6) / px).toFixed(2)} | ${ts.toFixed(3)} | ${wasm.toFixed(3)} | ${(ts / wasm).toFixed(2)}× |`,
  );
}
