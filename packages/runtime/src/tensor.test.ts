import { InvalidArgumentError, ShapeMismatchError, type TensorView } from '@ocelot/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Tensor, createTensor, inferTensorType, isTensorType, zerosTensor } from './tensor.js';

describe('tensor helpers', () => {
  it('createTensor infers the type, copies dims and keeps data', () => {
    const data = new Float32Array(6);
    const dims = [2, 3];
    const t = createTensor(data, dims);
    expect(t).toEqual({ data, dims: [2, 3], type: 'float32' });
    expect(t.data).toBe(data);
    dims[0] = 99;
    expect(t.dims).toEqual([2, 3]);
    expect(createTensor(new BigInt64Array(2), [2]).type).toBe('int64');
    expect(createTensor(new Uint8Array(2), [2], 'bool').type).toBe('bool');
    expect(createTensor(new Uint16Array(2), [2], 'float16').type).toBe('float16');
  });

  it('is structurally a core TensorView', () => {
    const t: Tensor<Float32Array> = createTensor(new Float32Array(4), [1, 4]);
    const view: TensorView<Float32Array> = t;
    expect(view.dims).toEqual([1, 4]);
    expectTypeOf(t).toMatchTypeOf<TensorView<Float32Array>>();
  });

  it('rejects data that does not fit dims or type', () => {
    expect(() => createTensor(new Float32Array(5), [2, 3])).toThrow(ShapeMismatchError);
    expect(() => createTensor(new Float32Array(6), [2, -3])).toThrow(InvalidArgumentError);
    expect(() => createTensor(new Float32Array(6), [2, 3], 'int32')).toThrow(
      /needs a Int32Array, got Float32Array/,
    );
    expect(() => createTensor([1, 2] as unknown as Float32Array, [2])).toThrow(
      /numeric typed array/,
    );
    expect(() => createTensor(new Float32Array(1), [1], 'complex' as never)).toThrow(
      /unknown tensor type/,
    );
  });

  it('zerosTensor allocates the right array', () => {
    const z = zerosTensor('int64', [2, 2]);
    expect(z.data).toBeInstanceOf(BigInt64Array);
    expect(z.data.length).toBe(4);
    expect(zerosTensor('float32', []).data.length).toBe(1);
    expect(() => zerosTensor('float32', [1.5])).toThrow(InvalidArgumentError);
  });

  it('type guards', () => {
    expect(inferTensorType(new Int8Array())).toBe('int8');
    expect(inferTensorType(new Uint8ClampedArray())).toBeUndefined();
    expect(inferTensorType([1])).toBeUndefined();
    expect(isTensorType('uint64')).toBe(true);
    expect(isTensorType('string')).toBe(false);
  });
});
