// AssemblyScript source of @ocelot/image's WebAssembly SIMD kernel: OpenCV 4.6's INTER_LINEAR
// on 8-bit RGB fused with the normalisation table lookup, the same integer steps as
// `cvBilinearToTensor` in src/resize.ts. Built by scripts/build-wasm.mjs into
// src/wasm/bilinear-module.ts; the caller (src/bilinear-wasm.ts) lays out every buffer.
// (`@inline` on functions is AssemblyScript, not TypeScript: wasm/biome.json keeps biome off.)
//
// Horizontal pass, one output pixel per vector: 8 source bytes from the pixel's first tap
// (its second tap is the next pixel, or has weight 0), swizzled to the i16 pairs
// (c0 at p, c0 at p+3, c1…, c2…, 0, 0) and dotted with (a, b, a, b, a, b, 0, 0): the lanes are
// `S[p+c]·a + S[q+c]·b` (≤ 255·2048, exact). Vertical pass on those i32x4 per pixel:
// `(((h0 >> 4)·b0 >> 16) + ((h1 >> 4)·b1 >> 16) + 2) >> 2`, then the table lookups.

@inline
function hpass(row: usize, xoff: usize, xw: usize, dst: usize, dw: i32, mask: v128): void {
  for (let x: i32 = 0; x < dw; x++) {
    const p = <usize>load<u32>(xoff + (<usize>x << 2));
    v128.store(dst + (<usize>x << 4), htap(row, p, v128.load(xw + (<usize>x << 4)), mask));
  }
}

/** One source pixel pair of row `row` for the taps at `p`, weighted: i32x4 (c0, c1, c2, 0). */
@inline
function htap(row: usize, p: usize, w: v128, mask: v128): v128 {
  return i32x4.dot_i16x8_s(i8x16.swizzle(v128.load64_zero(row + p), mask), w);
}

/** The vertical blend of two horizontal results and the three table lookups. */
@inline
function vstore(
  h0: v128,
  h1: v128,
  vb0: v128,
  vb1: v128,
  k: usize,
  p1: usize,
  p2: usize,
  lut: usize,
): void {
  const v0 = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h0, 4), vb0), 16);
  const v1 = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h1, 4), vb1), 16);
  // ((v0 + v1 + 2) >> 2) · 4: the byte offset into a 256-float table.
  const v = i32x4.shl(i32x4.shr_s(i32x4.add(i32x4.add(v0, v1), i32x4.splat(2)), 2), 2);
  store<f32>(k, load<f32>(lut + <usize>i32x4.extract_lane(v, 0)));
  store<f32>(k + p1, load<f32>(lut + <usize>i32x4.extract_lane(v, 1), 1024));
  store<f32>(k + p2, load<f32>(lut + <usize>i32x4.extract_lane(v, 2), 2048));
}

/** First free byte after the module's own data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * `src`: the used source rows, `stride` bytes apart. `ytab`: per output row (source slot 0,
 * source slot 1, weight 0, weight 1) as i32. `xoff`: per output column the byte offset of
 * its first tap; `xw`: its (a, b, a, b, a, b, 0, 0) i16 weights. `lut`: 3 × 256 f32, output
 * channel order. `maskPtr`: the swizzle mask. `hA`, `hB`: two rows of `dw` i32x4. Output
 * channel c of pixel (x, y) goes to `out + 4·(y·rowStride + x·step + c·plane)`.
 */
export function bilinear(
  src: usize,
  stride: i32,
  dw: i32,
  dh: i32,
  xoff: usize,
  xw: usize,
  ytab: usize,
  lut: usize,
  maskPtr: usize,
  hA: usize,
  hB: usize,
  out: usize,
  rowStride: i32,
  step: i32,
  plane: i32,
): void {
  const mask = v128.load(maskPtr);
  const step4 = <usize>step << 2;
  const p1 = <usize>plane << 2;
  const p2 = p1 << 1;
  let a = hA;
  let b = hB;
  let rowA: i32 = -1;
  let rowB: i32 = -1;
  for (let y: i32 = 0; y < dh; y++) {
    const t = ytab + (<usize>y << 4);
    const sy0 = load<i32>(t);
    const sy1 = load<i32>(t, 4);
    const vb0 = i32x4.splat(load<i32>(t, 8));
    const vb1 = i32x4.splat(load<i32>(t, 12));
    let k = out + (<usize>(y * rowStride) << 2);
    if (sy1 !== sy0 && rowA !== sy0 && rowB !== sy0 && rowA !== sy1 && rowB !== sy1) {
      // Neither source row is cached: both horizontal passes in registers, blended at once;
      // the second row is kept in `b` for the next output row.
      const r0 = src + <usize>sy0 * <usize>stride;
      const r1 = src + <usize>sy1 * <usize>stride;
      for (let x: i32 = 0; x < dw; x++, k += step4) {
        const p = <usize>load<u32>(xoff + (<usize>x << 2));
        const w = v128.load(xw + (<usize>x << 4));
        const h1 = htap(r1, p, w, mask);
        v128.store(b + (<usize>x << 4), h1);
        vstore(htap(r0, p, w, mask), h1, vb0, vb1, k, p1, p2, lut);
      }
      rowA = -1;
      rowB = sy1;
      continue;
    }
    // Rows go down: make `a` hold slot sy0 and `b` slot sy1, reusing what is cached.
    if (rowA !== sy0) {
      if (rowB === sy0) {
        const s = a;
        a = b;
        b = s;
        rowB = rowA;
      } else {
        hpass(src + <usize>sy0 * <usize>stride, xoff, xw, a, dw, mask);
      }
      rowA = sy0;
    }
    if (sy1 !== sy0 && rowB !== sy1) {
      hpass(src + <usize>sy1 * <usize>stride, xoff, xw, b, dw, mask);
      rowB = sy1;
    }
    let q = sy1 === sy0 ? a : b;
    const end = a + (<usize>dw << 4);
    for (let p = a; p < end; p += 16, q += 16, k += step4) {
      vstore(v128.load(p), v128.load(q), vb0, vb1, k, p1, p2, lut);
    }
  }
}
