import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import type { Session, Tensor } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { Backbone, checkFeatureMaps, loadBackbone } from './backbone.js';
import { VGG16_SSD } from './builtins.js';
import { BackboneOutputError } from './errors.js';
import { type BackboneSpec, IMAGENET_NORMALIZATION } from './spec.js';

const TINY = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'tiny_backbone.onnx');

/** The contract of tiny_backbone.onnx (tooling/python/export/torchvision_backbones.py). */
const TINY_SPEC: BackboneSpec = {
  name: 'tiny',
  normalization: IMAGENET_NORMALIZATION,
  outputs: [
    { name: 'c2', channels: 8, stride: 4 },
    { name: 'c3', channels: 16, stride: 8 },
  ],
  sizeDivisibility: 8,
};

const images = (n: number, h: number, w: number) => ({
  data: new Float32Array(n * 3 * h * w).fill(0.25),
  dims: [n, 3, h, w],
});

/** A Session stand-in returning `outputs(feeds)`. */
function fake(
  outputs: (dims: readonly number[]) => Record<string, Tensor>,
  names = ['c2', 'c3'],
): Session {
  return {
    name: 'fake',
    inputs: [{ name: 'images', type: 'float32', dims: ['n', 3, 'h', 'w'] }],
    outputs: names.map((name) => ({ name, type: 'float32', dims: undefined })),
    async run(feeds: Record<string, { dims: readonly number[] }>) {
      return outputs(feeds.images!.dims);
    },
    async dispose() {},
  } as unknown as Session;
}

const f32 = (dims: number[]): Tensor => ({
  type: 'float32',
  data: new Float32Array(dims.reduce((a, b) => a * b, 1)),
  dims,
});

describe('Backbone over onnxruntime (tiny_backbone.onnx)', () => {
  it('returns the spec’s maps for any input size, batch included', async () => {
    const backbone = await loadBackbone(TINY, TINY_SPEC, {
      session: { executionProviders: ['cpu'] },
    });
    try {
      expect(backbone.outputNames).toEqual(['c2', 'c3']);
      const maps = await backbone.run(images(1, 64, 96));
      expect(maps.c2!.dims).toEqual([1, 8, 16, 24]);
      expect(maps.c3!.dims).toEqual([1, 16, 8, 12]);
      // sizes that strides do not divide: ceil (padded stride-2 convolutions)
      const odd = await backbone.run(images(2, 37, 45));
      expect(odd.c2!.dims).toEqual([2, 8, 10, 12]);
      expect(odd.c3!.dims).toEqual([2, 16, 5, 6]);
    } finally {
      await backbone.dispose();
    }
  });

  it('refuses a graph that lacks an output the spec names, and disposes it', async () => {
    const spec = {
      ...TINY_SPEC,
      outputs: [...TINY_SPEC.outputs, { name: 'c4', channels: 32, stride: 16 }],
    };
    await expect(
      loadBackbone(TINY, spec, { session: { executionProviders: ['cpu'] } }),
    ).rejects.toThrow(/backbone "tiny", output "c4": missing; the graph's outputs are c2, c3/);
  });

  it('refuses a spec whose channels the graph does not have', async () => {
    const spec = { ...TINY_SPEC, outputs: [{ name: 'c2', channels: 64, stride: 4 }] };
    const backbone = await loadBackbone(TINY, spec, { session: { executionProviders: ['cpu'] } });
    try {
      await expect(backbone.run(images(1, 32, 32))).rejects.toThrow(
        /output "c2": expected shape \[N=1, C=64, H=8, W=8\] \(stride 4 on a 32x32 input\), got \[1, 8, 8, 8\]/,
      );
    } finally {
      await backbone.dispose();
    }
  });
});

describe('checks on every run', () => {
  it('names the output whose size does not fit its stride', async () => {
    const backbone = new Backbone(
      fake(() => ({ c2: f32([1, 8, 16, 16]), c3: f32([1, 16, 16, 16]) })),
      TINY_SPEC,
    );
    const err = await backbone.run(images(1, 64, 64)).catch((e) => e);
    expect(err).toBeInstanceOf(BackboneOutputError);
    expect(err.output).toBe('c3');
    expect(err.message).toMatch(/H=8, W=8\] \(stride 8 on a 64x64 input\), got \[1, 16, 16, 16\]/);
  });

  it('refuses the wrong batch, element type, or a missing output', () => {
    const dims = [2, 3, 64, 64];
    expect(() =>
      checkFeatureMaps(TINY_SPEC, { c2: f32([1, 8, 16, 16]), c3: f32([2, 16, 8, 8]) }, dims),
    ).toThrow(/output "c2": expected shape \[N=2/);
    expect(() =>
      checkFeatureMaps(
        TINY_SPEC,
        { c2: { data: new Int32Array(2 * 8 * 256), dims: [2, 8, 16, 16] }, c3: f32([2, 16, 8, 8]) },
        dims,
      ),
    ).toThrow(/output "c2": expected float32/);
    expect(() => checkFeatureMaps(TINY_SPEC, { c2: f32([2, 8, 16, 16]) }, dims)).toThrow(
      /output "c3": missing; the model returned c2/,
    );
  });

  it('refuses malformed inputs and the wrong size for fixed-size backbones', async () => {
    const backbone = new Backbone(
      fake(() => ({})),
      TINY_SPEC,
    );
    await expect(backbone.run({ data: new Float32Array(3), dims: [1, 3, 2, 2] })).rejects.toThrow(
      ShapeMismatchError,
    );
    const vgg = new Backbone(
      fake(() => ({}), ['conv4_3', 'fc7']),
      VGG16_SSD,
    );
    await expect(vgg.run(images(1, 64, 64))).rejects.toThrow(
      /vgg16-ssd takes 300x300 inputs only, got 64x64/,
    );
    expect(
      () =>
        new Backbone(
          fake(() => ({})),
          TINY_SPEC,
          { inputName: 'x' },
        ),
    ).toThrow(InvalidArgumentError);
  });
});
