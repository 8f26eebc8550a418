/**
 * Semantic segment options: per call over the card's `defaults` over the architecture's,
 * checked once, with class names resolved to indices.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { SemanticSegmentOptions, TileBlend } from '../types.js';

/** Options after defaults; what the decoder and the tiler read. */
export interface ResolvedSemanticOptions {
  /** `allowed[c] === 1` when class c may be predicted; `undefined` = all. */
  readonly allowed: Uint8Array | undefined;
  /** Classes to return probability maps for (increasing), or undefined. */
  readonly probabilities: Int32Array | undefined;
  /** Single-channel foreground probability threshold. */
  readonly threshold: number;
  readonly tile: { readonly overlap: number | undefined; readonly blend: TileBlend } | undefined;
}

function classIndex(name: string, c: number | string, classNames: readonly string[]): number {
  const index = typeof c === 'number' ? c : classNames.indexOf(c);
  if (!Number.isInteger(index) || index < 0 || index >= classNames.length) {
    throw new InvalidArgumentError(
      name,
      `unknown class ${JSON.stringify(c)}; the model has ${classNames.length} classes (${classNames.slice(0, 5).join(', ')}${classNames.length > 5 ? ', …' : ''})`,
    );
  }
  return index;
}

const KNOWN = ['classes', 'probabilities', 'threshold', 'tile'];

/**
 * Merges option layers (first wins) and validates them.
 * @param classNames the model's classes (for a one-channel model: [background, foreground])
 * @throws InvalidArgumentError naming the option
 */
export function resolveSemanticOptions(
  classNames: readonly string[],
  ...layers: (SemanticSegmentOptions | undefined)[]
): ResolvedSemanticOptions {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer !== 'object' || layer === null) {
      throw new InvalidArgumentError('options', `expected an object, got ${String(layer)}`);
    }
    for (const [k, v] of Object.entries(layer)) {
      if (!KNOWN.includes(k)) {
        throw new InvalidArgumentError(
          `options.${k}`,
          `unknown option; known: ${KNOWN.join(', ')}`,
        );
      }
      if (v !== undefined && merged[k] === undefined) merged[k] = v;
    }
  }
  const o = merged as SemanticSegmentOptions;
  let allowed: Uint8Array | undefined;
  if (o.classes !== undefined) {
    if (!Array.isArray(o.classes) || o.classes.length === 0) {
      throw new InvalidArgumentError(
        'options.classes',
        'expected a non-empty list of class indices or names',
      );
    }
    allowed = new Uint8Array(classNames.length);
    for (const c of o.classes) allowed[classIndex('options.classes', c, classNames)] = 1;
  }
  let probabilities: Int32Array | undefined;
  if (o.probabilities === true) probabilities = Int32Array.from(classNames, (_, i) => i);
  else if (Array.isArray(o.probabilities)) {
    const set = new Set(
      o.probabilities.map((c) => classIndex('options.probabilities', c, classNames)),
    );
    probabilities = Int32Array.from([...set].sort((a, b) => a - b));
  } else if (o.probabilities !== undefined && o.probabilities !== false) {
    throw new InvalidArgumentError(
      'options.probabilities',
      `expected true, false or a list of classes, got ${JSON.stringify(o.probabilities)}`,
    );
  }
  const threshold = o.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(
      'options.threshold',
      `expected a number in [0, 1], got ${threshold}`,
    );
  }
  let tile: ResolvedSemanticOptions['tile'];
  if (o.tile === true || (typeof o.tile === 'object' && o.tile !== null)) {
    const t = o.tile === true ? {} : o.tile;
    const overlap = t.overlap;
    if (overlap !== undefined && (!Number.isInteger(overlap) || overlap < 0)) {
      throw new InvalidArgumentError(
        'options.tile.overlap',
        `expected an integer >= 0, got ${overlap}`,
      );
    }
    const blend = t.blend ?? 'linear';
    if (!['linear', 'cosine', 'uniform'].includes(blend)) {
      throw new InvalidArgumentError(
        'options.tile.blend',
        `expected "linear", "cosine" or "uniform", got ${JSON.stringify(blend)}`,
      );
    }
    tile = { overlap, blend };
  } else if (o.tile !== undefined && o.tile !== false) {
    throw new InvalidArgumentError(
      'options.tile',
      `expected true, false or { overlap, blend }, got ${JSON.stringify(o.tile)}`,
    );
  }
  return { allowed, probabilities, threshold, tile };
}
