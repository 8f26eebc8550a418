import { InvalidArgumentError } from '@ocelot/core';
import { normalizationTable, type RgbImage } from '@ocelot/image';
import type { Tensor, TensorLike } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { ModelCardError, ModelOutputError } from '../errors.js';
import type { ModelCard } from '../model-card.js';
import { resolveModelCard } from '../model-card.js';
import { fakeSession } from '../test-utils/fake-session.js';
import { parseSlidingWindowConfig } from './config.js';
import { SlidingWindowDetector } from './detector.js';
import { cropsToTensor, imagePyramid, pyramidSide, windowGrid } from './pyramid.js';

/** Grey image with a red square [x0, x0+side) × [y0, y0+side). */
function redSquare(w: number, h: number, x0: number, y0: number, side: number): RgbImage {
  const data = new Uint8Array(w * h * 3).fill(128);
  for (let y = y0; y < y0 + side; y++) {
    for (let x = x0; x < x0 + side; x++) data.set([250, 10, 10], (y * w + x) * 3);
  }
  return { width: w, height: h, data };
}

function card(architecture: Record<string, unknown>): ModelCard {
  return {
    id: 'sw-test',
    task: 'detect',
    architecture: { type: 'sliding-window', ...architecture },
    files: { classifier: { path: 'x.onnx' } },
    input: { width: 64, height: 64, resize: 'stretch', scale: 1 / 255 },
    labels: ['red', 'blue'],
  };
}

/**
 * A fake crop classifier: a window scores "red" by how much of its CENTRAL 8×8 is red (channel 0
 * high, channel 1 low after /255 scaling), so exactly the windows centred on the square win.
 */
function redClassifier(window: number) {
  return fakeSession({
    inputs: [{ name: 'crops', type: 'float32', dims: ['n', 3, window, window] }],
    outputs: (feeds: Readonly<Record<string, TensorLike>>): Record<string, Tensor> => {
      const x = feeds.crops!.data as Float32Array;
      const n = feeds.crops!.dims![0] as number;
      const plane = window * window;
      const scores = new Float32Array(3 * n);
      for (let k = 0; k < n; k++) {
        let red = 0;
        const lo = window / 2 - 4;
        for (let y = lo; y < lo + 8; y++) {
          for (let xx = lo; xx < lo + 8; xx++) {
            const i = k * 3 * plane + y * window + xx;
            if (x[i]! > 0.9 && x[i + plane]! < 0.1) red++;
          }
        }
        scores[3 * k] = 4 - (8 * red) / 64; // background
        scores[3 * k + 1] = (8 * red) / 64;
        scores[3 * k + 2] = -5;
      }
      return { scores: { type: 'float32', data: scores, dims: [n, 3] } as Tensor };
    },
  });
}

describe('pyramid helpers', () => {
  it('sizes levels with floor(side·scale + 0.5) and skips levels smaller than the window', () => {
    expect(pyramidSide(256, 0.71)).toBe(182);
    expect(pyramidSide(3, 0.1)).toBe(1);
    const base = redSquare(64, 48, 0, 0, 4);
    const levels = imagePyramid(base, [2, 1, 0.5, 0.25], 16);
    expect(levels.map((l) => [l.image.width, l.image.height])).toEqual([
      [128, 96],
      [64, 48],
      [32, 24],
    ]);
    expect(levels[1]!.image).toBe(base);
    expect(() => imagePyramid(base, [1, 0], 16)).toThrow(/scales\[1\]/);
  });

  it('lays windows on a stride grid that fits inside the level', () => {
    expect(Array.from(windowGrid(40, 36, 32, 4))).toEqual([0, 0, 4, 0, 8, 0, 0, 4, 4, 4, 8, 4]);
    expect(windowGrid(31, 100, 32, 4).length).toBe(0);
  });

  it('cuts and normalises crops into NCHW', () => {
    const image = redSquare(8, 8, 2, 2, 2);
    const table = normalizationTable({ scale: 1 / 255, mean: 0.5, std: 0.25 });
    const out = cropsToTensor(image, Int32Array.from([1, 1]), 0, 1, 2, table, new Float32Array(12));
    // crop (1,1)–(2,2): pixel (2,2) is red, the rest grey
    expect(out[3]).toBeCloseTo((250 / 255 - 0.5) / 0.25, 5); // R at (1,1) of the crop
    expect(out[0]).toBeCloseTo((128 / 255 - 0.5) / 0.25, 5);
    expect(out[4 + 3]).toBeCloseTo((10 / 255 - 0.5) / 0.25, 5); // G
  });
});

describe('SlidingWindowDetector', () => {
  it('finds the window on the square, one classifier run per batch, boxes in image pixels', async () => {
    const c = resolveModelCard(card({ window: 16, stride: 4, scales: [1], batchSize: 50 }));
    const session = redClassifier(16);
    const det = new SlidingWindowDetector({
      card: c,
      session,
      config: parseSlidingWindowConfig(c),
    });
    // image 128×128 → base 64×64 (scale 0.5); square at 64..80 in the image = 32..40 in base
    const r = await det.run(redSquare(128, 128, 64, 64, 16), { scoreThreshold: 0.5 });
    expect(r.windows).toBe(13 * 13);
    expect(r.batches).toBe(4);
    expect(session.calls.length).toBe(4);
    expect(r.detections.labelNames[0]).toBe('red');
    // best window: base (28, 28)–(44, 44) centred on (36, 36) → image (56, 56)–(88, 88)
    expect(Array.from(r.detections.boxes.subarray(0, 4))).toEqual([56, 56, 88, 88]);
    expect(r.detections.imageSize).toEqual({ width: 128, height: 128 });
    expect(await det.detect(redSquare(128, 128, 0, 0, 2))).toMatchObject({
      labels: new Int32Array(0),
    });
  });

  it('refuses a window that differs from the classifier input, and bad configs', () => {
    const c = resolveModelCard(card({ window: 32 }));
    expect(
      () =>
        new SlidingWindowDetector({
          card: c,
          session: redClassifier(16),
          config: parseSlidingWindowConfig(c),
        }),
    ).toThrow(ModelCardError);
    expect(() => parseSlidingWindowConfig(card({ windw: 32 }))).toThrow(
      /architecture\.windw: unknown field/,
    );
    expect(() => parseSlidingWindowConfig(card({ stride: 0 }))).toThrow(/architecture\.stride/);
    expect(() => parseSlidingWindowConfig(card({ scales: [1, -2] }))).toThrow(
      /architecture\.scales\[1\]/,
    );
  });

  it('rejects bad images and reports broken model outputs', async () => {
    const c = resolveModelCard(card({ window: 16, scales: [1] }));
    const det = new SlidingWindowDetector({
      card: c,
      session: redClassifier(16),
      config: parseSlidingWindowConfig(c),
    });
    await expect(det.detect({ width: 4, height: 4, data: new Uint8Array(3) })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(det.detect(redSquare(64, 64, 0, 0, 1), { iouThreshold: 2 })).rejects.toThrow(
      /options\.iouThreshold/,
    );
    const broken = fakeSession({
      inputs: [{ name: 'crops', type: 'float32', dims: ['n', 3, 16, 16] }],
      outputs: (feeds) => {
        const n = feeds.crops!.dims![0] as number;
        return {
          scores: {
            type: 'float32',
            data: new Float32Array(n * 3).fill(Number.NaN),
            dims: [n, 3],
          } as Tensor,
        };
      },
    });
    const bad = new SlidingWindowDetector({
      card: c,
      session: broken,
      config: parseSlidingWindowConfig(c),
    });
    await expect(bad.detect(redSquare(64, 64, 0, 0, 1))).rejects.toThrow(ModelOutputError);
    const wrong = fakeSession({
      inputs: [{ name: 'crops', type: 'float32', dims: ['n', 3, 16, 16] }],
      outputs: (feeds) => {
        const n = feeds.crops!.dims![0] as number;
        return {
          scores: { type: 'float32', data: new Float32Array(n * 5), dims: [n, 5] } as Tensor,
        };
      },
    });
    const w = new SlidingWindowDetector({
      card: c,
      session: wrong,
      config: parseSlidingWindowConfig(c),
    });
    await expect(w.detect(redSquare(64, 64, 0, 0, 1))).rejects.toThrow(/2 classes \+ background/);
  });
});
