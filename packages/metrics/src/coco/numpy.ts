/**
 * The few numpy / Python behaviours COCOeval's numbers depend on, reproduced bit for bit:
 * `np.linspace`, `np.mean` (pairwise summation), `np.searchsorted(side='left')` and Python's
 * `'{:0.3f}'.format` (round-half-even on the exact binary value).
 */

/** `np.linspace(start, stop, num, endpoint=True)` as float64, exactly as numpy computes it. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 0) return out;
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  // numpy: y = arange(num) * step; y += start; y[-1] = stop.
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * numpy's pairwise summation (`pairwise_sum` in loops_utils.h) over `values[0..n)`, the sum
 * `np.add.reduce` / `np.mean` compute for a contiguous float64 array.
 */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length): number {
  if (n < 8) {
    // numpy starts from -0.0 so that an all -0.0 input sums to -0.0.
    let res = -0;
    for (let i = 0; i < n; i++) res += values[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = values[start]!;
    let r1 = values[start + 1]!;
    let r2 = values[start + 2]!;
    let r3 = values[start + 3]!;
    let r4 = values[start + 4]!;
    let r5 = values[start + 5]!;
    let r6 = values[start + 6]!;
    let r7 = values[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const o = start + i;
      r0 += values[o]!;
      r1 += values[o + 1]!;
      r2 += values[o + 2]!;
      r3 += values[o + 3]!;
      r4 += values[o + 4]!;
      r5 += values[o + 5]!;
      r6 += values[o + 6]!;
      r7 += values[o + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += values[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/**
 * `np.sum` of a contiguous 1-D float64 array: numpy's reduction runs its buffered iterator in
 * chunks of 8192 elements (the default buffer size), summing each chunk pairwise and adding
 * the chunk sums in order.
 */
export function numpySum(values: ArrayLike<number>, n = values.length): number {
  if (n <= NUMPY_BUFFER_SIZE) return pairwiseSum(values, 0, n);
  let res = 0;
  for (let s = 0; s < n; s += NUMPY_BUFFER_SIZE) {
    res += pairwiseSum(values, s, Math.min(NUMPY_BUFFER_SIZE, n - s));
  }
  return res;
}

const NUMPY_BUFFER_SIZE = 8192;

/** `np.mean` of a contiguous 1-D float64 array (NaN for an empty one, as numpy). */
export function numpyMean(values: ArrayLike<number>, n = values.length): number {
  return numpySum(values, n) / n;
}

/**
 * `np.searchsorted(sorted, value, side='left')`: the first index i with
 * `sorted[i] >= value` (n if none), for an ascending `sorted[0..n)`.
 */
export function searchSortedLeft(sorted: ArrayLike<number>, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Python's `'{:0.<digits>f}'.format(x)`: correctly rounded from the exact binary value with
 * ties to even. JavaScript's `toFixed` breaks exact ties upwards (0.0625 → "0.063" where
 * Python prints "0.062"); an exact tie at d digits is an odd multiple of 2^-(d+1), so only
 * those values need fixing.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  let s = x.toFixed(digits);
  const scaled = x * 2 ** (digits + 1); // exact: multiplication by a power of two
  if (Number.isInteger(scaled) && Math.abs(scaled % 2) === 1 && Math.abs(x) < 1e15) {
    // Exact tie: toFixed rounded away from zero; round to even instead.
    const lastDigit = s.charCodeAt(s.length - 1) - 48;
    if (lastDigit % 2 === 1) {
      const down = Math.sign(x) * (Math.abs(x) - 0.5 * 10 ** -digits);
      s = down.toFixed(digits);
    }
  }
  // Python keeps the sign of a negative value that rounds to zero ("-0.000"), as toFixed
  // does not; COCO numbers never hit that case but keep the behaviour faithful.
  if (x < 0 && !s.startsWith('-')) s = `-${s}`;
  if (Object.is(x, -0)) s = `-${s}`;
  return s;
}
