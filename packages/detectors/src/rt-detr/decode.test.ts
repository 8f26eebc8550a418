import { createRgbImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import type { DecodeContext } from '../detector.js';
import { parseModelCard } from '../model-card.js';
import { resolveDetectOptions } from '../postprocess.js';
import { buildDetector, createDetectorRegistry } from '../registry.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { expectClose, expectSameDetections } from '../test-utils/compare.js';
import { f32 } from '../test-utils/fake-session.js';
import { fixtureDir, type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { parseRtDetrConfig, RT_DETR_DEFAULTS } from './config.js';
import { decodeRtDetr, decodeRtDetrPostprocessed } from './decode.js';

describe('rt-detr parity with a reference decode (RT-DETR post-processor)', () => {
  runSyntheticCases('rt-detr', 'rt_detr_cases');
});

describe('rt-detr post-processed export (DEIM-style) through onnxruntime', () => {
  const fx = loadFixture<{
    deim: {
      card: Record<string, unknown>;
      image: { width: number; height: number };
      runs: {
        options: Record<string, unknown>;
        expected: { boxes: Loaded; scores: Loaded; labels: number[] };
      }[];
    };
  }>('rt-detr', 'rt_detr_cases');

  it('feeds orig_target_sizes (int64) and maps the boxes back', async () => {
    const detector = await buildDetector(
      registerBuiltins(createDetectorRegistry()),
      parseModelCard(fx.deim.card),
      {
        base: fixtureDir('rt-detr'),
        session: { executionProviders: ['cpu'], threads: 1 },
      },
    );
    try {
      const image = createRgbImage(fx.deim.image.width, fx.deim.image.height);
      for (const run of fx.deim.runs) {
        const det = await detector.detect(image, run.options);
        expectSameDetections(det, run.expected, 1e-3, 1e-6);
      }
    } finally {
      await detector.dispose();
    }
  });
});

describe('RT-DETR decoders on hand-made tensors', () => {
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a', 'b'], o, RT_DETR_DEFAULTS),
    inputSize: { width: 100, height: 100 },
    numClasses: 2,
    metadata: {},
  });
  const raw = { logitsOutput: ['logits'], boxesOutput: ['pred_boxes'], numTopQueries: 300 };
  const logits = [
    [2, 1],
    [-5, 3],
    [0.5, -1],
  ];
  const boxes = [
    [0.5, 0.5, 0.2, 0.2],
    [0.2, 0.2, 0.2, 0.2],
    [0.8, 0.8, 0.2, 0.2],
  ];
  const out = (l = logits) => ({
    logits: f32(l.flat(), [1, l.length, 2]),
    pred_boxes: f32(boxes.flat(), [1, 3, 4]),
  });

  it('no pair above threshold → empty', () => {
    expect(decodeRtDetr(out(), ctx({ scoreThreshold: 0.99 }), raw).scores.length).toBe(0);
  });

  it('sigmoid over every (query, class) pair: one query may appear for two classes', () => {
    const c = decodeRtDetr(out(), ctx(), raw);
    expect(Array.from(c.labels)).toEqual([1, 0, 1, 0]);
    expect(c.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    expectClose(c.boxes.subarray(0, 4), [10, 10, 30, 30]);
    expectClose(c.boxes.subarray(4, 8), [40, 40, 60, 60]);
  });

  it('all pairs above a zero threshold; top-k = min(numTopQueries, maxDetections); allow-list first', () => {
    expect(decodeRtDetr(out(), ctx({ scoreThreshold: 0 }), raw).scores.length).toBe(6);
    expect(
      decodeRtDetr(out(), ctx({ scoreThreshold: 0 }), { ...raw, numTopQueries: 2 }).scores.length,
    ).toBe(2);
    expect(
      decodeRtDetr(out(), ctx({ scoreThreshold: 0, maxDetections: 3 }), raw).scores.length,
    ).toBe(3);
    expect(
      Array.from(
        decodeRtDetr(out(), ctx({ scoreThreshold: 0, maxDetections: 2, classes: ['a'] }), raw)
          .labels,
      ),
    ).toEqual([0, 0]);
  });

  it('NaN and shape errors name the output', () => {
    const bad = logits.map((r) => [...r]);
    bad[1]![0] = Number.NaN;
    expect(() => decodeRtDetr(out(bad), ctx(), raw)).toThrow(
      /"logits": non-finite value NaN at flat index 2/,
    );
    expect(() =>
      decodeRtDetr(
        { logits: f32(new Float32Array(9), [1, 3, 3]), pred_boxes: f32(boxes.flat(), [1, 3, 4]) },
        ctx(),
        raw,
      ),
    ).toThrow(/"logits": expected shape \[1, Q, C=2\]/);
  });

  it('post-processed outputs: threshold, allow-list, labels checked', () => {
    const params = { labelsOutput: ['labels'], boxesOutput: ['boxes'], scoresOutput: ['scores'] };
    const outputs = (labels: bigint[]) => ({
      labels: { type: 'int64' as const, data: BigInt64Array.from(labels), dims: [1, 3] },
      boxes: f32(boxes.flat(), [1, 3, 4]),
      scores: f32([0.9, 0.2, 0.7], [1, 3]),
    });
    const c = decodeRtDetrPostprocessed(outputs([0n, 1n, 1n]), ctx(), params);
    expect(Array.from(c.labels)).toEqual([0, 1]);
    expect(
      Array.from(
        decodeRtDetrPostprocessed(outputs([0n, 1n, 1n]), ctx({ classes: [1] }), params).scores,
      ),
    ).toEqual([Math.fround(0.7)]);
    expect(() => decodeRtDetrPostprocessed(outputs([0n, 5n, 1n]), ctx(), params)).toThrow(
      /"labels": label 5 of query 1 is not one of 0..1/,
    );
    expect(() =>
      decodeRtDetrPostprocessed(
        { ...outputs([0n, 1n, 1n]), scores: f32([0.9, Number.NaN, 0.7], [1, 3]) },
        ctx(),
        params,
      ),
    ).toThrow(/"scores": non-finite value NaN at flat index 1/);
  });

  it('config errors name the field', () => {
    const card = (arch: Record<string, unknown>) =>
      parseModelCard({
        id: 'm',
        task: 'detect',
        architecture: { type: 'rt-detr', ...arch },
        files: { model: { path: 'x' } },
        input: { width: 8, height: 8, resize: 'stretch' },
        labels: ['a'],
      });
    expect(() => parseRtDetrConfig(card({ outputs: 'postprocessed', numTopQueries: 10 }))).toThrow(
      /architecture.numTopQueries: unknown field/,
    );
    expect(() => parseRtDetrConfig(card({ numTopQueries: 0 }))).toThrow(
      /architecture.numTopQueries: expected an integer >= 1/,
    );
  });
});
