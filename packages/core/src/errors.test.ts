import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, OcelotError, ShapeMismatchError } from './errors.js';

describe('errors', () => {
  it('carry the argument, the code and a readable message', () => {
    const e = new ShapeMismatchError('boxes', '[N,4]', '[7]');
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toBeInstanceOf(OcelotError);
    expect(e.name).toBe('ShapeMismatchError');
    expect(e.code).toBe('E_SHAPE_MISMATCH');
    expect(e.message).toBe('boxes: expected shape [N,4], got [7]');
    const nf = new NonFiniteValueError('scores', 3, Number.NaN);
    expect(nf.index).toBe(3);
    expect(nf.message).toContain('NaN');
  });
});
