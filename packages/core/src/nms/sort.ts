/**
 * Score orderings used by the NMS family (internal).
 *
 * - `sortByScoreDescending`: stable, i.e. ties keep their incoming order — the order of
 *   `torch.sort(scores, stable=True, descending=True)`, which torchvision 0.14's CPU `nms`
 *   kernel uses (ties: lower index first). An LSD radix sort on the float32 bit patterns.
 * - `torchUnstableSortDescending`: the order of `torch.sort(values, descending=True)` on the
 *   CPU in torch 1.13, which is libstdc++'s `std::sort` (introsort) over (value, index)
 *   pairs comparing values only. torchvision's `batched_nms` sorts its result with it when it
 *   takes the per-class path (more than 1000 boxes on CPU), so equal scores come out in this
 *   particular order. Reproduced step by step (median-of-3 pivot, unguarded partition,
 *   16-element insertion sort, heap-sort fallback at depth 2·⌊log2 n⌋).
 */

const SMALL = 48;
const histogram = new Uint32Array(3 * 2048);

/** Float32 bits → a key whose ascending order is descending score order; −0 counts as +0. */
export function descendingKey(bits: number): number {
  if (bits === 0x80000000) return 0x7fffffff;
  return bits & 0x80000000 ? bits >>> 0 : ~bits & 0x7fffffff;
}

/**
 * Sorts `order[0..count)` (indices into `scores`) by decreasing score, stably: equal scores
 * keep the order they had in `order`. Scores must not be NaN.
 */
export function sortByScoreDescending(
  scores: Float32Array,
  order: Int32Array,
  count: number,
): void {
  if (count < 2) return;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  if (count <= SMALL) {
    // Stable insertion sort on keys.
    const keys = new Uint32Array(count);
    for (let i = 0; i < count; i++) keys[i] = descendingKey(bits[order[i]!]!);
    for (let i = 1; i < count; i++) {
      const k = keys[i]!;
      const v = order[i]!;
      let j = i - 1;
      while (j >= 0 && keys[j]! > k) {
        keys[j + 1] = keys[j]!;
        order[j + 1] = order[j]!;
        j--;
      }
      keys[j + 1] = k;
      order[j + 1] = v;
    }
    return;
  }
  let keysA = new Uint32Array(count);
  let keysB = new Uint32Array(count);
  let idxA: Int32Array = order;
  let idxB: Int32Array = new Int32Array(count);
  const h = histogram;
  h.fill(0);
  for (let i = 0; i < count; i++) {
    const k = descendingKey(bits[order[i]!]!);
    keysA[i] = k;
    h[k & 0x7ff]!++;
    h[2048 + ((k >>> 11) & 0x7ff)]!++;
    h[4096 + (k >>> 22)]!++;
  }
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    const shift = pass * 11;
    // A digit every key shares moves nothing: skip the pass.
    let sum = 0;
    let skip = false;
    for (let d = 0; d < 2048; d++) {
      const c = h[base + d]!;
      if (c === count) {
        skip = true;
        break;
      }
      h[base + d] = sum;
      sum += c;
    }
    if (skip) continue;
    for (let i = 0; i < count; i++) {
      const k = keysA[i]!;
      const dst = h[base + ((k >>> shift) & 0x7ff)]!++;
      keysB[dst] = k;
      idxB[dst] = idxA[i]!;
    }
    const tk = keysA;
    keysA = keysB;
    keysB = tk;
    const ti = idxA;
    idxA = idxB;
    idxB = ti;
  }
  if (idxA !== order) order.set(idxA.subarray(0, count));
}

/**
 * Reorders the pairs (`values[i]`, `indices[i]`) in place exactly as libstdc++'s `std::sort`
 * with the comparator `a.value > b.value` does — the order `torch.sort(values,
 * descending=True)` gives on the CPU in torch 1.13. Values must not be NaN.
 */
export function torchUnstableSortDescending(values: Float32Array, indices: Int32Array): void {
  const n = values.length;
  if (n < 2) return;
  introsortLoop(values, indices, 0, n, 2 * (31 - Math.clz32(n)));
  if (n > 16) {
    insertionSort(values, indices, 0, 16);
    for (let i = 16; i < n; i++) unguardedLinearInsert(values, indices, i);
  } else {
    insertionSort(values, indices, 0, n);
  }
}

function swap(v: Float32Array, x: Int32Array, a: number, b: number): void {
  const tv = v[a]!;
  v[a] = v[b]!;
  v[b] = tv;
  const tx = x[a]!;
  x[a] = x[b]!;
  x[b] = tx;
}

function introsortLoop(
  v: Float32Array,
  x: Int32Array,
  first: number,
  last: number,
  depth: number,
): void {
  while (last - first > 16) {
    if (depth === 0) {
      heapSort(v, x, first, last);
      return;
    }
    depth--;
    const mid = first + ((last - first) >> 1);
    moveMedianToFirst(v, x, first, first + 1, mid, last - 1);
    const cut = unguardedPartition(v, x, first + 1, last, first);
    introsortLoop(v, x, cut, last, depth);
    last = cut;
  }
}

function moveMedianToFirst(
  v: Float32Array,
  x: Int32Array,
  result: number,
  a: number,
  b: number,
  c: number,
): void {
  if (v[a]! > v[b]!) {
    if (v[b]! > v[c]!) swap(v, x, result, b);
    else if (v[a]! > v[c]!) swap(v, x, result, c);
    else swap(v, x, result, a);
  } else if (v[a]! > v[c]!) swap(v, x, result, a);
  else if (v[b]! > v[c]!) swap(v, x, result, c);
  else swap(v, x, result, b);
}

function unguardedPartition(
  v: Float32Array,
  x: Int32Array,
  first: number,
  last: number,
  pivot: number,
): number {
  for (;;) {
    while (v[first]! > v[pivot]!) first++;
    last--;
    while (v[pivot]! > v[last]!) last--;
    if (!(first < last)) return first;
    swap(v, x, first, last);
    first++;
  }
}

function unguardedLinearInsert(v: Float32Array, x: Int32Array, last: number): void {
  const val = v[last]!;
  const idx = x[last]!;
  let next = last - 1;
  while (val > v[next]!) {
    v[last] = v[next]!;
    x[last] = x[next]!;
    last = next;
    next--;
  }
  v[last] = val;
  x[last] = idx;
}

function insertionSort(v: Float32Array, x: Int32Array, first: number, last: number): void {
  for (let i = first + 1; i < last; i++) {
    if (v[i]! > v[first]!) {
      const val = v[i]!;
      const idx = x[i]!;
      v.copyWithin(first + 1, first, i);
      x.copyWithin(first + 1, first, i);
      v[first] = val;
      x[first] = idx;
    } else {
      unguardedLinearInsert(v, x, i);
    }
  }
}

function adjustHeap(
  v: Float32Array,
  x: Int32Array,
  first: number,
  hole: number,
  len: number,
  val: number,
  idx: number,
): void {
  const top = hole;
  let child = hole;
  while (child < (len - 1) >> 1) {
    child = 2 * (child + 1);
    if (v[first + child]! > v[first + child - 1]!) child--;
    v[first + hole] = v[first + child]!;
    x[first + hole] = x[first + child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === (len - 2) >> 1) {
    child = 2 * (child + 1);
    v[first + hole] = v[first + child - 1]!;
    x[first + hole] = x[first + child - 1]!;
    hole = child - 1;
  }
  // __push_heap
  let parent = (hole - 1) >> 1;
  while (hole > top && v[first + parent]! > val) {
    v[first + hole] = v[first + parent]!;
    x[first + hole] = x[first + parent]!;
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  v[first + hole] = val;
  x[first + hole] = idx;
}

function heapSort(v: Float32Array, x: Int32Array, first: number, last: number): void {
  const len = last - first;
  if (len >= 2) {
    for (let parent = (len - 2) >> 1; ; parent--) {
      adjustHeap(v, x, first, parent, len, v[first + parent]!, x[first + parent]!);
      if (parent === 0) break;
    }
  }
  while (last - first > 1) {
    last--;
    const val = v[last]!;
    const idx = x[last]!;
    v[last] = v[first]!;
    x[last] = x[first]!;
    adjustHeap(v, x, first, 0, last - first, val, idx);
  }
}
