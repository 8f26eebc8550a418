import { InvalidArgumentError, roiAlign } from '@ocelot/core';
import { letterbox, type RgbImage } from '@ocelot/image';
import type { Tensor, TensorLike } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { type ModelCard, resolveModelCard } from '../model-card.js';
import { fakeSession } from '../test-utils/fake-session.js';
import { parseRcnnConfig } from './config.js';
import { RcnnDetector, rcnnPostprocess } from './detector.js';
import { contextBoxes, proposalsFor, toRois } from './proposals.js';

function grey(w: number, h: number): RgbImage {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) };
}

function card(architecture: Record<string, unknown> = {}): ModelCard {
  return {
    id: 'rcnn-test',
    task: 'detect',
    architecture: { type: 'rcnn', ...architecture },
    files: { classifier: { path: 'x.onnx' } },
    input: { width: 64, height: 64, resize: 'letterbox', padValue: 128, scale: 1 / 255 },
    labels: ['a', 'b'],
  };
}

describe('contextBoxes', () => {
  it('grows a box so that after warping it sits p pixels inside the crop', () => {
    const S = 32;
    const p = (16 * S) / 227;
    const [x1, y1, x2, y2] = contextBoxes(Float32Array.from([10, 20, 50, 40]), S, p);
    // where the original box's left edge lands in the warped crop
    expect(((10 - x1!) * S) / (x2! - x1!)).toBeCloseTo(p, 4);
    expect(((40 - y1!) * S) / (y2! - y1!)).toBeCloseTo(S - p, 4);
    expect((x1! + x2!) / 2).toBeCloseTo(30, 5);
    expect(Array.from(contextBoxes(Float32Array.from([1, 2, 3, 4]), 32, 0))).toEqual([1, 2, 3, 4]);
    expect(() => contextBoxes(new Float32Array(4), 32, 16)).toThrow(/contextPadding/);
  });

  it('warping with RoI Align puts the box edge p pixels in (a vertical edge test)', () => {
    // image: left half 0, right half 1; a proposal whose left edge is the step
    const w = 64;
    const data = new Float32Array(w * w).map((_, i) => (i % w >= 20 ? 1 : 0));
    const S = 32;
    const p = 4;
    const rois = toRois(contextBoxes(Float32Array.from([20, 10, 52, 42]), S, p));
    const crop = roiAlign({ data, dims: [1, 1, w, w] }, rois, {
      outputSize: S,
      samplingRatio: 2,
      aligned: true,
    }).data;
    // columns left of p are 0, right of p are 1 (the transition straddles column p)
    expect(crop[S * 16 + p - 2]).toBeCloseTo(0, 5);
    expect(crop[S * 16 + p + 1]).toBeCloseTo(1, 5);
  });
});

describe('proposalsFor', () => {
  const image = grey(128, 64);
  const base = letterbox(image, { size: 64, padValue: 128 });
  const config = {
    method: 'selective-search' as const,
    selectiveSearch: { strategy: 'single' as const },
  };

  it('maps given image-pixel proposals to the base and clips them; input-pixel ones stay', () => {
    const given = Float32Array.from([0, 0, 64, 32, 100, 50, 200, 90]);
    const p = proposalsFor(base, config, { proposals: given });
    expect(p.source).toBe('external');
    // letterbox 128×64 → 64×32 at y offset 16
    expect(Array.from(p.boxes)).toEqual([0, 16, 32, 32, 50, 41, 64, 61]); // clipped to the 64×64 input
    const q = proposalsFor(base, config, { proposals: given, proposalSpace: 'input' });
    expect(Array.from(q.boxes.subarray(0, 4))).toEqual([0, 0, 64, 32]);
  });

  it('runs selective search when none are given', () => {
    const p = proposalsFor(base, config, undefined);
    expect(p.source).toBe('selective-search');
    expect(p.boxes.length).toBeGreaterThan(0);
  });

  it('rejects malformed proposals and spaces, naming the option', () => {
    expect(() => proposalsFor(base, config, { proposals: new Float32Array(3) })).toThrow(
      /options\.proposals/,
    );
    expect(() =>
      proposalsFor(base, config, { proposals: Float32Array.from([0, 0, Number.NaN, 1]) }),
    ).toThrow(/options\.proposals/);
    expect(() =>
      proposalsFor(base, config, {
        proposals: new Float32Array(4),
        proposalSpace: 'world' as 'input',
      }),
    ).toThrow(/options\.proposalSpace/);
  });
});

/** A fake R-CNN classifier: class a when the crop's mean is bright, with a fixed dx for class a. */
function fakeClassifier(side: number) {
  return fakeSession({
    inputs: [{ name: 'crops', type: 'float32', dims: ['n', 3, side, side] }],
    outputs: (feeds: Readonly<Record<string, TensorLike>>): Record<string, Tensor> => {
      const x = feeds.crops!.data as Float32Array;
      const n = feeds.crops!.dims![0] as number;
      const size = 3 * side * side;
      const logits = new Float32Array(3 * n);
      const deltas = new Float32Array(12 * n);
      for (let k = 0; k < n; k++) {
        let mean = 0;
        for (let i = 0; i < size; i++) mean += x[k * size + i]!;
        mean /= size;
        logits.set(mean > 0.8 ? [0, 5, 0] : [5, 0, 0], 3 * k);
        deltas[12 * k + 4] = 1; // class a: dx = 1 (weight 10 → 0.1 of the width)
      }
      return {
        class_logits: { type: 'float32', data: logits, dims: [n, 3] } as Tensor,
        box_regression: { type: 'float32', data: deltas, dims: [n, 12] } as Tensor,
      };
    },
  });
}

describe('RcnnDetector', () => {
  // white square 20..40 on black, 64×64 (base = image)
  const image = grey(64, 64);
  image.data.fill(0);
  for (let y = 20; y < 40; y++)
    for (let x = 20; x < 40; x++) image.data.fill(255, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);

  it('warps each proposal, classifies it, regresses from the proposal and runs per-class NMS', async () => {
    const c = resolveModelCard(card({ batchSize: 2, contextPadding: 0 }));
    const session = fakeClassifier(8);
    const det = new RcnnDetector({ card: c, session, config: parseRcnnConfig(c) });
    expect(det.warpSize).toBe(8);
    const proposals = Float32Array.from([20, 20, 40, 40, 21, 21, 39, 39, 0, 0, 10, 10]);
    const r = await det.run(image, { proposals, scoreThreshold: 0.5 });
    expect(session.calls.length).toBe(2); // 3 proposals, batches of 2
    expect(r.proposals.source).toBe('external');
    expect(Array.from(r.detections.labels)).toEqual([0]); // the two bright ones, one after NMS
    // dx = 1 / 10 of the width: [20, 20, 40, 40] → shifted by 2 px
    expect(Array.from(r.detections.boxes)).toEqual([22, 20, 42, 40]);
    expect(r.detections.labelNames).toEqual(['a']);
  });

  it('uses the paper context by default and refuses impossible settings', () => {
    const c = resolveModelCard(card());
    const det = new RcnnDetector({
      card: c,
      session: fakeClassifier(32),
      config: parseRcnnConfig(c),
    });
    expect(det.contextPadding).toBeCloseTo((16 * 32) / 227, 10);
    expect(
      () =>
        new RcnnDetector({
          card: c,
          session: fakeClassifier(8),
          config: parseRcnnConfig(resolveModelCard(card({ warpSize: 16 }))),
        }),
    ).toThrow(ModelCardError);
    const big = resolveModelCard(card({ contextPadding: 4 }));
    expect(
      () =>
        new RcnnDetector({ card: big, session: fakeClassifier(8), config: parseRcnnConfig(big) }),
    ).toThrow(/contextPadding/);
    expect(() => parseRcnnConfig(card({ proposals: { strategy: 'slow' } }))).toThrow(
      /architecture\.proposals\.strategy/,
    );
    expect(() => parseRcnnConfig(card({ proposals: { colourSpaces: ['xyz'] } }))).toThrow(
      /architecture\.proposals\.colourSpaces\[0\]/,
    );
  });

  it('reports broken outputs and bad images', async () => {
    const c = resolveModelCard(card());
    const broken = fakeSession({
      inputs: [{ name: 'crops', type: 'float32', dims: ['n', 3, 8, 8] }],
      outputs: (feeds) => {
        const n = feeds.crops!.dims![0] as number;
        return {
          class_logits: { type: 'float32', data: new Float32Array(n * 2), dims: [n, 2] } as Tensor,
          box_regression: {
            type: 'float32',
            data: new Float32Array(n * 12),
            dims: [n, 12],
          } as Tensor,
        };
      },
    });
    const det = new RcnnDetector({ card: c, session: broken, config: parseRcnnConfig(c) });
    await expect(
      det.detect(image, { proposals: Float32Array.from([0, 0, 10, 10]) }),
    ).rejects.toThrow(ModelOutputError);
    await expect(det.detect({ width: 2, height: 2, data: new Uint8Array(1) })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      rcnnPostprocess(
        'm',
        Float32Array.from([Number.NaN, 0, 0]),
        new Float32Array(12),
        Float32Array.from([0, 0, 1, 1]),
        3,
        { width: 9, height: 9 },
        {
          boxCoder: { encode: () => new Float32Array(0), decode: () => new Float32Array(0) },
          scoreThresh: 0.5,
          nmsThresh: 0.5,
          detectionsPerImg: 10,
        },
      ),
    ).toThrow(/class_logits.*non-finite/);
  });
});
