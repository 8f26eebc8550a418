/**
 * SSD hard-negative mining, as in torchvision's `SSD.compute_loss` (models/detection/ssd.py).
 */
import { InvalidArgumentError } from '../errors.js';
import { assertFinite, assertLength, assertNumberInRange } from '../validate.js';

/** Options of {@link hardNegativeMining}. */
export interface HardNegativeMiningOptions {
  /** Negatives kept per positive. torchvision SSD: (1 − 0.25) / 0.25 = 3. */
  readonly negPosRatio?: number;
}

/** The negatives {@link hardNegativeMining} kept. */
export interface HardNegatives {
  /** [N] 1 for each kept negative. */
  readonly negativeMask: Uint8Array;
  /** Kept negatives by decreasing loss (ties: lower index first). */
  readonly negativeIndices: Int32Array;
  /** Number of positives (labels > 0). */
  readonly numPositive: number;
}

/**
 * Keeps the `⌈negPosRatio · P⌉` background anchors with the highest classification loss, P being
 * the number of foreground anchors (labels > 0): torchvision's `idx.sort(1)[1] < num_negative`
 * on the loss with foreground set to −∞.
 *
 * Divergence: when fewer negatives exist than asked for, torchvision's mask also picks some
 * foreground anchors (their −∞ entries rank next, in an order torch's unstable sort leaves
 * unspecified), so their loss counts twice; here the mask holds only background anchors.
 * Equal losses are ranked by index (torch's sort is not stable there either).
 * @param loss [N] per-anchor classification loss (e.g. `crossEntropy(..., { reduction: 'none' })`)
 * @param labels [N] per-anchor class targets: > 0 foreground, 0 background (negative values are
 *   treated as background too, as torchvision's `cls_targets > 0` does)
 */
export function hardNegativeMining(
  loss: Float32Array | Float64Array,
  labels: Int32Array | Uint8Array,
  options: HardNegativeMiningOptions = {},
): HardNegatives {
  if (!(loss instanceof Float32Array) && !(loss instanceof Float64Array)) {
    throw new InvalidArgumentError('loss', 'expected a Float32Array or Float64Array');
  }
  if (!(labels instanceof Int32Array) && !(labels instanceof Uint8Array)) {
    throw new InvalidArgumentError('labels', 'expected an Int32Array or Uint8Array');
  }
  const n = loss.length;
  assertLength('labels', labels, n);
  assertFinite('loss', loss);
  const negPosRatio = options.negPosRatio ?? 3;
  assertNumberInRange('options.negPosRatio', negPosRatio, 0, Number.MAX_VALUE);

  let numPositive = 0;
  for (let i = 0; i < n; i++) if (labels[i]! > 0) numPositive++;
  const negatives = new Int32Array(n - numPositive);
  for (let i = 0, j = 0; i < n; i++) if (!(labels[i]! > 0)) negatives[j++] = i;
  // torch compares the integer rank with the float32 product ratio · P
  const wanted = Math.ceil(Math.fround(negPosRatio * numPositive));
  const k = Math.min(wanted, negatives.length);
  negatives.sort((a, b) => loss[b]! - loss[a]! || a - b);
  const negativeIndices = negatives.slice(0, k);
  const negativeMask = new Uint8Array(n);
  for (const i of negativeIndices) negativeMask[i] = 1;
  return { negativeMask, negativeIndices, numPositive };
}
