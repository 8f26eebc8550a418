/**
 * Browser test page for @ocelot/image (run by browser.test.ts through @ocelot/browser-test).
 * Imports the package by name: `@ocelot/image/browser` for the types, and the bare
 * `@ocelot/image` to check that a browser bundler resolves it to the browser entry.
 */
import * as bare from '@ocelot/image';
import {
  DETECTION_COLORS,
  decodeImage,
  drawDetections,
  drawDetectionsToCanvas,
  fromCanvas,
  fromDrawable,
  fromImageData,
  type ImageDecodeError,
  imageToTensor,
  bilinearBackend,
  letterbox,
  letterboxToTensor,
  resizeToTensor,
  setBilinearBackend,
  toImageData,
  toRgbImage,
} from '@ocelot/image/browser';

const fixture = async (name: string) =>
  new Uint8Array(await (await fetch(`/fixtures/${name}`)).arrayBuffer());

async function errorOf(
  p: Promise<unknown>,
): Promise<{ name: string; code?: string; reason?: string; message: string }> {
  try {
    await p;
    return { name: 'none', message: '' };
  } catch (e) {
    const err = e as ImageDecodeError;
    return { name: err.name, code: err.code, reason: err.reason, message: err.message };
  }
}

/** The cases of the 'bilinear' op; browser.test.ts runs the same ones in Node. */
export const bilinearCases = [
  { sw: 640, sh: 426, letterboxed: false, opts: { width: 416, height: 277 } },
  {
    sw: 1920,
    sh: 1080,
    letterboxed: false,
    opts: { width: 640, height: 360, layout: 'nhwc', channelOrder: 'bgr', mean: 0.5, std: 0.25 },
  },
  { sw: 37, sh: 5, letterboxed: false, opts: { width: 3, height: 11, scale: 1 } },
  { sw: 426, sh: 640, letterboxed: true, opts: { size: 320, center: true } },
  { sw: 1, sh: 1, letterboxed: true, opts: { size: 7, layout: 'nhwc' } },
] as const;

/** A deterministic pseudo-random RGB image (xorshift). */
export function noise(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  let s = width * 7919 + height;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 255;
  }
  return { data, width, height };
}

/** FNV-1a over the float bits. */
export function fnv(a: Float32Array): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i]!, 0x01000193) >>> 0;
  return h;
}

export default async function run(input: { op: string; name?: string }) {
  switch (input.op) {
    case 'entry': {
      const names = Object.keys(bare);
      return {
        hasBrowserOnly: names.includes('fromCanvas') && names.includes('drawDetectionsToCanvas'),
        hasNodeOnly: names.includes('encodePng') || names.includes('renderDetectionsPng'),
      };
    }
    case 'decode': {
      const img = await decodeImage(await fixture(input.name!));
      const over = await decodeImage(await fixture(input.name!), { background: [255, 0, 0] });
      return {
        width: img.width,
        height: img.height,
        data: Array.from(img.data),
        over: Array.from(over.data),
      };
    }
    case 'letterbox': {
      const img = await decodeImage(await fixture(input.name!));
      const { image } = letterbox(img, { size: 64 });
      const { tensor, transform } = await imageToTensor(await fixture(input.name!), { size: 64 });
      return {
        decoded: Array.from(img.data),
        width: img.width,
        height: img.height,
        letterboxed: Array.from(image.data),
        tensor: Array.from(tensor.data),
        dims: tensor.dims,
        transform: transform.toJSON(),
      };
    }
    case 'sources': {
      // A known 4×3 pattern drawn on a canvas, then read back through every source type.
      const w = 4;
      const h = 3;
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d')!;
      const rgba = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) rgba.set([i * 20, 255 - i * 20, (i * 37) % 256, 255], i * 4);
      ctx.putImageData(new ImageData(rgba, w, h), 0, 0);
      const expected = Array.from(fromImageData(new ImageData(rgba, w, h)).data);
      const bitmap = await createImageBitmap(canvas);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const url = URL.createObjectURL(blob);
      const img = new Image();
      img.src = url;
      await img.decode();
      const domCanvas = document.createElement('canvas');
      domCanvas.width = w;
      domCanvas.height = h;
      domCanvas.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
      const frame = new VideoFrame(canvas, { timestamp: 0 });
      const results: Record<string, number[]> = {
        imageData: Array.from((await toRgbImage(new ImageData(rgba, w, h))).data),
        offscreenCanvas: Array.from(fromCanvas(canvas).data),
        htmlCanvas: Array.from(fromCanvas(domCanvas).data),
        imageBitmap: Array.from(fromDrawable(bitmap).data),
        htmlImage: Array.from((await toRgbImage(img)).data),
        blob: Array.from((await toRgbImage(blob)).data),
        bytes: Array.from((await decodeImage(new Uint8Array(await blob.arrayBuffer()))).data),
        videoFrame: Array.from((await toRgbImage(frame)).data),
      };
      frame.close();
      const notLoaded = await errorOf(toRgbImage(new Image()));
      URL.revokeObjectURL(url);
      return { expected, results, notLoaded };
    }
    case 'video': {
      // A <video> playing a canvas stream of one flat colour: read its current frame.
      const canvas = document.createElement('canvas');
      canvas.width = 16;
      canvas.height = 8;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = 'rgb(200,60,30)';
      ctx.fillRect(0, 0, 16, 8);
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = canvas.captureStream(30);
      await video.play();
      for (let t = 0; t < 100 && video.readyState < 2; t++) {
        ctx.fillRect(0, 0, 16, 8);
        await new Promise((r) => setTimeout(r, 20));
      }
      const img = await toRgbImage(video);
      const notReady = await errorOf(toRgbImage(document.createElement('video')));
      return {
        width: img.width,
        height: img.height,
        pixel: Array.from(img.data.subarray((8 * 3 * 16) / 2, (8 * 3 * 16) / 2 + 3)),
        notReady,
      };
    }
    case 'bilinear': {
      // The WebAssembly kernel against the TypeScript one, in the page (same cases as the test).
      const auto = bilinearBackend();
      const results = bilinearCases.map(({ sw, sh, opts, letterboxed }) => {
        const img = noise(sw, sh);
        const run = (backend: 'wasm' | 'ts') => {
          setBilinearBackend(backend);
          return letterboxed
            ? letterboxToTensor(img, opts as Parameters<typeof letterboxToTensor>[1]).tensor.data
            : resizeToTensor(img, opts as Parameters<typeof resizeToTensor>[1]).tensor.data;
        };
        const wasm = run('wasm');
        const ts = run('ts');
        setBilinearBackend('auto');
        return { wasm: fnv(wasm), ts: fnv(ts), length: wasm.length };
      });
      // Side-by-side timing of 640×426 → 416×277 (alternating, median of 30 each).
      const img = noise(640, 426);
      const out = new Float32Array(416 * 277 * 3);
      const times: Record<'wasm' | 'ts', number[]> = { wasm: [], ts: [] };
      for (let r = 0; r < 33; r++) {
        for (const backend of ['wasm', 'ts'] as const) {
          setBilinearBackend(backend);
          const t0 = performance.now();
          resizeToTensor(img, { width: 416, height: 277, out });
          if (r >= 3) times[backend].push(performance.now() - t0);
        }
      }
      setBilinearBackend('auto');
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      return { auto, results, wasmMs: median(times.wasm), tsMs: median(times.ts) };
    }
    case 'errors': {
      const jpg = await fixture('photo.jpg');
      return {
        empty: await errorOf(decodeImage(new Uint8Array(0))),
        text: await errorOf(decodeImage(new TextEncoder().encode('hello, not an image'))),
        svg: await errorOf(
          decodeImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')),
        ),
        truncated: await errorOf(decodeImage(jpg.subarray(0, 300))),
        tooLarge: await errorOf(decodeImage(jpg, { limitInputPixels: 100 })),
        isDecodeError: (await errorOf(decodeImage(new Uint8Array(0)))).name === 'CorruptImageError',
      };
    }
    case 'draw': {
      const w = 320;
      const h = 240;
      const image = { data: new Uint8Array(w * h * 3).fill(50), width: w, height: h };
      const mask = new Uint8Array(w * h);
      for (let y = 90; y < 110; y++) for (let x = 40; x < 60; x++) mask[y * w + x] = 1;
      const dets = {
        boxes: Float32Array.of(20, 60, 120, 140),
        scores: Float32Array.of(0.93),
        labels: Int32Array.of(2),
        classNames: ['a', 'b', 'cat'],
        masks: [mask],
      };
      const out = await drawDetections(image, dets, { lineWidth: 4, alpha: 0.5 });
      const at = (x: number, y: number) =>
        Array.from(out.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
      // the same through a visible canvas
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d')!;
      ctx.putImageData(toImageData(image), 0, 0);
      drawDetectionsToCanvas(ctx, dets, { lineWidth: 4, alpha: 0.5 });
      const again = fromCanvas(canvas);
      return {
        color: DETECTION_COLORS[2],
        edge: at(20, 100),
        edgeInner: at(21, 100),
        outside: at(16, 100),
        inside: at(30, 70),
        mask: at(50, 100),
        tab: at(19, 55),
        sameOnCanvas: again.data.every((v: number, i: number) => v === out.data[i]),
      };
    }
    default:
      throw new Error(`unknown op ${input.op}`);
  }
}
