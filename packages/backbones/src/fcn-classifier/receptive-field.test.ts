import { InvalidArgumentError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type LayerSpec,
  outputSize,
  receptiveField,
  receptiveFieldTrace,
} from './receptive-field.js';

/**
 * Brute force along one axis: the input pixels output cell `i` depends on, by walking the
 * layers backwards cell by cell (a cell of a layer reads kernel taps i·s − p + t·d of the layer
 * below, t = 0..k−1). Returns [first, last + 1).
 */
function bruteForce1d(layers: readonly LayerSpec[], i: number): [number, number] {
  let lo = i;
  let hi = i;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const k = layer.kernel as number;
    const s = (layer.stride ?? (layer.type === 'pool' ? k : 1)) as number;
    const p = (layer.padding ?? 0) as number;
    const d = (layer.dilation ?? 1) as number;
    lo = lo * s - p;
    hi = hi * s - p + d * (k - 1);
  }
  return [lo, hi + 1];
}

const ALEXNET: LayerSpec[] = [
  { type: 'conv', kernel: 11, stride: 4, padding: 2 },
  { type: 'pool', kernel: 3, stride: 2 },
  { type: 'conv', kernel: 5, padding: 2 },
  { type: 'pool', kernel: 3, stride: 2 },
  { type: 'conv', kernel: 3, padding: 1 },
  { type: 'conv', kernel: 3, padding: 1 },
  { type: 'conv', kernel: 3, padding: 1 },
  { type: 'pool', kernel: 3, stride: 2 },
];

const VGG16: LayerSpec[] = [2, 2, 3, 3, 3].flatMap((convs) => [
  ...Array.from({ length: convs }, () => ({ type: 'conv' as const, kernel: 3, padding: 1 })),
  { type: 'pool' as const, kernel: 2 },
]);

describe('receptiveField', () => {
  it('gives the textbook numbers for AlexNet pool5 (195 px, stride 32) and VGG16 pool5 (212 px, stride 32)', () => {
    const a = receptiveField(ALEXNET);
    expect(a.x).toEqual({ size: 195, stride: 32, offset: -66 });
    expect(receptiveField(VGG16).x).toEqual({ size: 212, stride: 32, offset: -90 });
  });

  it('matches a brute-force walk back through the layers for random stacks', () => {
    const layer = fc.record({
      type: fc.constantFrom<'conv' | 'pool'>('conv', 'pool'),
      kernel: fc.integer({ min: 1, max: 7 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 3 }),
      dilation: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 6 }), fc.nat(20), (layers, i) => {
        const { x } = receptiveField(layers);
        const [lo, hi] = bruteForce1d(layers, i);
        expect(x.offset + i * x.stride).toBe(lo);
        expect(x.size).toBe(hi - lo);
      }),
    );
  });

  it('traces every layer and keeps the axes apart', () => {
    const trace = receptiveFieldTrace([
      { type: 'conv', kernel: [3, 5], padding: [1, 2] },
      { type: 'pool', kernel: [2, 1] },
    ]);
    expect(trace).toHaveLength(2);
    expect(trace[0]!.y).toEqual({ size: 3, stride: 1, offset: -1 });
    expect(trace[0]!.x).toEqual({ size: 5, stride: 1, offset: -2 });
    expect(trace[1]!.y).toEqual({ size: 4, stride: 2, offset: -1 });
    expect(trace[1]!.x).toEqual({ size: 5, stride: 1, offset: -2 });
  });

  it('is one pixel for an empty stack', () => {
    expect(receptiveField([]).x).toEqual({ size: 1, stride: 1, offset: 0 });
  });

  it('rejects malformed layers, naming the field', () => {
    expect(() => receptiveField([{ type: 'conv', kernel: 0 }])).toThrow(/layers\[0\]\.kernel/);
    expect(() =>
      receptiveField([
        { type: 'conv', kernel: 3 },
        { type: 'conv', kernel: 3, stride: -1 },
      ]),
    ).toThrow(/layers\[1\]\.stride/);
    expect(() => receptiveField([{ type: 'dense' as 'conv', kernel: 3 }])).toThrow(
      InvalidArgumentError,
    );
    expect(() => receptiveField([{ type: 'conv', kernel: 2.5 }])).toThrow(/integer/);
    expect(() => receptiveField(null as unknown as LayerSpec[])).toThrow(/layers/);
  });
});

describe('outputSize', () => {
  it('follows torch: AlexNet 224 → 6×6, VGG16 224 → 7×7', () => {
    expect(outputSize(ALEXNET, { width: 224, height: 224 })).toEqual({ width: 6, height: 6 });
    expect(outputSize(VGG16, { width: 224, height: 224 })).toEqual({ width: 7, height: 7 });
  });

  it('floors by default and rounds up for ceil-mode pools (without a window starting in the padding)', () => {
    const pool = (ceilMode: boolean): LayerSpec[] => [{ type: 'pool', kernel: 2, ceilMode }];
    expect(outputSize(pool(false), { width: 5, height: 4 })).toEqual({ width: 2, height: 2 });
    expect(outputSize(pool(true), { width: 5, height: 4 })).toEqual({ width: 3, height: 2 });
    // torch: MaxPool2d(3, 2, padding=1, ceil_mode=True): 6 → ceil(5/2) + 1 = 4 (the 4th window
    // starts at 6 < n + p = 7, so it stays); 5 → ceil(4/2) + 1 = 3.
    expect(
      outputSize([{ type: 'pool', kernel: 3, stride: 2, padding: 1, ceilMode: true }], {
        width: 6,
        height: 5,
      }),
    ).toEqual({ width: 4, height: 3 });
  });

  it('gives 0 cells when the input is smaller than the kernel', () => {
    expect(outputSize([{ type: 'conv', kernel: 5 }], { width: 4, height: 9 })).toEqual({
      width: 0,
      height: 5,
    });
  });

  it('the output size agrees with the receptive field: the last cell ends inside the padded input', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom<'conv' | 'pool'>('conv', 'pool'),
            kernel: fc.integer({ min: 1, max: 5 }),
            stride: fc.integer({ min: 1, max: 2 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 200 }),
        (layers, n) => {
          const { width } = outputSize(layers, { width: n, height: n });
          const { x } = receptiveField(layers);
          if (width > 0) {
            // no padding: cell width−1 fits in the input, cell `width` would not fit
            expect(x.offset + (width - 1) * x.stride + x.size).toBeLessThanOrEqual(n);
          }
        },
      ),
    );
  });

  it('rejects a bad input size', () => {
    expect(() => outputSize([], { width: -1, height: 3 })).toThrow(/input\.width/);
  });
});
