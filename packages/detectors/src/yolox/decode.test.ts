import { Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { parseModelCard } from '../model-card.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { f32 } from '../test-utils/fake-session.js';
import { parseYoloxConfig, YOLOX_DEFAULTS } from './config.js';
import { decodeYolox, type YoloxDecodeParams, yoloxGrid } from './decode.js';

describe('yolox parity with a reference decode (YOLOX postprocess + torchvision batched_nms)', () => {
  runSyntheticCases('yolox', 'yolox_cases');
});

describe('decodeYolox on hand-made tensors', () => {
  // input 16×8, one stride 8 → a 1×2 grid, 2 classes
  const params: YoloxDecodeParams = {
    strides: [8],
    sigmoid: false,
    decoded: false,
    output: ['output', 0],
  };
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a', 'b'], o, YOLOX_DEFAULTS),
    inputSize: { width: 16, height: 8 },
    numClasses: 2,
    metadata: {},
  });
  const out = (rows: number[][]) => ({ output: f32(rows.flat(), [1, rows.length, 7]) });
  const rows = [
    [0.5, 0.5, 0, 0, 0.9, 0.5, 0.8],
    [0.25, 0.5, Math.log(2), 0, 0.6, 0.9, 0.1],
  ];

  it('grid: rows then columns per stride, ceil for partial cells', () => {
    const g = yoloxGrid({ width: 20, height: 8 }, [8, 16]);
    expect(Array.from(g.x)).toEqual([0, 1, 2, 0, 1]);
    expect(Array.from(g.y)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(g.stride)).toEqual([8, 8, 8, 16, 16]);
  });

  it('no candidates → empty', () => {
    expect(decodeYolox(out(rows), ctx({ scoreThreshold: 0.95 }), params).scores.length).toBe(0);
  });

  it('decodes xy = (p + grid)·stride, wh = exp(p)·stride, score = obj·cls (>= threshold)', () => {
    const c = decodeYolox(out(rows), ctx({ scoreThreshold: 0 }), params);
    expect(Array.from(c.labels)).toEqual([1, 0]);
    expect(c.scores[0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.8)));
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([0, 0, 8, 8]);
    expect(Array.from(c.boxes.subarray(4, 8))).toEqual([2, 0, 18, 8]);
    const exact = decodeYolox(
      out(rows),
      ctx({ scoreThreshold: Math.fround(Math.fround(0.6) * Math.fround(0.9)) }),
      params,
    );
    expect(exact.scores.length).toBe(2);
  });

  it('allow-list and preNmsTopK', () => {
    const c = decodeYolox(out(rows), ctx({ scoreThreshold: 0, classes: ['a'] }), params);
    expect(Array.from(c.labels)).toEqual([0, 0]);
    expect(c.scores[0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.5)));
    const top = decodeYolox(out(rows), ctx({ scoreThreshold: 0, preNmsTopK: 1 }), params);
    expect(Array.from(top.labels)).toEqual([1]);
  });

  it('more candidates than maxDetections: capped after NMS, best first', () => {
    const options = resolveDetectOptions(
      ['a', 'b'],
      { scoreThreshold: 0, maxDetections: 1 },
      YOLOX_DEFAULTS,
    );
    const c = decodeYolox(out(rows), { ...ctx(), options }, params);
    expect(c.scores.length).toBe(2);
    const det = finalizeDetections('m', c, options, Transform.identity(16, 8), ['a', 'b']);
    expect(det.labelNames).toEqual(['b']);
  });

  it('sigmoid: true activates objectness and classes', () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const raw = rows.map((r) => [...r.slice(0, 4), ...r.slice(4).map(logit)]);
    const a = decodeYolox(out(raw), ctx({ scoreThreshold: 0 }), { ...params, sigmoid: true });
    const b = decodeYolox(out(rows), ctx({ scoreThreshold: 0 }), params);
    for (let i = 0; i < a.scores.length; i++) expect(a.scores[i]).toBeCloseTo(b.scores[i]!, 6);
  });

  it('NaN and shape errors name the output', () => {
    const bad = rows.map((r) => [...r]);
    bad[1]![6] = Number.NaN;
    expect(() => decodeYolox(out(bad), ctx(), params)).toThrow(
      /"output": non-finite value NaN at flat index 13/,
    );
    expect(() => decodeYolox(out([rows[0]!]), ctx(), params)).toThrow(ModelOutputError);
    expect(() => decodeYolox(out([rows[0]!]), ctx(), params)).toThrow(
      /expected shape \[1, A=2, 5\+nc=7\] \(A = anchor points of strides 8 on 16×8\), got \[1, 1, 7\]/,
    );
  });

  it('config errors name the field', () => {
    const card = (arch: Record<string, unknown>) =>
      parseModelCard({
        id: 'm',
        task: 'detect',
        architecture: { type: 'yolox', ...arch },
        files: { model: { path: 'x' } },
        input: { width: 16, height: 8, resize: 'letterbox' },
        labels: ['a'],
      });
    expect(() => parseYoloxConfig(card({ strides: [8, 0] }))).toThrow(
      /architecture.strides\[1\]: expected an integer >= 1, got 0/,
    );
    expect(() => parseYoloxConfig(card({ sigmoid: 'yes' }))).toThrow(
      /architecture.sigmoid: expected true or false/,
    );
  });
});
