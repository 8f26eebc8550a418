/**
 * The lecture's claim, on the committed models: the fully convolutional network's output cell
 * (i, j) IS the crop classifier on the 32×32 window at (4j, 4i) — same logits, same box deltas —
 * for any image size. models/classic-shapes-overfeat/fcn.onnx is
 * models/classic-shapes-sliding-window/crop_classifier.onnx with its FC layers converted to
 * convolutions (tooling/python/train/classic_common.py `fc_stack_to_conv`).
 */
import { join } from 'node:path';
import { CLASSIC_SHAPES_FCN, outputSize } from '@ocelot/backbones';
import { resize } from '@ocelot/image';
import { createSession, type Session } from '@ocelot/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageTensor, inputNormalization } from '../sliding-window/base.js';
import {
  loadClassic,
  modelDir,
  objectsFound,
  testScene,
} from '../sliding-window/__fixtures__/classic-models.js';
import type { OverFeatDetector } from './detector.js';

let fcn: Session;
let crop: Session;

beforeAll(async () => {
  fcn = await createSession(join(modelDir('overfeat'), 'fcn.onnx'), {
    executionProviders: ['cpu'],
    threads: 1,
  });
  crop = await createSession(join(modelDir('sliding-window'), 'crop_classifier.onnx'), {
    executionProviders: ['cpu'],
    threads: 1,
  });
});

afterAll(async () => {
  await fcn?.dispose();
  await crop?.dispose();
});

const NORM = inputNormalization({
  width: 256,
  height: 256,
  resize: 'letterbox',
  scale: 1 / 255,
  mean: 0.5,
  std: 0.25,
});

describe('fully convolutional = crop classifier on every window', () => {
  for (const [width, height] of [
    [32, 32],
    [64, 48],
    [100, 72],
    [256, 256],
  ] as const) {
    it(`holds cell by cell for a ${width}×${height} image (max |Δ| ≤ 1e-4)`, async () => {
      const scene = testScene(0).image;
      const image = resize(scene, { width, height }).image;
      const input = imageTensor(image, NORM);
      const out = await fcn.run({ image: { type: 'float32', ...input } });
      const scores = out.scores!;
      const deltas = out.deltas!;
      const [, C, h, w] = scores.dims as [number, number, number, number];
      expect({ width: w, height: h }).toEqual(
        outputSize(CLASSIC_SHAPES_FCN.layers, { width, height }),
      );
      // every window as a crop
      const n = h * w;
      const crops = new Float32Array(n * 3 * 32 * 32);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const k = i * w + j;
          for (let c = 0; c < 3; c++) {
            for (let y = 0; y < 32; y++) {
              const src = c * width * height + (4 * i + y) * width + 4 * j;
              crops.set(input.data.subarray(src, src + 32), ((k * 3 + c) * 32 + y) * 32);
            }
          }
        }
      }
      const ref = await crop.run({ crops: { type: 'float32', data: crops, dims: [n, 3, 32, 32] } });
      let maxScore = 0;
      let maxDelta = 0;
      for (let k = 0; k < n; k++) {
        for (let c = 0; c < C; c++) {
          const a = (scores.data as Float32Array)[c * n + k]!;
          maxScore = Math.max(
            maxScore,
            Math.abs(a - (ref.scores!.data as Float32Array)[k * C + c]!),
          );
        }
        for (let c = 0; c < 4; c++) {
          const a = (deltas.data as Float32Array)[c * n + k]!;
          maxDelta = Math.max(
            maxDelta,
            Math.abs(a - (ref.deltas!.data as Float32Array)[k * 4 + c]!),
          );
        }
      }
      expect(maxScore).toBeLessThanOrEqual(1e-4);
      expect(maxDelta).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('OverFeatDetector end to end', () => {
  it('finds the shapes of held-out scenes, with NMS and with OverFeat merging', async () => {
    const detector = await loadClassic<OverFeatDetector>('overfeat');
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1, 2]) {
        const scene = testScene(i);
        const r = await detector.run(scene.image);
        expect(r.windows).toBeGreaterThan(1000);
        found += objectsFound(scene, r.detections);
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR);
      await expect(
        detector.detect({ width: 1, height: 1, data: new Uint8Array(2) }),
      ).rejects.toThrow(/image/);
    } finally {
      await detector.dispose();
    }
    const merging = await loadClassic<OverFeatDetector>('overfeat', { merge: 'overfeat' });
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1, 2]) {
        const scene = testScene(i);
        const d = await merging.detect(scene.image);
        for (const s of d.scores) expect(s).toBeLessThan(1);
        found += objectsFound(scene, d);
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR);
    } finally {
      await merging.dispose();
    }
  });
});

const FLOOR = 0.4;
