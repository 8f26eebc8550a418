/**
 * The browser's one-call model input: any browser image source → letterbox (or stretch) +
 * normalise, with the pure resampler (the same floats as the Node entry's `resizer: 'exact'`
 * for the same RGB pixels).
 */
import { InvalidArgumentError } from '@ocelot/core';
import { type LetterboxOptions, resolveSize } from '../letterbox.js';
import type { NormalizeOptions, TensorOutput } from '../normalize.js';
import { letterboxToTensor, resizeToTensor, type TensorResult } from '../preprocess.js';
import type { RgbImage } from '../types.js';
import { type BrowserDecodeOptions, type BrowserImageSource, toRgbImage } from './source.js';

/** Options of the browser `imageToTensor`. */
export interface BrowserImageToTensorOptions
  extends LetterboxOptions,
    NormalizeOptions,
    BrowserDecodeOptions,
    TensorOutput {
  /** `'letterbox'` (default) or `'stretch'` (resize to exactly `size`, no padding). */
  readonly fit?: 'letterbox' | 'stretch';
}

/**
 * Any browser image source (or an `RgbImage`) to a model input tensor.
 * @returns tensor [1,3,H,W] (or NHWC) float32 and the Transform back to the source image
 */
export async function imageToTensor(
  source: BrowserImageSource | RgbImage,
  options: BrowserImageToTensorOptions,
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
  const isRgb =
    typeof source === 'object' &&
    source !== null &&
    'data' in source &&
    source.data instanceof Uint8Array &&
    !(typeof ImageData !== 'undefined' && source instanceof ImageData);
  const image = isRgb
    ? (source as RgbImage)
    : await toRgbImage(source as BrowserImageSource, options);
  if (fit === 'letterbox') return letterboxToTensor(image, options);
  const { width, height } = resolveSize('options.size', options.size);
  return resizeToTensor(image, { ...options, width, height });
}
