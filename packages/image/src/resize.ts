/**
 * The one pure-TypeScript resampler, used in Node and in the browser wherever pixel-identical
 * results matter. It produces output rows one at a time (`RowResampler`), so a caller can
 * consume each row straight into a tensor without an intermediate resized image.
 *
 * Bilinear without antialias reproduces OpenCV 4.6's `cv2.resize(..., INTER_LINEAR)` on uint8
 * bit for bit: the same float32 source coordinates, the same 11-bit fixed-point weights, the
 * same fixed-point rounding (see `combineRows`). Bilinear with antialias reproduces PIL's
 * `Image.resize(size, BILINEAR)` (22-bit fixed point, horizontal pass first, clipped to 8 bits
 * in between). Nearest reproduces `cv2.INTER_NEAREST`; nearest-exact torch's `'nearest-exact'`.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { wasmBilinearToTensor } from './bilinear-wasm.js';
import { assertImageSide, assertRgbImage } from './image.js';
import type { NormalizationTable, TensorPlacement } from './normalize.js';
import type { Interpolation, ResampleOptions, RgbImage } from './types.js';

/** Produces the rows of a resized image on demand. */
export interface RowResampler {
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly channels: number;
  /**
   * Writes output row `dy` (`dstWidth·channels` bytes) into `out` at `offset`. Any order
   * works; increasing `dy` is fastest (source rows are resampled horizontally once each).
   */
  row(dy: number, out: Uint8Array, offset: number): void;
}

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS; // 2048, OpenCV INTER_RESIZE_COEF_SCALE
const PIL_PRECISION_BITS = 32 - 8 - 2; // 22, PIL Resample.c

const fround = Math.fround;

/** Round half to even, as `cvRound` / `lrint` and Python's `round`. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; step back to the even neighbour on exact ties.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function checkSizes(sw: number, sh: number, dw: number, dh: number, channels: number): void {
  assertImageSide('source width', sw);
  assertImageSide('source height', sh);
  assertImageSide('width', dw);
  assertImageSide('height', dh);
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
    throw new InvalidArgumentError('channels', `expected 1..4, got ${channels}`);
  }
}

/**
 * A row resampler over interleaved 8-bit pixels.
 * @param src [sh,sw,channels] uint8
 * @param dw output width, `dh` output height
 */
export function createResampler(
  src: Uint8Array,
  sw: number,
  sh: number,
  channels: number,
  dw: number,
  dh: number,
  options: ResampleOptions = {},
): RowResampler {
  checkSizes(sw, sh, dw, dh, channels);
  if (src.length !== sw * sh * channels) {
    throw new ShapeMismatchError('src', `[${sh},${sw},${channels}]`, `${src.length} bytes`);
  }
  const interpolation: Interpolation = options.interpolation ?? 'bilinear';
  if (sw === dw && sh === dh) return copyResampler(src, sw, sh, channels);
  switch (interpolation) {
    case 'bilinear':
      return options.antialias
        ? pilBilinearResampler(src, sw, sh, channels, dw, dh)
        : cvBilinearResampler(src, sw, sh, channels, dw, dh);
    case 'nearest':
    case 'nearest-exact':
      return nearestResampler(src, sw, sh, channels, dw, dh, interpolation === 'nearest-exact');
    default:
      throw new InvalidArgumentError(
        'options.interpolation',
        `expected 'bilinear', 'nearest' or 'nearest-exact', got ${JSON.stringify(interpolation)}`,
      );
  }
}

function copyResampler(src: Uint8Array, w: number, h: number, cn: number): RowResampler {
  const rowLen = w * cn;
  return {
    dstWidth: w,
    dstHeight: h,
    channels: cn,
    row(dy, out, offset) {
      out.set(src.subarray(dy * rowLen, dy * rowLen + rowLen), offset);
    },
  };
}

/**
 * Source indices for nearest sampling along one axis.
 * `exact`: torch 'nearest-exact' (`floorf((d + 0.5f) · scale)`, scale a float32);
 * otherwise OpenCV INTER_NEAREST (`floor(d · (1 / (dst / src)))` in double).
 */
export function nearestIndices(srcSize: number, dstSize: number, exact: boolean): Int32Array {
  const idx = new Int32Array(dstSize);
  if (exact) {
    const scale = fround(srcSize / dstSize);
    for (let d = 0; d < dstSize; d++) {
      idx[d] = Math.min(Math.floor(fround(fround(d + 0.5) * scale)), srcSize - 1);
    }
  } else {
    const inv = 1 / (dstSize / srcSize);
    for (let d = 0; d < dstSize; d++) idx[d] = Math.min(Math.floor(d * inv), srcSize - 1);
  }
  return idx;
}

function nearestResampler(
  src: Uint8Array,
  sw: number,
  sh: number,
  cn: number,
  dw: number,
  dh: number,
  exact: boolean,
): RowResampler {
  const xs = nearestIndices(sw, dw, exact);
  const ys = nearestIndices(sh, dh, exact);
  const xo = new Int32Array(dw);
  for (let i = 0; i < dw; i++) xo[i] = xs[i]! * cn;
  return {
    dstWidth: dw,
    dstHeight: dh,
    channels: cn,
    row(dy, out, offset) {
      const base = ys[dy]! * sw * cn;
      let o = offset;
      if (cn === 3) {
        for (let dx = 0; dx < dw; dx++) {
          const s = base + xo[dx]!;
          out[o] = src[s]!;
          out[o + 1] = src[s + 1]!;
          out[o + 2] = src[s + 2]!;
          o += 3;
        }
      } else {
        for (let dx = 0; dx < dw; dx++) {
          const s = base + xo[dx]!;
          for (let c = 0; c < cn; c++) out[o++] = src[s + c]!;
        }
      }
    },
  };
}

/** OpenCV's per-axis source index and 11-bit weight pair for bilinear sampling. */
interface LinearAxis {
  /** First source index per output index (clamped). */
  readonly i0: Int32Array;
  /** Second source index (clamped). */
  readonly i1: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

/**
 * OpenCV computes `f = (float)((d + 0.5) · scale − 0.5)` with `scale = 1 / (dst / src)` in
 * double, splits it into `floor` and fraction, and rounds `(1 − frac) · 2048` and
 * `frac · 2048` half-to-even. Horizontally it also pins the weights to (2048, 0) at the
 * borders; vertically it only clamps the row indices (so a border row can be weighted e.g.
 * (1536, 512) against itself — which matters for the rounding).
 */
function linearAxis(srcSize: number, dstSize: number, pinBorders: boolean): LinearAxis {
  const scale = 1 / (dstSize / srcSize);
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w0 = new Int32Array(dstSize);
  const w1 = new Int32Array(dstSize);
  const last = srcSize - 1;
  for (let d = 0; d < dstSize; d++) {
    let f = fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = fround(f - s);
    if (pinBorders) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s >= last) {
        f = 0;
        s = last;
      }
    }
    i0[d] = s < 0 ? 0 : s > last ? last : s;
    i1[d] = s + 1 < 0 ? 0 : s + 1 > last ? last : s + 1;
    w0[d] = roundHalfEven(fround(1 - f) * COEF_SCALE);
    w1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return { i0, i1, w0, w1 };
}

function cvBilinearResampler(
  src: Uint8Array,
  sw: number,
  sh: number,
  cn: number,
  dw: number,
  dh: number,
): RowResampler {
  const xa = linearAxis(sw, dw, true);
  const ya = linearAxis(sh, dh, false);
  const rowLen = dw * cn;
  // Per output pixel: byte offsets of the two source pixels within a row.
  const px0 = new Int32Array(dw);
  const px1 = new Int32Array(dw);
  for (let dx = 0; dx < dw; dx++) {
    px0[dx] = xa.i0[dx]! * cn;
    px1[dx] = xa.i1[dx]! * cn;
  }

  // Two cached horizontally-resampled rows (values ≤ 255·2048, exact in Int32).
  const rows = [new Int32Array(rowLen), new Int32Array(rowLen)] as const;
  const rowOf = [-1, -1];
  /** Returns the slot holding source row `sy`, filling a slot other than `keep` if needed. */
  const hrow = (sy: number, keep: number): 0 | 1 => {
    if (rowOf[0] === sy) return 0;
    if (rowOf[1] === sy) return 1;
    // Rows are usually requested downwards: replace the lower cached row, never `keep`.
    const slot: 0 | 1 = keep === 0 ? 1 : keep === 1 ? 0 : rowOf[0]! < rowOf[1]! ? 0 : 1;
    horizontalLinear(src, sy * sw * cn, rows[slot], px0, px1, xa.w0, xa.w1, dw, cn);
    rowOf[slot] = sy;
    return slot;
  };

  return {
    dstWidth: dw,
    dstHeight: dh,
    channels: cn,
    row(dy, out, offset) {
      const s0 = ya.i0[dy]!;
      const s1 = ya.i1[dy]!;
      const b0 = ya.w0[dy]!;
      const b1 = ya.w1[dy]!;
      const slot0 = hrow(s0, -1);
      const slot1 = s1 === s0 ? slot0 : hrow(s1, slot0);
      combineRows(rows[slot0], rows[slot1], b0, b1, out, offset, rowLen);
    },
  };
}

/** OpenCV's horizontal pass: `h = S[x0]·a0 + S[x1]·a1` per channel (exact integers). */
function horizontalLinear(
  src: Uint8Array,
  base: number,
  h: Int32Array,
  px0: Int32Array,
  px1: Int32Array,
  w0: Int32Array,
  w1: Int32Array,
  dw: number,
  cn: number,
): void {
  if (cn === 3) {
    for (let dx = 0, k = 0; dx < dw; dx++, k += 3) {
      const p = base + px0[dx]!;
      const q = base + px1[dx]!;
      const a = w0[dx]!;
      const b = w1[dx]!;
      h[k] = src[p]! * a + src[q]! * b;
      h[k + 1] = src[p + 1]! * a + src[q + 1]! * b;
      h[k + 2] = src[p + 2]! * a + src[q + 2]! * b;
    }
    return;
  }
  for (let dx = 0, k = 0; dx < dw; dx++) {
    const p = base + px0[dx]!;
    const q = base + px1[dx]!;
    const a = w0[dx]!;
    const b = w1[dx]!;
    for (let c = 0; c < cn; c++, k++) h[k] = src[p + c]! * a + src[q + c]! * b;
  }
}

/**
 * OpenCV's vertical pass on 8-bit data (`VResizeLinearVec_32s8u`):
 * `((h0 >> 4)·b0 >> 16) + ((h1 >> 4)·b1 >> 16)`, then a rounding shift by 2. This is a
 * little coarser than the textbook `(h0·b0 + h1·b1 + 2^21) >> 22` (it is up to one level
 * lower); OpenCV 4.6 on x86 gives this result for every element of a row, including widths
 * too narrow for a SIMD block, as the parity fixtures show.
 */
function combineRows(
  h0: Int32Array,
  h1: Int32Array,
  b0: number,
  b1: number,
  out: Uint8Array,
  offset: number,
  rowLen: number,
): void {
  for (let x = 0; x < rowLen; x++) {
    out[offset + x] = ((((h0[x]! >> 4) * b0) >> 16) + (((h1[x]! >> 4) * b1) >> 16) + 2) >> 2;
  }
}

/**
 * OpenCV-identical bilinear resize of interleaved RGB fused with the tensor write: the resized
 * image is written, normalised through the tables, into the content area (`left`, `top`) of a
 * tensor image placed by `at` — the same floats as `createResampler(…).row` followed by the
 * table lookup, with no intermediate byte rows and no per-row callbacks.
 *
 * Two loop nests, chosen by the vertical scale:
 * - shrinking (`dh < sh`): each output row reads its two source rows straight from `src`,
 *   the horizontal and the vertical pass in registers (a source row is then rarely shared
 *   by two output rows, so caching its horizontal pass would cost more than it saves);
 * - otherwise: each needed source row is resampled horizontally once into one of two cached
 *   rows, and every output row blends two of them.
 * The blend never exceeds 255 (the table size): both weight pairs sum to 2048, so
 * `h ≤ 255·2048` and `((h0 >> 4)·b0 >> 16) + ((h1 >> 4)·b1 >> 16) ≤ 1020`.
 * @param src [sh,sw,3] uint8
 */
export function cvBilinearToTensor(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  out: Float32Array,
  at: TensorPlacement,
  left: number,
  top: number,
  table: NormalizationTable,
): void {
  checkSizes(sw, sh, dw, dh, 3);
  if (src.length !== sw * sh * 3) {
    throw new ShapeMismatchError('src', `[${sh},${sw},3]`, `${src.length} bytes`);
  }
  const xa = linearAxis(sw, dw, true);
  const ya = linearAxis(sh, dh, false);
  if (wasmBilinearToTensor(src, sw, sh, dw, dh, xa, ya, out, at, left, top, table)) return;
  const px0 = new Int32Array(dw);
  const px1 = new Int32Array(dw);
  for (let dx = 0; dx < dw; dx++) {
    px0[dx] = xa.i0[dx]! * 3;
    px1[dx] = xa.i1[dx]! * 3;
  }
  const [l0, l1, l2] = table.lut;
  const [s0, s1, s2] = table.sourceChannel;
  const first = top * at.rowStride + left * at.step;
  const o0 = at.base0 + first;
  const o1 = at.base1 + first;
  const o2 = at.base2 + first;
  if (dh < sh) {
    // Source channel j (R, G, B) goes to the output channel that reads it; the three tables
    // in one array (R at 0, G at 256, B at 512), so the loop holds one table, not three.
    const lut = [l0, l1, l2];
    const base = [o0, o1, o2];
    const outOf = (j: number) => (s0 === j ? 0 : s1 === j ? 1 : 2);
    const [cr, cg, cb] = [outOf(0), outOf(1), outOf(2)];
    const tables = new Float32Array(768);
    tables.set(lut[cr]!, 0);
    tables.set(lut[cg]!, 256);
    tables.set(lut[cb]!, 512);
    const taps = new Int32Array(dw * 4);
    for (let dx = 0; dx < dw; dx++) {
      taps[4 * dx] = px0[dx]!;
      taps[4 * dx + 1] = px1[dx]!;
      taps[4 * dx + 2] = xa.w0[dx]!;
      taps[4 * dx + 3] = xa.w1[dx]!;
    }
    const oR = base[cr]!;
    cvShrinkKernel(
      src,
      sw,
      ya,
      taps,
      dw,
      dh,
      out,
      oR,
      base[cg]! - oR,
      base[cb]! - oR,
      at.rowStride,
      at.step,
      tables,
    );
  } else {
    cvCachedKernel(
      src,
      sw,
      ya,
      px0,
      px1,
      xa.w0,
      xa.w1,
      dw,
      dh,
      out,
      o0,
      o1,
      o2,
      at.rowStride,
      at.step,
      l0,
      l1,
      l2,
      s0,
      s1,
      s2,
    );
  }
}

/**
 * Shrinking: both passes per output pixel, straight from the two source rows. `taps` holds
 * per output column the byte offsets of its two source pixels and their weights; the source
 * channels are read at fixed offsets 0, 1, 2 and written to the output channel that takes
 * them (R at `oR`, G and B `dG` and `dB` further), through `tables` (R's table at 0, G's at
 * 256, B's at 512) — few arrays and live values in the loop.
 */
function cvShrinkKernel(
  src: Uint8Array,
  sw: number,
  ya: LinearAxis,
  taps: Int32Array,
  dw: number,
  dh: number,
  out: Float32Array,
  oR: number,
  dG: number,
  dB: number,
  rowStride: number,
  step: number,
  tables: Float32Array,
): void {
  const stride = sw * 3;
  const end = dw * 4;
  const { i0: yi0, i1: yi1, w0: yw0, w1: yw1 } = ya;
  for (let y = 0; y < dh; y++) {
    const r0 = yi0[y]! * stride;
    const r1 = yi1[y]! * stride;
    const b0 = yw0[y]!;
    const b1 = yw1[y]!;
    let k = oR + y * rowStride;
    for (let t = 0; t < end; t += 4, k += step) {
      const p = taps[t]!;
      const q = taps[t + 1]!;
      const a = taps[t + 2]!;
      const b = taps[t + 3]!;
      const pa = r0 + p;
      const qa = r0 + q;
      const pb = r1 + p;
      const qb = r1 + q;
      let h0 = src[pa]! * a + src[qa]! * b;
      let h1 = src[pb]! * a + src[qb]! * b;
      out[k] = tables[((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2]!;
      h0 = src[pa + 1]! * a + src[qa + 1]! * b;
      h1 = src[pb + 1]! * a + src[qb + 1]! * b;
      out[k + dG] = tables[256 + (((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2)]!;
      h0 = src[pa + 2]! * a + src[qa + 2]! * b;
      h1 = src[pb + 2]! * a + src[qb + 2]! * b;
      out[k + dB] = tables[512 + (((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2)]!;
    }
  }
}

/** Enlarging (or same height): cached horizontal rows, blended per output row. */
function cvCachedKernel(
  src: Uint8Array,
  sw: number,
  ya: LinearAxis,
  px0: Int32Array,
  px1: Int32Array,
  wx0: Int32Array,
  wx1: Int32Array,
  dw: number,
  dh: number,
  out: Float32Array,
  o0: number,
  o1: number,
  o2: number,
  rowStride: number,
  step: number,
  l0: Float32Array,
  l1: Float32Array,
  l2: Float32Array,
  s0: number,
  s1: number,
  s2: number,
): void {
  const stride = sw * 3;
  const rowLen = dw * 3;
  let hA = new Int32Array(rowLen);
  let hB = new Int32Array(rowLen);
  let rowA = -1; // source row held by hA
  let rowB = -1; // source row held by hB
  for (let y = 0; y < dh; y++) {
    const sy0 = ya.i0[y]!;
    const sy1 = ya.i1[y]!;
    // Rows go down: make hA hold sy0 and hB hold sy1 (reusing what is cached).
    if (rowA !== sy0) {
      if (rowB === sy0) {
        const t = hA;
        hA = hB;
        hB = t;
        rowB = rowA;
      } else {
        horizontalLinear(src, sy0 * stride, hA, px0, px1, wx0, wx1, dw, 3);
      }
      rowA = sy0;
    }
    if (sy1 !== sy0 && rowB !== sy1) {
      horizontalLinear(src, sy1 * stride, hB, px0, px1, wx0, wx1, dw, 3);
      rowB = sy1;
    }
    const h0 = hA;
    const h1 = sy1 === sy0 ? hA : hB;
    const b0 = ya.w0[y]!;
    const b1 = ya.w1[y]!;
    let k = y * rowStride;
    for (let i = 0; i < rowLen; i += 3, k += step) {
      let j = i + s0;
      out[o0 + k] = l0[((((h0[j]! >> 4) * b0) >> 16) + (((h1[j]! >> 4) * b1) >> 16) + 2) >> 2]!;
      j = i + s1;
      out[o1 + k] = l1[((((h0[j]! >> 4) * b0) >> 16) + (((h1[j]! >> 4) * b1) >> 16) + 2) >> 2]!;
      j = i + s2;
      out[o2 + k] = l2[((((h0[j]! >> 4) * b0) >> 16) + (((h1[j]! >> 4) * b1) >> 16) + 2) >> 2]!;
    }
  }
}

/** PIL's `precompute_coeffs` for the bilinear (triangle) filter, as 22-bit integers. */
interface PilAxis {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** `dstSize × taps` integer weights. */
  readonly weights: Int32Array;
  readonly taps: number;
}

function pilAxis(srcSize: number, dstSize: number): PilAxis {
  const scale = srcSize / dstSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = 1 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Int32Array(dstSize * taps);
  const k = new Float64Array(taps);
  const ss = 1 / filterScale;
  for (let d = 0; d < dstSize; d++) {
    const center = (d + 0.5) * scale;
    // (int) casts in C truncate toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > srcSize) xmax = srcSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      let t = (x + xmin - center + 0.5) * ss;
      if (t < 0) t = -t;
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[d * taps + x] =
        w < 0
          ? Math.trunc(-0.5 + w * (1 << PIL_PRECISION_BITS))
          : Math.trunc(0.5 + w * (1 << PIL_PRECISION_BITS));
    }
    start[d] = xmin;
    count[d] = xmax;
  }
  return { start, count, weights, taps };
}

function clip8(v: number): number {
  const s = v >> PIL_PRECISION_BITS;
  return s < 0 ? 0 : s > 255 ? 255 : s;
}

function pilBilinearResampler(
  src: Uint8Array,
  sw: number,
  sh: number,
  cn: number,
  dw: number,
  dh: number,
): RowResampler {
  const needH = sw !== dw;
  const needV = sh !== dh;
  const xa = needH ? pilAxis(sw, dw) : undefined;
  const ya = needV ? pilAxis(sh, dh) : undefined;
  const rowLen = dw * cn;
  const half = 1 << (PIL_PRECISION_BITS - 1);

  // Horizontally resampled source rows (8-bit, as PIL keeps them), in a ring keyed by row.
  const ringSize = ya ? ya.taps : 1;
  const ring: Uint8Array[] = [];
  for (let i = 0; i < ringSize; i++) ring.push(new Uint8Array(rowLen));
  const ringRow = new Int32Array(ringSize).fill(-1);
  const hrow = (sy: number): Uint8Array => {
    const slot = sy % ringSize;
    const h = ring[slot]!;
    if (ringRow[slot] === sy) return h;
    const base = sy * sw * cn;
    if (!xa) {
      h.set(src.subarray(base, base + rowLen));
    } else {
      const { start, count, weights, taps } = xa;
      for (let dx = 0; dx < dw; dx++) {
        const x0 = base + start[dx]! * cn;
        const n = count[dx]!;
        const wo = dx * taps;
        if (cn === 3) {
          let r = half;
          let g = half;
          let b = half;
          for (let j = 0, p = x0; j < n; j++, p += 3) {
            const w = weights[wo + j]!;
            r += src[p]! * w;
            g += src[p + 1]! * w;
            b += src[p + 2]! * w;
          }
          h[dx * 3] = clip8(r);
          h[dx * 3 + 1] = clip8(g);
          h[dx * 3 + 2] = clip8(b);
          continue;
        }
        for (let c = 0; c < cn; c++) {
          let acc = half;
          for (let j = 0; j < n; j++) acc += src[x0 + j * cn + c]! * weights[wo + j]!;
          h[dx * cn + c] = clip8(acc);
        }
      }
    }
    ringRow[slot] = sy;
    return h;
  };

  const rowsScratch: Uint8Array[] = new Array(ringSize);
  const acc = new Int32Array(rowLen);
  return {
    dstWidth: dw,
    dstHeight: dh,
    channels: cn,
    row(dy, out, offset) {
      if (!ya) {
        out.set(hrow(dy), offset);
        return;
      }
      const y0 = ya.start[dy]!;
      const n = ya.count[dy]!;
      const wo = dy * ya.taps;
      for (let j = 0; j < n; j++) rowsScratch[j] = hrow(y0 + j);
      // Row-wise accumulation (same sums as PIL's per-pixel loop; integers, so order-free).
      acc.fill(half);
      for (let j = 0; j < n; j++) {
        const r = rowsScratch[j]!;
        const w = ya.weights[wo + j]!;
        for (let x = 0; x < rowLen; x++) acc[x] = acc[x]! + r[x]! * w;
      }
      for (let x = 0; x < rowLen; x++) out[offset + x] = clip8(acc[x]!);
    },
  };
}

/**
 * Resizes interleaved 8-bit pixels with the pure resampler.
 * @param src [sh,sw,channels] uint8
 * @returns [dh,dw,channels] uint8
 */
export function resizePixels(
  src: Uint8Array,
  sw: number,
  sh: number,
  channels: number,
  dw: number,
  dh: number,
  options: ResampleOptions = {},
): Uint8Array {
  const r = createResampler(src, sw, sh, channels, dw, dh, options);
  const rowLen = dw * channels;
  const out = new Uint8Array(rowLen * dh);
  for (let y = 0; y < dh; y++) r.row(y, out, y * rowLen);
  return out;
}

/**
 * Resizes an RGB image to exactly `width × height` (aspect ratio not kept) with the pure
 * resampler. For the same resize plus the `Transform` that maps boxes back, use `resize`.
 * @returns data [height,width,3] uint8
 */
export function resizeRgb(
  image: RgbImage,
  width: number,
  height: number,
  options: ResampleOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  const data = resizePixels(image.data, image.width, image.height, 3, width, height, options);
  return { data, width, height };
}
