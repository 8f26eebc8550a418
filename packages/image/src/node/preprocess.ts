/**
 * Node's one-call model input: decode + letterbox (or stretch) + normalise.
 *
 * Two resizers:
 * - `'sharp'` (default, fastest): libvips resizes while decoding — JPEG shrink-on-load
 *   (`fastShrinkOnLoad`, the DCT decodes at 1/2, 1/4 or 1/8 size) then an antialiased reduce —
 *   and returns only the resized pixels; one fused loop pads, normalises and transposes them
 *   into the tensor. Pixels differ slightly from OpenCV's (different filter; typically a few
 *   levels, more on fine texture), geometry and Transform are identical.
 * - `'exact'`: sharp decodes at full size, then the pure resampler runs fused with the
 *   normalisation: the same floats as OpenCV's letterbox + `blobFromImage` (and as the
 *   browser entry), at the cost of a full decode.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type sharp from 'sharp';
import { assertImageSide, assertRgbImage } from '../image.js';
import {
  type LetterboxGeometry,
  type LetterboxOptions,
  letterboxGeometry,
  resolveSize,
} from '../letterbox.js';
import {
  dims,
  type NormalizeOptions,
  normalizationTable,
  type TensorOutput,
  fillTensorPadding,
  lutRowsToTensor,
  tensorDestination,
  tensorPlacement,
} from '../normalize.js';
import { letterboxToTensor, resizeToTensor, type TensorResult } from '../preprocess.js';
import { Transform } from '../transform.js';
import type { RgbImage } from '../types.js';
import {
  type DecodeOptions,
  decodeImage,
  type ImageSource,
  openImage,
  runToRgb,
  sharpFromRgb,
  toRgbPipeline,
} from './decode.js';

/** Options of `imageToTensor`. */
export interface ImageToTensorOptions
  extends LetterboxOptions,
    NormalizeOptions,
    DecodeOptions,
    TensorOutput {
  /**
   * `'letterbox'` (default): keep the aspect ratio and pad to `size`. `'stretch'`: resize to
   * exactly `size`, no padding (letterbox options other than `size` are ignored).
   */
  readonly fit?: 'letterbox' | 'stretch';
  /** `'sharp'` (default, fastest) or `'exact'` (OpenCV-identical pixels). See the module notes. */
  readonly resizer?: 'sharp' | 'exact';
}

function isRgbImage(input: unknown): input is RgbImage {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    !(input instanceof ArrayBuffer) &&
    !(input instanceof URL) &&
    'data' in input
  );
}

function stretchGeometry(
  srcWidth: number,
  srcHeight: number,
  options: ImageToTensorOptions,
): LetterboxGeometry {
  assertImageSide('srcWidth', srcWidth);
  assertImageSide('srcHeight', srcHeight);
  const { width, height } = resolveSize('options.size', options.size);
  return {
    resizedWidth: width,
    resizedHeight: height,
    padLeft: 0,
    padTop: 0,
    padRight: 0,
    padBottom: 0,
    width,
    height,
    padColor: [0, 0, 0],
    transform: new Transform({
      srcWidth,
      srcHeight,
      dstWidth: width,
      dstHeight: height,
      scaleX: width / srcWidth,
      scaleY: height / srcHeight,
      offsetX: 0,
      offsetY: 0,
    }),
  };
}

function sharpKernel(options: ImageToTensorOptions): keyof sharp.KernelEnum {
  return (options.interpolation ?? 'bilinear') === 'bilinear' ? 'linear' : 'nearest';
}

/**
 * Decodes an image (path, file URL, bytes, or an already decoded `RgbImage`) and turns it into
 * a model input tensor in one call.
 *
 * @example
 * const { tensor, transform } = await imageToTensor('street.jpg', { size: 640 });
 * // tensor.dims = [1, 3, 640, 640]; later: transform.toImage(boxesInModelPixels)
 * @returns tensor [1,3,H,W] (or NHWC) float32 and the Transform back to the original image
 * @throws the `ImageDecodeError` family for unreadable input, `InvalidArgumentError` for bad options
 */
export async function imageToTensor(
  input: ImageSource | RgbImage,
  options: ImageToTensorOptions,
): Promise<TensorResult> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected options with a size');
  }
  const fit = options.fit ?? 'letterbox';
  if (fit !== 'letterbox' && fit !== 'stretch') {
    throw new InvalidArgumentError(
      'options.fit',
      `expected 'letterbox' or 'stretch', got ${JSON.stringify(fit)}`,
    );
  }
  const resizer = options.resizer ?? 'sharp';
  if (resizer !== 'sharp' && resizer !== 'exact') {
    throw new InvalidArgumentError(
      'options.resizer',
      `expected 'sharp' or 'exact', got ${JSON.stringify(resizer)}`,
    );
  }
  const table = normalizationTable(options);

  if (resizer === 'exact') {
    const image = isRgbImage(input) ? input : await decodeImage(input, options);
    if (fit === 'letterbox') return letterboxToTensor(image, options);
    const { width, height } = resolveSize('options.size', options.size);
    return resizeToTensor(image, { ...options, width, height });
  }

  // sharp: resize during decode, then one fused pad + normalise + transpose loop.
  let pipeline: sharp.Sharp;
  let srcWidth: number;
  let srcHeight: number;
  let opened: { source: string; limitInputPixels: number | false };
  if (isRgbImage(input)) {
    assertRgbImage('input', input);
    pipeline = sharpFromRgb(input);
    srcWidth = input.width;
    srcHeight = input.height;
    opened = { source: '<RgbImage>', limitInputPixels: false };
  } else {
    const o = await openImage(input, options);
    pipeline = toRgbPipeline(o.pipeline, options);
    srcWidth = o.info.width;
    srcHeight = o.info.height;
    opened = o;
  }
  const g =
    fit === 'letterbox'
      ? letterboxGeometry(srcWidth, srcHeight, options)
      : stretchGeometry(srcWidth, srcHeight, options);
  if (g.resizedWidth !== srcWidth || g.resizedHeight !== srcHeight) {
    pipeline = pipeline.resize(g.resizedWidth, g.resizedHeight, {
      fit: 'fill',
      kernel: sharpKernel(options),
      fastShrinkOnLoad: true,
    });
  }
  const resized = await runToRgb(pipeline, opened, options);
  if (resized.width !== g.resizedWidth || resized.height !== g.resizedHeight) {
    throw new Error(
      `sharp returned ${resized.width}×${resized.height}, expected ${g.resizedWidth}×${g.resizedHeight}`,
    );
  }
  const [out, offset] = tensorDestination(options, g.width * g.height * 3);
  const at = tensorPlacement(table.layout, offset, g.width, g.height);
  fillTensorPadding(out, at, table, g.width, g.height, {
    left: g.padLeft,
    top: g.padTop,
    width: g.resizedWidth,
    height: g.resizedHeight,
    padColor: g.padColor,
  });
  lutRowsToTensor(
    out,
    at,
    g.padLeft,
    g.padTop,
    g.resizedWidth,
    g.resizedHeight,
    resized.data,
    0,
    g.resizedWidth * 3,
    table,
  );
  return {
    tensor: { data: out, dims: dims(table.layout, 1, g.width, g.height) },
    transform: g.transform,
  };
}
