/**
 * Feed validation against a model's declared inputs, done before onnxruntime sees the feeds so a
 * mistake is reported with the model, the input and expected vs given type and shape.
 */
import { InvalidFeedError } from './errors.js';
import {
  dataMatchesType,
  elementCount,
  formatDims,
  inferTensorType,
  isTensorType,
} from './tensor.js';
import type { TensorType } from './tensor.js';
import type { ValueInfo } from './types.js';

/** A feed after validation: what onnxruntime's `Tensor` constructor needs. */
export interface CheckedFeed {
  readonly name: string;
  readonly type: TensorType;
  readonly dims: readonly number[];
  /** Typed array for CPU feeds; `undefined` when `value` is a device tensor passed through. */
  readonly data: ArrayBufferView | undefined;
  /** The caller's object, passed to onnxruntime as is when it is already a device tensor. */
  readonly value: unknown;
}

function describe(
  type: string | undefined,
  dims: readonly (number | string | null)[] | undefined,
): string {
  return `${type ?? '?'} ${formatDims(dims)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Checks `feeds` against `inputs` and returns them in input order.
 *
 * @param model model name for errors
 * @param inputs the session's inputs
 * @param feeds the caller's `{ [inputName]: tensor }`
 * @throws InvalidFeedError for an unknown or missing name, a dtype that differs, data that does
 *   not fit its own dims, a rank or fixed dim that differs, or one symbolic dim given two sizes
 */
export function validateFeeds(
  model: string,
  inputs: readonly ValueInfo[],
  feeds: unknown,
): CheckedFeed[] {
  const names = inputs.map((i) => i.name);
  if (!isObject(feeds) || Array.isArray(feeds) || ArrayBuffer.isView(feeds)) {
    throw new InvalidFeedError(
      model,
      '(feeds)',
      'feeds must be an object keyed by input name',
      `{ ${names.join(', ')} }`,
      String(feeds),
    );
  }
  for (const name of Object.keys(feeds)) {
    if (!names.includes(name)) {
      throw new InvalidFeedError(
        model,
        name,
        `unknown input "${name}"`,
        `inputs ${names.join(', ')}`,
        `"${name}"`,
      );
    }
  }
  const symbols = new Map<string, { value: number; input: string }>();
  const checked: CheckedFeed[] = [];
  for (const input of inputs) {
    const expected = describe(input.type, input.dims);
    if (!Object.hasOwn(feeds, input.name) || feeds[input.name] === undefined) {
      throw new InvalidFeedError(
        model,
        input.name,
        `missing input "${input.name}"`,
        expected,
        'nothing',
      );
    }
    const feed = feeds[input.name];
    if (!isObject(feed)) {
      throw new InvalidFeedError(
        model,
        input.name,
        'a feed must be a tensor { data, dims, type? }',
        expected,
        String(feed),
      );
    }
    const dims = feed.dims;
    if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InvalidFeedError(
        model,
        input.name,
        'dims must be an array of non-negative integers',
        expected,
        `dims ${JSON.stringify(dims)}`,
      );
    }
    // An onnxruntime tensor living on a device (webgpu buffer, WebNN tensor) has no CPU data.
    const location = feed.location;
    const onDevice =
      typeof location === 'string' && location !== 'cpu' && location !== 'cpu-pinned';
    const rawData = onDevice ? undefined : feed.data;
    let data: ArrayBufferView | undefined;
    let type: string | undefined;
    if (onDevice) {
      type = typeof feed.type === 'string' ? feed.type : undefined;
    } else {
      if (!ArrayBuffer.isView(rawData) || rawData instanceof DataView) {
        const got = isObject(rawData) ? rawData.constructor.name : typeof rawData;
        throw new InvalidFeedError(model, input.name, 'data must be a typed array', expected, got);
      }
      data = rawData;
      type = typeof feed.type === 'string' ? feed.type : inferTensorType(data);
      if (type === undefined) {
        throw new InvalidFeedError(
          model,
          input.name,
          `cannot infer a tensor type from ${data.constructor.name}`,
          expected,
          data.constructor.name,
        );
      }
      if (!isTensorType(type)) {
        throw new InvalidFeedError(
          model,
          input.name,
          `unsupported tensor type "${type}"`,
          expected,
          type,
        );
      }
      if (!dataMatchesType(type, data)) {
        throw new InvalidFeedError(
          model,
          input.name,
          `type "${type}" does not match its ${data.constructor.name} data`,
          expected,
          `${type} in a ${data.constructor.name}`,
        );
      }
      const n = elementCount(dims);
      const length = (data as unknown as { length: number }).length;
      if (n !== length) {
        throw new InvalidFeedError(
          model,
          input.name,
          `data has ${length} elements but dims ${formatDims(dims)} need ${n}`,
          expected,
          `${describe(type, dims)} with ${length} elements`,
        );
      }
    }
    const given = describe(type, dims);
    if (type !== input.type) {
      throw new InvalidFeedError(model, input.name, 'wrong dtype', expected, given);
    }
    if (input.dims !== undefined) {
      if (dims.length !== input.dims.length) {
        throw new InvalidFeedError(
          model,
          input.name,
          `wrong rank (${dims.length} instead of ${input.dims.length})`,
          expected,
          given,
        );
      }
      for (let axis = 0; axis < dims.length; axis++) {
        const want = input.dims[axis]!;
        const got = dims[axis] as number;
        if (typeof want === 'number') {
          if (want !== got) {
            throw new InvalidFeedError(
              model,
              input.name,
              `wrong size on axis ${axis} (${got} instead of ${want})`,
              expected,
              given,
            );
          }
        } else if (want !== '') {
          const bound = symbols.get(want);
          if (bound && bound.value !== got) {
            throw new InvalidFeedError(
              model,
              input.name,
              `symbolic dim "${want}" is ${got} on axis ${axis} but ${bound.value} in input "${bound.input}"`,
              expected,
              given,
            );
          }
          if (!bound) symbols.set(want, { value: got, input: input.name });
        }
      }
    }
    checked.push({
      name: input.name,
      type: type as TensorType,
      dims: dims as number[],
      data,
      value: feed,
    });
  }
  return checked;
}
