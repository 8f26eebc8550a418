import { InvalidArgumentError } from '@ocelot/core';
import { linspace } from './numpy.js';
import type { CocoAreaRange, CocoEvalOptions } from './types.js';

/** pycocotools' default IoU thresholds `np.linspace(.5, .95, 10)`. */
export const COCO_IOU_THRESHOLDS: Float64Array = linspace(0.5, 0.95, 10);
/** pycocotools' default recall thresholds `np.linspace(0, 1, 101)`. */
export const COCO_RECALL_THRESHOLDS: Float64Array = linspace(0, 1, 101);
/** pycocotools' default maxDets. */
export const COCO_MAX_DETS: readonly number[] = [1, 10, 100];
/** pycocotools' default area ranges (`areaRng` with `areaRngLbl`). */
export const COCO_AREA_RANGES: readonly CocoAreaRange[] = [
  { label: 'all', min: 0, max: 1e10 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e10 },
];

/** Options after defaults and checks; everything `evaluateCoco` needs besides the data. */
export interface ResolvedParams {
  readonly iouType: 'bbox' | 'segm';
  readonly iouThresholds: Float64Array;
  readonly recallThresholds: Float64Array;
  readonly maxDets: readonly number[];
  readonly areaRanges: readonly CocoAreaRange[];
  readonly useCats: boolean;
}

function finiteArray(name: string, values: unknown): Float64Array {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new InvalidArgumentError(name, 'expected an array of numbers');
  }
  const arr = values as ArrayLike<unknown>;
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${name}[${i}]`, `expected a finite number, got ${String(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/** Applies pycocotools' defaults to `options` and validates them. */
export function resolveParams(options: CocoEvalOptions): ResolvedParams {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', "expected an object with iouType 'bbox' or 'segm'");
  }
  const { iouType } = options;
  if (iouType !== 'bbox' && iouType !== 'segm') {
    throw new InvalidArgumentError(
      'options.iouType',
      `expected 'bbox' or 'segm', got ${JSON.stringify(iouType)}`,
    );
  }
  const iouThresholds =
    options.iouThresholds === undefined
      ? COCO_IOU_THRESHOLDS.slice()
      : finiteArray('options.iouThresholds', options.iouThresholds);
  if (iouThresholds.length === 0) {
    throw new InvalidArgumentError('options.iouThresholds', 'expected at least one threshold');
  }
  const recallThresholds =
    options.recallThresholds === undefined
      ? COCO_RECALL_THRESHOLDS.slice()
      : finiteArray('options.recallThresholds', options.recallThresholds);
  let maxDets: number[] = [...COCO_MAX_DETS];
  if (options.maxDets !== undefined) {
    const m = finiteArray('options.maxDets', options.maxDets);
    if (m.length === 0)
      throw new InvalidArgumentError('options.maxDets', 'expected at least one value');
    maxDets = Array.from(m);
    for (let i = 0; i < maxDets.length; i++) {
      if (!Number.isInteger(maxDets[i]) || maxDets[i]! < 0) {
        throw new InvalidArgumentError(
          `options.maxDets[${i}]`,
          `expected an integer >= 0, got ${maxDets[i]}`,
        );
      }
    }
    maxDets.sort((a, b) => a - b); // pycocotools: p.maxDets = sorted(p.maxDets)
    for (let i = 1; i < maxDets.length; i++) {
      if (maxDets[i] === maxDets[i - 1]) {
        throw new InvalidArgumentError('options.maxDets', `duplicate value ${maxDets[i]}`);
      }
    }
  }
  let areaRanges = COCO_AREA_RANGES;
  if (options.areaRanges !== undefined) {
    if (!Array.isArray(options.areaRanges) || options.areaRanges.length === 0) {
      throw new InvalidArgumentError(
        'options.areaRanges',
        'expected a non-empty array of { label, min, max }',
      );
    }
    areaRanges = options.areaRanges.map((r, i) => {
      const name = `options.areaRanges[${i}]`;
      if (r === null || typeof r !== 'object')
        throw new InvalidArgumentError(name, 'expected { label, min, max }');
      if (typeof r.label !== 'string')
        throw new InvalidArgumentError(`${name}.label`, 'expected a string');
      if (typeof r.min !== 'number' || Number.isNaN(r.min)) {
        throw new InvalidArgumentError(`${name}.min`, `expected a number, got ${String(r.min)}`);
      }
      if (typeof r.max !== 'number' || Number.isNaN(r.max)) {
        throw new InvalidArgumentError(`${name}.max`, `expected a number, got ${String(r.max)}`);
      }
      return { label: r.label, min: r.min, max: r.max };
    });
    const labels = new Set<string>();
    for (const r of areaRanges) {
      if (labels.has(r.label)) {
        throw new InvalidArgumentError(
          'options.areaRanges',
          `duplicate label ${JSON.stringify(r.label)}`,
        );
      }
      labels.add(r.label);
    }
  }
  if (options.useCats !== undefined && typeof options.useCats !== 'boolean') {
    throw new InvalidArgumentError('options.useCats', 'expected a boolean');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidArgumentError(
      'options.onProgress',
      'expected a function (done, total) => void',
    );
  }
  return {
    iouType,
    iouThresholds,
    recallThresholds,
    maxDets,
    areaRanges,
    useCats: options.useCats ?? true,
  };
}
