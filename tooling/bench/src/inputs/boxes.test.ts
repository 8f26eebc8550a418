import { describe, expect, it } from 'vitest';
import { Rng } from '../harness/rng.js';
import {
  CANVAS,
  clusteredBoxes,
  distinctScores,
  sizeLabel,
  sparseBoxes,
  uniformBoxes,
  xyxyToYxyx,
} from './boxes.js';

function expectValidXyxy(boxes: Float32Array, maxX: number, maxY: number) {
  for (let i = 0; i < boxes.length; i += 4) {
    const [x1, y1, x2, y2] = [boxes[i]!, boxes[i + 1]!, boxes[i + 2]!, boxes[i + 3]!];
    expect(x2).toBeGreaterThan(x1);
    expect(y2).toBeGreaterThan(y1);
    expect(x1).toBeGreaterThanOrEqual(0);
    expect(y1).toBeGreaterThanOrEqual(0);
    expect(x2).toBeLessThanOrEqual(maxX);
    expect(y2).toBeLessThanOrEqual(maxY);
  }
}

describe('box sets', () => {
  it('clustered boxes are valid xyxy inside the 1333×800 canvas', () => {
    expectValidXyxy(clusteredBoxes(5000, new Rng(3)), CANVAS.width, CANVAS.height);
  });

  it('sparse boxes are valid and spread over a side of 32·√N', () => {
    const n = 4000;
    expectValidXyxy(sparseBoxes(n, new Rng(3)), 32 * Math.sqrt(n), 32 * Math.sqrt(n));
  });

  it('uniform boxes are valid inside 1000×1000', () => {
    expectValidXyxy(uniformBoxes(1000, new Rng(3)), 1000, 1000);
  });

  it('are reproducible from the seed', () => {
    expect(clusteredBoxes(100, new Rng(9))).toEqual(clusteredBoxes(100, new Rng(9)));
  });
});

describe('distinctScores', () => {
  it('gives N distinct float32 scores in (0, 1), even at N = 100k', () => {
    const s = distinctScores(100_000, new Rng(5));
    expect(new Set(s).size).toBe(100_000);
    expect(Math.min(...s)).toBeGreaterThan(0);
    expect(Math.max(...s)).toBeLessThan(1);
  });
});

describe('xyxyToYxyx', () => {
  it('swaps x and y for ONNX NonMaxSuppression', () => {
    expect([...xyxyToYxyx(Float32Array.of(1, 2, 3, 4))]).toEqual([2, 1, 4, 3]);
  });
});

describe('sizeLabel', () => {
  it('abbreviates thousands', () => {
    expect(sizeLabel(1000)).toBe('1k');
    expect(sizeLabel(100_000)).toBe('100k');
    expect(sizeLabel(1500)).toBe('1500');
  });
});
