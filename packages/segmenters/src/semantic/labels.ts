/**
 * Class scores at model resolution → label map at any output size: bilinear upsampling of the
 * SCORES (torch's float32 arithmetic, see resample.ts) followed by an argmax per pixel, fused
 * so the upsampled C×H×W tensor never exists.
 *
 * Speed comes from not interpolating what cannot matter. Every output pixel interpolates the
 * four scores of one source "cell" (two neighbouring rows × two neighbouring columns), and an
 * interpolated score lies between the smallest and the largest of its four corners (up to
 * float32 rounding, which the margin covers). So, once per cell:
 * - if one class's smallest corner beats every other class's largest corner by more than the
 *   rounding margin, every pixel of the cell gets that class without any arithmetic;
 * - otherwise only the classes whose largest corner reaches the best smallest corner can win:
 *   the pixel interpolates just those ("candidates"), in class order, so ties still go to the
 *   lowest class index as `torch.argmax` does.
 * Segmentation logits are smooth, so almost every cell is decided once and for all; label maps
 * equal an argmax over the full interpolated tensor exactly, not approximately.
 */
import type { ClassProbabilities } from '../types.js';
import { type AxisTaps, bilinear, isIdentityTaps } from './resample.js';

/** Class scores at the model's output resolution. */
export interface ScoreMap {
  /** `nchw`: [C,h,w] (batch 1); `nhwc`: [h,w,C]. */
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly layout: 'nchw' | 'nhwc';
}

/** How scores become probabilities for `probabilities` maps. */
export type ScoreActivation = 'softmax' | 'sigmoid' | 'none';

/** Options of {@link labelMapFromScores}. */
export interface LabelMapOptions {
  /** `allowed[c] === 1` when class c may be predicted; default every class. */
  readonly allowed?: Uint8Array | undefined;
  /**
   * Single-channel maps only: label 1 where the interpolated score is strictly greater than
   * this (in the map's own units, e.g. a logit), else 0.
   */
  readonly binaryThreshold?: number;
  /** Probability maps of these classes (increasing) at the output size. */
  readonly probabilities?: { readonly classes: Int32Array; readonly activation: ScoreActivation };
  /**
   * Set when the scores have not been checked for NaN / ±Infinity yet: a check that throws on
   * them. It is called before the scores are read — or, where the first pass reads every score
   * anyway (NHWC maps upsampled with every class allowed), only when that pass meets a
   * non-finite value, which saves a pass over the scores. Unset: the scores must be finite.
   */
  readonly assertFinite?: () => void;
}

/** Output of {@link labelMapFromScores}. */
export interface LabelMapResult {
  readonly labelMap: Uint8Array | Uint16Array;
  readonly classesPresent: Int32Array;
  readonly probabilities?: ClassProbabilities;
}

/** Relative rounding margin of a dominance test (≥ 8× the float32 error bound of bilinear). */
const MARGIN = 4e-6;
const f32 = Math.fround;

interface Strides {
  /** Step between classes, rows and columns in `data`. */
  cs: number;
  rs: number;
  ps: number;
}

function stridesOf(s: ScoreMap): Strides {
  return s.layout === 'nchw'
    ? { cs: s.height * s.width, rs: s.width, ps: 1 }
    : { cs: 1, rs: s.width * s.channels, ps: s.channels };
}

/** Allocates a label map for `numLabels` labels. */
export function newLabelMap(numLabels: number, size: number): Uint8Array | Uint16Array {
  return numLabels <= 256 ? new Uint8Array(size) : new Uint16Array(size);
}

/** Largest |score| (for the rounding margin). Scores must be finite. */
function maxAbs(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > m) m = v;
    else if (-v > m) m = -v;
  }
  return m;
}

function presentOf(seen: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < seen.length; i++) if (seen[i]) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < seen.length; i++) if (seen[i]) out[k++] = i;
  return out;
}

/**
 * Label map of interpolated scores: pixel (x, y) of the output takes the class with the
 * highest score bilinearly interpolated at taps `xTaps[x]`, `yTaps[y]` (first class on ties);
 * for a single-channel map, label 1 where the score is above `binaryThreshold`.
 *
 * @param scores finite class scores [C,h,w] / [h,w,C]
 * @param xTaps output width = `xTaps.i0.length`, source columns in [0, w)
 * @param yTaps output height = `yTaps.i0.length`, source rows in [0, h)
 * @returns label map [H,W] (Uint8Array up to 256 labels), the labels present, and probability
 *   maps when asked for
 */
export function labelMapFromScores(
  scores: ScoreMap,
  xTaps: AxisTaps,
  yTaps: AxisTaps,
  options: LabelMapOptions = {},
): LabelMapResult {
  const C = scores.channels;
  const binary = C === 1;
  const numLabels = binary ? 2 : C;
  const W = xTaps.i0.length;
  const H = yTaps.i0.length;
  const labelMap = newLabelMap(numLabels, W * H);
  const seen = new Uint8Array(numLabels);
  const allowedList: number[] = [];
  for (let c = 0; c < C; c++) if (!options.allowed || options.allowed[c] === 1) allowedList.push(c);
  const allowed = Int32Array.from(allowedList);

  const sameSize =
    !binary &&
    allowed.length > 1 &&
    isIdentityTaps(xTaps, scores.width) &&
    isIdentityTaps(yTaps, scores.height);
  const cells = !binary && allowed.length > 1 && !sameSize && W * H >= scores.width * scores.height;
  // the one path whose first pass reads every score and notices non-finite ones
  const fusedCheck = cells && scores.layout === 'nhwc' && allowed.length === C;
  const verify = options.assertFinite;
  if (verify !== undefined && !fusedCheck) verify();

  if (binary) {
    binaryLabels(scores, xTaps, yTaps, options.binaryThreshold ?? 0, labelMap, seen);
  } else if (allowed.length === 1) {
    labelMap.fill(allowed[0]!);
    if (W * H > 0) seen[allowed[0]!] = 1;
  } else if (sameSize) {
    argmaxSameSize(scores, allowed, labelMap, seen);
  } else if (allowed.length > 0) {
    if (cells) {
      argmaxWithCells(
        scores,
        allowed,
        xTaps,
        yTaps,
        labelMap,
        seen,
        fusedCheck ? verify : undefined,
      );
    } else {
      argmaxDirect(scores, allowed, xTaps, yTaps, labelMap, seen);
    }
  }
  const result: LabelMapResult = { labelMap, classesPresent: presentOf(seen) };
  const request = options.probabilities;
  if (!request || request.classes.length === 0) return result;
  if (!binary) {
    return { ...result, probabilities: probabilityMaps(scores, xTaps, yTaps, request) };
  }
  // One channel: label 1 has probability p, label 0 has 1 − p.
  const activation = request.activation === 'softmax' ? 'sigmoid' : request.activation;
  const p = probabilityMaps(scores, xTaps, yTaps, { classes: Int32Array.of(0), activation })
    .maps[0]!;
  const maps = Array.from(request.classes, (label) => {
    if (label === 1) return p;
    const q = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) q[i] = 1 - p[i]!;
    return q;
  });
  return { ...result, probabilities: { classes: request.classes.slice(), maps } };
}

/** Same size, no interpolation: a plain argmax per pixel over the allowed classes. */
function argmaxSameSize(
  s: ScoreMap,
  allowed: Int32Array,
  out: Uint8Array | Uint16Array,
  seen: Uint8Array,
): void {
  const { cs, ps } = stridesOf(s);
  const n = s.width * s.height;
  const d = s.data;
  if (s.layout === 'nchw') {
    // class-major: keep a running best per pixel, reading each plane front to back
    const best = new Float32Array(n);
    const c0 = allowed[0]!;
    best.set(d.subarray(c0 * cs, c0 * cs + n));
    out.fill(c0);
    for (let k = 1; k < allowed.length; k++) {
      const c = allowed[k]!;
      const off = c * cs;
      for (let i = 0; i < n; i++) {
        const v = d[off + i]!;
        if (v > best[i]!) {
          best[i] = v;
          out[i] = c;
        }
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const base = i * ps;
      let bc = allowed[0]!;
      let bv = d[base + bc]!;
      for (let k = 1; k < allowed.length; k++) {
        const c = allowed[k]!;
        const v = d[base + c]!;
        if (v > bv) {
          bv = v;
          bc = c;
        }
      }
      out[i] = bc;
    }
  }
  for (let i = 0; i < n; i++) seen[out[i]!] = 1;
}

/** Argmax of the interpolated scores of every allowed class at every pixel (downsampling). */
function argmaxDirect(
  s: ScoreMap,
  allowed: Int32Array,
  xt: AxisTaps,
  yt: AxisTaps,
  out: Uint8Array | Uint16Array,
  seen: Uint8Array,
): void {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const W = xt.i0.length;
  const H = yt.i0.length;
  for (let y = 0; y < H; y++) {
    const r0 = yt.i0[y]! * rs;
    const r1 = yt.i1[y]! * rs;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    for (let x = 0; x < W; x++) {
      const q0 = xt.i0[x]! * ps;
      const q1 = xt.i1[x]! * ps;
      const wx0 = xt.w0[x]!;
      const wx1 = xt.w1[x]!;
      let bc = -1;
      let bv = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < allowed.length; k++) {
        const c = allowed[k]!;
        const o = c * cs;
        const v = bilinear(
          d[o + r0 + q0]!,
          d[o + r0 + q1]!,
          d[o + r1 + q0]!,
          d[o + r1 + q1]!,
          wx0,
          wx1,
          wy0,
          wy1,
        );
        if (bc < 0 || v > bv) {
          bv = v;
          bc = c;
        }
      }
      out[y * W + x] = bc;
      seen[bc] = 1;
    }
  }
}

/**
 * Upsampling argmax with per-cell dominance and candidate pruning (see the file comment).
 * Cells are indexed by the upper-left source sample (r, q); their corners are rows r, r+1 and
 * columns q, q+1 (clamped), a superset of the corners any tap starting at (r, q) reads.
 *
 * Dominance is read from each source sample's best and second-best score: class c* beats every
 * other class everywhere in a cell when it is the best class at all four corners and its
 * smallest best score exceeds the largest second-best score by the margin.
 */
function argmaxWithCells(
  s: ScoreMap,
  allowed: Int32Array,
  xt: AxisTaps,
  yt: AxisTaps,
  out: Uint8Array | Uint16Array,
  seen: Uint8Array,
  verify: (() => void) | undefined,
): void {
  // Each loop nest lives in its own small function that ends with its loop (at most a
  // `return`): V8 compiles a function called once per image while its loop runs (on-stack
  // replacement), and code after the loop that had not run by then lacks type feedback and
  // deoptimises that compiled loop on every later call.
  const n = s.height * s.width;
  const scratch = cellScratch(n);
  // Best and second-best allowed score per source sample, in one pass over the scores.
  const first = scratch.first;
  const second = scratch.second;
  const firstClass = scratch.firstClass;
  // `lo`: the smallest allowed score; with the largest best score it sets the rounding margin.
  let lo: number;
  if (s.layout === 'nchw') {
    first.fill(Number.NEGATIVE_INFINITY);
    second.fill(Number.NEGATIVE_INFINITY);
    // the scratch is kept between calls: a sample whose scores are all −∞ must not keep the
    // previous call's class (a fresh array gave the first allowed class's index 0 before)
    firstClass.fill(0);
    lo = bestTwoPlanar(s.data, allowed, n, first, second, firstClass);
  } else if (allowed.length === s.channels) {
    lo = bestTwoInterleavedAll(s.data, s.channels, n, first, second, firstClass);
  } else {
    lo = bestTwoInterleaved(s.data, s.channels, allowed, n, first, second, firstClass);
  }
  const hi = maxOf(first);
  // NaN makes `lo` NaN (Math.min), −Infinity makes it −Infinity, +Infinity becomes a best score
  if (verify !== undefined && !(lo > Number.NEGATIVE_INFINITY && hi < Number.POSITIVE_INFINITY)) {
    verify();
  }
  const margin = MARGIN * Math.max(Math.abs(lo), Math.abs(hi));
  const words = (s.channels + 31) >>> 5;
  // Per cell: its class when decided, else -1 - j for the j-th undecided cell, whose candidate
  // classes are bits[j·words ..].
  const decided = scratch.decided;
  const open = scratch.open;
  const count = decideCells(first, second, firstClass, s.height, s.width, margin, decided, open);
  if (count * 4 > n) {
    // Mostly undecided (noise-like scores): interpolate every class, one source row at a time.
    argmaxSeparable(s, allowed, xt, yt, decided, out);
    markSeen(out, seen);
    return;
  }
  const bits = new Uint32Array(count * words);
  const bound = new Float32Array(count);
  candidateBounds(s, firstClass, open, count, margin, bound);
  for (let k = 0; k < allowed.length; k++) {
    candidateBits(s, allowed[k]!, open, count, bound, bits, words);
  }
  writeCellLabels(s, xt, yt, decided, bits, words, out, seen);
}

/** Per-sample working arrays of {@link argmaxWithCells}, every entry written before it is read. */
interface CellScratch {
  readonly first: Float32Array;
  readonly second: Float32Array;
  readonly firstClass: Int32Array;
  readonly decided: Int32Array;
  readonly open: Int32Array;
}

/** Score maps up to this many samples (≈ 10 MB of scratch) reuse one set of arrays. */
const MAX_KEPT_SCRATCH = 1 << 19;
let keptScratch: { size: number; buffers: CellScratch } | undefined;

/**
 * Working arrays for `n` samples: views of one kept set, grown on demand, so label maps of
 * the same size do not allocate (and zero) ~20 bytes per sample each time. Safe because
 * `labelMapFromScores` is synchronous and nothing here outlives the call; maps larger than
 * `MAX_KEPT_SCRATCH` get arrays of their own.
 */
function cellScratch(n: number): CellScratch {
  const fresh = (size: number): CellScratch => ({
    first: new Float32Array(size),
    second: new Float32Array(size),
    firstClass: new Int32Array(size),
    decided: new Int32Array(size),
    open: new Int32Array(size),
  });
  if (n > MAX_KEPT_SCRATCH) return fresh(n);
  if (keptScratch === undefined || keptScratch.size < n)
    keptScratch = { size: n, buffers: fresh(n) };
  const b = keptScratch.buffers;
  return {
    first: b.first.subarray(0, n),
    second: b.second.subarray(0, n),
    firstClass: b.firstClass.subarray(0, n),
    decided: b.decided.subarray(0, n),
    open: b.open.subarray(0, n),
  };
}

function markSeen(out: Uint8Array | Uint16Array, seen: Uint8Array): void {
  for (let i = 0; i < out.length; i++) seen[out[i]!] = 1;
}

/** NCHW: running best / second best over class planes; returns the smallest score. */
function bestTwoPlanar(
  d: Float32Array,
  allowed: Int32Array,
  n: number,
  first: Float32Array,
  second: Float32Array,
  firstClass: Int32Array,
): number {
  let lo = Number.POSITIVE_INFINITY;
  for (let k = 0; k < allowed.length; k++) {
    const c = allowed[k]!;
    const off = c * n;
    for (let i = 0; i < n; i++) {
      const v = d[off + i]!;
      if (v > second[i]!) {
        if (v > first[i]!) {
          second[i] = first[i]!;
          first[i] = v;
          firstClass[i] = c;
        } else second[i] = v;
      }
      if (v < lo) lo = v;
    }
  }
  return lo;
}

function maxOf(a: Float32Array): number {
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) if (a[i]! > hi) hi = a[i]!;
  return hi;
}

/**
 * NHWC, every class allowed: the C scores of a sample are contiguous. Two samples per step
 * (their running updates are independent, so the processor overlaps them), and the smallest
 * score through `Math.min`, which turns NaN into a NaN result — so with the largest best score
 * the result tells whether every score was finite (see argmaxWithCells).
 */
function bestTwoInterleavedAll(
  d: Float32Array,
  C: number,
  n: number,
  first: Float32Array,
  second: Float32Array,
  firstClass: Int32Array,
): number {
  let lo = Number.POSITIVE_INFINITY;
  let loB = Number.POSITIVE_INFINITY;
  let i = 0;
  let base = 0;
  for (; i + 1 < n; i += 2, base += 2 * C) {
    const baseB = base + C;
    let b1 = d[base]!;
    let b2 = Number.NEGATIVE_INFINITY;
    let bc = 0;
    let e1 = d[baseB]!;
    let e2 = Number.NEGATIVE_INFINITY;
    let ec = 0;
    lo = Math.min(lo, b1);
    loB = Math.min(loB, e1);
    for (let c = 1; c < C; c++) {
      const v = d[base + c]!;
      const u = d[baseB + c]!;
      if (v > b2) {
        if (v > b1) {
          b2 = b1;
          b1 = v;
          bc = c;
        } else b2 = v;
      }
      if (u > e2) {
        if (u > e1) {
          e2 = e1;
          e1 = u;
          ec = c;
        } else e2 = u;
      }
      lo = Math.min(lo, v);
      loB = Math.min(loB, u);
    }
    first[i] = b1;
    second[i] = b2;
    firstClass[i] = bc;
    first[i + 1] = e1;
    second[i + 1] = e2;
    firstClass[i + 1] = ec;
  }
  if (i < n) {
    let b1 = d[base]!;
    let b2 = Number.NEGATIVE_INFINITY;
    let bc = 0;
    lo = Math.min(lo, b1);
    for (let c = 1; c < C; c++) {
      const v = d[base + c]!;
      if (v > b2) {
        if (v > b1) {
          b2 = b1;
          b1 = v;
          bc = c;
        } else b2 = v;
      }
      lo = Math.min(lo, v);
    }
    first[i] = b1;
    second[i] = b2;
    firstClass[i] = bc;
  }
  return Math.min(lo, loB);
}

/** NHWC with an allow-list. */
function bestTwoInterleaved(
  d: Float32Array,
  C: number,
  allowed: Int32Array,
  n: number,
  first: Float32Array,
  second: Float32Array,
  firstClass: Int32Array,
): number {
  let lo = Number.POSITIVE_INFINITY;
  for (let i = 0, base = 0; i < n; i++, base += C) {
    let b1 = Number.NEGATIVE_INFINITY;
    let b2 = Number.NEGATIVE_INFINITY;
    let bc = 0;
    for (let k = 0; k < allowed.length; k++) {
      const c = allowed[k]!;
      const v = d[base + c]!;
      if (v > b2) {
        if (v > b1) {
          b2 = b1;
          b1 = v;
          bc = c;
        } else b2 = v;
      }
      if (v < lo) lo = v;
    }
    first[i] = b1;
    second[i] = b2;
    firstClass[i] = bc;
  }
  return lo;
}

/**
 * Decides every cell it can: class c* when it is the best class at all four corners and its
 * smallest best score beats the largest second-best score by the margin. Returns the number
 * of undecided cells (listed in `open`).
 */
function decideCells(
  first: Float32Array,
  second: Float32Array,
  firstClass: Int32Array,
  h: number,
  w: number,
  margin: number,
  decided: Int32Array,
  open: Int32Array,
): number {
  let count = 0;
  for (let r = 0; r < h; r++) {
    const a = r * w;
    const b = (r + 1 < h ? r + 1 : r) * w;
    // The left corners of cell q are the right corners of cell q − 1: carried along the row.
    let cA = firstClass[a]!;
    let cB = firstClass[b]!;
    let fA = first[a]!;
    let fB = first[b]!;
    let sA = second[a]!;
    let sB = second[b]!;
    for (let q = 0; q < w; q++) {
      const q1 = q + 1 < w ? q + 1 : q;
      const cA1 = firstClass[a + q1]!;
      const cB1 = firstClass[b + q1]!;
      const fA1 = first[a + q1]!;
      const fB1 = first[b + q1]!;
      const sA1 = second[a + q1]!;
      const sB1 = second[b + q1]!;
      let done = false;
      if (cA1 === cA && cB === cA && cB1 === cA) {
        let mn = fA;
        if (fA1 < mn) mn = fA1;
        if (fB < mn) mn = fB;
        if (fB1 < mn) mn = fB1;
        let mx = sA;
        if (sA1 > mx) mx = sA1;
        if (sB > mx) mx = sB;
        if (sB1 > mx) mx = sB1;
        if (mn - mx > margin) {
          decided[a + q] = cA;
          done = true;
        }
      }
      if (!done) {
        decided[a + q] = -1 - count;
        open[count++] = a + q;
      }
      cA = cA1;
      cB = cB1;
      fA = fA1;
      fB = fB1;
      sA = sA1;
      sB = sB1;
    }
  }
  return count;
}

/**
 * Per undecided cell, a lower bound of the winning score anywhere in it: the best smallest
 * corner among the corners' best classes (minus the margin). A class whose largest corner
 * stays below it cannot win in the cell.
 */
function candidateBounds(
  s: ScoreMap,
  firstClass: Int32Array,
  open: Int32Array,
  count: number,
  margin: number,
  bound: Float32Array,
): void {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const h = s.height;
  const w = s.width;
  for (let j = 0; j < count; j++) {
    const cell = open[j]!;
    const r = (cell / w) | 0;
    const q = cell - r * w;
    const r1 = r + 1 < h ? r + 1 : r;
    const q1 = q + 1 < w ? q + 1 : q;
    const k0 = cell;
    const k1 = r * w + q1;
    const k2 = r1 * w + q;
    const k3 = r1 * w + q1;
    const qa = r * rs + q * ps;
    const qb = r1 * rs + q * ps;
    const dq = (q1 - q) * ps;
    let L = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < 4; k++) {
      const corner = k === 0 ? k0 : k === 1 ? k1 : k === 2 ? k2 : k3;
      const c = firstClass[corner]!;
      if (
        k > 0 &&
        (c === firstClass[k0] || (k > 1 && c === firstClass[k1]) || (k > 2 && c === firstClass[k2]))
      )
        continue;
      const o = c * cs;
      let mn = d[o + qa]!;
      let v = d[o + qa + dq]!;
      if (v < mn) mn = v;
      v = d[o + qb]!;
      if (v < mn) mn = v;
      v = d[o + qb + dq]!;
      if (v < mn) mn = v;
      if (mn > L) L = mn;
    }
    bound[j] = L - margin;
  }
}

/** Sets class c's candidate bit in every undecided cell where its largest corner reaches the bound. */
function candidateBits(
  s: ScoreMap,
  c: number,
  open: Int32Array,
  count: number,
  bound: Float32Array,
  bits: Uint32Array,
  words: number,
): void {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const h = s.height;
  const w = s.width;
  const word = c >>> 5;
  const bit = 1 << (c & 31);
  const o = c * cs;
  for (let j = 0; j < count; j++) {
    const cell = open[j]!;
    const r = (cell / w) | 0;
    const q = cell - r * w;
    const qa = o + r * rs + q * ps;
    const qb = o + (r + 1 < h ? r + 1 : r) * rs + q * ps;
    const dq = q + 1 < w ? ps : 0;
    let mx = d[qa]!;
    let v = d[qa + dq]!;
    if (v > mx) mx = v;
    v = d[qb]!;
    if (v > mx) mx = v;
    v = d[qb + dq]!;
    if (v > mx) mx = v;
    if (mx >= bound[j]!) bits[j * words + word]! |= bit;
  }
}

/** One source row interpolated horizontally for every allowed class: `dst[k·W + x]`. */
function horizontalRow(
  s: ScoreMap,
  allowed: Int32Array,
  xt: AxisTaps,
  r: number,
  dst: Float32Array,
): void {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const A = allowed.length;
  const W = xt.i0.length;
  const { i0, i1, w0, w1 } = xt;
  for (let k = 0; k < A; k++) {
    const o = allowed[k]! * cs + r * rs;
    const row = k * W;
    for (let x = 0; x < W; x++) {
      dst[row + x] = f32(d[o + i0[x]! * ps]! * w0[x]! + f32(d[o + i1[x]! * ps]! * w1[x]!));
    }
  }
}

/**
 * Argmax for scores where few cells are decided: each source row is interpolated horizontally
 * once for every allowed class (kept for the two rows an output row blends), then each output
 * row blends the two rows class by class, keeping a running best per pixel — torch's order of
 * operations, so the values are the same as `bilinear`'s, and strict comparisons in class order
 * keep the first class on ties.
 */
function argmaxSeparable(
  s: ScoreMap,
  allowed: Int32Array,
  xt: AxisTaps,
  yt: AxisTaps,
  decided: Int32Array,
  out: Uint8Array | Uint16Array,
): void {
  const w = s.width;
  const A = allowed.length;
  const W = xt.i0.length;
  const H = yt.i0.length;
  const rows = [new Float32Array(W * A), new Float32Array(W * A)];
  const source = [-1, -1];
  const best = new Float32Array(W);
  const bestClass = new Int32Array(W);
  for (let y = 0; y < H; y++) {
    const r0 = yt.i0[y]!;
    const r1 = yt.i1[y]!;
    // one slot holds row r0, the other row r1 (the same slot when r0 = r1)
    let s0 = source[0] === r0 ? 0 : source[1] === r0 ? 1 : -1;
    if (s0 < 0) {
      s0 = source[0] === r1 && r1 !== r0 ? 1 : 0;
      horizontalRow(s, allowed, xt, r0, rows[s0]!);
      source[s0] = r0;
    }
    let s1 = source[0] === r1 ? 0 : source[1] === r1 ? 1 : -1;
    if (s1 < 0) {
      s1 = 1 - s0;
      horizontalRow(s, allowed, xt, r1, rows[s1]!);
      source[s1] = r1;
    }
    blendRow(rows[s0]!, rows[s1]!, yt.w0[y]!, yt.w1[y]!, A, best, bestClass);
    const cellRow = r0 * w;
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const label = decided[cellRow + xt.i0[x]!]!;
      out[o + x] = label >= 0 ? label : allowed[bestClass[x]!]!;
    }
  }
}

/** Running argmax over classes of `fma(rowA, wy0, rowB · wy1)`, class-major rows of W. */
function blendRow(
  rowA: Float32Array,
  rowB: Float32Array,
  wy0: number,
  wy1: number,
  A: number,
  best: Float32Array,
  bestClass: Int32Array,
): void {
  const W = best.length;
  for (let x = 0; x < W; x++) best[x] = f32(rowA[x]! * wy0 + f32(rowB[x]! * wy1));
  bestClass.fill(0);
  for (let k = 1; k < A; k++) {
    const row = k * W;
    for (let x = 0; x < W; x++) {
      const v = f32(rowA[row + x]! * wy0 + f32(rowB[row + x]! * wy1));
      if (v > best[x]!) {
        best[x] = v;
        bestClass[x] = k;
      }
    }
  }
}

/**
 * Pass 2 of {@link argmaxWithCells}: the output row by row from the decided cells. Output rows
 * that start at the same source row read the same cells, so after the first of them only its
 * undecided pixels are recomputed (the rest is copied).
 */
function writeCellLabels(
  s: ScoreMap,
  xt: AxisTaps,
  yt: AxisTaps,
  decided: Int32Array,
  bits: Uint32Array,
  words: number,
  out: Uint8Array | Uint16Array,
  seen: Uint8Array,
): void {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const w = s.width;
  const W = xt.i0.length;
  const H = yt.i0.length;
  const undecidedX = new Int32Array(W);
  // Output columns in runs that read the same source column (consecutive x with equal
  // xt.i0; with torch's taps ~W/w pixels each): run j is x in [runX[j], runX[j + 1]) reading
  // column runQ[j].
  const runQ = new Int32Array(W);
  const runX = new Int32Array(W + 1);
  let runs = 0;
  for (let x = 0; x < W; x++) {
    const q = xt.i0[x]!;
    if (runs === 0 || q !== runQ[runs - 1]) {
      runQ[runs] = q;
      runX[runs++] = x;
    }
  }
  runX[runs] = W;
  let nUndecided = 0;
  let templateRow = -1;
  let templateOffset = 0;
  for (let y = 0; y < H; y++) {
    const ry0 = yt.i0[y]!;
    const r0 = ry0 * rs;
    const r1 = yt.i1[y]! * rs;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    const cellRow = ry0 * w;
    const o = y * W;
    if (ry0 !== templateRow) {
      templateRow = ry0;
      templateOffset = o;
      nUndecided = templateLabels(decided, cellRow, runQ, runX, runs, out, o, seen, undecidedX);
    } else {
      out.copyWithin(o, templateOffset, templateOffset + W);
    }
    for (let u = 0; u < nUndecided; u++) {
      const x = undecidedX[u]!;
      const j = -1 - decided[cellRow + xt.i0[x]!]!;
      const q0 = xt.i0[x]! * ps;
      const q1 = xt.i1[x]! * ps;
      const wx0 = xt.w0[x]!;
      const wx1 = xt.w1[x]!;
      let bc = -1;
      let bv = Number.NEGATIVE_INFINITY;
      for (let wd = 0; wd < words; wd++) {
        let m = bits[j * words + wd]!;
        while (m !== 0) {
          const low = m & -m;
          const c = (wd << 5) + (31 - Math.clz32(low));
          m ^= low;
          const off = c * cs;
          const v = bilinear(
            d[off + r0 + q0]!,
            d[off + r0 + q1]!,
            d[off + r1 + q0]!,
            d[off + r1 + q1]!,
            wx0,
            wx1,
            wy0,
            wy1,
          );
          if (bc < 0 || v > bv) {
            bv = v;
            bc = c;
          }
        }
      }
      out[o + x] = bc;
      seen[bc] = 1;
    }
  }
}

/**
 * The decided labels of one output row whose cells start at `cellRow`, run by run; returns
 * how many pixels are left undecided (their x in `undecidedX`).
 */
function templateLabels(
  decided: Int32Array,
  cellRow: number,
  runQ: Int32Array,
  runX: Int32Array,
  runs: number,
  out: Uint8Array | Uint16Array,
  o: number,
  seen: Uint8Array,
  undecidedX: Int32Array,
): number {
  let n = 0;
  for (let j = 0; j < runs; j++) {
    const label = decided[cellRow + runQ[j]!]!;
    const x1 = runX[j + 1]!;
    if (label >= 0) {
      seen[label] = 1;
      for (let x = runX[j]!; x < x1; x++) out[o + x] = label;
    } else {
      for (let x = runX[j]!; x < x1; x++) undecidedX[n++] = x;
    }
  }
  return n;
}

/** Single channel: label 1 where the interpolated score is strictly above `threshold`. */
function binaryLabels(
  s: ScoreMap,
  xt: AxisTaps,
  yt: AxisTaps,
  threshold: number,
  out: Uint8Array | Uint16Array,
  seen: Uint8Array,
): void {
  const d = s.data;
  const w = s.width;
  const h = s.height;
  const margin = MARGIN * Math.max(maxAbs(d), Math.abs(threshold));
  // Per cell: 1 / 0 when all four corners are clearly above / below, else 2 (interpolate).
  const cell = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) {
    const a = r * w;
    const b = (r + 1 < h ? r + 1 : r) * w;
    for (let q = 0; q < w; q++) {
      const q1 = q + 1 < w ? q + 1 : q;
      const v0 = d[a + q]!;
      const v1 = d[a + q1]!;
      const v2 = d[b + q]!;
      const v3 = d[b + q1]!;
      const mn = Math.min(v0, v1, v2, v3);
      const mx = Math.max(v0, v1, v2, v3);
      cell[a + q] = mn > threshold + margin ? 1 : mx < threshold - margin ? 0 : 2;
    }
  }
  const W = xt.i0.length;
  const H = yt.i0.length;
  for (let y = 0; y < H; y++) {
    const ry0 = yt.i0[y]!;
    const r0 = ry0 * w;
    const r1 = yt.i1[y]! * w;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    for (let x = 0; x < W; x++) {
      const q0 = xt.i0[x]!;
      const k = cell[r0 + q0]!;
      let label = k;
      if (k === 2) {
        const q1 = xt.i1[x]!;
        const v = bilinear(
          d[r0 + q0]!,
          d[r0 + q1]!,
          d[r1 + q0]!,
          d[r1 + q1]!,
          xt.w0[x]!,
          xt.w1[x]!,
          wy0,
          wy1,
        );
        label = v > threshold ? 1 : 0;
      }
      out[y * W + x] = label;
      seen[label] = 1;
    }
  }
}

/**
 * Probability maps of the requested classes: every class score is interpolated at every
 * pixel (the fused argmax above avoids this; probabilities cannot), then softmax over all
 * classes, a per-channel sigmoid, or nothing (`none`, for models that output probabilities).
 * Computed in double from the float32 interpolated scores, stored as float32.
 */
function probabilityMaps(
  s: ScoreMap,
  xt: AxisTaps,
  yt: AxisTaps,
  request: { readonly classes: Int32Array; readonly activation: ScoreActivation },
): ClassProbabilities {
  const { cs, rs, ps } = stridesOf(s);
  const d = s.data;
  const C = s.channels;
  const W = xt.i0.length;
  const H = yt.i0.length;
  const { classes, activation } = request;
  const maps = Array.from(classes, () => new Float32Array(W * H));
  const v = new Float64Array(C);
  for (let y = 0; y < H; y++) {
    const r0 = yt.i0[y]! * rs;
    const r1 = yt.i1[y]! * rs;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    for (let x = 0; x < W; x++) {
      const q0 = xt.i0[x]! * ps;
      const q1 = xt.i1[x]! * ps;
      const wx0 = xt.w0[x]!;
      const wx1 = xt.w1[x]!;
      const i = y * W + x;
      if (activation === 'softmax') {
        let mx = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < C; c++) {
          const o = c * cs;
          const val = bilinear(
            d[o + r0 + q0]!,
            d[o + r0 + q1]!,
            d[o + r1 + q0]!,
            d[o + r1 + q1]!,
            wx0,
            wx1,
            wy0,
            wy1,
          );
          v[c] = val;
          if (val > mx) mx = val;
        }
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(v[c]! - mx);
          v[c] = e;
          sum += e;
        }
        for (let k = 0; k < classes.length; k++) maps[k]![i] = v[classes[k]!]! / sum;
      } else {
        for (let k = 0; k < classes.length; k++) {
          const o = classes[k]! * cs;
          const val = bilinear(
            d[o + r0 + q0]!,
            d[o + r0 + q1]!,
            d[o + r1 + q0]!,
            d[o + r1 + q1]!,
            wx0,
            wx1,
            wy0,
            wy1,
          );
          maps[k]![i] = activation === 'sigmoid' ? 1 / (1 + Math.exp(-val)) : val;
        }
      }
    }
  }
  return { classes: classes.slice(), maps };
}
