import { multiScaleRoIAlign } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { TorchvisionRoIPooler } from './pooler.js';

const map = (c: number, h: number, w: number, seed: number) => ({
  data: Float32Array.from({ length: c * h * w }, (_, i) => Math.sin(i * 0.37 + seed)),
  dims: [1, c, h, w],
});
const boxes = [new Float32Array([0, 0, 40, 30, 10, 20, 200, 150, 5, 5, 6, 6])];
const sizes = [{ width: 256, height: 192 }];
const options = { outputSize: 7, samplingRatio: 2 };

describe('TorchvisionRoIPooler', () => {
  it('pools every RoI from the first map when the levels share one scale (MobileNetV3 FPN)', () => {
    const same = [map(3, 6, 8, 1), map(3, 6, 8, 2)];
    const got = new TorchvisionRoIPooler(options).forward(same, boxes, sizes);
    const want = multiScaleRoIAlign([same[0]!], boxes, sizes, options);
    expect(got.dims).toEqual([3, 3, 7, 7]);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    expect(() => multiScaleRoIAlign(same, boxes, sizes, options)).toThrow(
      /consecutive powers of two/,
    );
  });

  it('is multiScaleRoIAlign on a regular pyramid', () => {
    const pyramid = [map(2, 48, 64, 1), map(2, 24, 32, 2), map(2, 12, 16, 3)];
    const got = new TorchvisionRoIPooler(options).forward(pyramid, boxes, sizes);
    expect(Array.from(got.data)).toEqual(
      Array.from(multiScaleRoIAlign(pyramid, boxes, sizes, options).data),
    );
  });
});
