import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  browserUnavailableReason,
  launchBrowserHarness,
} from '@ocelot/browser-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterbox } from '../letterbox.js';
import { decodeImage } from '../node/decode.js';
import { setBilinearBackend } from '../bilinear-wasm.js';
import { letterboxToTensor, resizeToTensor } from '../preprocess.js';
import { bilinearCases, fnv, noise } from './test-pages/image.page.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'node', '__fixtures__');
const meta = JSON.parse(readFileSync(join(fixtures, 'decode.json'), 'utf8')) as {
  files: Record<
    string,
    Record<string, { offset: number; length: number; width: number; height: number }>
  >;
};
const bin = new Uint8Array(readFileSync(join(fixtures, 'decode.bin')));
const ref = (name: string, key = 'imread') => {
  const s = meta.files[name]![key]!;
  return { data: bin.subarray(s.offset, s.offset + s.length), width: s.width, height: s.height };
};
const blend = (p: number, c: number, a: number) => Math.round((1 - a) * p + a * c);

/** Import graph of a source file, following relative imports; returns every bare specifier. */
function bareImports(file: string, seen = new Set<string>(), out = new Set<string>()): Set<string> {
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
    const spec = m[1]!;
    if (spec.startsWith('.'))
      bareImports(join(dirname(file), spec.replace(/\.js$/, '.ts')), seen, out);
    else out.add(spec);
  }
  return out;
}

describe('browser entry', () => {
  it('never imports sharp or Node built-ins', () => {
    const specs = [...bareImports(join(here, '..', 'index.browser.ts'))];
    expect(specs.filter((s) => s === 'sharp' || s.startsWith('node:'))).toEqual([]);
    expect(specs).toContain('@ocelot/core');
    // and the Node entry does use sharp (the check above can see it)
    expect([...bareImports(join(here, '..', 'index.node.ts'))]).toContain('sharp');
  });
});

const unavailable = browserUnavailableReason();

describe.skipIf(unavailable !== undefined)(
  `@ocelot/image in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let harness: BrowserHarness;
    beforeAll(async () => {
      harness = await launchBrowserHarness({
        modules: { image: join(here, 'test-pages', 'image.page.ts') },
        serve: { '/fixtures/': fixtures },
      });
    }, 180_000);
    afterAll(async () => {
      await harness?.close();
    });

    it("a browser bundle of the bare '@ocelot/image' gets the browser entry", async () => {
      expect(await harness.run('image', { op: 'entry' })).toEqual({
        hasBrowserOnly: true,
        hasNodeOnly: false,
      });
    });

    it('decodes PNG and JPEG exactly like cv2.imread (alpha read through WebCodecs)', async () => {
      const report: Record<string, { max: number; differ: number }> = {};
      for (const name of ['alpha.png', 'gray.png', 'photo.jpg', 'progressive.jpg', 'rotated.jpg']) {
        const got = await harness.run<{
          width: number;
          height: number;
          data: number[];
          over: number[];
        }>('image', { op: 'decode', name });
        const expected = ref(name);
        expect([got.width, got.height], name).toEqual([expected.width, expected.height]);
        let max = 0;
        let differ = 0;
        for (let i = 0; i < got.data.length; i++) {
          const d = Math.abs(got.data[i]! - expected.data[i]!);
          if (d) differ++;
          if (d > max) max = d;
        }
        report[name] = { max, differ };
        if (name === 'alpha.png') {
          // composited over red: same as the Node entry's flatten for the same RGBA
          const node = await decodeImage(join(fixtures, name), { background: [255, 0, 0] });
          let maxOver = 0;
          for (let i = 0; i < got.over.length; i++)
            maxOver = Math.max(maxOver, Math.abs(got.over[i]! - node.data[i]!));
          expect(maxOver).toBe(0);
        }
      }
      console.log('Chromium decode vs cv2.imread:', JSON.stringify(report));
      // Debian's Chromium decodes these JPEGs (baseline, progressive, EXIF-rotated) with the
      // same libjpeg-turbo arithmetic as OpenCV and sharp: bit-identical.
      for (const name of Object.keys(report))
        expect(report[name], name).toEqual({ max: 0, differ: 0 });
    });

    it('letterbox and imageToTensor in the page equal the Node results for the same pixels', async () => {
      for (const name of ['alpha.png', 'photo.jpg']) {
        const got = await harness.run<{
          decoded: number[];
          width: number;
          height: number;
          letterboxed: number[];
          tensor: number[];
          dims: number[];
          transform: unknown;
        }>('image', { op: 'letterbox', name });
        const decoded = {
          data: Uint8Array.from(got.decoded),
          width: got.width,
          height: got.height,
        };
        const node = letterboxToTensor(decoded, { size: 64 });
        expect(got.dims).toEqual([1, 3, 64, 64]);
        expect(Float32Array.from(got.tensor)).toEqual(node.tensor.data);
        expect(Uint8Array.from(got.letterboxed)).toEqual(
          letterbox(decoded, { size: 64 }).image.data,
        );
        expect(got.transform).toEqual(node.transform.toJSON());
      }
    });

    it('reads ImageData, canvases, ImageBitmap, <img>, Blob, bytes, VideoFrame and <video> alike', async () => {
      const got = await harness.run<{
        expected: number[];
        results: Record<string, number[]>;
        notLoaded: { name: string; message: string };
      }>('image', { op: 'sources' });
      for (const [kind, data] of Object.entries(got.results))
        expect(data, kind).toEqual(got.expected);
      expect(Object.keys(got.results)).toHaveLength(8);
      expect(got.notLoaded.name).toBe('InvalidArgumentError');
      expect(got.notLoaded.message).toMatch(/not loaded/);
      // <video>: its current frame (through the video pipeline's YUV, so colours are close)
      const video = await harness.run<{
        width: number;
        height: number;
        pixel: number[];
        notReady: { name: string; message: string };
      }>('image', { op: 'video' });
      expect([video.width, video.height]).toEqual([16, 8]);
      for (const [c, v] of video.pixel.entries()) {
        expect(Math.abs(v - [200, 60, 30][c]!)).toBeLessThanOrEqual(12);
      }
      expect(video.notReady.name).toBe('InvalidArgumentError');
      expect(video.notReady.message).toMatch(/no current frame/);
    });

    it('runs the WebAssembly SIMD bilinear kernel, bit-identical to the TypeScript one and to Node', async () => {
      const got = await harness.run<{
        auto: string;
        results: { wasm: number; ts: number; length: number }[];
        wasmMs: number;
        tsMs: number;
      }>('image', { op: 'bilinear' });
      expect(got.auto).toBe('wasm');
      for (const [i, c] of bilinearCases.entries()) {
        setBilinearBackend('ts');
        const img = noise(c.sw, c.sh);
        const node = c.letterboxed
          ? letterboxToTensor(img, c.opts as Parameters<typeof letterboxToTensor>[1])
          : resizeToTensor(img, c.opts as Parameters<typeof resizeToTensor>[1]);
        setBilinearBackend('auto');
        expect(got.results[i]).toEqual({
          wasm: fnv(node.tensor.data),
          ts: fnv(node.tensor.data),
          length: node.tensor.data.length,
        });
      }
      console.log(
        `Chromium, 640×426 → 416×277: WASM ${got.wasmMs.toFixed(3)} ms, TS ${got.tsMs.toFixed(3)} ms`,
      );
    });

    it('decode errors are the same typed errors as in Node', async () => {
      const got = await harness.run<
        Record<string, { name: string; reason?: string; message: string }>
      >('image', { op: 'errors' });
      expect(got.empty!.name).toBe('CorruptImageError');
      expect(got.text!.name).toBe('UnsupportedImageFormatError');
      expect(got.svg!.name).toBe('UnsupportedImageFormatError');
      expect(got.truncated!.name).toBe('CorruptImageError');
      expect(got.truncated!.message).toMatch(/<buffer of 300 bytes>/);
      expect(got.tooLarge!.name).toBe('ImageTooLargeError');
      expect(got.isDecodeError).toBe(true);
    });

    it('draws boxes, labels and masks on a canvas at the expected pixels', async () => {
      const got = await harness.run<Record<string, number[] | boolean>>('image', { op: 'draw' });
      const c = got.color as number[];
      expect(got.edge).toEqual(c);
      expect(got.edgeInner).toEqual(c);
      expect(got.outside).toEqual([50, 50, 50]);
      expect(got.inside).toEqual([50, 50, 50]);
      expect(got.mask).toEqual(c.map((v) => blend(50, v, 0.5)));
      expect(got.tab).toEqual(c);
      expect(got.sameOnCanvas).toBe(true);
    });
  },
);
