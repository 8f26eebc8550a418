/**
 * Detection losses matching torch / torchvision: `torchvision.ops.sigmoid_focal_loss`,
 * `F.binary_cross_entropy_with_logits`, `F.smooth_l1_loss` and `F.cross_entropy`.
 * Computed in double precision with numerically stable forms (softplus, log-sum-exp), so the
 * results equal torch's float64 results; a float32 torch run differs only by its own rounding.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import { assertFinite, assertInteger, assertLength, assertNumberInRange } from '../validate.js';

/** Float inputs the losses accept. */
export type FloatArray = Float32Array | Float64Array;

/**
 * How the per-element losses are combined, as in torch: `'none'` returns them, `'sum'` adds them,
 * `'mean'` averages them (NaN for zero elements, as torch gives).
 */
export type LossReduction = 'none' | 'mean' | 'sum';

interface WithReduction<R extends LossReduction> {
  readonly reduction?: R;
}

/** Options of {@link sigmoidFocalLoss}. */
export interface SigmoidFocalLossOptions<R extends LossReduction = LossReduction>
  extends WithReduction<R> {
  /** Weight of positives in (0, 1); negatives get 1 − alpha; < 0 disables. Default 0.25. */
  readonly alpha?: number;
  /** Focusing exponent ≥ 0 on (1 − p_t). Default 2. */
  readonly gamma?: number;
}

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1LossOptions<R extends LossReduction = LossReduction>
  extends WithReduction<R> {
  /** Switch point from quadratic to linear, ≥ 0 (0 is plain L1). Default 1; torchvision RPN 1/9. */
  readonly beta?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions<R extends LossReduction = LossReduction>
  extends WithReduction<R> {
  /** Targets equal to this contribute nothing (and do not count in the mean). Default −100. */
  readonly ignoreIndex?: number;
  /** [C] per-class weights; `'mean'` divides by the summed weights of the counted targets. */
  readonly weights?: FloatArray;
}

function checkFloatArray(name: string, value: unknown): asserts value is FloatArray {
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    const got =
      value === null ? 'null' : typeof value === 'object' ? value.constructor.name : typeof value;
    throw new InvalidArgumentError(name, `expected a Float32Array or Float64Array, got ${got}`);
  }
}

function checkPair(aName: string, a: unknown, bName: string, b: unknown): number {
  checkFloatArray(aName, a);
  checkFloatArray(bName, b);
  assertLength(bName, b, a.length);
  assertFinite(aName, a);
  assertFinite(bName, b);
  return a.length;
}

function checkReduction(reduction: unknown): LossReduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new InvalidArgumentError(
      'options.reduction',
      `expected 'none', 'mean' or 'sum', got ${String(reduction)}`,
    );
  }
  return reduction;
}

function reduce(values: Float64Array, reduction: LossReduction): Float64Array | number {
  if (reduction === 'none') return values;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return reduction === 'sum' ? sum : sum / values.length;
}

/** log(1 + e^x) without overflow or loss of precision. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** 1 / (1 + e^−x), accurate in both tails. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Binary cross-entropy on logits, `F.binary_cross_entropy_with_logits`:
 * `max(x, 0) − x·t + log(1 + e^−|x|)` per element.
 * @param inputs [...] logits
 * @param targets [...] same length, in [0, 1] (soft targets allowed)
 * @returns per-element losses (`'none'`) or their sum / mean (default `'mean'`)
 */
export function binaryCrossEntropyWithLogits(
  inputs: FloatArray,
  targets: FloatArray,
  options: { readonly reduction: 'none' },
): Float64Array;
export function binaryCrossEntropyWithLogits(
  inputs: FloatArray,
  targets: FloatArray,
  options?: WithReduction<'mean' | 'sum'>,
): number;
export function binaryCrossEntropyWithLogits(
  inputs: FloatArray,
  targets: FloatArray,
  options?: WithReduction<LossReduction>,
): Float64Array | number;
export function binaryCrossEntropyWithLogits(
  inputs: FloatArray,
  targets: FloatArray,
  options: WithReduction<LossReduction> = {},
): Float64Array | number {
  const n = checkPair('inputs', inputs, 'targets', targets);
  const reduction = checkReduction(options.reduction ?? 'mean');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = inputs[i]!;
    out[i] = softplus(x) - x * targets[i]!;
  }
  return reduce(out, reduction);
}

/**
 * RetinaNet's focal loss, `torchvision.ops.sigmoid_focal_loss`:
 * `α_t · (1 − p_t)^γ · BCE(x, t)` with `p = σ(x)`, `p_t = p·t + (1 − p)(1 − t)`,
 * `α_t = α·t + (1 − α)(1 − t)` (skipped when α < 0). `1 − p_t` is formed as
 * `p(1 − t) + (1 − p)t` from tail-accurate sigmoids, so confident logits do not cancel to 0.
 * @param inputs [...] logits
 * @param targets [...] same length, 0 / 1 labels (soft targets allowed)
 * @returns per-element losses (default `'none'`, as torchvision) or their sum / mean
 */
export function sigmoidFocalLoss(
  inputs: FloatArray,
  targets: FloatArray,
  options?: SigmoidFocalLossOptions<'none'>,
): Float64Array;
export function sigmoidFocalLoss(
  inputs: FloatArray,
  targets: FloatArray,
  options: SigmoidFocalLossOptions<'mean' | 'sum'> & { readonly reduction: 'mean' | 'sum' },
): number;
export function sigmoidFocalLoss(
  inputs: FloatArray,
  targets: FloatArray,
  options?: SigmoidFocalLossOptions,
): Float64Array | number;
export function sigmoidFocalLoss(
  inputs: FloatArray,
  targets: FloatArray,
  options: SigmoidFocalLossOptions = {},
): Float64Array | number {
  const n = checkPair('inputs', inputs, 'targets', targets);
  const alpha = options.alpha ?? 0.25;
  const gamma = options.gamma ?? 2;
  assertNumberInRange('options.alpha', alpha, Number.NEGATIVE_INFINITY, 1);
  assertNumberInRange('options.gamma', gamma, 0, Number.MAX_VALUE);
  const reduction = checkReduction(options.reduction ?? 'none');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = inputs[i]!;
    const t = targets[i]!;
    const p = sigmoid(x);
    const q = sigmoid(-x); // 1 − p without cancellation
    const oneMinusPt = p * (1 - t) + q * t;
    let loss = (softplus(x) - x * t) * oneMinusPt ** gamma;
    if (alpha >= 0) loss *= alpha * t + (1 - alpha) * (1 - t);
    out[i] = loss;
  }
  return reduce(out, reduction);
}

/**
 * `F.smooth_l1_loss`: with `z = |input − target|`, `0.5·z²/β` if `z < β`, else `z − 0.5·β`
 * (plain L1 for β = 0).
 * @param input [...] predictions
 * @param target [...] same length
 * @returns per-element losses (`'none'`) or their sum / mean (default `'mean'`, as torch)
 */
export function smoothL1Loss(
  input: FloatArray,
  target: FloatArray,
  options: SmoothL1LossOptions<'none'> & { readonly reduction: 'none' },
): Float64Array;
export function smoothL1Loss(
  input: FloatArray,
  target: FloatArray,
  options?: SmoothL1LossOptions<'mean' | 'sum'>,
): number;
export function smoothL1Loss(
  input: FloatArray,
  target: FloatArray,
  options?: SmoothL1LossOptions,
): Float64Array | number;
export function smoothL1Loss(
  input: FloatArray,
  target: FloatArray,
  options: SmoothL1LossOptions = {},
): Float64Array | number {
  const n = checkPair('input', input, 'target', target);
  const beta = options.beta ?? 1;
  assertNumberInRange('options.beta', beta, 0, Number.MAX_VALUE);
  const reduction = checkReduction(options.reduction ?? 'mean');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.abs(input[i]! - target[i]!);
    out[i] = z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
  }
  return reduce(out, reduction);
}

/**
 * `F.cross_entropy` on logits: per row `logsumexp(x) − x[target]` (times `weights[target]`);
 * rows whose target is `ignoreIndex` give 0 and are left out of the mean, which divides by the
 * summed weights of the counted rows (NaN when none count, as torch).
 * @param logits [N, C] row-major
 * @param targets [N] class indices in [0, C) or `ignoreIndex`
 * @returns per-row losses (`'none'`) or their sum / weighted mean (default `'mean'`)
 */
export function crossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  options: CrossEntropyOptions<'none'> & { readonly reduction: 'none' },
): Float64Array;
export function crossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  options?: CrossEntropyOptions<'mean' | 'sum'>,
): number;
export function crossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  options?: CrossEntropyOptions,
): Float64Array | number;
export function crossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  options: CrossEntropyOptions = {},
): Float64Array | number {
  checkFloatArray('logits', logits);
  if (!(targets instanceof Int32Array)) {
    throw new InvalidArgumentError('targets', 'expected an Int32Array of class indices');
  }
  const n = targets.length;
  if (n === 0 ? logits.length !== 0 : logits.length % n !== 0 || logits.length === 0) {
    throw new ShapeMismatchError('logits', `[N=${n}, C]`, `[${logits.length}] elements`);
  }
  const c = n === 0 ? 0 : logits.length / n;
  assertFinite('logits', logits);
  const ignoreIndex = options.ignoreIndex ?? -100;
  assertInteger('options.ignoreIndex', ignoreIndex, Number.MIN_SAFE_INTEGER);
  const weights = options.weights;
  if (weights !== undefined) {
    checkFloatArray('options.weights', weights);
    if (n > 0) assertLength('options.weights', weights, c, 'C');
    assertFinite('options.weights', weights);
  }
  const reduction = checkReduction(options.reduction ?? 'mean');
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    if (t !== ignoreIndex && (t < 0 || t >= c)) {
      throw new InvalidArgumentError(
        'targets',
        `target ${t} at index ${i} is outside [0, ${c}) and is not ignoreIndex (${ignoreIndex})`,
      );
    }
  }
  const out = new Float64Array(n);
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    if (t === ignoreIndex) continue;
    const row = i * c;
    let argmax = 0;
    for (let j = 1; j < c; j++) if (logits[row + j]! > logits[row + argmax]!) argmax = j;
    const max = logits[row + argmax]!;
    // log-sum-exp as max + log1p(Σ_{j≠argmax} e^(x_j − max)): exact for confident rows too
    let others = 0;
    for (let j = 0; j < c; j++) if (j !== argmax) others += Math.exp(logits[row + j]! - max);
    const w = weights ? weights[t]! : 1;
    out[i] = w * (max - logits[row + t]! + Math.log1p(others));
    weightSum += w;
  }
  if (reduction === 'none') return out;
  let total = 0;
  for (let i = 0; i < n; i++) total += out[i]!;
  return reduction === 'sum' ? total : total / weightSum;
}
