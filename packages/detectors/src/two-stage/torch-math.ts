/**
 * float32 arithmetic as torch 1.13's CPU kernels do it (x86-64, AVX2 dispatch, which is what
 * Debian's and the PyPI wheels pick on AVX2/AVX-512 machines), so two-stage scores and resized
 * inputs match torchvision bit for bit rather than to the last ulp:
 *
 * - `fmaf`: a fused multiply-add rounded once to float32 (the compiler contracts `a * b + c`
 *   in the AVX2 kernels to `vfmadd`);
 * - `expf`: SLEEF's `expf_u10` (what `Vectorized<float>::exp` calls), polynomial and all;
 * - `sigmoidInto` / `softmaxRows`: torch's vectorised `sigmoid` and last-dim `softmax` with the
 *   same operation order (tail elements, lane-wise sums, reciprocal multiply).
 *
 * A scalar path with correctly rounded `Math.exp` would differ from torch by one ulp in a few
 * percent of values; that is harmless for thresholds but can reorder equal-looking scores in
 * NMS, which is what exactness buys.
 */

const fround = Math.fround;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts keep the low mantissa word first (every JS engine in practice).
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * `a·b + c` rounded once to float32 (C `fmaf`), for float32 `a`, `b`, `c`.
 *
 * `a·b` of two float32 is exact in a double; the sum is rounded to double and then to float32.
 * That double rounding only errs when the double sum lands exactly halfway between two
 * float32 values while the exact sum does not; that case is detected from the mantissa bits and
 * resolved with the exact rounding error of the sum (TwoSum).
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s) return r;
  f64[0] = s;
  // A float32 midpoint has exactly one bit set below the float32 mantissa (bit 28 of the
  // double's 52-bit mantissa) and none under it (normal float32 range).
  if ((u32[LO]! & 0x1fffffff) !== 0x10000000) return r;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  const m = s - r;
  return e > 0 === m > 0 ? fround(r + 2 * m) : r;
}

// SLEEF's float32 constants, by bit pattern (the decimal literals in sleefsp.c round to these).
const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
function float32FromBits(b: number): number {
  bits[0] = b;
  return asFloat[0]!;
}
const R_LN2F = float32FromBits(0x3fb8aa3b); // 1/ln 2
const L2UF = float32FromBits(0x3f317200); // ln 2, upper part
const L2LF = float32FromBits(0x35bfbe8e); // ln 2, lower part
const P0 = float32FromBits(0x39502bda); // 0.000198527617612853646278381
const P1 = float32FromBits(0x3ab696c9); // 0.00139304355252534151077271
const P2 = float32FromBits(0x3c0888a6); // 0.00833336077630519866943359
const P3 = float32FromBits(0x3d2aaa7a); // 0.0416664853692054748535156
const P4 = float32FromBits(0x3e2aaaab); // 0.166666671633720397949219

/** Round half to even (`_mm256_cvtps_epi32` in the default rounding mode). */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `exp(d)` for float32 `d` exactly as SLEEF's `xexpf` (u10) with FMA computes it — torch's
 * vectorised `exp` on AVX2.
 */
export function expf(d: number): number {
  if (Number.isNaN(d)) return d;
  if (d < -104) return 0;
  if (d > 100) return Number.POSITIVE_INFINITY;
  const q = rint(fround(d * R_LN2F));
  let s = fmaf(q, -L2UF, d);
  s = fmaf(q, -L2LF, s);
  let u = P0;
  u = fmaf(u, s, P1);
  u = fmaf(u, s, P2);
  u = fmaf(u, s, P3);
  u = fmaf(u, s, P4);
  u = fmaf(u, s, 0.5);
  u = fround(1 + fmaf(fround(s * s), u, s));
  // vldexp2: two multiplications so that neither power of two overflows
  const h = q >> 1;
  u = fround(u * 2 ** h);
  return fround(u * 2 ** (q - h));
}

/**
 * torch.sigmoid over a contiguous float32 array, written to `out` (may be `x`).
 * torch's elementwise loop runs the vector kernel (`1 / (1 + exp(-x))` with SLEEF `exp`) over
 * chunks of 16 and the scalar kernel (libm `expf`) over the last `n % 16` elements.
 * @param x [n]
 * @returns `out`
 */
export function sigmoidInto(x: Float32Array, out: Float32Array): Float32Array {
  const n = x.length;
  const vectorEnd = n - (n % 16);
  for (let i = 0; i < vectorEnd; i++) {
    out[i] = fround(1 / fround(1 + expf(fround(-x[i]!))));
  }
  for (let i = vectorEnd; i < n; i++) {
    out[i] = fround(1 / fround(1 + fround(Math.exp(-x[i]!))));
  }
  return out;
}

/**
 * torch.softmax over the last dim of a row-major [rows, cols] float32 matrix (torch's
 * `_vec_softmax_lastdim`): row max, `exp(x − max)` with SLEEF, the sum reduced as
 * `vec::reduce_all` does (sequential below 8 columns; 8 lanes then a halving tree otherwise),
 * and multiplication by the float32 reciprocal of the sum.
 * @param logits [rows, cols]
 * @returns [rows, cols] probabilities
 */
export function softmaxRows(logits: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const lanes = new Float64Array(8);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = logits[o]!;
    for (let c = 1; c < cols; c++) {
      const v = logits[o + c]!;
      if (v > max) max = v;
    }
    for (let c = 0; c < cols; c++) out[o + c] = expf(fround(logits[o + c]! - max));
    let sum: number;
    if (cols < 8) {
      sum = out[o]!;
      for (let c = 1; c < cols; c++) sum = fround(sum + out[o + c]!);
    } else {
      for (let l = 0; l < 8; l++) lanes[l] = out[o + l]!;
      const full = cols - (cols % 8);
      let c = 8;
      for (; c < full; c += 8) {
        for (let l = 0; l < 8; l++) lanes[l] = fround(lanes[l]! + out[o + c + l]!);
      }
      for (let l = 0; c + l < cols; l++) lanes[l] = fround(lanes[l]! + out[o + c + l]!);
      for (let width = 4; width >= 1; width >>= 1) {
        for (let l = 0; l < width; l++) lanes[l] = fround(lanes[l]! + lanes[l + width]!);
      }
      sum = lanes[0]!;
    }
    const inv = fround(1 / sum);
    for (let c = 0; c < cols; c++) out[o + c] = fround(out[o + c]! * inv);
  }
  return out;
}
