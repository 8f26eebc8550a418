/**
 * Hierarchical grouping (Uijlings et al. 2013, algorithm 1): start from the regions of a
 * segmentation, repeatedly merge the two most similar neighbouring regions, and record every
 * region ever made — the initial ones and each merge — until one region covers the image.
 *
 * Similarity is a sum of the chosen terms, each in [0, 1]:
 * - colour: histogram intersection of the 25-bins-per-channel colour histograms;
 * - texture: histogram intersection of the 8-orientation × 10-bin texture histograms;
 * - size: 1 − (size_i + size_j) / image size — small regions merge first;
 * - fill: 1 − (bbox_ij − size_i − size_j) / image size — regions that fill each other's gaps.
 *
 * The best pair comes from a max-heap with lazy deletion (an entry naming a region that has
 * since been merged is skipped when popped), so the whole grouping is O(E log E) plus the
 * histogram work, where OpenCV re-sorts every pair after every merge.
 */
import type { Segmentation } from './felzenszwalb.js';

/** Which similarity terms a grouping strategy adds (paper: C, T, S, F). */
export interface SimilarityTerms {
  readonly colour?: boolean;
  readonly texture?: boolean;
  readonly size?: boolean;
  readonly fill?: boolean;
}

/** The descriptors of a segmentation's initial regions, shared by every strategy. */
export interface InitialRegions {
  readonly seg: Segmentation;
  /** [count] pixels per region. */
  readonly size: Int32Array;
  /** [count,4] x1, y1, x2, y2 (inclusive pixel indices). */
  readonly bbox: Int32Array;
  /** Neighbouring pairs (a < b), flattened: [pairs,2]. */
  readonly pairs: Int32Array;
  /** [2·count−1, colourLength], initial rows filled; undefined when no strategy needs it. */
  readonly colour: Float32Array | undefined;
  readonly colourLength: number;
  readonly texture: Float32Array | undefined;
  readonly textureLength: number;
}

/** Sizes, boxes and neighbouring pairs (8-connectivity) of a segmentation's regions. */
export function regionGeometry(seg: Segmentation): {
  size: Int32Array;
  bbox: Int32Array;
  pairs: Int32Array;
} {
  const { labels, count, width: w, height: h } = seg;
  const size = new Int32Array(count);
  const bbox = new Int32Array(4 * count);
  for (let r = 0; r < count; r++) {
    bbox[4 * r] = w;
    bbox[4 * r + 1] = h;
    bbox[4 * r + 2] = -1;
    bbox[4 * r + 3] = -1;
  }
  const seen = new Set<number>();
  const pairs: number[] = [];
  const link = (a: number, b: number) => {
    if (a === b) return;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * count + hi;
    if (!seen.has(key)) {
      seen.add(key);
      pairs.push(lo, hi);
    }
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const r = labels[i]!;
      size[r]!++;
      const o = 4 * r;
      if (x < bbox[o]!) bbox[o] = x;
      if (y < bbox[o + 1]!) bbox[o + 1] = y;
      if (x > bbox[o + 2]!) bbox[o + 2] = x;
      if (y > bbox[o + 3]!) bbox[o + 3] = y;
      if (x < w - 1 && labels[i + 1] !== r) link(r, labels[i + 1]!);
      if (y < h - 1) {
        const d = labels[i + w]!;
        if (d !== r) link(r, d);
        if (x < w - 1 && labels[i + w + 1] !== r) link(r, labels[i + w + 1]!);
        if (x > 0 && labels[i + w - 1] !== r) link(r, labels[i + w - 1]!);
      }
    }
  }
  return { size, bbox, pairs: Int32Array.from(pairs) };
}

/** A binary max-heap of (similarity, a, b) with growable typed storage. */
class PairHeap {
  sim = new Float64Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  length = 0;

  push(s: number, a: number, b: number): void {
    if (this.length === this.sim.length) {
      const grow = <T extends Float64Array | Int32Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.sim = grow(this.sim);
      this.a = grow(this.a);
      this.b = grow(this.b);
    }
    let i = this.length++;
    const { sim, a: pa, b: pb } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (sim[p]! >= s) break;
      sim[i] = sim[p]!;
      pa[i] = pa[p]!;
      pb[i] = pb[p]!;
      i = p;
    }
    sim[i] = s;
    pa[i] = a;
    pb[i] = b;
  }

  /** Removes the top; its fields must be read before. */
  pop(): void {
    const n = --this.length;
    if (n === 0) return;
    const { sim, a: pa, b: pb } = this;
    const s = sim[n]!;
    const a = pa[n]!;
    const b = pb[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && sim[c + 1]! > sim[c]!) c++;
      if (sim[c]! <= s) break;
      sim[i] = sim[c]!;
      pa[i] = pa[c]!;
      pb[i] = pb[c]!;
      i = c;
    }
    sim[i] = s;
    pa[i] = a;
    pb[i] = b;
  }
}

function intersection(h: Float32Array, length: number, a: number, b: number): number {
  let s = 0;
  const oa = a * length;
  const ob = b * length;
  for (let j = 0; j < length; j++) {
    const x = h[oa + j]!;
    const y = h[ob + j]!;
    s += Math.min(x, y);
  }
  return s;
}

/** Every region one grouping made, in creation order (initial regions first, the last merge last). */
export interface Hierarchy {
  /**
   * [R, 4] boxes x1, y1, x2, y2 in pixel-edge coordinates (x2 = last column + 1); R = 2·count − 1
   * for a connected region graph (fewer otherwise).
   */
  readonly boxes: Int32Array;
  /** [R] level: 1 for an initial region, 1 + the larger of its parts' levels for a merge. */
  readonly levels: Int32Array;
}

/** Runs one grouping strategy. */
export function hierarchicalGrouping(initial: InitialRegions, terms: SimilarityTerms): Hierarchy {
  const { seg, pairs } = initial;
  const n = seg.count;
  const capacity = Math.max(1, 2 * n - 1);
  const imageSize = seg.width * seg.height;
  const size = new Float64Array(capacity);
  const bbox = new Int32Array(4 * capacity);
  for (let r = 0; r < n; r++) size[r] = initial.size[r]!;
  bbox.set(initial.bbox);
  const useColour = terms.colour === true && initial.colour !== undefined;
  const useTexture = terms.texture === true && initial.texture !== undefined;
  const cl = initial.colourLength;
  const tl = initial.textureLength;
  // Merged rows are written per strategy; the initial rows are copied once.
  const colour = useColour ? new Float32Array(capacity * cl) : undefined;
  if (colour) colour.set(initial.colour!.subarray(0, n * cl));
  const texture = useTexture ? new Float32Array(capacity * tl) : undefined;
  if (texture) texture.set(initial.texture!.subarray(0, n * tl));
  const useSize = terms.size === true;
  const useFill = terms.fill === true;

  const similarity = (a: number, b: number): number => {
    let s = 0;
    if (colour) s += intersection(colour, cl, a, b);
    if (texture) s += intersection(texture, tl, a, b);
    if (useSize) s += 1 - (size[a]! + size[b]!) / imageSize;
    if (useFill) {
      const oa = 4 * a;
      const ob = 4 * b;
      const bw = Math.max(bbox[oa + 2]!, bbox[ob + 2]!) - Math.min(bbox[oa]!, bbox[ob]!) + 1;
      const bh =
        Math.max(bbox[oa + 3]!, bbox[ob + 3]!) - Math.min(bbox[oa + 1]!, bbox[ob + 1]!) + 1;
      s += 1 - (bw * bh - size[a]! - size[b]!) / imageSize;
    }
    return s;
  };

  const neighbours: number[][] = Array.from({ length: capacity }, () => []);
  const heap = new PairHeap();
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p]!;
    const b = pairs[p + 1]!;
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
    heap.push(similarity(a, b), a, b);
  }

  const alive = new Uint8Array(capacity);
  alive.fill(1, 0, n);
  const levels = new Int32Array(capacity);
  levels.fill(1, 0, n);
  const stamp = new Int32Array(capacity).fill(-1);
  let next = n;
  while (heap.length > 0) {
    const a = heap.a[0]!;
    const b = heap.b[0]!;
    heap.pop();
    if (alive[a] === 0 || alive[b] === 0) continue;
    const t = next++;
    alive[a] = 0;
    alive[b] = 0;
    alive[t] = 1;
    levels[t] = Math.max(levels[a]!, levels[b]!) + 1;
    const sa = size[a]!;
    const sb = size[b]!;
    size[t] = sa + sb;
    const oa = 4 * a;
    const ob = 4 * b;
    const ot = 4 * t;
    bbox[ot] = Math.min(bbox[oa]!, bbox[ob]!);
    bbox[ot + 1] = Math.min(bbox[oa + 1]!, bbox[ob + 1]!);
    bbox[ot + 2] = Math.max(bbox[oa + 2]!, bbox[ob + 2]!);
    bbox[ot + 3] = Math.max(bbox[oa + 3]!, bbox[ob + 3]!);
    const wa = sa / (sa + sb);
    const wb = sb / (sa + sb);
    if (colour) {
      const ra = a * cl;
      const rb = b * cl;
      const rt = t * cl;
      for (let j = 0; j < cl; j++) colour[rt + j] = wa * colour[ra + j]! + wb * colour[rb + j]!;
    }
    if (texture) {
      const ra = a * tl;
      const rb = b * tl;
      const rt = t * tl;
      for (let j = 0; j < tl; j++) texture[rt + j] = wa * texture[ra + j]! + wb * texture[rb + j]!;
    }
    const list: number[] = [];
    stamp[a] = t;
    stamp[b] = t;
    for (const src of [neighbours[a]!, neighbours[b]!]) {
      for (const x of src) {
        if (alive[x] === 0 || stamp[x] === t) continue;
        stamp[x] = t;
        list.push(x);
        neighbours[x]!.push(t);
        heap.push(similarity(t, x), t, x);
      }
    }
    neighbours[t] = list;
    neighbours[a] = [];
    neighbours[b] = [];
  }

  const out = new Int32Array(4 * next);
  for (let r = 0; r < next; r++) {
    out[4 * r] = bbox[4 * r]!;
    out[4 * r + 1] = bbox[4 * r + 1]!;
    out[4 * r + 2] = bbox[4 * r + 2]! + 1;
    out[4 * r + 3] = bbox[4 * r + 3]! + 1;
  }
  return { boxes: out, levels: levels.slice(0, next) };
}
