import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../model-card.js';
import { ModelOutputError } from '../errors.js';
import { parseOverFeatConfig } from './config.js';
import { configField, decodeOverFeatLevel } from './detector.js';

const field = configField({
  scales: [1],
  receptiveField: 32,
  stride: 4,
  offset: 0,
  backgroundClass: 0,
  merge: 'nms',
  regressBoxes: true,
  boxCoderWeights: [1, 1, 1, 1],
  scoresOutput: 'scores',
  deltasOutput: 'deltas',
});

// [1, 3, 2, 2]: background, class 0, class 1 planes; cell (1, 0) is class 1, cell (0, 1) class 0
const scores = {
  name: 'scores',
  dims: [1, 3, 2, 2],
  data: Float32Array.from([5, 0, 0, 5, /* class 0 */ 0, 6, 0, 0, /* class 1 */ 0, 0, 6, 0]),
};
const params = {
  numClasses: 2,
  backgroundClass: 0,
  options: { scoreThreshold: 0.5, allowed: undefined },
  boxCoderWeights: [1, 1, 1, 1] as const,
};

describe('decodeOverFeatLevel', () => {
  it('boxes each confident cell with its receptive field, mapped from the level to the base', () => {
    const c = decodeOverFeatLevel(
      'm',
      scores,
      undefined,
      { scaleX: 0.5, scaleY: 0.5 },
      field,
      params,
    );
    expect(Array.from(c.labels)).toEqual([0, 1]);
    // cell (0, 1): level x 4..36 → base 8..72; cell (1, 0): y 4..36 → 8..72
    expect(Array.from(c.boxes)).toEqual([8, 0, 72, 64, 0, 8, 64, 72]);
  });

  it('moves cells by their deltas (channels are the 4 codes)', () => {
    const deltas = { name: 'deltas', dims: [1, 4, 2, 2], data: new Float32Array(16) };
    deltas.data[1] = 0.5; // dx of cell (0, 1)
    const c = decodeOverFeatLevel('m', scores, deltas, { scaleX: 1, scaleY: 1 }, field, params);
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([20, 0, 52, 32]);
  });

  it('throws ModelOutputError on maps of the wrong shape', () => {
    expect(() =>
      decodeOverFeatLevel(
        'm',
        { ...scores, dims: [1, 4, 1, 2] },
        undefined,
        { scaleX: 1, scaleY: 1 },
        field,
        params,
      ),
    ).toThrow(/2 classes \+ background/);
    const deltas = { name: 'deltas', dims: [1, 4, 3, 2], data: new Float32Array(24) };
    expect(() =>
      decodeOverFeatLevel('m', scores, deltas, { scaleX: 1, scaleY: 1 }, field, params),
    ).toThrow(ModelOutputError);
    const nan = { ...scores, data: scores.data.slice().fill(Number.NaN, 2, 3) };
    expect(() =>
      decodeOverFeatLevel('m', nan, undefined, { scaleX: 1, scaleY: 1 }, field, params),
    ).toThrow(/non-finite/);
  });
});

describe('parseOverFeatConfig', () => {
  const card = (a: Record<string, unknown>): ModelCard => ({
    id: 'of',
    task: 'detect',
    architecture: { type: 'overfeat', ...a },
    files: { model: { path: 'x.onnx' } },
    input: { width: 64, height: 64, resize: 'letterbox' },
    labels: ['a', 'b'],
  });

  it('needs the receptive field and stride and checks the rest', () => {
    expect(parseOverFeatConfig(card({ receptiveField: 32, stride: 4 })).merge).toBe('nms');
    expect(() => parseOverFeatConfig(card({ stride: 4 }))).toThrow(
      /architecture\.receptiveField: missing/,
    );
    expect(() => parseOverFeatConfig(card({ receptiveField: 32 }))).toThrow(
      /architecture\.stride: missing/,
    );
    expect(() =>
      parseOverFeatConfig(card({ receptiveField: 32, stride: 4, merge: 'vote' })),
    ).toThrow(/architecture\.merge/);
    expect(() =>
      parseOverFeatConfig(card({ receptiveField: 32, stride: 4, backgroundClass: 3 })),
    ).toThrow(/architecture\.backgroundClass/);
  });
});
