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

/**
 * The straightforward selection the decoder's loops must equal: per level, top-k anchors by
 * their best allowed score (sigmoid applied when asked), then every allowed (anchor, class)
 * pair in that order whose activated float32 score is above the threshold.
 */
function referencePairs(
  levels: { cls: Float32Array; A: number }[],
  nc: number,
  o: { allowed?: Uint8Array; threshold: number; topK: number; sig: boolean; multi: boolean },
): { labels: number[]; scores: number[] } {
  const act = (v: number) => (o.sig ? 1 / (1 + Math.exp(-v)) : v);
  const ok = (c: number) => o.allowed === undefined || o.allowed[c] === 1;
  const labels: number[] = [];
  const scores: number[] = [];
  for (const { cls, A } of levels) {
    const best = new Float32Array(A);
    for (let a = 0; a < A; a++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < nc; c++) if (ok(c) && cls[a * nc + c]! > m) m = cls[a * nc + c]!;
      best[a] = o.sig ? act(m) : m;
    }
    let order = Array.from({ length: A }, (_, a) => a);
    if (A > o.topK) {
      order = order.sort((x, y) => best[y]! - best[x]! || x - y).slice(0, o.topK);
    }
    for (const a of order) {
      if (o.multi) {
        for (let c = 0; c < nc; c++) {
          const s = Math.fround(act(cls[a * nc + c]!));
          if (ok(c) && s > o.threshold) {
            labels.push(c);
            scores.push(s);
          }
        }
      } else {
        let bv = Number.NEGATIVE_INFINITY;
        let bc = -1;
        for (let c = 0; c < nc; c++) {
          if (ok(c) && cls[a * nc + c]! > bv) {
            bv = cls[a * nc + c]!;
            bc = c;
          }
        }
        const s = Math.fround(act(bv));
        if (bc >= 0 && s > o.threshold) {
          labels.push(bc);
          scores.push(s);
        }
      }
    }
  }
  return { labels, scores };
}

describe('decodeNanoDet candidate selection equals the plain loops', () => {
  it('any scores (with ties), allow-lists, thresholds, top-k, sigmoid and multi-label', () => {
    // input 32×16, strides 8 and 16: levels of 4×2 = 8 and 2×1 = 2 anchors, regMax 1
    const nc = 5;
    const names = ['a', 'b', 'c', 'd', 'e'];
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let run = 0; run < 300; run++) {
      const sig = run % 2 === 1;
      const multi = run % 3 !== 0;
      // few distinct values: exact ties between classes and anchors are common
      const value = () => (sig ? Math.round(rand() * 8 - 4) : Math.round(rand() * 10) / 10);
      const levels = [8, 2].map((A) => ({ A, cls: Float32Array.from({ length: A * nc }, value) }));
      const classes = run % 4 === 0 ? undefined : names.filter(() => rand() < 0.6);
      const threshold = Math.fround(sig ? rand() : rand() * 0.8);
      const topK = 1 + Math.floor(rand() * 9);
      const params: NanoDetDecodeParams = {
        strides: [8, 16],
        regMax: 1,
        centerOffset: 0.5,
        outputs: { kind: 'per-level', cls: ['c8', 'c16'], reg: ['r8', 'r16'] },
        sigmoid: sig,
        multiLabel: multi,
      };
      const context: DecodeContext = {
        model: 'm',
        options: resolveDetectOptions(
          names,
          {
            scoreThreshold: threshold,
            preNmsTopK: topK,
            ...(classes !== undefined && { classes }),
          },
          NANODET_DEFAULTS,
        ),
        inputSize: { width: 32, height: 16 },
        numClasses: nc,
        metadata: {},
      };
      const got = decodeNanoDet(
        {
          c8: f32(Array.from(levels[0]!.cls), [1, 8, nc]),
          c16: f32(Array.from(levels[1]!.cls), [1, 2, nc]),
          r8: f32(new Array(8 * 8).fill(0), [1, 8, 8]),
          r16: f32(new Array(2 * 8).fill(0), [1, 2, 8]),
        },
        context,
        params,
      );
      const want = referencePairs(levels, nc, {
        ...(context.options.allowed !== undefined && { allowed: context.options.allowed }),
        threshold,
        topK,
        sig,
        multi,
      });
      expect(Array.from(got.labels)).toEqual(want.labels);
      expect(Array.from(got.scores)).toEqual(want.scores.map(Math.fround));
    }
  });
});
