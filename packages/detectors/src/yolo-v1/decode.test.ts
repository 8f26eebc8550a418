import { Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import type { DecodeContext } from '../detector.js';
import { parseModelCard } from '../model-card.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { f32 } from '../test-utils/fake-session.js';
import { parseYoloV1Config, YOLO_V1_DEFAULTS } from './config.js';
import { decodeYoloV1, type YoloV1DecodeParams } from './decode.js';

describe('yolo-v1 parity with a reference decode (darknet-style scores + torchvision batched_nms)', () => {
  runSyntheticCases('yolo-v1', 'yolo_v1_cases');
});

describe('decodeYoloV1 on hand-made tensors', () => {
  // S = 2, B = 1, C = 2 on a 100×100 input: per cell x, y, w, h, conf, p(a), p(b)
  const params: YoloV1DecodeParams = {
    gridSize: 2,
    boxesPerCell: 1,
    sqrtSize: true,
    layout: 'cell',
    output: [0],
  };
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a', 'b'], o, YOLO_V1_DEFAULTS),
    inputSize: { width: 100, height: 100 },
    numClasses: 2,
    metadata: {},
  });
  const cells = [
    [0.5, 0.5, 0.5, 0.5, 0.9, 0.8, 0.2], // (row 0, col 0): centre (25, 25), w = h = 0.25·100
    [0.5, 0.5, 0.2, 0.2, 0.1, 0.5, 0.5],
    [0.0, 0.0, 0.2, 0.2, 0.5, 0.1, 0.9], // (row 1, col 0): centre (0, 50)
    [0.5, 0.5, 0.2, 0.2, 0.3, 0.5, 0.5],
  ];
  const out = (c: number[][]) => ({ output: f32(c.flat(), [1, 2, 2, 7]) });

  it('no candidates → empty', () => {
    expect(decodeYoloV1(out(cells), ctx({ scoreThreshold: 0.9 }), params).scores.length).toBe(0);
  });

  it('score = P(class)·confidence, one box may count for several classes, sqrt sizes', () => {
    const c = decodeYoloV1(out(cells), ctx({ scoreThreshold: 0.1 }), params);
    expect(Array.from(c.labels)).toEqual([0, 1, 1, 0, 1]);
    expect(c.scores[0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.8)));
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([12.5, 12.5, 37.5, 37.5]);
    expect(Array.from(c.boxes.subarray(8, 12))).toEqual([-2, 48, 2, 52]);
  });

  it('every candidate above a zero threshold; allow-list; top-k', () => {
    expect(decodeYoloV1(out(cells), ctx({ scoreThreshold: 0 }), params).scores.length).toBe(8);
    expect(
      Array.from(
        decodeYoloV1(out(cells), ctx({ scoreThreshold: 0, classes: ['b'] }), params).labels,
      ),
    ).toEqual([1, 1, 1, 1]);
    const top = decodeYoloV1(out(cells), ctx({ scoreThreshold: 0, preNmsTopK: 2 }), params);
    const f = Math.fround;
    expect(Array.from(top.scores)).toEqual([f(f(0.9) * f(0.8)), f(f(0.5) * f(0.9))]);
  });

  it('more candidates than maxDetections: capped after NMS, best first', () => {
    const options = resolveDetectOptions(
      ['a', 'b'],
      { scoreThreshold: 0, maxDetections: 2 },
      YOLO_V1_DEFAULTS,
    );
    const c = decodeYoloV1(out(cells), { ...ctx(), options }, params);
    expect(c.scores.length).toBe(8);
    const det = finalizeDetections('m', c, options, Transform.identity(100, 100), ['a', 'b']);
    expect(det.scores.length).toBe(2);
    expect(det.scores[0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.8)));
  });

  it('NaN and shape errors name the output', () => {
    const bad = cells.map((r) => [...r]);
    bad[3]![4] = Number.NaN;
    expect(() => decodeYoloV1(out(bad), ctx(), params)).toThrow(
      /"output": non-finite value NaN at flat index 25/,
    );
    expect(() =>
      decodeYoloV1({ output: f32(new Float32Array(27), [1, 27]) }, ctx(), params),
    ).toThrow(
      /expected shape \[1, S=2, S=2, 5B\+C=7\] or \[1, 28\] \(S=2, B=1, C=2 labels\), got \[1, 27\]/,
    );
  });

  it('config errors name the field', () => {
    const card = (arch: Record<string, unknown>) =>
      parseModelCard({
        id: 'm',
        task: 'detect',
        architecture: { type: 'yolo-v1', ...arch },
        files: { model: { path: 'x' } },
        input: { width: 448, height: 448, resize: 'stretch' },
        labels: ['a'],
      });
    expect(parseYoloV1Config(card({})).gridSize).toBe(7);
    expect(() => parseYoloV1Config(card({ gridSize: 0 }))).toThrow(
      /architecture.gridSize: expected an integer >= 1, got 0/,
    );
    expect(() => parseYoloV1Config(card({ layout: 'grid' }))).toThrow(/architecture.layout/);
  });
});
