import { describe, expect, it } from 'vitest';
import type { DecodeContext } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { parseModelCard } from '../model-card.js';
import { resolveDetectOptions } from '../postprocess.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { f32 } from '../test-utils/fake-session.js';
import { NANODET_DEFAULTS, parseNanoDetConfig } from './config.js';
import {
  decodeNanoDet,
  distributionExpectation,
  type NanoDetDecodeParams,
  nanoDetGrids,
} from './decode.js';

describe('nanodet parity with NanoDet get_bboxes + multiclass_nms (torch, torchvision batched_nms)', () => {
  runSyntheticCases('nanodet', 'nanodet_cases');
});

describe('decodeNanoDet on hand-made tensors', () => {
  // input 16×8, one stride 8 → a 1×2 grid, regMax 3 (4 bins per side), 2 classes
  const params: NanoDetDecodeParams = {
    strides: [8],
    regMax: 3,
    centerOffset: 0.5,
    outputs: { kind: 'per-level', cls: ['cls'], reg: ['reg'] },
    sigmoid: false,
    multiLabel: true,
  };
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a', 'b'], o, NANODET_DEFAULTS),
    inputSize: { width: 16, height: 8 },
    numClasses: 2,
    metadata: {},
  });
  // a one-hot-ish side distribution: all mass on bin k
  const peak = (k: number): number[] => [0, 1, 2, 3].map((j) => (j === k ? 30 : 0));
  const reg = [
    [...peak(1), ...peak(0), ...peak(2), ...peak(1)], // anchor 0 at (4, 4)
    [...peak(3), ...peak(3), ...peak(3), ...peak(3)], // anchor 1 at (12, 4): clamped to the input
  ];
  const outputs = (cls: number[][]) => ({
    cls: f32(cls.flat(), [1, 2, 2]),
    reg: f32(reg.flat(), [1, 2, 16]),
  });

  it('grids are ⌈H/s⌉ × ⌈W/s⌉', () => {
    expect(nanoDetGrids({ width: 20, height: 8 }, [8, 16])).toEqual([
      { stride: 8, width: 3, height: 1 },
      { stride: 16, width: 2, height: 1 },
    ]);
  });

  it('distance = softmax expectation of the bins', () => {
    expect(distributionExpectation(Float32Array.of(0, 0, 0, 0), 0, 4)).toBeCloseTo(1.5, 12);
    expect(distributionExpectation(Float32Array.of(9, 0, 0, 1000, 0), 1, 4)).toBeCloseTo(2, 12);
  });

  it('boxes from centres (x + 0.5)·s, distances × stride, clamped to the input; every pair above the threshold', () => {
    const c = decodeNanoDet(
      outputs([
        [0.9, 0.6],
        [0.02, 0.7],
      ]),
      ctx(),
      params,
    );
    expect(Array.from(c.labels)).toEqual([0, 1, 1]);
    expect(Array.from(c.scores)).toEqual([0.9, 0.6, 0.7].map(Math.fround));
    const box = (i: number) =>
      Array.from(c.boxes.subarray(4 * i, 4 * i + 4)).map((v) => +v.toFixed(4));
    expect(box(0)).toEqual([-4, 4, 20, 12].map((v, k) => Math.min(Math.max(v, 0), k % 2 ? 8 : 16)));
    expect(box(1)).toEqual(box(0));
    expect(box(2)).toEqual([0, 0, 16, 8]);
  });

  it('multiLabel false keeps each anchor’s best class; allow-list; threshold is strict', () => {
    const cls = [
      [0.9, 0.6],
      [0.02, 0.7],
    ];
    const best = decodeNanoDet(outputs(cls), ctx(), { ...params, multiLabel: false });
    expect(Array.from(best.labels)).toEqual([0, 1]);
    const onlyB = decodeNanoDet(outputs(cls), ctx({ classes: ['b'] }), params);
    expect(Array.from(onlyB.labels)).toEqual([1, 1]);
    const strict = decodeNanoDet(outputs(cls), ctx({ scoreThreshold: Math.fround(0.7) }), params);
    expect(Array.from(strict.scores)).toEqual([Math.fround(0.9)]);
  });

  it('preNmsTopK keeps the best anchors of a level (by best allowed class)', () => {
    const c = decodeNanoDet(
      outputs([
        [0.9, 0.6],
        [0.02, 0.95],
      ]),
      ctx({ preNmsTopK: 1 }),
      params,
    );
    // anchor 1 only (best 0.95 > 0.9); its class a (0.02) is below the threshold
    expect(Array.from(c.labels)).toEqual([1]);
    expect(Array.from(c.scores)).toEqual([Math.fround(0.95)]);
  });

  it('sigmoid: true activates logits', () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const c = decodeNanoDet(
      outputs([
        [logit(0.9), logit(0.01)],
        [logit(0.01), logit(0.01)],
      ]),
      ctx(),
      {
        ...params,
        sigmoid: true,
      },
    );
    expect(c.scores.length).toBe(1);
    expect(c.scores[0]).toBeCloseTo(0.9, 6);
  });

  it('the concatenated layout reads the same rows', () => {
    const cls = [
      [0.9, 0.6],
      [0.02, 0.7],
    ];
    const rows = cls.map((r, a) => [...r, ...reg[a]!]);
    const a = decodeNanoDet({ output: f32(rows.flat(), [1, 2, 18]) }, ctx(), {
      ...params,
      outputs: { kind: 'concatenated', name: 'output' },
    });
    const b = decodeNanoDet(outputs(cls), ctx(), params);
    expect(a).toEqual(b);
  });

  it('shape errors and NaN name the output', () => {
    expect(() =>
      decodeNanoDet(
        { cls: f32([0, 0, 0, 0], [1, 2, 2]), reg: f32(new Array(30).fill(0), [1, 2, 15]) },
        ctx(),
        params,
      ),
    ).toThrow(/model "m", output "reg": expected shape \[1, A=2, 4\(regMax\+1\)=16\]/);
    expect(() =>
      decodeNanoDet(
        { cls: f32([0, 0], [1, 1, 2]), reg: f32(reg.flat(), [1, 2, 16]) },
        ctx(),
        params,
      ),
    ).toThrow(/output "cls": expected shape \[1, A=2, nc=2\] \(level stride 8: 1×2 cells\)/);
    expect(() => decodeNanoDet({ reg: f32(reg.flat(), [1, 2, 16]) }, ctx(), params)).toThrow(
      ModelOutputError,
    );
    const bad: number[][] = reg.map((r) => [...r]);
    bad[1]![5] = Number.NaN;
    expect(() =>
      decodeNanoDet(
        { cls: f32([0.9, 0.6, 0.02, 0.7], [1, 2, 2]), reg: f32(bad.flat(), [1, 2, 16]) },
        ctx(),
        params,
      ),
    ).toThrow(/output "reg": non-finite value NaN at flat index 21/);
  });
});

describe('parseNanoDetConfig', () => {
  const card = (architecture: Record<string, unknown>) =>
    parseModelCard({
      id: 'n',
      task: 'detect',
      architecture: { type: 'nanodet', ...architecture },
      files: { model: { path: 'm.onnx' } },
      input: { width: 320, height: 320, resize: 'stretch' },
      labels: ['a'],
    });

  it('defaults: NanoDet-m output names per stride, regMax 7, centres + 0.5, multi-label', () => {
    expect(parseNanoDetConfig(card({}))).toEqual({
      strides: [8, 16, 32],
      regMax: 7,
      centerOffset: 0.5,
      outputs: {
        kind: 'per-level',
        cls: ['cls_pred_stride_8', 'cls_pred_stride_16', 'cls_pred_stride_32'],
        reg: ['dis_pred_stride_8', 'dis_pred_stride_16', 'dis_pred_stride_32'],
      },
      sigmoid: false,
      multiLabel: true,
    });
    expect(
      parseNanoDetConfig(card({ output: 'output', strides: [8, 16, 32, 64] })).outputs,
    ).toEqual({
      kind: 'concatenated',
      name: 'output',
    });
  });

  it('refuses bad fields naming them', () => {
    expect(() => parseNanoDetConfig(card({ regMax: 0 }))).toThrow(
      /n: architecture.regMax: expected an integer >= 1 <= 64, got 0/,
    );
    expect(() => parseNanoDetConfig(card({ clsOutputs: ['a', 'b'] }))).toThrow(
      /architecture.clsOutputs: expected 3 names \(one per stride\), got 2/,
    );
    expect(() => parseNanoDetConfig(card({ output: 'o', regOutputs: ['a', 'b', 'c'] }))).toThrow(
      /architecture.regOutputs: give either one concatenated "output"/,
    );
    expect(() => parseNanoDetConfig(card({ centreOffset: 0 }))).toThrow(ModelCardError);
    expect(() => parseNanoDetConfig(card({ centerOffset: 2 }))).toThrow(
      /architecture.centerOffset/,
    );
  });
});
