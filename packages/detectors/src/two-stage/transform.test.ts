import { createHash } from 'node:crypto';
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { fasterRcnnFixture } from '../faster-rcnn/__fixtures__/load.js';
import { toTensor } from '@ocelot/image';
import { recipeImage } from '../test-utils/recipe-image.js';
import { resizeBilinearFloat } from './resize-float.js';
import {
  rcnnResizedSize,
  rcnnResizeScale,
  rcnnTransform,
  resizeBoxes,
  resolveRCNNTransformOptions,
} from './transform.js';

const fx = fasterRcnnFixture();
const options = {
  minSize: fx.torchvision.minSize,
  maxSize: fx.torchvision.maxSize,
  sizeDivisible: fx.torchvision.sizeDivisible,
  mean: fx.torchvision.imageMean,
  std: fx.torchvision.imageStd,
};

describe('resizeBilinearFloat', () => {
  it('is bit-identical to torch F.interpolate(bilinear, align_corners=False) on floats', () => {
    for (const c of fx.resize) {
      const [ch, h, w] = c.input.dims as [number, number, number];
      const [, oh, ow] = c.output.dims as [number, number, number];
      const got = resizeBilinearFloat(c.input.data, ch, h, w, oh, ow);
      let mismatches = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== c.output.data[i]) mismatches++;
      expect(mismatches, `scale ${c.scale}, [${c.input.dims}] → [${c.output.dims}]`).toBe(0);
    }
  });

  it('copies when the size does not change and writes into `out`', () => {
    const src = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.25 - 1);
    const out = new Float32Array(src.length);
    expect(resizeBilinearFloat(src, 2, 3, 4, 3, 4, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(src));
  });

  it('refuses a source of the wrong length and bad sizes', () => {
    expect(() => resizeBilinearFloat(new Float32Array(5), 1, 2, 3, 4, 4)).toThrow(
      ShapeMismatchError,
    );
    expect(() => resizeBilinearFloat(new Float32Array(6), 1, 2, 3, 0, 4)).toThrow(/outHeight/);
    expect(() =>
      resizeBilinearFloat(new Float32Array(6), 1, 2, 3, 4, 4, new Float32Array(3)),
    ).toThrow(ShapeMismatchError);
  });
});

describe('rcnnTransform (GeneralizedRCNNTransform, eval)', () => {
  it('makes torchvision’s batched input tensor bit for bit (normalise, resize, pad)', () => {
    for (const img of fx.images) {
      const image = recipeImage(img.width, img.height, img.seed);
      expect(createHash('sha256').update(image.data).digest('hex')).toBe(img.sha256);
      const input = rcnnTransform(image, options);
      expect([input.imageSize.height, input.imageSize.width]).toEqual(img.resized);
      expect([input.paddedSize.height, input.paddedSize.width]).toEqual(img.padded);
      expect(input.tensor.dims).toEqual([1, 3, ...img.padded]);
      const bytes = new Uint8Array(
        input.tensor.data.buffer,
        input.tensor.data.byteOffset,
        input.tensor.data.byteLength,
      );
      expect(createHash('sha256').update(bytes).digest('hex'), `${img.width}x${img.height}`).toBe(
        img.inputSha256,
      );
    }
  });

  it('equals toTensor → resizeBilinearFloat → zero pad, for RGB and BGR, up, down and same size', () => {
    const image = recipeImage(53, 37, 5);
    for (const channelOrder of ['rgb', 'bgr'] as const) {
      for (const fixedSize of [
        { width: 90, height: 64 },
        { width: 21, height: 30 },
        { width: 53, height: 37 },
      ]) {
        const o = {
          fixedSize,
          sizeDivisible: 16,
          channelOrder,
          mean: [0.1, 0.5, 0.9],
          std: [0.2, 0.3, 0.4],
        };
        const got = rcnnTransform(image, o);
        const normalised = toTensor(image, o).data;
        const resized = resizeBilinearFloat(
          normalised,
          3,
          37,
          53,
          fixedSize.height,
          fixedSize.width,
        );
        const { width: pw, height: ph } = got.paddedSize;
        const want = new Float32Array(3 * pw * ph);
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < fixedSize.height; y++) {
            const from = (c * fixedSize.height + y) * fixedSize.width;
            want.set(resized.subarray(from, from + fixedSize.width), (c * ph + y) * pw);
          }
        }
        expect(got.tensor.data, `${channelOrder} ${fixedSize.width}x${fixedSize.height}`).toEqual(
          want,
        );
      }
    }
  });

  it('computes the scale as torch does: reciprocal times size, in float32', () => {
    // 800 / 3 in float32 differs from float32(1/3) · 800 in the last bit
    const direct = Math.fround(800 / 3);
    const torch = Math.fround(Math.fround(1 / 3) * 800);
    expect(direct).not.toBe(torch);
    expect(rcnnResizeScale({ width: 3, height: 3 }, 800, 1333)).toBe(torch);
    // min side 800 unless the long side passes max_size
    expect(rcnnResizedSize({ width: 640, height: 480 })).toEqual({ width: 1066, height: 800 });
    expect(rcnnResizedSize({ width: 2000, height: 500 })).toEqual({ width: 1333, height: 333 });
    expect(
      rcnnResizedSize({ width: 640, height: 480 }, { fixedSize: { width: 320, height: 200 } }),
    ).toEqual({
      width: 320,
      height: 200,
    });
  });

  it('refuses bad options and images, naming them', () => {
    expect(() => resolveRCNNTransformOptions({ minSize: 0 })).toThrow(/options.minSize/);
    expect(() => resolveRCNNTransformOptions({ mean: [0, 0] })).toThrow(/options.mean/);
    expect(() => resolveRCNNTransformOptions({ std: [1, 0, 1] })).toThrow(/options.std/);
    expect(() => rcnnTransform({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('resizeBoxes (transform.postprocess)', () => {
  it('scales each axis by float32(new / old)', () => {
    const boxes = new Float32Array([10, 20, 30, 40]);
    const out = resizeBoxes(boxes, { width: 365, height: 256 }, { width: 300, height: 210 });
    const rw = Math.fround(300 / 365);
    const rh = Math.fround(210 / 256);
    expect(Array.from(out)).toEqual([10 * rw, 20 * rh, 30 * rw, 40 * rh].map(Math.fround));
  });
});
