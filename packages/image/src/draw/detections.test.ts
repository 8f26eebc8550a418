import { describe, expect, it } from 'vitest';
import { boxLabel } from './detections.js';

describe('boxLabel', () => {
  const boxes = Float32Array.of(0, 0, 10, 10, 5, 5, 20, 20);
  const labels = Int32Array.of(2, 0);
  const scores = Float32Array.of(0.934, 0.5);

  it('takes per-detection names, as a detector returns them', () => {
    const d = { boxes, labels, scores, labelNames: ['bicycle', 'person'] };
    expect(boxLabel(d, 0, 2)).toBe('bicycle 0.93');
    expect(boxLabel(d, 1, 2)).toBe('person 0.50');
  });

  it('looks labels up in a class table when there are no per-detection names', () => {
    const d = { boxes, labels, scores, classNames: ['person', 'car', 'bicycle'] };
    expect(boxLabel(d, 0, 1)).toBe('bicycle 0.9');
    expect(boxLabel(d, 1, 1)).toBe('person 0.5');
  });

  it('falls back to the class index, and to nothing without labels', () => {
    expect(boxLabel({ boxes, labels }, 0, 2)).toBe('2');
    expect(boxLabel({ boxes, scores }, 1, 2)).toBe('0.50');
    expect(boxLabel({ boxes }, 0, 2)).toBe('');
  });
});
