/**
 * Decoding and encoding with sharp (libvips) — Node only.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@ocelot/core';
import sharp from 'sharp';
import {
  CorruptImageError,
  ImageEncodeError,
  ImageNotFoundError,
  ImageTooLargeError,
  UnsupportedImageFormatError,
} from '../errors.js';
import { assertRgb, assertRgbImage, channelsToRgb } from '../image.js';
import type { Rgb, RgbImage } from '../types.js';

/** What `decodeImage` reads: a file path, a `file:` URL, or the encoded bytes. */
export type ImageSource = string | URL | Uint8Array | ArrayBuffer;

/**
 * Formats as sharp's `metadata().format` names them. AVIF is reported as `'heif'` (sharp's
 * prebuilt libvips decodes AV1-coded HEIF, i.e. AVIF, but not HEVC-coded HEIC).
 */
export type ImageFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'heif'
  | 'tiff'
  | 'gif'
  | 'svg'
  | 'pdf'
  | 'jp2'
  | 'jxl'
  | 'ppm'
  | 'fits'
  | 'exr'
  | 'magick'
  | 'vips'
  | 'raw';

/**
 * Formats decoded by default: JPEG, PNG, WebP, AVIF (`'heif'`), TIFF and GIF (first frame).
 * SVG is left out on purpose (it is a document that may reference other files, not pixels);
 * pass `formats` to allow it or others.
 */
export const DEFAULT_IMAGE_FORMATS: readonly ImageFormat[] = [
  'jpeg',
  'png',
  'webp',
  'heif',
  'tiff',
  'gif',
];

/**
 * Default pixel limit: 100 megapixels (e.g. 10000×10000). A larger image is refused before
 * its pixels are decoded, so a small "decompression bomb" file cannot allocate gigabytes.
 */
export const DEFAULT_LIMIT_INPUT_PIXELS = 100_000_000;

/** Options of `decodeImage`. */
export interface DecodeOptions {
  /**
   * Refuse images with more pixels than this (`ImageTooLargeError`); checked from the header,
   * before decoding. Default `DEFAULT_LIMIT_INPUT_PIXELS` (100 MP); `false` removes the limit.
   */
  readonly limitInputPixels?: number | false;
  /** Apply the EXIF orientation (sharp `.rotate()`), as browsers and PIL `exif_transpose` do. Default `true`. */
  readonly autoOrient?: boolean;
  /** Composite transparent pixels over this colour. Omitted: alpha is dropped (as `cv2.imread`). */
  readonly background?: Rgb;
  /** Formats to accept. Default `DEFAULT_IMAGE_FORMATS`. */
  readonly formats?: readonly ImageFormat[];
}

/** Header facts about an image, orientation applied. */
export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** EXIF orientation tag (1–8) if present. */
  readonly orientation?: number;
  readonly hasAlpha: boolean;
}

/** An opened image: its sharp pipeline, a name for messages, and its header. */
export interface OpenedImage {
  readonly pipeline: sharp.Sharp;
  readonly source: string;
  readonly info: ImageInfo;
  readonly limitInputPixels: number | false;
}

function describeSource(input: ImageSource): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return `<buffer of ${input.byteLength} bytes>`;
}

/** Maps a sharp / libvips error message to the matching typed error. */
export function mapSharpError(error: unknown, source: string, limit: number | false): Error {
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (/Input file is missing/i.test(message)) {
    return new ImageNotFoundError(source, 'file not found', options);
  }
  if (/unsupported image format/i.test(message)) {
    return new UnsupportedImageFormatError(
      source,
      'not a recognised image format',
      undefined,
      options,
    );
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageTooLargeError(source, limit === false ? 0 : limit, undefined, options);
  }
  if (/is empty/i.test(message)) return new CorruptImageError(source, 'empty input', options);
  return new CorruptImageError(source, `corrupt or truncated image (${message.trim()})`, options);
}

/** Checked decode options and the input as sharp takes it (nothing read from the image yet). */
interface CheckedInput {
  readonly source: string;
  readonly limit: number | false;
  readonly formats: readonly ImageFormat[];
  readonly sharpInput: string | Buffer;
}

async function checkInput(input: ImageSource, options: DecodeOptions): Promise<CheckedInput> {
  const source = describeSource(input);
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  if (limit !== false && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(
      'options.limitInputPixels',
      `expected a positive integer or false, got ${String(limit)}`,
    );
  }
  if (options.background !== undefined) assertRgb('options.background', options.background);
  const formats = options.formats ?? DEFAULT_IMAGE_FORMATS;
  if (!Array.isArray(formats)) {
    throw new InvalidArgumentError('options.formats', 'expected an array of format names');
  }
  let sharpInput: string | Buffer;
  if (typeof input === 'string' || input instanceof URL) {
    if (input instanceof URL && input.protocol !== 'file:') {
      throw new InvalidArgumentError(
        'input',
        `only file: URLs are read; fetch ${input.href} and pass the bytes`,
      );
    }
    const path = input instanceof URL ? fileURLToPath(input) : input;
    if (path.length === 0) throw new InvalidArgumentError('input', 'empty path');
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new ImageNotFoundError(source, 'not a regular file');
    } catch (error) {
      if (error instanceof ImageNotFoundError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ImageNotFoundError(
        source,
        code === 'ENOENT' || code === 'ENOTDIR' ? 'file not found' : `cannot read file (${code})`,
        { cause: error },
      );
    }
    sharpInput = path;
  } else if (input instanceof Uint8Array) {
    if (input.byteLength === 0) throw new CorruptImageError(source, 'empty input');
    sharpInput = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  } else if (input instanceof ArrayBuffer) {
    if (input.byteLength === 0) throw new CorruptImageError(source, 'empty input');
    sharpInput = Buffer.from(input);
  } else {
    throw new InvalidArgumentError(
      'input',
      `expected a path, file URL, Uint8Array or ArrayBuffer, got ${input === null ? 'null' : typeof input}`,
    );
  }

  return { source, limit, formats, sharpInput };
}

/**
 * The format of encoded bytes from their signature, for the formats whose signature libvips
 * itself goes by (JPEG `FF D8 FF`, PNG's 8-byte signature, WebP `RIFF….WEBP`); `undefined`
 * for anything else (then sharp's header read decides).
 */
export function sniffFormat(bytes: Uint8Array): 'jpeg' | 'png' | 'webp' | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (
    b.length >= 8 &&
    b[0] === 0x89 &&
    b[1] === 0x50 &&
    b[2] === 0x4e &&
    b[3] === 0x47 &&
    b[4] === 0x0d &&
    b[5] === 0x0a &&
    b[6] === 0x1a &&
    b[7] === 0x0a
  ) {
    return 'png';
  }
  if (
    b.length >= 12 &&
    b[0] === 0x52 &&
    b[1] === 0x49 &&
    b[2] === 0x46 &&
    b[3] === 0x46 &&
    b[8] === 0x57 &&
    b[9] === 0x45 &&
    b[10] === 0x42 &&
    b[11] === 0x50
  ) {
    return 'webp';
  }
  return undefined;
}

/**
 * Opens an image for decoding: checks the input, reads the header, enforces the format list
 * and the pixel limit. Nothing is decoded yet.
 */
export async function openImage(
  input: ImageSource,
  options: DecodeOptions = {},
): Promise<OpenedImage> {
  const { source, limit, formats, sharpInput } = await checkInput(input, options);
  const pipeline = sharp(sharpInput, { limitInputPixels: limit, sequentialRead: true });
  let meta: sharp.Metadata;
  try {
    meta = await pipeline.metadata();
  } catch (error) {
    throw mapSharpError(error, source, limit);
  }
  const format = meta.format ?? 'unknown';
  if (!formats.includes(format as ImageFormat)) {
    throw new UnsupportedImageFormatError(
      source,
      `format '${format}' is not accepted (allowed: ${formats.join(', ')})`,
      format,
    );
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) {
    throw new CorruptImageError(source, `header gives no usable size (${width}×${height})`);
  }
  if (limit !== false && width * height > limit) throw new ImageTooLargeError(source, limit);
  const autoOrient = options.autoOrient ?? true;
  const swap = autoOrient && (meta.orientation ?? 1) >= 5;
  const info: ImageInfo = {
    width: swap ? height : width,
    height: swap ? width : height,
    format,
    hasAlpha: meta.hasAlpha ?? false,
    ...(meta.orientation !== undefined ? { orientation: meta.orientation } : {}),
  };
  return { pipeline, source, info, limitInputPixels: limit };
}

/**
 * Finishes a sharp pipeline as 8-bit sRGB RGB: orientation, alpha (dropped or flattened),
 * colour space, bit depth.
 */
export function toRgbPipeline(pipeline: sharp.Sharp, options: DecodeOptions): sharp.Sharp {
  let p = pipeline;
  if (options.autoOrient ?? true) p = p.rotate();
  // With a background, alpha is kept and composited in `channelsToRgb` (the same integer
  // formula as the browser entry; libvips' flatten rounds differently).
  if (options.background === undefined) p = p.removeAlpha();
  return p.toColourspace('srgb').raw({ depth: 'uchar' });
}

/** Runs a pipeline built by `toRgbPipeline` and returns RGB pixels. */
export async function runToRgb(
  pipeline: sharp.Sharp,
  opened: Pick<OpenedImage, 'source' | 'limitInputPixels'>,
  options: DecodeOptions,
): Promise<RgbImage> {
  let result: { data: Buffer; info: sharp.OutputInfo };
  try {
    result = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw mapSharpError(error, opened.source, opened.limitInputPixels);
  }
  const { data, info } = result;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return channelsToRgb(bytes, info.width, info.height, info.channels, options);
}

/**
 * Decodes an image file or buffer to RGB with sharp: JPEG, PNG, WebP, AVIF, TIFF, GIF (first
 * frame). EXIF orientation is applied, alpha dropped (or composited over `background`),
 * grey and 16-bit images become 8-bit RGB, colour is converted to sRGB.
 *
 * @returns data [H,W,3] uint8 RGB
 * @throws ImageNotFoundError, CorruptImageError, UnsupportedImageFormatError,
 *   ImageTooLargeError (all `ImageDecodeError`s naming the source), InvalidArgumentError
 */
export async function decodeImage(
  input: ImageSource,
  options: DecodeOptions = {},
): Promise<RgbImage> {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    // Encoded bytes of an accepted format with an unambiguous signature: no separate header
    // read (one trip to libvips' thread instead of two). The pixel limit is libvips' own
    // check (mapped to ImageTooLargeError); orientation and alpha are pipeline steps.
    const checked = await checkInput(input, options);
    const bytes = checked.sharpInput as Buffer;
    const format = sniffFormat(bytes);
    if (format !== undefined && checked.formats.includes(format)) {
      const pipeline = sharp(bytes, { limitInputPixels: checked.limit, sequentialRead: true });
      const opened = { source: checked.source, limitInputPixels: checked.limit };
      return runToRgb(toRgbPipeline(pipeline, options), opened, options);
    }
  }
  const opened = await openImage(input, options);
  return runToRgb(toRgbPipeline(opened.pipeline, options), opened, options);
}

/** Reads an image's size and format from its header (orientation applied), without decoding. */
export async function readImageInfo(
  input: ImageSource,
  options: DecodeOptions = {},
): Promise<ImageInfo> {
  return (await openImage(input, options)).info;
}

/** A sharp pipeline over raw RGB pixels. */
export function sharpFromRgb(image: RgbImage): sharp.Sharp {
  assertRgbImage('image', image);
  const { data, width, height } = image;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 3 },
    limitInputPixels: false,
  });
}

async function encode(
  image: RgbImage,
  build: (s: sharp.Sharp) => sharp.Sharp,
): Promise<Uint8Array> {
  const s = sharpFromRgb(image);
  try {
    const buf = await build(s).toBuffer();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    throw new ImageEncodeError(
      `encoding a ${image.width}×${image.height} image failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Encodes to PNG (lossless).
 * @param options.compressionLevel zlib level 0–9, default 6
 */
export async function encodePng(
  image: RgbImage,
  options: { readonly compressionLevel?: number } = {},
): Promise<Uint8Array> {
  const level = options.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new InvalidArgumentError('options.compressionLevel', `expected 0–9, got ${level}`);
  }
  return encode(image, (s) => s.png({ compressionLevel: level }));
}

/**
 * Encodes to JPEG (4:2:0 chroma subsampling, as most cameras).
 * @param options.quality 1–100, default 90
 */
export async function encodeJpeg(
  image: RgbImage,
  options: { readonly quality?: number } = {},
): Promise<Uint8Array> {
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new InvalidArgumentError('options.quality', `expected 1–100, got ${quality}`);
  }
  return encode(image, (s) => s.jpeg({ quality }));
}
