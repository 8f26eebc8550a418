/**
 * Bilinear sampling positions ("taps") along one axis, and the float32 arithmetic of PyTorch
 * 1.13's CPU `F.interpolate(mode='bilinear', align_corners=False)` on NCHW tensors with more
 * than one channel, reproduced bit for bit (checked against torch on random inputs):
 *
 * - `scale = float32(in / out)`; `src = scale · (k + 0.5) − 0.5` in double, clamped at 0;
 *   `i0 = trunc(src)`, `i1 = min(i0 + 1, in − 1)`; `λ1 = float32(src − i0)`,
 *   `λ0 = float32(1 − λ1)`;
 * - along a row `t = fma(a, λ0x, b·λ1x)`, then across rows `v = fma(t0, λ0y, t1·λ1y)` — GCC
 *   contracts torch's `t0 * w0 + t1 * w1` into a fused multiply-add of the first product.
 *
 * `fma(a, b, c)` is emulated as `fround(a·b + c)` in double: the product of two float32
 * numbers is exact in double, so only a double-rounding coincidence could differ.
 */

/** Per output index along one axis: the two source indices and their float32 weights. */
export interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float32Array;
  readonly w1: Float32Array;
}

const f32 = Math.fround;

/**
 * torch's taps for resizing `inSize` → `outSize` samples, source indices shifted by `offset`
 * (the first source index of a crop).
 */
export function torchTaps(inSize: number, outSize: number, offset = 0): AxisTaps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let k = 0; k < outSize; k++) {
    let src = scale * (k + 0.5) - 0.5;
    if (src < 0) src = 0;
    const a = Math.trunc(src);
    let l1 = f32(src - a);
    if (l1 > 1) l1 = 1;
    i0[k] = offset + a;
    i1[k] = offset + (a < inSize - 1 ? a + 1 : a);
    w1[k] = l1;
    w0[k] = f32(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

/**
 * Taps that map `outSize` output samples onto the region `[start, end)` of a map axis of
 * `mapSize` samples (pixel-edge coordinates, possibly fractional), e.g. the unpadded part of
 * a letterboxed model output. When the region is whole samples this is torch's crop-then-
 * resize; otherwise output centre k samples the map at `start + (k + 0.5)·(end − start)/outSize
 * − 0.5`, clamped to the centres of the samples the region touches (padding never bleeds in;
 * the same geometry as @ocelot/image's `Transform.maskToImage`).
 */
export function regionTaps(mapSize: number, start: number, end: number, outSize: number): AxisTaps {
  const s = Math.round(start);
  const e = Math.round(end);
  if (Math.abs(start - s) < 1e-6 && Math.abs(end - e) < 1e-6 && s >= 0 && e <= mapSize && e > s) {
    return torchTaps(e - s, outSize, s);
  }
  const first = Math.max(0, Math.min(mapSize - 1, Math.floor(start + 1e-6)));
  const last = Math.max(first, Math.min(mapSize - 1, Math.ceil(end - 1e-6) - 1));
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  const step = (end - start) / outSize;
  for (let k = 0; k < outSize; k++) {
    let v = start + (k + 0.5) * step - 0.5;
    if (v < first) v = first;
    if (v > last) v = last;
    const a = Math.floor(v);
    const l1 = f32(v - a);
    i0[k] = a;
    i1[k] = Math.min(a + 1, last);
    w1[k] = l1;
    w0[k] = f32(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

/** True when the taps copy source index k + offset to output k (a resize by a factor of 1). */
export function isIdentityTaps(t: AxisTaps, sourceSize: number): boolean {
  if (t.i0.length !== sourceSize) return false;
  for (let k = 0; k < t.i0.length; k++) if (t.i0[k] !== k || t.w1[k] !== 0) return false;
  return true;
}

/** torch's bilinear value from the four corners (a, b on the upper row; c, d below). */
export function bilinear(
  a: number,
  b: number,
  c: number,
  d: number,
  wx0: number,
  wx1: number,
  wy0: number,
  wy1: number,
): number {
  const t0 = f32(a * wx0 + f32(b * wx1));
  const t1 = f32(c * wx0 + f32(d * wx1));
  return f32(t0 * wy0 + f32(t1 * wy1));
}
