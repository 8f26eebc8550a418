import { roiPool, type TensorView } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { ModelOutputError } from '../errors.js';
import { type ModelCard, resolveModelCard } from '../model-card.js';
import type { BoxHeadRunner, FeatureBackbone } from '../two-stage/heads.js';
import { parseFastRcnnConfig } from './config.js';
import { FastRcnnDetector, poolProposals } from './detector.js';

function card(architecture: Record<string, unknown> = {}): ModelCard {
  const arch: { type: string } & Record<string, unknown> = {
    type: 'fast-rcnn',
    spatialScale: 0.5,
    poolSize: 2,
    ...architecture,
  };
  return {
    id: 'frcnn-test',
    task: 'detect',
    architecture: arch,
    files: { backbone: { path: 'b.onnx' }, boxHead: { path: 'h.onnx' } },
    input: { width: 32, height: 32, resize: 'stretch', scale: 1 / 255 },
    labels: ['bright'],
  };
}

/** Backbone: the red channel average-pooled 2×2 (stride 2), one channel. */
const backbone: FeatureBackbone & { runs: number } = {
  outputNames: ['features'],
  runs: 0,
  async run(images) {
    this.runs++;
    const [, , h, w] = images.dims as [number, number, number, number];
    const out = new Float32Array((h / 2) * (w / 2));
    for (let y = 0; y < h / 2; y++) {
      for (let x = 0; x < w / 2; x++) {
        let s = 0;
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const)
          s += images.data[(2 * y + dy) * w + 2 * x + dx]!;
        out[y * (w / 2) + x] = s / 4;
      }
    }
    return { features: { data: out, dims: [1, 1, h / 2, w / 2] } };
  },
};

/** Head: "bright" when the pooled max is high; no box movement. */
function head(columns = 2): BoxHeadRunner & { calls: TensorView[] } {
  const calls: TensorView[] = [];
  return {
    calls,
    async run(boxFeatures) {
      calls.push(boxFeatures);
      const k = boxFeatures.dims[0]!;
      const per = boxFeatures.data.length / Math.max(1, k);
      const logits = new Float32Array(k * columns);
      for (let i = 0; i < k; i++) {
        let m = 0;
        for (let j = 0; j < per; j++) m = Math.max(m, boxFeatures.data[i * per + j]!);
        logits[i * columns] = 0.5;
        logits[i * columns + 1] = m > 0.9 ? 4 : -4;
      }
      return {
        classLogits: { data: logits, dims: [k, columns] },
        boxRegression: { data: new Float32Array(k * 4 * columns), dims: [k, 4 * columns] },
      };
    },
  };
}

function squareImage(): RgbImage {
  const data = new Uint8Array(32 * 32 * 3);
  for (let y = 8; y < 16; y++) for (let x = 8; x < 16; x++) data[(y * 32 + x) * 3] = 255;
  return { width: 32, height: 32, data };
}

describe('FastRcnnDetector', () => {
  it('runs the backbone once, pools every proposal and classifies it with the head', async () => {
    const c = resolveModelCard(card());
    const h = head();
    const det = new FastRcnnDetector({
      card: c,
      backbone,
      boxHead: h,
      config: parseFastRcnnConfig(c),
    });
    const runs = backbone.runs;
    const r = await det.run(squareImage(), {
      proposals: Float32Array.from([8, 8, 16, 16, 20, 20, 30, 30, 7, 7, 17, 17]),
    });
    expect(backbone.runs - runs).toBe(1);
    expect(h.calls[0]!.dims).toEqual([3, 1, 2, 2]);
    // the pooled features are core's roiPool of the backbone map
    const map = await backbone.run({
      data: new Float32Array(32 * 32 * 3).fill(0),
      dims: [1, 3, 32, 32],
    });
    expect(map.features!.dims).toEqual([1, 1, 16, 16]);
    expect(Array.from(r.detections.labels)).toEqual([0]);
    expect(Array.from(r.detections.boxes)).toEqual([8, 8, 16, 16]);
    expect(r.features.dims).toEqual([3, 1, 2, 2]);
  });

  it('skips the head when there are no proposals', async () => {
    const c = resolveModelCard(card());
    const h = head();
    const det = new FastRcnnDetector({
      card: c,
      backbone,
      boxHead: h,
      config: parseFastRcnnConfig(c),
    });
    const r = await det.run(squareImage(), { proposals: new Float32Array(0) });
    expect(h.calls.length).toBe(0);
    expect(r.detections.scores.length).toBe(0);
  });

  it('reports a head whose outputs do not fit the labels', async () => {
    const c = resolveModelCard(card());
    const det = new FastRcnnDetector({
      card: c,
      backbone,
      boxHead: head(3),
      config: parseFastRcnnConfig(c),
    });
    await expect(
      det.detect(squareImage(), { proposals: Float32Array.from([0, 0, 4, 4]) }),
    ).rejects.toThrow(ModelOutputError);
  });

  it('validates its config', () => {
    expect(() => parseFastRcnnConfig(card({ spatialScale: undefined }))).toThrow(
      /architecture\.spatialScale: missing/,
    );
    expect(() => parseFastRcnnConfig(card({ pooler: 'roi-warp' }))).toThrow(/architecture\.pooler/);
    expect(() => parseFastRcnnConfig(card({ poolSize: 0 }))).toThrow(/architecture\.poolSize/);
  });
});

describe('poolProposals', () => {
  const features = { data: Float32Array.from({ length: 64 }, (_, i) => i), dims: [1, 1, 8, 8] };
  const boxes = Float32Array.from([0, 0, 8, 8, 4, 2, 14, 12]);

  it('is core roiPool for roi-pool', () => {
    const a = poolProposals(features, boxes, {
      pooler: 'roi-pool',
      poolSize: 2,
      spatialScale: 0.5,
      samplingRatio: 2,
      aligned: true,
    });
    const b = roiPool(features, Float32Array.from([0, 0, 0, 8, 8, 0, 4, 2, 14, 12]), {
      outputSize: 2,
      spatialScale: 0.5,
    });
    expect(a).toEqual(b);
  });

  it('can pool with RoI Align instead', () => {
    const a = poolProposals(features, boxes, {
      pooler: 'roi-align',
      poolSize: 2,
      spatialScale: 0.5,
      samplingRatio: 2,
      aligned: true,
    });
    expect(a.dims).toEqual([2, 1, 2, 2]);
  });
});
