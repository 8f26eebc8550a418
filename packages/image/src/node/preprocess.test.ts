import { InvalidArgumentError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { ImageNotFoundError } from '../errors.js';
import { IMAGENET_MEAN, IMAGENET_STD, toTensor } from '../normalize.js';
import { letterboxToTensor, resizeToTensor } from '../preprocess.js';
import { decodeImage, encodeJpeg } from './decode.js';
import { imageToTensor } from './preprocess.js';

const photo = new URL('./__fixtures__/photo.jpg', import.meta.url).pathname;
const rotated = new URL('./__fixtures__/rotated.jpg', import.meta.url).pathname;

/** A larger smooth test image (JPEG) so shrink-on-load is exercised. */
async function bigJpeg(): Promise<Uint8Array> {
  const w = 1200;
  const h = 700;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = 128 + 100 * Math.sin(x * 0.013) * Math.cos(y * 0.021);
      data[o + 1] = 128 + 90 * Math.cos(x * 0.007 + y * 0.004);
      data[o + 2] = (x + y) & 255;
    }
  }
  return encodeJpeg({ data, width: w, height: h }, { quality: 90 });
}

function meanAbs(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('imageToTensor', () => {
  it("'exact' = sharp decode + pure fused letterbox (= OpenCV's pixels)", async () => {
    const { tensor, transform } = await imageToTensor(photo, { size: 64, resizer: 'exact' });
    const ref = letterboxToTensor(await decodeImage(photo), { size: 64 });
    expect(tensor.dims).toEqual([1, 3, 64, 64]);
    expect(tensor.data).toEqual(ref.tensor.data);
    expect(transform.toJSON()).toEqual(ref.transform.toJSON());
  });

  it("'sharp' gives the same geometry and Transform, and pixels close to 'exact'", async () => {
    const jpg = await bigJpeg();
    for (const size of [640, 320, 256]) {
      const fast = await imageToTensor(jpg, { size });
      const exact = await imageToTensor(jpg, { size, resizer: 'exact' });
      expect(fast.tensor.dims).toEqual(exact.tensor.dims);
      expect(fast.transform.toJSON()).toEqual(exact.transform.toJSON());
      // mean absolute difference in 0–1 units: under 1 grey level (1/255 ≈ 0.0039)
      expect(meanAbs(fast.tensor.data, exact.tensor.data)).toBeLessThan(1 / 255);
      // padding rows are identical (same pad value through the same table)
      const padRows = fast.transform.offsetY;
      expect(padRows).toBeGreaterThan(0);
      expect(fast.tensor.data.subarray(0, padRows * size)).toEqual(
        exact.tensor.data.subarray(0, padRows * size),
      );
    }
  });

  it('applies EXIF orientation in both resizers', async () => {
    for (const resizer of ['sharp', 'exact'] as const) {
      const { transform } = await imageToTensor(rotated, { size: 32, resizer });
      expect([transform.srcWidth, transform.srcHeight]).toEqual([64, 96]);
    }
  });

  it('stretch, normalisation, NHWC and an RgbImage input', async () => {
    const img = await decodeImage(photo);
    const opts = {
      size: { width: 40, height: 30 },
      fit: 'stretch' as const,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
    };
    const exact = await imageToTensor(img, { ...opts, resizer: 'exact' });
    const ref = resizeToTensor(img, {
      width: 40,
      height: 30,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
    });
    expect(exact.tensor.data).toEqual(ref.tensor.data);
    expect(exact.transform.scaleX).toBe(40 / 96);
    const fast = await imageToTensor(img, { ...opts, layout: 'nhwc' });
    expect(fast.tensor.dims).toEqual([1, 30, 40, 3]);
    // same size: nothing to resize, sharp path = toTensor of the image
    const same = await imageToTensor(img, { size: { width: 96, height: 64 }, fit: 'stretch' });
    expect(same.tensor.data).toEqual(toTensor(img).data);
  });

  it('writes into a batch buffer', async () => {
    const out = new Float32Array(2 * 3 * 32 * 32);
    await imageToTensor(photo, { size: 32, out, outOffset: 3 * 32 * 32 });
    expect(out.subarray(0, 3 * 32 * 32).every((v) => v === 0)).toBe(true);
    expect(out.subarray(3 * 32 * 32).some((v) => v !== 0)).toBe(true);
  });

  it('rejects bad options and reports decode errors', async () => {
    await expect(imageToTensor(photo, undefined as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(imageToTensor(photo, { size: 32, fit: 'cover' as 'stretch' })).rejects.toThrow(
      /options.fit/,
    );
    await expect(imageToTensor(photo, { size: 32, resizer: 'gpu' as 'sharp' })).rejects.toThrow(
      /options.resizer/,
    );
    await expect(imageToTensor(photo, { size: 0 })).rejects.toThrow(/options.size/);
    await expect(imageToTensor('/nonexistent/x.jpg', { size: 32 })).rejects.toBeInstanceOf(
      ImageNotFoundError,
    );
    await expect(
      imageToTensor({ data: new Uint8Array(3), width: 2, height: 2 }, { size: 32 }),
    ).rejects.toThrow(/input.data/);
  });
});
