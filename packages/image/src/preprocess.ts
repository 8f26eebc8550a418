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
  type NormalizeOptions,
  normalizationTable,
  type TensorOutput,
  tensorDestination,
  writePaddedTensor,
} from './normalize.js';
import { createResampler } from './resize.js';
import { Transform } from './transform.js';
import type { RgbImage } from './types.js';

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
  const resampler = createResampler(
    image.data,
    image.width,
    image.height,
    3,
    g.resizedWidth,
    g.resizedHeight,
    options,
  );
  const row = new Uint8Array(g.resizedWidth * 3);
  const view = { data: row, offset: 0 };
  writePaddedTensor(
    out,
    offset,
    table,
    g.width,
    g.height,
    {
      left: g.padLeft,
      top: g.padTop,
      width: g.resizedWidth,
      height: g.resizedHeight,
      padColor: g.padColor,
    },
    (y) => {
      resampler.row(y, row, 0);
      return view;
    },
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
  const resampler = createResampler(
    image.data,
    image.width,
    image.height,
    3,
    width,
    height,
    options,
  );
  const row = new Uint8Array(width * 3);
  const view = { data: row, offset: 0 };
  writePaddedTensor(
    out,
    offset,
    table,
    width,
    height,
    { left: 0, top: 0, width, height, padColor: [0, 0, 0] },
    (y) => {
      resampler.row(y, row, 0);
      return view;
    },
  );
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
