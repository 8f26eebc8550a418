/** Constructing, checking and converting `RgbImage`s. */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import type { MapArray, PixelMap, Rgb, RgbImage } from './types.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

/** Throws unless `value` is a positive integer (an image side). */
export function assertImageSide(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(name, `expected a positive integer, got ${String(value)}`);
  }
}

/**
 * Throws unless `image` is a well-formed `RgbImage`: positive integer sides and a Uint8Array
 * of exactly `width·height·3` bytes.
 */
export function assertRgbImage(name: string, image: unknown): asserts image is RgbImage {
  if (typeof image !== 'object' || image === null) {
    throw new InvalidArgumentError(
      name,
      `expected an RgbImage {data, width, height}, got ${describe(image)}`,
    );
  }
  const { data, width, height } = image as Partial<RgbImage>;
  assertImageSide(`${name}.width`, width);
  assertImageSide(`${name}.height`, height);
  if (!(data instanceof Uint8Array)) {
    const hint =
      (data as unknown) instanceof Uint8ClampedArray
        ? ' (an ImageData? convert it with fromImageData / rgbaToRgb)'
        : '';
    throw new InvalidArgumentError(
      `${name}.data`,
      `expected a Uint8Array, got ${describe(data)}${hint}`,
    );
  }
  if (data.length !== width * height * 3) {
    const hint = data.length === width * height * 4 ? ' (RGBA? convert it with rgbaToRgb)' : '';
    throw new ShapeMismatchError(
      `${name}.data`,
      `[H=${height},W=${width},3] (${width * height * 3} bytes)`,
      `${data.length} bytes${hint}`,
    );
  }
}

/**
 * Throws unless `map` is a `PixelMap` of `width·height` elements; when `size` is given, its
 * sides must match it.
 */
export function assertPixelMap(
  name: string,
  map: unknown,
  size?: { readonly width: number; readonly height: number },
): asserts map is PixelMap {
  if (typeof map !== 'object' || map === null) {
    throw new InvalidArgumentError(
      name,
      `expected a map {data, width, height}, got ${describe(map)}`,
    );
  }
  const { data, width, height } = map as Partial<PixelMap>;
  assertImageSide(`${name}.width`, width);
  assertImageSide(`${name}.height`, height);
  if (
    !(
      data instanceof Uint8Array ||
      data instanceof Uint16Array ||
      data instanceof Int32Array ||
      data instanceof Float32Array
    )
  ) {
    throw new InvalidArgumentError(
      `${name}.data`,
      `expected a Uint8Array, Uint16Array, Int32Array or Float32Array, got ${describe(data)}`,
    );
  }
  if (data.length !== width * height) {
    throw new ShapeMismatchError(
      `${name}.data`,
      `[H=${height},W=${width}]`,
      `${data.length} elements`,
    );
  }
  if (size && (size.width !== width || size.height !== height)) {
    throw new ShapeMismatchError(
      name,
      `${size.width}×${size.height} (the image size)`,
      `${width}×${height}`,
    );
  }
}

/** Throws unless `color` is three numbers in 0–255. */
export function assertRgb(name: string, color: unknown): asserts color is Rgb {
  if (
    !Array.isArray(color) ||
    color.length !== 3 ||
    !color.every((c) => typeof c === 'number' && c >= 0 && c <= 255)
  ) {
    throw new InvalidArgumentError(
      name,
      `expected [r, g, b] with each in 0–255, got ${JSON.stringify(color)}`,
    );
  }
}

/**
 * A new `width × height` RGB image filled with `fill` (default black).
 * @returns data [H,W,3] uint8
 */
export function createRgbImage(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbImage {
  assertImageSide('width', width);
  assertImageSide('height', height);
  assertRgb('fill', fill);
  const data = new Uint8Array(width * height * 3);
  const [r, g, b] = fill;
  if (r !== 0 || g !== 0 || b !== 0) {
    for (let i = 0; i < data.length; i += 3) {
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
  }
  return { data, width, height };
}

/** Options of `rgbaToRgb`. */
export interface AlphaOptions {
  /**
   * Composite over this colour (`out = a·rgb + (1 − a)·background`, rounded). Omitted: the
   * alpha channel is dropped and the stored colour kept, as `cv2.imread` and PIL
   * `convert('RGB')` do.
   */
  readonly background?: Rgb;
}

/**
 * RGBA (e.g. `ImageData.data`) to RGB.
 * @param rgba [H,W,4] uint8 (Uint8Array or Uint8ClampedArray)
 * @returns data [H,W,3] uint8
 */
export function rgbaToRgb(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  options: AlphaOptions = {},
): RgbImage {
  assertImageSide('width', width);
  assertImageSide('height', height);
  if (!(rgba instanceof Uint8Array || rgba instanceof Uint8ClampedArray)) {
    throw new InvalidArgumentError(
      'rgba',
      `expected a Uint8Array or Uint8ClampedArray, got ${describe(rgba)}`,
    );
  }
  const n = width * height;
  if (rgba.length !== n * 4) {
    throw new ShapeMismatchError(
      'rgba',
      `[H=${height},W=${width},4] (${n * 4} bytes)`,
      `${rgba.length} bytes`,
    );
  }
  const out = new Uint8Array(n * 3);
  const bg = options.background;
  if (bg === undefined) {
    for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
      out[j] = rgba[i]!;
      out[j + 1] = rgba[i + 1]!;
      out[j + 2] = rgba[i + 2]!;
    }
  } else {
    assertRgb('options.background', bg);
    for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
      const a = rgba[i + 3]!;
      // Integer form of round(c·a/255 + bg·(255−a)/255).
      out[j] = Math.round((rgba[i]! * a + bg[0] * (255 - a)) / 255);
      out[j + 1] = Math.round((rgba[i + 1]! * a + bg[1] * (255 - a)) / 255);
      out[j + 2] = Math.round((rgba[i + 2]! * a + bg[2] * (255 - a)) / 255);
    }
  }
  return { data: out, width, height };
}

/**
 * RGB to RGBA with opaque alpha, e.g. to build an `ImageData`.
 * @returns [H,W,4] uint8 as a Uint8ClampedArray (what `new ImageData(...)` takes)
 */
export function rgbToRgba(image: RgbImage): Uint8ClampedArray {
  assertRgbImage('image', image);
  const n = image.width * image.height;
  const src = image.data;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; j < n * 4; i += 3, j += 4) {
    out[j] = src[i]!;
    out[j + 1] = src[i + 1]!;
    out[j + 2] = src[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}

/** Expands 1-, 2- (grey + alpha), 3- or 4-channel interleaved bytes to RGB (alpha dropped or composited). */
export function channelsToRgb(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  options: AlphaOptions = {},
): RgbImage {
  const n = width * height;
  if (data.length !== n * channels) {
    throw new ShapeMismatchError(
      'data',
      `[H=${height},W=${width},${channels}]`,
      `${data.length} bytes`,
    );
  }
  if (channels === 3) return { data, width, height };
  if (channels === 4) return rgbaToRgb(data, width, height, options);
  if (channels !== 1 && channels !== 2) {
    throw new InvalidArgumentError('channels', `expected 1, 2, 3 or 4, got ${channels}`);
  }
  const out = new Uint8Array(n * 3);
  const bg = options.background;
  for (let i = 0, j = 0; i < n * channels; i += channels, j += 3) {
    let r = data[i]!;
    let g = r;
    let b = r;
    if (channels === 2 && bg !== undefined) {
      const a = data[i + 1]!;
      r = Math.round((r * a + bg[0] * (255 - a)) / 255);
      g = Math.round((g * a + bg[1] * (255 - a)) / 255);
      b = Math.round((b * a + bg[2] * (255 - a)) / 255);
    }
    out[j] = r;
    out[j + 1] = g;
    out[j + 2] = b;
  }
  return { data: out, width, height };
}

/** Allocates a map array of the same kind as `like`. */
export function newMapArray<T extends MapArray>(like: T, length: number): T {
  return new (like.constructor as new (n: number) => T)(length);
}
