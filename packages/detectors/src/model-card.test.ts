import { describe, expect, it } from 'vitest';
import { ModelCardError } from './errors.js';
import { parseModelCard, resolveModelCard } from './model-card.js';

const base = {
  id: 'm',
  task: 'detect',
  architecture: { type: 'ultralytics' },
  files: { model: { path: 'm.onnx' } },
  input: { width: 640, height: 640, resize: 'letterbox' },
  labels: ['a', 'b'],
};

describe('parseModelCard', () => {
  it('accepts a complete card and one that leaves labels / size to the model', () => {
    expect(parseModelCard(base).labels).toEqual(['a', 'b']);
    const partial = parseModelCard({ ...base, labels: undefined, input: { resize: 'letterbox' } });
    expect(partial.labels).toBeUndefined();
  });

  it('names the field of every mistake', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...base, id: '' }, /id: expected a non-empty string/],
      [{ ...base, task: 'paint' }, /task: expected one of detect/],
      [{ ...base, architecture: {} }, /architecture.type/],
      [{ ...base, files: { model: { path: 'm.onnx', sha256: 'abc' } } }, /files.model.sha256/],
      [{ ...base, input: { ...base.input, resize: 'crop' } }, /input.resize/],
      [
        { ...base, input: { ...base.input, padValue: 300 } },
        /input.padValue: expected an integer grey level 0..255/,
      ],
      [{ ...base, input: { ...base.input, sizeRounding: 'ceil' } }, /input.sizeRounding/],
      [{ ...base, input: { ...base.input, center: 'yes' } }, /input.center/],
      [{ ...base, input: { ...base.input, mean: [1, 2] } }, /input.mean/],
      [{ ...base, labels: [] }, /labels: expected a non-empty array/],
      [{ ...base, labelIds: [1] }, /labelIds: expected 2 integers/],
      [{ ...base, defaults: 3 }, /defaults: expected an object/],
      [
        { ...base, input: { ...base.input, minSize: 800 } },
        /input.minSize: only with resize "torchvision"/,
      ],
      [
        { ...base, input: { resize: 'torchvision', minSize: 800 } },
        /input.maxSize: give minSize and maxSize together/,
      ],
      [
        { ...base, input: { resize: 'torchvision', minSize: 0, maxSize: 9 } },
        /input.minSize: expected a positive integer/,
      ],
      [
        { ...base, input: { resize: 'torchvision', width: 8, height: 8, layout: 'nhwc' } },
        /input.layout/,
      ],
    ];
    for (const [card, message] of bad) {
      expect(() => parseModelCard(card, 'card.json')).toThrow(ModelCardError);
      expect(() => parseModelCard(card, 'card.json')).toThrow(message);
    }
  });
});

describe('resolveModelCard', () => {
  const partial = parseModelCard({ ...base, labels: undefined, input: { resize: 'letterbox' } });

  it('fills labels and size from the model; the card wins', () => {
    const r = resolveModelCard(partial, { labels: ['x'], inputSize: { width: 320, height: 256 } });
    expect(r.labels).toEqual(['x']);
    expect(r.input).toEqual({ resize: 'letterbox', width: 320, height: 256 });
    expect(resolveModelCard(parseModelCard(base), { labels: ['x'] }).labels).toEqual(['a', 'b']);
  });

  it('a size-driven torchvision transform has maxSize² as its nominal input size', () => {
    const tv = parseModelCard({
      ...base,
      input: { resize: 'torchvision', minSize: 800, maxSize: 1333 },
    });
    expect(resolveModelCard(tv).input).toMatchObject({ width: 1333, height: 1333 });
  });

  it('says what is missing', () => {
    expect(() => resolveModelCard(partial)).toThrow(
      /m: labels: missing, and the model does not name its classes/,
    );
    expect(() => resolveModelCard(partial, { labels: ['x'] })).toThrow(
      /input.width: missing, and the model does not state its input size/,
    );
  });
});
