import { Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import type { DecodeContext } from '../detector.js';
import { parseModelCard } from '../model-card.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { expectClose } from '../test-utils/compare.js';
import { f32 } from '../test-utils/fake-session.js';
import { DETR_DEFAULTS, parseDetrConfig } from './config.js';
import { type DetrDecodeParams, decodeDetr } from './decode.js';

describe('detr parity with a reference decode (DETR PostProcess / Hugging Face)', () => {
  runSyntheticCases('detr', 'detr_cases');
});

describe('decodeDetr on hand-made tensors', () => {
  const params: DetrDecodeParams = {
    logitsOutput: ['pred_logits'],
    boxesOutput: ['pred_boxes'],
    noObjectClass: true,
  };
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a', 'b'], o, DETR_DEFAULTS),
    inputSize: { width: 200, height: 100 },
    numClasses: 2,
    metadata: {},
  });
  // 3 queries × (a, b, no-object)
  const logits = [
    [4, 0, 0],
    [0, 0, 5],
    [1, 3, 0],
  ];
  const boxes = [
    [0.5, 0.5, 0.2, 0.4],
    [0.1, 0.1, 0.1, 0.1],
    [0.25, 0.75, 0.5, 0.5],
  ];
  const out = (l = logits, b = boxes) => ({
    pred_logits: f32(l.flat(), [1, l.length, 3]),
    pred_boxes: f32(b.flat(), [1, b.length, 4]),
  });

  it('no query above threshold → empty', () => {
    expect(decodeDetr(out(), ctx({ scoreThreshold: 0.99 }), params).scores.length).toBe(0);
  });

  it('softmax, best real class, boxes to input pixels, queries in order', () => {
    const c = decodeDetr(out(), ctx(), params);
    expect(Array.from(c.labels)).toEqual([0, 1]);
    expect(c.scores[0]).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 2), 6);
    expectClose(c.boxes.subarray(0, 4), [80, 30, 120, 70]);
    expectClose(c.boxes.subarray(4, 8), [0, 50, 100, 100]);
  });

  it('all queries above a zero threshold; allow-list chooses among allowed classes', () => {
    expect(decodeDetr(out(), ctx({ scoreThreshold: 0 }), params).scores.length).toBe(3);
    const onlyB = decodeDetr(out(), ctx({ scoreThreshold: 0.1, classes: ['b'] }), params);
    expect(Array.from(onlyB.labels)).toEqual([1]);
  });

  it('more queries than maxDetections: the best, no NMS (overlapping queries both stay)', () => {
    const overlapping = [
      [0.5, 0.5, 0.2, 0.2],
      [0.5, 0.5, 0.2, 0.2],
      [0.5, 0.5, 0.2, 0.2],
    ];
    const options = resolveDetectOptions(['a', 'b'], { scoreThreshold: 0 }, DETR_DEFAULTS);
    const c = decodeDetr(out(logits, overlapping), { ...ctx(), options }, params);
    const all = finalizeDetections('m', c, options, Transform.identity(200, 100), ['a', 'b'], {
      nms: false,
    });
    expect(all.scores.length).toBe(3);
    const capped = resolveDetectOptions(
      ['a', 'b'],
      { scoreThreshold: 0, maxDetections: 2 },
      DETR_DEFAULTS,
    );
    const two = finalizeDetections('m', c, capped, Transform.identity(200, 100), ['a', 'b'], {
      nms: false,
    });
    expect(Array.from(two.scores)).toEqual(Array.from(all.scores.subarray(0, 2)));
  });

  it('NaN and shape errors name the output', () => {
    const bad = logits.map((r) => [...r]);
    bad[2]![1] = Number.NaN;
    expect(() => decodeDetr(out(bad), ctx(), params)).toThrow(
      /"pred_logits": non-finite value NaN at flat index 7/,
    );
    const twoColumns = {
      ...out(),
      pred_logits: f32(
        logits.flatMap((r) => r.slice(0, 2)),
        [1, 3, 2],
      ),
    };
    expect(() => decodeDetr(twoColumns, ctx(), params)).toThrow(
      /"pred_logits": expected shape \[1, Q, C\+1=3\] \(2 labels \+ no-object\), got \[1, 3, 2\]/,
    );
    expect(() => decodeDetr(out(logits, boxes.slice(0, 2)), ctx(), params)).toThrow(
      /"pred_boxes": expected shape \[1, Q=3, 4\]/,
    );
  });

  it('config errors name the field', () => {
    const card = parseModelCard({
      id: 'm',
      task: 'detect',
      architecture: { type: 'detr', noObjectClass: 1 },
      files: { model: { path: 'x' } },
      input: { width: 8, height: 8, resize: 'stretch' },
      labels: ['a'],
    });
    expect(() => parseDetrConfig(card)).toThrow(
      /architecture.noObjectClass: expected true or false/,
    );
  });
});
