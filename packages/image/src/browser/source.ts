/**
 * Browser pixel sources to `RgbImage`: ImageData, canvases, ImageBitmap, <img>, <video> frames,
 * VideoFrame, and encoded bytes / Blobs through `createImageBitmap`. No sharp, no Node APIs.
 */
import { InvalidArgumentError } from '@ocelot/core';
import { CorruptImageError, ImageTooLargeError, UnsupportedImageFormatError } from '../errors.js';
import { sniffImageFormat } from '../format.js';
import { type AlphaOptions, assertRgb, assertRgbImage, rgbaToRgb, rgbToRgba } from '../image.js';
import type { Rgb, RgbImage } from '../types.js';

/** Anything the browser entry turns into an `RgbImage`. */
export type BrowserImageSource =
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLVideoElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | VideoFrame
  | Blob
  | ArrayBuffer
  | Uint8Array;

/** Options of the browser conversions. */
export interface BrowserDecodeOptions extends AlphaOptions {
  /**
   * Bytes / Blob only: apply the EXIF orientation (`createImageBitmap`'s `imageOrientation:
   * 'from-image'`, also the browser default for <img>). Default `true`.
   */
  readonly autoOrient?: boolean;
  /**
   * Refuse images with more pixels than this (`ImageTooLargeError`). In the browser the check
   * runs after the browser has decoded the image (browsers cap image sizes themselves).
   * Default 100 000 000; `false` removes the limit.
   */
  readonly limitInputPixels?: number | false;
}

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A 2D context on a fresh canvas (OffscreenCanvas where available, e.g. in workers). */
export function createCanvasContext(width: number, height: number): Ctx2D {
  const settings: CanvasRenderingContext2DSettings = {
    willReadFrequently: true,
    colorSpace: 'srgb',
  };
  let ctx: Ctx2D | null = null;
  if (typeof OffscreenCanvas !== 'undefined') {
    ctx = new OffscreenCanvas(width, height).getContext('2d', settings);
  } else if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext('2d', settings);
  }
  if (!ctx) throw new Error('no 2D canvas available in this environment');
  return ctx;
}

/** Reads a context's pixels, turning a tainted-canvas SecurityError into a clear message. */
function readPixels(ctx: Ctx2D, width: number, height: number): ImageData {
  try {
    return ctx.getImageData(0, 0, width, height);
  } catch (error) {
    if ((error as DOMException)?.name === 'SecurityError') {
      throw new InvalidArgumentError(
        'source',
        'the image is cross-origin and taints the canvas; serve it with CORS headers and set crossOrigin = "anonymous"',
      );
    }
    throw error;
  }
}

function checkLimit(
  source: string,
  width: number,
  height: number,
  options: BrowserDecodeOptions,
): void {
  const limit = options.limitInputPixels ?? 100_000_000;
  if (limit !== false && width * height > limit) throw new ImageTooLargeError(source, limit);
}

/**
 * `ImageData` (or any `{ data: RGBA bytes, width, height }`) to RGB.
 * @returns data [H,W,3] uint8
 */
export function fromImageData(
  imageData: {
    readonly data: Uint8ClampedArray | Uint8Array;
    readonly width: number;
    readonly height: number;
  },
  options: AlphaOptions = {},
): RgbImage {
  if (typeof imageData !== 'object' || imageData === null) {
    throw new InvalidArgumentError('imageData', 'expected an ImageData');
  }
  return rgbaToRgb(imageData.data, imageData.width, imageData.height, options);
}

/** The current pixels of a canvas (2D contexts; a WebGL canvas is copied through drawImage). */
export function fromCanvas(
  canvas: HTMLCanvasElement | OffscreenCanvas,
  options: AlphaOptions = {},
): RgbImage {
  return fromDrawable(canvas, options);
}

function drawableSize(source: CanvasImageSource | VideoFrame): [number, number] {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) {
    if (source.readyState < 2 || source.videoWidth === 0) {
      throw new InvalidArgumentError(
        'source',
        `the video has no current frame yet (readyState ${source.readyState}); wait for 'loadeddata'`,
      );
    }
    return [source.videoWidth, source.videoHeight];
  }
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    if (!source.complete || source.naturalWidth === 0) {
      throw new InvalidArgumentError(
        'source',
        'the <img> has not loaded (or failed to); await img.decode() first',
      );
    }
    return [source.naturalWidth, source.naturalHeight];
  }
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) {
    return [source.displayWidth, source.displayHeight];
  }
  const s = source as { width: number | SVGAnimatedLength; height: number | SVGAnimatedLength };
  const w = typeof s.width === 'number' ? s.width : s.width.baseVal.value;
  const h = typeof s.height === 'number' ? s.height : s.height.baseVal.value;
  if (!(w > 0 && h > 0)) {
    throw new InvalidArgumentError('source', `has no pixels (${w}×${h}; a closed ImageBitmap?)`);
  }
  return [w, h];
}

/**
 * Anything `drawImage` accepts — ImageBitmap, <img>, <video> (its current frame), canvases,
 * VideoFrame — to RGB, by drawing it on a canvas and reading the pixels back. With
 * `background`, the canvas is filled with it first, so transparency is composited by the
 * browser; without, alpha is dropped — but the colour of semi-transparent pixels has been
 * through the canvas's premultiplied storage (fully transparent pixels come back black). For
 * ImageBitmaps and encoded bytes, `fromImageBitmap` / `decodeImage` / `toRgbImage` read the
 * exact colours through WebCodecs where the browser has it.
 * @returns data [H,W,3] uint8
 */
export function fromDrawable(
  source: CanvasImageSource | VideoFrame,
  options: AlphaOptions = {},
): RgbImage {
  if (typeof source !== 'object' || source === null) {
    throw new InvalidArgumentError(
      'source',
      'expected an image, video, canvas, ImageBitmap or VideoFrame',
    );
  }
  const [width, height] = drawableSize(source);
  const ctx = createCanvasContext(width, height);
  const bg: Rgb | undefined = options.background;
  if (bg !== undefined) {
    assertRgb('options.background', bg);
    ctx.fillStyle = `rgb(${bg[0]},${bg[1]},${bg[2]})`;
    ctx.fillRect(0, 0, width, height);
  }
  ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
  const data = readPixels(ctx, width, height).data;
  return rgbaToRgb(data, width, height);
}

/**
 * The exact RGBA bytes of an ImageBitmap through WebCodecs (`VideoFrame.copyTo` in the frame's
 * own RGBA / BGRA layout), bypassing the 2D canvas whose premultiplied storage rounds the
 * colour of semi-transparent pixels. `undefined` where VideoFrame is missing or the frame
 * comes in another layout; callers then fall back to a canvas.
 */
export async function readBitmapRgba(bitmap: ImageBitmap): Promise<Uint8Array | undefined> {
  if (typeof VideoFrame !== 'function') return undefined;
  let frame: VideoFrame | undefined;
  try {
    frame = new VideoFrame(bitmap, { timestamp: 0 });
    const format = frame.format;
    if (format !== 'RGBA' && format !== 'RGBX' && format !== 'BGRA' && format !== 'BGRX')
      return undefined;
    const rect = frame.visibleRect;
    const width = rect?.width ?? frame.displayWidth;
    const height = rect?.height ?? frame.displayHeight;
    if (width !== bitmap.width || height !== bitmap.height) return undefined;
    const buf = new Uint8Array(frame.allocationSize());
    const [plane] = await frame.copyTo(buf);
    if (!plane) return undefined;
    const out = new Uint8Array(width * height * 4);
    const bgr = format === 'BGRA' || format === 'BGRX';
    const opaque = format === 'RGBX' || format === 'BGRX';
    for (let y = 0; y < height; y++) {
      let i = plane.offset + y * plane.stride;
      let o = y * width * 4;
      for (let x = 0; x < width; x++, i += 4, o += 4) {
        out[o] = buf[bgr ? i + 2 : i]!;
        out[o + 1] = buf[i + 1]!;
        out[o + 2] = buf[bgr ? i : i + 2]!;
        out[o + 3] = opaque ? 255 : buf[i + 3]!;
      }
    }
    return out;
  } catch {
    return undefined;
  } finally {
    frame?.close();
  }
}

/** An ImageBitmap to RGB: exact through WebCodecs where possible, else via a canvas. */
export async function fromImageBitmap(
  bitmap: ImageBitmap,
  options: AlphaOptions = {},
): Promise<RgbImage> {
  const rgba = await readBitmapRgba(bitmap);
  if (rgba) return rgbaToRgb(rgba, bitmap.width, bitmap.height, options);
  return fromDrawable(bitmap, options);
}

async function blobOf(
  input: Blob | ArrayBuffer | Uint8Array,
): Promise<{ blob: Blob; head: Uint8Array; name: string }> {
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const head = new Uint8Array(await input.slice(0, 32).arrayBuffer());
    const name =
      typeof File !== 'undefined' && input instanceof File
        ? input.name
        : `<blob of ${input.size} bytes>`;
    return { blob: input, head, name };
  }
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    return {
      blob: new Blob([bytes as Uint8Array<ArrayBuffer>]),
      head: bytes.subarray(0, 32),
      name: `<buffer of ${bytes.byteLength} bytes>`,
    };
  }
  throw new InvalidArgumentError('input', 'expected a Blob, ArrayBuffer or Uint8Array');
}

/**
 * Decodes encoded bytes (JPEG, PNG, WebP, AVIF, GIF, BMP — whatever the browser decodes) with
 * `createImageBitmap`, EXIF orientation applied.
 * @returns data [H,W,3] uint8
 * @throws CorruptImageError (empty, or a known format the browser could not decode),
 *   UnsupportedImageFormatError (bytes of no known image format, or SVG), ImageTooLargeError
 */
export async function decodeImage(
  input: Blob | ArrayBuffer | Uint8Array,
  options: BrowserDecodeOptions = {},
): Promise<RgbImage> {
  const { blob, head, name } = await blobOf(input);
  if (blob.size === 0) throw new CorruptImageError(name, 'empty input');
  const format = sniffImageFormat(head);
  if (format === undefined || format === 'svg') {
    throw new UnsupportedImageFormatError(
      name,
      format === 'svg'
        ? "format 'svg' is not accepted (draw it to a canvas yourself)"
        : 'not a recognised image format',
      format,
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: options.autoOrient === false ? 'none' : 'from-image',
      premultiplyAlpha: 'none',
    });
  } catch (error) {
    throw new CorruptImageError(
      name,
      `the browser could not decode this ${format} (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    checkLimit(name, bitmap.width, bitmap.height, options);
    return await fromImageBitmap(bitmap, options);
  } finally {
    bitmap.close();
  }
}

/**
 * Any browser image source to RGB: synchronous sources are read directly, bytes and Blobs are
 * decoded.
 * @returns data [H,W,3] uint8
 */
export async function toRgbImage(
  source: BrowserImageSource,
  options: BrowserDecodeOptions = {},
): Promise<RgbImage> {
  if (
    source instanceof ArrayBuffer ||
    source instanceof Uint8Array ||
    (typeof Blob !== 'undefined' && source instanceof Blob)
  ) {
    return decodeImage(source, options);
  }
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) {
    checkLimit('<ImageData>', source.width, source.height, options);
    return fromImageData(source, options);
  }
  const image =
    typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap
      ? await fromImageBitmap(source, options)
      : fromDrawable(source as CanvasImageSource, options);
  checkLimit('<image source>', image.width, image.height, options);
  return image;
}

/** An `RgbImage` as `ImageData` (opaque), e.g. for `putImageData`. */
export function toImageData(image: RgbImage): ImageData {
  assertRgbImage('image', image);
  return new ImageData(
    rgbToRgba(image) as Uint8ClampedArray<ArrayBuffer>,
    image.width,
    image.height,
  );
}

/** Puts an `RgbImage` on a 2D context at (x, y). */
export function putRgbImage(ctx: Ctx2D, image: RgbImage, x = 0, y = 0): void {
  ctx.putImageData(toImageData(image), x, y);
}
