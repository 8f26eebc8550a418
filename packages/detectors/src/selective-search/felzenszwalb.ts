/**
 * Felzenszwalb–Huttenlocher graph-based segmentation ("Efficient Graph-Based Image
 * Segmentation", IJCV 2004), the initial regions of selective search.
 *
 * Pixels are vertices; each pixel has edges to its right, lower, lower-right and upper-right
 * neighbours (8-connectivity, the paper's; or right and lower only, 4-connectivity), weighted by the Euclidean colour distance after Gaussian
 * smoothing. Edges are taken in increasing weight; two components A and B merge when the edge
 * weight is at most both internal differences `Int(C) + k/|C|` — `Int(C)` being the largest
 * edge weight of C's minimum spanning tree, which, edges coming in increasing order, is the
 * weight of the edge that last grew C. Components smaller than `minSize` are then joined to a
 * neighbour, again in edge order.
 *
 * The graph (smoothing, edges, their sorted order) depends only on the image and sigma, so
 * `buildPixelGraph` runs once per colour space and `segmentPixelGraph` once per k.
 */
import { assertInteger, assertNumberInRange, InvalidArgumentError } from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import type { Planes } from './colour.js';

/** Options of {@link felzenszwalbSegmentation}. */
export interface FelzenszwalbOptions {
  /** Gaussian smoothing before building the graph, in pixels; 0 = none. Default 0.8. */
  readonly sigma?: number;
  /** Scale of observation: larger k, larger components. Default 100. */
  readonly k?: number;
  /** Components smaller than this many pixels are merged into a neighbour. Default 20. */
  readonly minSize?: number;
  /** Pixel neighbourhood: 8 (default, the paper's) or 4. */
  readonly connectivity?: 4 | 8;
}

/** A segmentation: `labels[y·width + x]` ∈ 0..count−1, numbered in raster order of first pixel. */
export interface Segmentation {
  readonly labels: Int32Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The pixel graph of one image, edges stored by increasing weight (ties: right edges in
 * raster order, then down, down-right, up-right), so segmenting reads them in sequence.
 */
export interface PixelGraph {
  readonly width: number;
  readonly height: number;
  /** [M] first pixel of each edge. */
  readonly from: Int32Array;
  /** [M] second pixel. */
  readonly to: Int32Array;
  /** [M] colour distance, non-decreasing. */
  readonly weight: Float32Array;
  /** The smoothed planes the weights were computed from, one [H·W] array per channel. */
  readonly smoothed: readonly Float32Array[];
}

/** FH's Gaussian mask: `ceil(4σ) + 1` taps of exp(−½(i/σ)²), normalised over both sides. */
function gaussianMask(sigma: number): Float32Array {
  const s = Math.max(sigma, 0.01);
  const len = Math.ceil(s * 4) + 1;
  const mask = new Float32Array(len);
  let sum = 0;
  for (let i = 0; i < len; i++) {
    mask[i] = Math.exp(-0.5 * (i / s) * (i / s));
    sum += i === 0 ? mask[i]! : 2 * mask[i]!;
  }
  for (let i = 0; i < len; i++) mask[i] = mask[i]! / sum;
  return mask;
}

/**
 * Separable Gaussian smoothing with replicated borders.
 * @param src one plane [H,W]
 * @returns a new plane [H,W] float32
 */
export function gaussianSmooth(
  src: Float32Array,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  if (sigma <= 0) return src.slice();
  const mask = gaussianMask(sigma);
  const tmp = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  // rows: pad each row into a buffer so the inner loop has no border tests
  const len = mask.length;
  const pad = len - 1;
  const row = new Float32Array(width + 2 * pad);
  const [m0, m1, m2, m3, m4] = [mask[0]!, mask[1] ?? 0, mask[2] ?? 0, mask[3] ?? 0, mask[4] ?? 0];
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < pad; x++) {
      row[x] = src[o]!;
      row[pad + width + x] = src[o + width - 1]!;
    }
    row.set(src.subarray(o, o + width), pad);
    if (len === 5) {
      // σ in (0.75, 1]: five taps, unrolled (same sums in the same order)
      for (let x = 0; x < width; x++) {
        const c = x + pad;
        let acc = m0 * row[c]!;
        acc += m1 * (row[c - 1]! + row[c + 1]!);
        acc += m2 * (row[c - 2]! + row[c + 2]!);
        acc += m3 * (row[c - 3]! + row[c + 3]!);
        acc += m4 * (row[c - 4]! + row[c + 4]!);
        tmp[o + x] = acc;
      }
      continue;
    }
    for (let x = 0; x < width; x++) {
      const c = x + pad;
      let acc = mask[0]! * row[c]!;
      for (let i = 1; i < len; i++) acc += mask[i]! * (row[c - i]! + row[c + i]!);
      tmp[o + x] = acc;
    }
  }
  // columns: accumulate whole rows at a time (cache friendly)
  for (let y = 0; y < height; y++) {
    const o = y * width;
    const m0 = mask[0]!;
    for (let x = 0; x < width; x++) out[o + x] = m0 * tmp[o + x]!;
    for (let i = 1; i < len; i++) {
      const mi = mask[i]!;
      const u = Math.max(y - i, 0) * width;
      const d = (y + i >= height ? height - 1 : y + i) * width;
      for (let x = 0; x < width; x++) out[o + x]! += mi * (tmp[u + x]! + tmp[d + x]!);
    }
  }
  return out;
}

/**
 * Sorts edges by increasing non-negative float32 weight (stable: equal weights keep their
 * order): a two-pass radix sort on the weight's bits (low 16, then high 16; both counts in one
 * pass), keys carried along so the second pass reads sequentially and writes the sorted
 * `from`, `to` and `weight` arrays directly.
 */
function sortEdges(
  weight: Float32Array,
  fromAll: Int32Array,
  toAll: Int32Array,
): { from: Int32Array; to: Int32Array; weight: Float32Array } {
  const n = weight.length;
  const bits = new Uint32Array(weight.buffer, weight.byteOffset, n);
  const lo = new Int32Array(65536);
  const hi = new Int32Array(65536);
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    lo[b & 0xffff]!++;
    hi[b >>> 16]!++;
  }
  let sLo = 0;
  let sHi = 0;
  for (let i = 0; i < 65536; i++) {
    const a = lo[i]!;
    lo[i] = sLo;
    sLo += a;
    const c = hi[i]!;
    hi[i] = sHi;
    sHi += c;
  }
  const key = new Uint32Array(n);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const pos = lo[b & 0xffff]!++;
    key[pos] = b;
    idx[pos] = i;
  }
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const sorted = new Float32Array(n);
  const sortedBits = new Uint32Array(sorted.buffer);
  for (let j = 0; j < n; j++) {
    const b = key[j]!;
    const e = idx[j]!;
    const pos = hi[b >>> 16]!++;
    from[pos] = fromAll[e]!;
    to[pos] = toAll[e]!;
    sortedBits[pos] = b;
  }
  return { from, to, weight: sorted };
}

function checkPlanes(name: string, planes: Planes | RgbImage): Planes {
  if (planes === null || typeof planes !== 'object' || !(planes.data instanceof Uint8Array)) {
    throw new InvalidArgumentError(name, 'expected { data: Uint8Array, width, height }');
  }
  const channels = 'channels' in planes ? planes.channels : 3;
  assertInteger(`${name}.width`, planes.width, 1);
  assertInteger(`${name}.height`, planes.height, 1);
  assertInteger(`${name}.channels`, channels, 1);
  if (planes.data.length !== planes.width * planes.height * channels) {
    throw new InvalidArgumentError(
      `${name}.data`,
      `expected ${planes.width}×${planes.height}×${channels} = ${planes.width * planes.height * channels} bytes, got ${planes.data.length}`,
    );
  }
  return { data: planes.data, width: planes.width, height: planes.height, channels };
}

/**
 * Smooths `planes` and builds the 8-connected pixel graph with its edges sorted by weight.
 * @param planes [H,W,C] uint8 (an `RgbImage` is C = 3)
 */
export function buildPixelGraph(
  planes: Planes | RgbImage,
  sigma = 0.8,
  connectivity: 4 | 8 = 8,
): PixelGraph {
  const p = checkPlanes('planes', planes);
  assertNumberInRange('sigma', sigma, 0, 100);
  if (connectivity !== 4 && connectivity !== 8) {
    throw new InvalidArgumentError('connectivity', `expected 4 or 8, got ${connectivity}`);
  }
  const { width: w, height: h, channels: c, data } = p;
  const n = w * h;
  const smooth: Float32Array[] = [];
  const plane = new Float32Array(n);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < n; i++) plane[i] = data[i * c + ch]!;
    smooth.push(gaussianSmooth(plane, w, h, sigma));
  }
  // Edges of direction d (right, down, down-right, up-right) from every pixel that has that
  // neighbour, direction by direction, in raster order.
  const offsets = [1, w, w + 1, 1 - w];
  const directions = connectivity === 8 ? 4 : 2;
  const maxEdges = directions * n;
  const weight = new Float32Array(maxEdges);
  const fromAll = new Int32Array(maxEdges);
  const toAll = new Int32Array(maxEdges);
  let m = 0;
  for (let d = 0; d < directions; d++) {
    const off = offsets[d]!;
    const x1 = d === 1 ? w : w - 1; // columns with a neighbour in direction d
    const y0 = d === 3 ? 1 : 0;
    const y1 = d === 0 || d === 3 ? h : h - 1;
    if (c === 3) {
      const [s0, s1, s2] = smooth as [Float32Array, Float32Array, Float32Array];
      for (let y = y0; y < y1; y++) {
        for (let i = y * w, end = i + x1; i < end; i++, m++) {
          const j = i + off;
          const d0 = s0[i]! - s0[j]!;
          const d1 = s1[i]! - s1[j]!;
          const d2 = s2[i]! - s2[j]!;
          weight[m] = Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
          fromAll[m] = i;
          toAll[m] = j;
        }
      }
    } else {
      for (let y = y0; y < y1; y++) {
        for (let i = y * w, end = i + x1; i < end; i++, m++) {
          let sum = 0;
          for (let ch = 0; ch < c; ch++) {
            const s = smooth[ch]!;
            const diff = s[i]! - s[i + off]!;
            sum += diff * diff;
          }
          weight[m] = Math.sqrt(sum);
          fromAll[m] = i;
          toAll[m] = i + off;
        }
      }
    }
  }
  const {
    from,
    to,
    weight: sorted,
  } = sortEdges(weight.subarray(0, m), fromAll.subarray(0, m), toAll.subarray(0, m));
  return { width: w, height: h, from, to, weight: sorted, smoothed: smooth };
}

/**
 * Segments a pixel graph at scale `k` (FH's `segment_graph` + the small-component pass).
 * @returns labels [H·W] numbered 0..count−1 in raster order
 */
export function segmentPixelGraph(graph: PixelGraph, k: number, minSize: number): Segmentation {
  assertNumberInRange('k', k, 0);
  assertNumberInRange('minSize', minSize, 0);
  const { width, height, from, to, weight } = graph;
  const n = width * height;
  const m = weight.length;
  const parent = new Int32Array(n);
  const rank = new Uint8Array(n);
  const size = new Int32Array(n).fill(1);
  const threshold = new Float32Array(n).fill(k);
  for (let i = 0; i < n; i++) parent[i] = i;
  for (let j = 0; j < m; j++) {
    let a = from[j]!;
    while (parent[a] !== a) {
      const g = parent[parent[a]!]!;
      parent[a] = g;
      a = g;
    }
    let b = to[j]!;
    while (parent[b] !== b) {
      const g = parent[parent[b]!]!;
      parent[b] = g;
      b = g;
    }
    if (a === b) continue;
    const w = weight[j]!;
    if (w <= threshold[a]! && w <= threshold[b]!) {
      let r: number;
      if (rank[a]! > rank[b]!) {
        parent[b] = a;
        r = a;
      } else {
        parent[a] = b;
        if (rank[a] === rank[b]) rank[b]!++;
        r = b;
      }
      size[r] = size[a]! + size[b]!;
      threshold[r] = w + k / size[r]!;
    }
  }
  if (minSize > 1) {
    // Components still below minSize; the pass stops when none is left.
    let small = 0;
    for (let i = 0; i < n; i++) if (parent[i] === i && size[i]! < minSize) small++;
    // Pixels of components that are small now. Components only grow in this pass, so an edge
    // between two pixels of components already large is never taken: it is skipped without
    // looking up its components (most edges are such).
    const inSmall = new Uint8Array(n);
    if (small > 0) {
      for (let i = 0; i < n; i++) {
        let r = i;
        while (parent[r] !== r) r = parent[r]!;
        if (size[r]! < minSize) inSmall[i] = 1;
      }
    }
    for (let j = 0; j < m && small > 0; j++) {
      if (inSmall[from[j]!] === 0 && inSmall[to[j]!] === 0) continue;
      let a = from[j]!;
      while (parent[a] !== a) {
        const g = parent[parent[a]!]!;
        parent[a] = g;
        a = g;
      }
      let b = to[j]!;
      while (parent[b] !== b) {
        const g = parent[parent[b]!]!;
        parent[b] = g;
        b = g;
      }
      const sa = size[a]!;
      const sb = size[b]!;
      if (a === b || (sa >= minSize && sb >= minSize)) continue;
      const joined = sa + sb;
      small -= (sa < minSize ? 1 : 0) + (sb < minSize ? 1 : 0) - (joined < minSize ? 1 : 0);
      if (rank[a]! > rank[b]!) {
        parent[b] = a;
        size[a] = joined;
      } else {
        parent[a] = b;
        if (rank[a] === rank[b]) rank[b]!++;
        size[b] = joined;
      }
    }
  }
  const labels = new Int32Array(n);
  const id = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    if (id[r] === -1) id[r] = count++;
    labels[i] = id[r]!;
  }
  return { labels, count, width, height };
}

/**
 * Felzenszwalb–Huttenlocher segmentation of one image.
 * @param image [H,W,C] uint8 planes (an `RgbImage` is C = 3)
 * @returns labels [H·W] in 0..count−1
 * @throws InvalidArgumentError on a malformed image or options
 */
export function felzenszwalbSegmentation(
  image: Planes | RgbImage,
  options: FelzenszwalbOptions = {},
): Segmentation {
  const sigma = options.sigma ?? 0.8;
  const k = options.k ?? 100;
  const minSize = options.minSize ?? 20;
  assertNumberInRange('options.sigma', sigma, 0, 100);
  assertNumberInRange('options.k', k, 0);
  assertNumberInRange('options.minSize', minSize, 0);
  return segmentPixelGraph(buildPixelGraph(image, sigma, options.connectivity ?? 8), k, minSize);
}
