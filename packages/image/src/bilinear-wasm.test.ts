import { readFileSync } from 'node:fs';
import { InvalidArgumentError, OcelotError } from '@ocelot/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BilinearBackend,
  bilinearBackend,
  setBandBytesForTesting,
  wasmRunsForTesting,
  setBilinearBackend,
} from './bilinear-wasm.js';
import { IMAGENET_MEAN, IMAGENET_STD, type NormalizeOptions } from './normalize.js';
import { letterboxToTensor, resizeToTensor } from './preprocess.js';
import { type BinSlice, loadFixture, noiseImage } from './test-utils/fixtures.js';
import type { RgbImage } from './types.js';
import { BILINEAR_WASM_BASE64 } from './wasm/bilinear-module.js';

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

/** What this process starts with: `OCELOT_IMAGE_WASM=0` runs the whole suite on TypeScript. */
const envOff = ['0', 'false', 'off'].includes(process.env.OCELOT_IMAGE_WASM ?? '');
const initial = envOff ? 'ts' : 'auto';

/** Runs `fn` with the given backend forced, restoring the initial choice afterwards. */
function using<T>(backend: BilinearBackend, fn: () => T): T {
  setBilinearBackend(backend);
  const runs = wasmRunsForTesting();
  try {
    expect(bilinearBackend()).toBe(backend);
    const result = fn();
    if (backend === 'ts') expect(wasmRunsForTesting()).toBe(runs);
    if (backend === 'wasm') {
      forcedWasm.calls++;
      if (wasmRunsForTesting() > runs) forcedWasm.ran++;
    }
    return result;
  } finally {
    setBilinearBackend(initial);
  }
}

/**
 * Calls made with 'wasm' forced in the current test, and how many of them ran the WebAssembly
 * kernel (a call may legitimately need no resampling, e.g. a letterbox of an image already at
 * the target size): a test that forced 'wasm' must have run it at least once, or its
 * "WebAssembly = TypeScript" comparison was TypeScript against itself.
 */
const forcedWasm = { calls: 0, ran: 0 };

afterEach(() => {
  setBilinearBackend(initial);
  const { calls, ran } = forcedWasm;
  forcedWasm.calls = 0;
  forcedWasm.ran = 0;
  if (calls > 0) expect(ran, `${calls} calls with 'wasm' forced`).toBeGreaterThan(0);
});

describe('the WebAssembly module', () => {
  it('is small enough for synchronous compilation on a browser main thread (< 4 KB)', () => {
    expect(Buffer.from(BILINEAR_WASM_BASE64, 'base64').length).toBeLessThan(4096);
  });

  it('loads in Node 20 and is the default backend (unless OCELOT_IMAGE_WASM=0)', () => {
    expect(bilinearBackend()).toBe(envOff ? 'ts' : 'wasm');
    setBilinearBackend('wasm');
    expect(bilinearBackend()).toBe('wasm');
  });

  it('the committed bytes are what `build:wasm` makes from wasm/bilinear.ts', async () => {
    // @ts-expect-error -- a plain .mjs build script without type declarations
    const { buildModuleText, modulePath } = await import('../scripts/build-wasm.mjs');
    const fresh = (await buildModuleText()) as string;
    expect(fresh === readFileSync(modulePath as string, 'utf8')).toBe(true);
  }, 120_000);

  it('setBilinearBackend checks its argument', () => {
    expect(() => setBilinearBackend('simd' as BilinearBackend)).toThrow(InvalidArgumentError);
  });
});

const pixelImage = (w: number, h: number, seed: number, kind: number): RgbImage => {
  const img = noiseImage(w, h, seed);
  // kind 1: constant extremes, kind 2: a smooth gradient (many exact ties), else noise.
  if (kind === 1) img.data.fill(seed & 1 ? 255 : 0);
  if (kind === 2) for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 7) & 255;
  return img;
};

const side = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 70 }),
  fc.integer({ min: 100, max: 400 }),
);
const normalize = fc.record({
  mean: fc.constantFrom<readonly number[] | number>(0, IMAGENET_MEAN, [10, 20, 30], 0.5),
  std: fc.constantFrom<readonly number[] | number>(1, IMAGENET_STD, 57.375, [0.1, 3, 7]),
  scale: fc.constantFrom(1 / 255, 1, 0.5, 1 / 127.5, 0.003),
  channelOrder: fc.constantFrom<'rgb' | 'bgr'>('rgb', 'bgr'),
  layout: fc.constantFrom<'nchw' | 'nhwc'>('nchw', 'nhwc'),
});

describe('WebAssembly = TypeScript, bit for bit', () => {
  it('resizeToTensor: any sizes (1 px, odd, extreme aspect ratios, up and down), every option', () => {
    fc.assert(
      fc.property(
        side,
        side,
        side,
        side,
        normalize,
        fc.integer({ min: 1 }),
        fc.integer({ min: 0, max: 2 }),
        (sw, sh, dw, dh, n, seed, kind) => {
          const img = pixelImage(sw, sh, seed, kind);
          const o = { width: dw, height: dh, ...n } as const;
          const ts = using('ts', () => resizeToTensor(img, o).tensor.data);
          const wasm = using('wasm', () => resizeToTensor(img, o).tensor.data);
          expect(sameBits(wasm, ts)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('letterboxToTensor into a batch buffer at an offset (padding on either axis, content rows narrower than the tensor)', () => {
    fc.assert(
      fc.property(
        side,
        side,
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        fc.boolean(),
        normalize,
        fc.integer({ min: 1 }),
        (sw, sh, size, center, scaleUp, n, seed) => {
          const img = pixelImage(sw, sh, seed, 0);
          const per = size * size * 3;
          const run = (backend: BilinearBackend) =>
            using(backend, () => {
              const out = new Float32Array(per * 2 + 5).fill(-7);
              letterboxToTensor(img, { size, center, scaleUp, ...n, out, outOffset: per + 5 });
              return out;
            });
          const ts = run('ts');
          const wasm = run('wasm');
          expect(sameBits(wasm, ts)).toBe(true);
          // the other image of the batch is untouched
          expect(wasm.subarray(0, per + 5).every((v) => v === -7)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any band size (the kernel runs on bands of output rows; 1 byte = one row per band)', () => {
    try {
      fc.assert(
        fc.property(
          side,
          side,
          side,
          side,
          normalize,
          fc.integer({ min: 1, max: 60_000 }),
          fc.integer({ min: 1 }),
          (sw, sh, dw, dh, n, band, seed) => {
            const img = pixelImage(sw, sh, seed, 0);
            const o = { width: dw, height: dh, ...n } as const;
            const ts = using('ts', () => resizeToTensor(img, o).tensor.data);
            setBandBytesForTesting(band);
            const wasm = using('wasm', () => resizeToTensor(img, o).tensor.data);
            setBandBytesForTesting(256 * 1024);
            expect(sameBits(wasm, ts)).toBe(true);
            setBandBytesForTesting(1);
            const lb = { size: Math.max(dw, dh), center: false, ...n } as const;
            const lts = using('ts', () => letterboxToTensor(img, lb).tensor.data);
            const lwasm = using('wasm', () => letterboxToTensor(img, lb).tensor.data);
            setBandBytesForTesting(256 * 1024);
            expect(sameBits(lwasm, lts)).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      setBandBytesForTesting(256 * 1024);
    }
  });

  it('real sizes: 640×426 → 416×277 and 1920×1080 → 640×360 in both layouts; a tall image in a wide letterbox', () => {
    const cases: [number, number, number, number][] = [
      [640, 426, 416, 277],
      [1920, 1080, 640, 360],
      [426, 640, 277, 416],
      [300, 2, 640, 7],
    ];
    for (const [sw, sh, dw, dh] of cases) {
      const img = noiseImage(sw, sh, sw + sh);
      for (const layout of ['nchw', 'nhwc'] as const) {
        const o = { width: dw, height: dh, layout, mean: IMAGENET_MEAN, std: IMAGENET_STD };
        const ts = using('ts', () => resizeToTensor(img, o).tensor.data);
        const wasm = using('wasm', () => resizeToTensor(img, o).tensor.data);
        expect(sameBits(wasm, ts)).toBe(true);
        const lb = { size: 320, layout, channelOrder: 'bgr' as const, scale: 1 };
        const lts = using('ts', () => letterboxToTensor(img, lb).tensor.data);
        const lwasm = using('wasm', () => letterboxToTensor(img, lb).tensor.data);
        expect(sameBits(lwasm, lts)).toBe(true);
      }
    }
  });

  it('returns fresh arrays: a later call (any size) leaves an earlier result unchanged', () => {
    const a = noiseImage(97, 61, 1);
    const b = noiseImage(1280, 720, 2);
    const first = resizeToTensor(a, { width: 40, height: 30 }).tensor.data;
    const copy = first.slice();
    const second = resizeToTensor(b, { width: 640, height: 360 }).tensor.data;
    resizeToTensor(a, { width: 41, height: 29 });
    expect(sameBits(first, copy)).toBe(true);
    expect(first.buffer).not.toBe(second.buffer);
    expect(first.buffer.byteLength).toBe(first.byteLength);
  });
});

interface Slice {
  offset: number;
  length: number;
}
const resizeFixture = JSON.parse(
  readFileSync(new URL('./__fixtures__/resize.json', import.meta.url), 'utf8'),
) as {
  sources: (Slice & { name: string; width: number; height: number; channels: number })[];
  cases: { source: string; width: number; height: number; outputs: Record<string, Slice> }[];
};
const resizeBin = new Uint8Array(
  readFileSync(new URL('./__fixtures__/resize.bin', import.meta.url)),
);
const { meta, u8, f32 } = loadFixture<{
  normalize: {
    letterboxSource: BinSlice & { width: number; height: number };
    blobFromImage: BinSlice;
  };
}>('letterbox');

describe.each(['wasm', 'ts'] as const)(
  'OpenCV parity fixtures through the %s kernel',
  (backend) => {
    it('cv2.resize(INTER_LINEAR) pixels, as 0–255 floats, on every 3-channel case', () => {
      const report: string[] = [];
      let checked = 0;
      for (const c of resizeFixture.cases) {
        const src = resizeFixture.sources.find((s) => s.name === c.source)!;
        if (src.channels !== 3) continue;
        const slice = (s: Slice) => resizeBin.subarray(s.offset, s.offset + s.length);
        const img = { data: slice(src), width: src.width, height: src.height };
        const expected = slice(c.outputs.bilinear!);
        const opts: NormalizeOptions & { width: number; height: number } = {
          width: c.width,
          height: c.height,
          scale: 1,
          layout: 'nhwc',
        };
        const got = using(backend, () => resizeToTensor(img, opts).tensor.data);
        let bad = 0;
        for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) bad++;
        if (bad > 0 || got.length !== expected.length)
          report.push(`${c.source}→${c.width}×${c.height}: ${bad}`);
        checked++;
      }
      expect(checked).toBeGreaterThan(25);
      expect(report).toEqual([]);
    });

    it('cv2 letterbox + blobFromImage(1/255, swapRB) to 1 ulp', () => {
      const s = meta.normalize.letterboxSource;
      const img = { data: u8(s), width: s.width, height: s.height };
      const { tensor } = using(backend, () => letterboxToTensor(img, { size: 64 }));
      const ref = f32(meta.normalize.blobFromImage);
      let max = 0;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - ref[i]!));
      expect(max).toBeLessThanOrEqual(2 ** -24);
    });
  },
);

describe('fallback to TypeScript', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('OCELOT_IMAGE_WASM=0 selects the TypeScript kernel at load time', async () => {
    vi.stubEnv('OCELOT_IMAGE_WASM', '0');
    vi.resetModules();
    const fresh = await import('./bilinear-wasm.js');
    expect(fresh.bilinearBackend()).toBe('ts');
    fresh.setBilinearBackend('auto');
    expect(fresh.bilinearBackend()).toBe('wasm');
  });

  it('without WebAssembly SIMD the TypeScript kernel runs and forcing wasm throws', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    vi.resetModules();
    const fresh = await import('./bilinear-wasm.js');
    const pre = await import('./preprocess.js');
    expect(fresh.bilinearBackend()).toBe('ts');
    // (a fresh module graph has its own @ocelot/core, so check the error by name and code)
    expect(() => fresh.setBilinearBackend('wasm')).toThrow(
      expect.objectContaining({ name: OcelotError.name, code: 'E_WASM_UNAVAILABLE' }),
    );
    const img = noiseImage(50, 30, 3);
    const got = pre.resizeToTensor(img, { width: 20, height: 11 }).tensor.data;
    const ref = using('ts', () => resizeToTensor(img, { width: 20, height: 11 }).tensor.data);
    expect(sameBits(got, ref)).toBe(true);
  });
});
