/**
 * torchvision's `BalancedPositiveNegativeSampler` (models/detection/_utils.py, 0.14).
 */
import { InvalidArgumentError } from '../errors.js';
import { assertInteger, assertNumberInRange } from '../validate.js';
import type { RandomSource } from './random.js';
import { sampleWithoutReplacement } from './random.js';

/** Options of {@link sampleBalanced}. */
export interface BalancedSamplerOptions {
  /** Examples to keep per image (RPN 256, RoI heads 512). */
  readonly batchSizePerImage: number;
  /** Wanted share of positives (RPN 0.5, RoI heads 0.25). */
  readonly positiveFraction: number;
  /** Uniform [0, 1) source. Default `Math.random`; pass `seededRandom(seed)` to reproduce. */
  readonly random?: RandomSource;
}

/** What {@link sampleBalanced} picked, as masks (like torchvision) and as sorted indices. */
export interface BalancedSample {
  /** [N] 1 where the element was picked as a positive. */
  readonly positiveMask: Uint8Array;
  /** [N] 1 where the element was picked as a negative. */
  readonly negativeMask: Uint8Array;
  /** Picked positives, ascending. */
  readonly positiveIndices: Int32Array;
  /** Picked negatives, ascending. */
  readonly negativeIndices: Int32Array;
}

function checkOptions(batchSizePerImage: number, positiveFraction: number, random: unknown): void {
  assertInteger('batchSizePerImage', batchSizePerImage, 0);
  assertNumberInRange('positiveFraction', positiveFraction, 0, 1);
  if (typeof random !== 'function') {
    throw new InvalidArgumentError('random', 'expected a function returning numbers in [0, 1)');
  }
}

/**
 * Samples at most `batchSizePerImage` elements with up to `⌊batchSizePerImage ·
 * positiveFraction⌋` positives (labels ≥ 1) and fills the rest with negatives (label 0);
 * labels < 0 (e.g. −1 "ignore", −2 between thresholds) are never picked. Uniform without
 * replacement within each group, as torchvision's `randperm`.
 * @param labels [N] per-element labels: ≥ 1 positive, 0 negative, < 0 ignored
 */
export function sampleBalanced(
  labels: Int32Array,
  options: BalancedSamplerOptions,
): BalancedSample {
  if (!(labels instanceof Int32Array)) {
    throw new InvalidArgumentError('labels', 'expected an Int32Array of labels (>= 1, 0 or < 0)');
  }
  const {
    batchSizePerImage,
    positiveFraction,
    random = Math.random,
  } = options ?? ({} as BalancedSamplerOptions);
  checkOptions(batchSizePerImage, positiveFraction, random);
  const n = labels.length;
  let numPositive = 0;
  let numNegative = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i]! >= 1) numPositive++;
    else if (labels[i] === 0) numNegative++;
  }
  const positives = new Int32Array(numPositive);
  const negatives = new Int32Array(numNegative);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i]! >= 1) positives[p++] = i;
    else if (labels[i] === 0) negatives[q++] = i;
  }
  const wantPositive = Math.min(Math.trunc(batchSizePerImage * positiveFraction), numPositive);
  const wantNegative = Math.min(batchSizePerImage - wantPositive, numNegative);
  const positiveIndices = sampleWithoutReplacement(positives, wantPositive, random).sort();
  const negativeIndices = sampleWithoutReplacement(negatives, wantNegative, random).sort();
  const positiveMask = new Uint8Array(n);
  const negativeMask = new Uint8Array(n);
  for (const i of positiveIndices) positiveMask[i] = 1;
  for (const i of negativeIndices) negativeMask[i] = 1;
  return { positiveMask, negativeMask, positiveIndices, negativeIndices };
}

/**
 * torchvision's `BalancedPositiveNegativeSampler(batch_size_per_image, positive_fraction)`,
 * holding its options and random source; see {@link sampleBalanced}.
 */
export class BalancedPositiveNegativeSampler {
  readonly batchSizePerImage: number;
  readonly positiveFraction: number;
  readonly random: RandomSource;

  constructor(
    batchSizePerImage: number,
    positiveFraction: number,
    random: RandomSource = Math.random,
  ) {
    checkOptions(batchSizePerImage, positiveFraction, random);
    this.batchSizePerImage = batchSizePerImage;
    this.positiveFraction = positiveFraction;
    this.random = random;
  }

  /** Samples one image. @param labels [N] ≥ 1 positive, 0 negative, < 0 ignored */
  sample(labels: Int32Array): BalancedSample {
    return sampleBalanced(labels, this);
  }

  /** Samples each image of a batch in turn (torchvision's `__call__` on a list). */
  sampleBatch(labelsPerImage: readonly Int32Array[]): BalancedSample[] {
    return labelsPerImage.map((labels) => this.sample(labels));
  }
}
