/**
 * Instance segment options: the detection options (@ocelot/detectors' layering and checks)
 * plus the mask threshold and format, per call over the card's `defaults` over the
 * architecture's.
 */
import { InvalidArgumentError } from '@ocelot/core';
import {
  type DetectOptions,
  type ResolvedDetectOptions,
  resolveDetectOptions,
} from '@ocelot/detectors';
import type { InstanceMaskFormat, InstanceSegmentOptions } from '../types.js';

export interface ResolvedInstanceOptions {
  readonly detect: ResolvedDetectOptions;
  readonly maskThreshold: number;
  readonly maskFormat: InstanceMaskFormat;
}

const DETECT_KEYS = [
  'scoreThreshold',
  'iouThreshold',
  'maxDetections',
  'classes',
  'classAgnostic',
  'preNmsTopK',
];

/**
 * Merges option layers (first wins) and validates them.
 * @throws InvalidArgumentError naming the option
 */
export function resolveInstanceOptions(
  classNames: readonly string[],
  ...layers: (InstanceSegmentOptions | undefined)[]
): ResolvedInstanceOptions {
  const detectLayers: DetectOptions[] = [];
  let maskThreshold: number | undefined;
  let maskFormat: InstanceMaskFormat | undefined;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer !== 'object' || layer === null) {
      throw new InvalidArgumentError('options', `expected an object, got ${String(layer)}`);
    }
    const detect: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(layer)) {
      if (k === 'maskThreshold') maskThreshold ??= v as number;
      else if (k === 'maskFormat') maskFormat ??= v as InstanceMaskFormat;
      else if (DETECT_KEYS.includes(k)) detect[k] = v;
      else {
        throw new InvalidArgumentError(
          `options.${k}`,
          `unknown option; known: ${[...DETECT_KEYS, 'maskThreshold', 'maskFormat'].join(', ')}`,
        );
      }
    }
    detectLayers.push(detect as DetectOptions);
  }
  const t = maskThreshold ?? 0.5;
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
    throw new InvalidArgumentError(
      'options.maskThreshold',
      `expected a number in [0, 1], got ${t}`,
    );
  }
  const format = maskFormat ?? 'rle';
  if (format !== 'rle' && format !== 'binary') {
    throw new InvalidArgumentError(
      'options.maskFormat',
      `expected "rle" or "binary", got ${JSON.stringify(format)}`,
    );
  }
  return {
    detect: resolveDetectOptions(classNames, ...detectLayers),
    maskThreshold: t,
    maskFormat: format,
  };
}
