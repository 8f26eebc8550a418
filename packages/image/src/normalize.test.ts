import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { letterbox, letterboxGeometry } from './letterbox.js';
import { IMAGENET_MEAN, IMAGENET_STD, toTensor, toTensorBatch } from './normalize.js';
import { letterboxBatchToTensor, letterboxToTensor, resizeToTensor } from './preprocess.js';
import { resize } from './letterbox.js';
import { type BinSlice, loadFixture, noiseImage } from './test-utils/fixtures.js';

interface Meta {
  normalize: {
    image: BinSlice & { width: number; height: number };
    imagenet: BinSlice;
    toTensor: BinSlice;
    letterboxSource: BinSlice & { width: number; height: number };
    blobFromImage: BinSlice;
    blobFromImageBgrMean: BinSlice;
  };
}
const { meta, u8, f32 } = loadFixture<Meta>('letterbox');
const n = meta.normalize;
const image = { data: u8(n.image), width: n.image.width, height: n.image.height };

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

describe('toTensor parity', () => {
  it('equals torchvision ToTensor() bit for bit', () => {
    const t = toTensor(image);
    expect(t.dims).toEqual([1, 3, 11, 13]);
    expect(sameBits(t.data, f32(n.toTensor))).toBe(true);
  });

  it('equals torchvision ToTensor() + Normalize(ImageNet) bit for bit', () => {
    const t = toTensor(image, { mean: IMAGENET_MEAN, std: IMAGENET_STD });
    expect(sameBits(t.data, f32(n.imagenet))).toBe(true);
  });

  it('letterbox + normalise equals cv2 letterbox + blobFromImage(1/255, swapRB) to 1 ulp', () => {
    // Same pixels; blobFromImage multiplies by float32(1/255) where torchvision (and Ocelot)
    // divide by 255, which differs in the last bit for about half of the 256 levels.
    const src = {
      data: u8(n.letterboxSource),
      width: n.letterboxSource.width,
      height: n.letterboxSource.height,
    };
    const { tensor } = letterboxToTensor(src, { size: 64 });
    expect(tensor.dims).toEqual([1, 3, 64, 64]);
    const ref = f32(n.blobFromImage);
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - ref[i]!));
    expect(max).toBeLessThanOrEqual(2 ** -24);
  });

  it('BGR output with pixel-unit means equals blobFromImage(mean=…, swapRB=False) within 1e-4', () => {
    const src = {
      data: u8(n.letterboxSource),
      width: n.letterboxSource.width,
      height: n.letterboxSource.height,
    };
    // blobFromImage subtracts (103.53, 116.28, 123.675) from B, G, R: in RGB order that is reversed.
    const { tensor } = letterboxToTensor(src, {
      size: 64,
      scale: 1,
      mean: [123.675, 116.28, 103.53],
      channelOrder: 'bgr',
    });
    const ref = f32(n.blobFromImageBgrMean);
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - ref[i]!));
    expect(max).toBeLessThan(1e-4);
  });
});

describe('fused paths equal the two-step paths', () => {
  const opts = fc.record({
    mean: fc.constantFrom<readonly number[] | number>(0, IMAGENET_MEAN, [10, 20, 30]),
    std: fc.constantFrom<readonly number[] | number>(1, IMAGENET_STD, 57.375),
    scale: fc.constantFrom(1 / 255, 1, 0.5),
    channelOrder: fc.constantFrom<'rgb' | 'bgr'>('rgb', 'bgr'),
    layout: fc.constantFrom<'nchw' | 'nhwc'>('nchw', 'nhwc'),
    antialias: fc.boolean(),
    interpolation: fc.constantFrom<'bilinear' | 'nearest'>('bilinear', 'nearest'),
  });

  it('letterboxToTensor = toTensor(letterbox(...)) for any options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 48 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 255 }),
        opts,
        (w, h, size, center, auto, pad, o) => {
          const img = noiseImage(w, h, w * 131 + h);
          const lbOpts = { size, center, auto, stride: 8, padValue: pad, ...o };
          const fused = letterboxToTensor(img, lbOpts);
          const twoStep = toTensor(letterbox(img, lbOpts).image, o);
          expect(fused.tensor.dims).toEqual(twoStep.dims);
          expect(sameBits(fused.tensor.data, twoStep.data)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resizeToTensor = toTensor(resize(...)) for any sizes and options (shrinking and enlarging)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        opts,
        (w, h, dw, dh, o) => {
          const img = noiseImage(w, h, w * 7 + h * 13 + dw);
          const fused = resizeToTensor(img, { width: dw, height: dh, ...o });
          const twoStep = toTensor(resize(img, { width: dw, height: dh, ...o }).image, o);
          expect(fused.tensor.dims).toEqual(twoStep.dims);
          expect(sameBits(fused.tensor.data, twoStep.data)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the fused kernels write only their own image of a batch buffer', () => {
    const img = noiseImage(37, 23, 5);
    for (const layout of ['nchw', 'nhwc'] as const) {
      for (const [w, h] of [
        [16, 10],
        [80, 50],
      ] as const) {
        const per = w * h * 3;
        const out = new Float32Array(per * 3).fill(-7);
        resizeToTensor(img, { width: w, height: h, layout, out, outOffset: per });
        expect(out.subarray(0, per).every((v) => v === -7)).toBe(true);
        expect(out.subarray(2 * per).every((v) => v === -7)).toBe(true);
        const alone = resizeToTensor(img, { width: w, height: h, layout }).tensor.data;
        expect(sameBits(out.subarray(per, 2 * per), alone)).toBe(true);
      }
    }
  });

  it('resizeToTensor = toTensor(resize(...))', () => {
    const img = noiseImage(33, 17);
    const a = resizeToTensor(img, {
      width: 20,
      height: 25,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
    });
    const b = toTensor(resize(img, { width: 20, height: 25 }).image, {
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
    });
    expect(sameBits(a.tensor.data, b.data)).toBe(true);
    expect(a.transform.scaleX).toBe(20 / 33);
  });
});

describe('layouts, channel order, batching', () => {
  const img = { data: Uint8Array.of(0, 51, 255, 102, 153, 204), width: 2, height: 1 };

  it('NCHW, NHWC and BGR place values where they belong', () => {
    const nchw = toTensor(img, { scale: 1 });
    expect(Array.from(nchw.data)).toEqual([0, 102, 51, 153, 255, 204]);
    const nhwc = toTensor(img, { scale: 1, layout: 'nhwc' });
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
    expect(Array.from(nhwc.data)).toEqual([0, 51, 255, 102, 153, 204]);
    const bgr = toTensor(img, { scale: 1, channelOrder: 'bgr' });
    expect(Array.from(bgr.data)).toEqual([255, 204, 51, 153, 0, 102]);
    // mean/std are given in RGB order whatever the output order
    const bgrNorm = toTensor(img, {
      scale: 1,
      channelOrder: 'bgr',
      mean: [0, 0, 255],
      std: [1, 1, 2],
    });
    expect(Array.from(bgrNorm.data.subarray(0, 2))).toEqual([0, -25.5]);
  });

  it('letterbox pads with the normalised pad value in every layout', () => {
    const one = { data: Uint8Array.of(255, 255, 255), width: 1, height: 1 };
    for (const layout of ['nchw', 'nhwc'] as const) {
      const { tensor } = letterboxToTensor(one, {
        size: { width: 3, height: 1 },
        scaleUp: false,
        padValue: 0,
        layout,
      });
      const expected =
        layout === 'nchw' ? [0, 1, 0, 0, 1, 0, 0, 1, 0] : [0, 0, 0, 1, 1, 1, 0, 0, 0];
      expect(Array.from(tensor.data)).toEqual(expected);
    }
  });

  it('toTensorBatch stacks images; letterboxBatchToTensor letterboxes each with its own Transform', () => {
    const a = noiseImage(8, 6, 1);
    const b = noiseImage(8, 6, 2);
    const batch = toTensorBatch([a, b]);
    expect(batch.dims).toEqual([2, 3, 6, 8]);
    expect(sameBits(batch.data.subarray(144), toTensor(b).data)).toBe(true);
    const c = noiseImage(20, 5, 3);
    const lbBatch = letterboxBatchToTensor([a, c], { size: 16 });
    expect(lbBatch.tensor.dims).toEqual([2, 3, 16, 16]);
    expect(lbBatch.transforms[1]!.toJSON()).toEqual(
      letterboxGeometry(20, 5, { size: 16 }).transform.toJSON(),
    );
    expect(
      sameBits(lbBatch.tensor.data.subarray(768), letterboxToTensor(c, { size: 16 }).tensor.data),
    ).toBe(true);
    expect(() => letterboxBatchToTensor([a, c], { size: 16, auto: true, stride: 4 })).toThrow(
      ShapeMismatchError,
    );
    expect(() => toTensorBatch([a, c])).toThrow(ShapeMismatchError);
    expect(() => toTensorBatch([])).toThrow(InvalidArgumentError);
  });

  it('writes into a caller buffer at an offset', () => {
    const out = new Float32Array(2 + 6).fill(-1);
    const t = toTensor(img, { scale: 1, out, outOffset: 2 });
    expect(t.data).toBe(out);
    expect(Array.from(out)).toEqual([-1, -1, 0, 102, 51, 153, 255, 204]);
    expect(() => toTensor(img, { out: new Float32Array(5) })).toThrow(ShapeMismatchError);
    expect(() => toTensor(img, { outOffset: 3 })).toThrow(/outOffset/);
  });

  it('rejects bad options with named errors', () => {
    expect(() => toTensor(img, { std: [1, 0, 1] })).toThrow(/options.std/);
    expect(() => toTensor(img, { mean: [1, 2] })).toThrow(/options.mean/);
    expect(() => toTensor(img, { mean: [1, 2, Number.NaN] })).toThrow(/options.mean/);
    expect(() => toTensor(img, { scale: 0 })).toThrow(/options.scale/);
    expect(() => toTensor(img, { layout: 'chw' as 'nchw' })).toThrow(/options.layout/);
    expect(() => toTensor(img, { channelOrder: 'rbg' as 'rgb' })).toThrow(/options.channelOrder/);
    expect(() => toTensor({ data: new Uint8Array(3), width: 2, height: 1 })).toThrow(
      ShapeMismatchError,
    );
  });
});
