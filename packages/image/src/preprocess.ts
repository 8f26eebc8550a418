/**
 * Fused geometry + normalisation: the resampler's rows go straight into the output tensor
 * (one pass, no resized RGB image in between). Results equal `letterbox` / `resize` followed
 * by `toTensor`, bit for bit.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { assertImageSide, assertRgbImage } from './image.js';
import { type LetterboxOptions, letterboxGeometry, type ResizeOptions } from './letterbox.js';
import {
  dims,
  type Float32Tensor,
  fillTensorPadding,
  lutRowsToTensor,
  type NormalizationTable,
  type NormalizeOptions,
  normalizationTable,
  type TensorOutput,
  type TensorPlacement,
  tensorDestination,
  tensorPlacement,
} from './normalize.js';
import { createResampler, cvBilinearToTensor } from './resize.js';
import { Transform } from './transform.js';
import type { ResampleOptions, RgbImage } from './types.js';

/**
 * Writes `image` resized to `dw × dh` and normalised into the content area (`left`, `top`) of
 * a tensor image placed by `at`: the fused OpenCV-bilinear kernel for the default
 * interpolation, the table loop straight from the source when the size does not change, else
 * the generic row resampler followed by the table loop, one row at a time.
 */
function writeResized(
  image: RgbImage,
  dw: number,
  dh: number,
  out: Float32Array,
  at: TensorPlacement,
  left: number,
  top: number,
  table: NormalizationTable,
  options: ResampleOptions,
): void {
  const { data, width: sw, height: sh } = image;
  if (sw === dw && sh === dh) {
    lutRowsToTensor(out, at, left, top, dw, dh, data, 0, sw * 3, table);
    return;
  }
  if ((options.interpolation ?? 'bilinear') === 'bilinear' && !options.antialias) {
    cvBilinearToTensor(data, sw, sh, dw, dh, out, at, left, top, table);
    return;
  }
  const resampler = createResampler(data, sw, sh, 3, dw, dh, options);
  const row = new Uint8Array(dw * 3);
  for (let y = 0; y < dh; y++) {
    resampler.row(y, row, 0);
    lutRowsToTensor(out, at, left, top + y, dw, 1, row, 0, 0, table);
  }
}

/** A model input and the map from it back to the original image. */
export interface TensorResult {
  readonly tensor: Float32Tensor;
  readonly transform: Transform;
}

/**
 * Letterbox + normalise in one pass.
 * @param image [H,W,3] uint8 RGB
 * @returns tensor [1,3,S,S] (or NHWC) float32 and the Transform back to `image`
 */
export function letterboxToTensor(
  image: RgbImage,
  options: LetterboxOptions & NormalizeOptions & TensorOutput,
): TensorResult {
  assertRgbImage('image', image);
  const g = letterboxGeometry(image.width, image.height, options);
  const table = normalizationTable(options);
  const [out, offset] = tensorDestination(options, g.width * g.height * 3);
  const at = tensorPlacement(table.layout, offset, g.width, g.height);
  fillTensorPadding(out, at, table, g.width, g.height, {
    left: g.padLeft,
    top: g.padTop,
    width: g.resizedWidth,
    height: g.resizedHeight,
    padColor: g.padColor,
  });
  writeResized(
    image,
    g.resizedWidth,
    g.resizedHeight,
    out,
    at,
    g.padLeft,
    g.padTop,
    table,
    options,
  );
  return {
    tensor: { data: out, dims: dims(table.layout, 1, g.width, g.height) },
    transform: g.transform,
  };
}

/**
 * Plain resize (aspect ratio not kept) + normalise in one pass.
 * @returns tensor [1,3,height,width] (or NHWC) float32 and the Transform back to `image`
 */
export function resizeToTensor(
  image: RgbImage,
  options: ResizeOptions & NormalizeOptions & TensorOutput,
): TensorResult {
  assertRgbImage('image', image);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected {width, height, ...}');
  }
  const { width, height } = options;
  assertImageSide('options.width', width);
  assertImageSide('options.height', height);
  const table = normalizationTable(options);
  const [out, offset] = tensorDestination(options, width * height * 3);
  const at = tensorPlacement(table.layout, offset, width, height);
  writeResized(image, width, height, out, at, 0, 0, table, options);
  const transform = new Transform({
    srcWidth: image.width,
    srcHeight: image.height,
    dstWidth: width,
    dstHeight: height,
    scaleX: width / image.width,
    scaleY: height / image.height,
    offsetX: 0,
    offsetY: 0,
  });
  return { tensor: { data: out, dims: dims(table.layout, 1, width, height) }, transform };
}

/** A batch input and one Transform per image. */
export interface BatchTensorResult {
  readonly tensor: Float32Tensor;
  readonly transforms: Transform[];
}

/**
 * Letterboxes several images (any sizes) into one `[N,3,S,S]` tensor. `auto` padding is
 * refused unless every image comes out the same size.
 * @returns tensor [N,3,H,W] (or NHWC) and one Transform per image
 */
export function letterboxBatchToTensor(
  images: readonly RgbImage[],
  options: LetterboxOptions & NormalizeOptions & Pick<TensorOutput, 'out'>,
): BatchTensorResult {
  if (!Array.isArray(images) || images.length === 0) {
    throw new InvalidArgumentError('images', 'expected a non-empty array of images');
  }
  for (const [i, img] of images.entries()) assertRgbImage(`images[${i}]`, img);
  const geoms = images.map((img) => letterboxGeometry(img.width, img.height, options));
  const { width, height } = geoms[0]!;
  geoms.forEach((g, i) => {
    if (g.width !== width || g.height !== height) {
      throw new ShapeMismatchError(
        `images[${i}]`,
        `a letterbox of ${width}×${height} (as images[0]; 'auto' padding gives per-image sizes)`,
        `${g.width}×${g.height}`,
      );
    }
  });
  const per = width * height * 3;
  const [out] = tensorDestination(options.out ? { out: options.out } : {}, per * images.length);
  const { out: _ignored, ...single } = options;
  const transforms = images.map(
    (img, i) => letterboxToTensor(img, { ...single, out, outOffset: i * per }).transform,
  );
  const layout = options.layout ?? 'nchw';
  return { tensor: { data: out, dims: dims(layout, images.length, width, height) }, transforms };
}
