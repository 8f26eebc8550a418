/**
 * Score selection used by the decoders: top-k by decreasing score over a subset of indices,
 * without sorting everything. Internal to the package.
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** 2^21: indices below it fit beside a 32-bit score key in a float64's 53-bit integer range. */
const INDEX_SPAN = 2097152;

/**
 * Largest-first order with lower index first on ties (a total, deterministic order), in place.
 * Beyond a few dozen entries each (score, index) becomes one float64 sort key — the float32
 * score's bits mapped to an unsigned integer that increases with the score (−0 counted as +0,
 * as the comparison does), inverted, times 2^21, plus the index — and the keys are sorted
 * natively, without a comparison callback per step. Scores must not be NaN.
 */
export function sortByScore(scores: Float32Array, indices: Int32Array): Int32Array {
  const n = indices.length;
  if (n < 48) return indices.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const index = indices[i]!;
    if (index < 0 || index >= INDEX_SPAN) {
      return indices.sort((a, b) => scores[b]! - scores[a]! || a - b);
    }
    F32[0] = scores[index]! + 0; // −0 + 0 = +0
    const bits = U32[0]!;
    // order-preserving map of float32 bits to 0..2^32−1: flip negatives, set the sign bit of positives
    const ordered = bits >= 0x80000000 ? 0xffffffff - bits : bits + 0x80000000;
    keys[i] = (0xffffffff - ordered) * INDEX_SPAN + index;
  }
  keys.sort();
  for (let i = 0; i < n; i++) indices[i] = keys[i]! % INDEX_SPAN;
  return indices;
}

/** Hoare-style quickselect: moves the `k`-th largest of `values[0..n)` to position k - 1. */
function kthLargest(values: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    // median of a, b, c
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}

/**
 * The `k` best of `candidates[0..count)` (indices into `scores`), by decreasing score; equal
 * scores in increasing index order. Does not modify `candidates`. Scores must not be NaN.
 * @param scores [N]
 * @param candidates indices into `scores`, increasing
 * @param count how many entries of `candidates` are used
 * @param k how many to keep (Infinity = all)
 * @returns min(k, count) indices into `scores`, best first
 */
export function topKIndices(
  scores: Float32Array,
  candidates: Int32Array,
  count: number,
  k: number,
): Int32Array {
  if (count <= k) return sortByScore(scores, candidates.slice(0, count));
  if (k <= 0) return new Int32Array(0);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = scores[candidates[i]!]!;
  const cut = kthLargest(values, count, k);
  let above = 0;
  for (let i = 0; i < count; i++) if (scores[candidates[i]!]! > cut) above++;
  const out = new Int32Array(k);
  let o = 0;
  let ties = k - above;
  for (let i = 0; i < count && o < k; i++) {
    const c = candidates[i]!;
    const s = scores[c]!;
    if (s > cut) out[o++] = c;
    else if (s === cut && ties > 0) {
      out[o++] = c;
      ties--;
    }
  }
  return sortByScore(scores, out);
}

/** `1 / (1 + e^-x)`, as torch computes it in float32 (to within an ulp). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
