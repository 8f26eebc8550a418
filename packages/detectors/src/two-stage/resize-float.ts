/**
 * Bilinear resizing of a float32 CHW tensor identical to torch 1.13's
 * `F.interpolate(x, mode='bilinear', align_corners=False)` on the CPU — what torchvision's
 * `GeneralizedRCNNTransform` applies to the normalised image. @ocelot/image resizes uint8
 * pixels (OpenCV / PIL semantics); R-CNN models resize the normalised floats instead, so the
 * two cannot agree bit for bit and this float path exists.
 *
 * torch's kernel (`upsample_generic_Nd_kernel_impl` with `HelperInterpLinear`):
 * - scale per axis `in / out` in float32; source coordinate `scale·(d + 0.5) − 0.5` in double,
 *   clamped at 0; `i0 = trunc`, `i1 = i0 + 1` unless at the last row/column; `λ1 = min(max(
 *   src − i0, 0), 1)` rounded to float32, `λ0 = 1 − λ1` in float32; an axis whose size does
 *   not change copies (λ = 1, 0);
 * - per output value, width first: `r = fma(x[i0], λ0w, x[i1]·λ1w)` for the two source rows,
 *   then `fma(r0, λ0h, r1·λ1h)` (the compiler fuses the accumulation into FMAs).
 *
 * (torch sends a [1, 1, H, W] tensor — also channels-last contiguous — to its channels-last
 * kernel, which rounds differently; R-CNN inputs have three channels and take this path.)
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { fmaf } from './torch-math.js';

const fround = Math.fround;

/** Source indices and weights of one axis. */
interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float32Array;
  readonly w1: Float32Array;
}

function axisTaps(inSize: number, outSize: number): AxisTaps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  if (inSize === outSize) {
    for (let d = 0; d < outSize; d++) {
      i0[d] = d;
      i1[d] = d;
      w0[d] = 1;
    }
    return { i0, i1, w0, w1 };
  }
  const scale = fround(inSize / outSize);
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(scale * (d + 0.5) - 0.5, 0);
    const a = Math.trunc(src);
    i0[d] = a;
    i1[d] = a < inSize - 1 ? a + 1 : a;
    const l1 = fround(Math.min(Math.max(src - a, 0), 1));
    w1[d] = l1;
    w0[d] = fround(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

function checkSide(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new InvalidArgumentError(name, `expected an integer >= 1, got ${v}`);
  }
}

/**
 * Resizes every channel of a float32 [C, H, W] tensor to [C, outHeight, outWidth] like torch's
 * bilinear `interpolate` (align_corners=False, no antialias), bit for bit.
 * @param src [C, H, W] float32, row-major
 * @param out optional destination of `C·outHeight·outWidth` floats
 * @returns [C, outHeight, outWidth]
 * @throws ShapeMismatchError when `src.length !== C·H·W`; InvalidArgumentError on bad sizes
 */
export function resizeBilinearFloat(
  src: Float32Array,
  channels: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  out?: Float32Array,
): Float32Array {
  checkSide('channels', channels);
  checkSide('height', height);
  checkSide('width', width);
  checkSide('outHeight', outHeight);
  checkSide('outWidth', outWidth);
  if (!(src instanceof Float32Array) || src.length !== channels * height * width) {
    throw new ShapeMismatchError(
      'src',
      `[C=${channels}, H=${height}, W=${width}] float32`,
      src instanceof Float32Array ? `${src.length} elements` : typeof src,
    );
  }
  const plane = outHeight * outWidth;
  const dst = out ?? new Float32Array(channels * plane);
  if (dst.length < channels * plane) {
    throw new ShapeMismatchError('out', `>= ${channels * plane} elements`, `${dst.length}`);
  }
  const xs = axisTaps(width, outWidth);
  const ys = axisTaps(height, outHeight);
  // Horizontal pass of each source row used, computed once per row (rows are shared by
  // neighbouring output rows).
  const rowCache = new Float32Array(height * outWidth);
  const done = new Uint8Array(height);
  for (let c = 0; c < channels; c++) {
    const base = c * height * width;
    done.fill(0);
    const horizontal = (y: number): number => {
      const o = y * outWidth;
      if (done[y] === 0) {
        const row = base + y * width;
        for (let x = 0; x < outWidth; x++) {
          const t1 = fround(src[row + xs.i1[x]!]! * xs.w1[x]!);
          rowCache[o + x] = fmaf(src[row + xs.i0[x]!]!, xs.w0[x]!, t1);
        }
        done[y] = 1;
      }
      return o;
    };
    const dstBase = c * plane;
    for (let y = 0; y < outHeight; y++) {
      const r0 = horizontal(ys.i0[y]!);
      const r1 = horizontal(ys.i1[y]!);
      const w0 = ys.w0[y]!;
      const w1 = ys.w1[y]!;
      const o = dstBase + y * outWidth;
      for (let x = 0; x < outWidth; x++) {
        dst[o + x] = fmaf(rowCache[r0 + x]!, w0, fround(rowCache[r1 + x]! * w1));
      }
    }
  }
  return dst;
}

/**
 * {@link resizeBilinearFloat} of an image normalised through a table, without making the
 * normalised full-size image first: every source value is `lut[c·256 + byte]`, which is what
 * a per-pixel normalisation (@ocelot/image's `toTensor`) gives, so the result is the same bit
 * for bit. Writes channel c's [outHeight, outWidth] into the top-left corner of plane c of
 * `dst` laid out [C, dstHeight, dstWidth] (a zero-padded network input); the rest of `dst` is
 * left as it is.
 *
 * @param pixels [H, W, S] uint8, interleaved
 * @param lut [C·256] float32: the normalised value of byte v in output channel c at c·256 + v
 * @param sourceChannel for each output channel, the interleaved channel it reads (e.g. [2,1,0]
 *   for BGR)
 * @internal
 */
export function resizeBilinearBytes(
  pixels: Uint8Array,
  width: number,
  height: number,
  lut: Float32Array,
  sourceChannel: readonly number[],
  outHeight: number,
  outWidth: number,
  dst: Float32Array,
  dstHeight: number,
  dstWidth: number,
): void {
  const stride = pixels.length / (width * height);
  const channels = sourceChannel.length;
  const plane = dstHeight * dstWidth;
  if (outWidth === width && outHeight === height) {
    for (let c = 0; c < channels; c++) {
      const lb = c * 256;
      const sc = sourceChannel[c]!;
      for (let y = 0; y < height; y++) {
        const o = c * plane + y * dstWidth;
        for (let x = 0, p = y * width * stride + sc; x < width; x++, p += stride) {
          dst[o + x] = lut[lb + pixels[p]!]!;
        }
      }
    }
    return;
  }
  const xs = axisTaps(width, outWidth);
  const ys = axisTaps(height, outHeight);
  const x0 = new Int32Array(outWidth);
  const x1 = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    x0[x] = xs.i0[x]! * stride;
    x1[x] = xs.i1[x]! * stride;
  }
  const { w0: wx0, w1: wx1 } = xs;
  // source rows some output row reads
  const used = new Uint8Array(height);
  for (let y = 0; y < outHeight; y++) {
    used[ys.i0[y]!] = 1;
    used[ys.i1[y]!] = 1;
  }
  const rowCache = new Float32Array(height * outWidth);
  for (let c = 0; c < channels; c++) {
    const lb = c * 256;
    const sc = sourceChannel[c]!;
    // horizontal pass of every used source row
    for (let y = 0; y < height; y++) {
      if (used[y] === 0) continue;
      const row = y * width * stride + sc;
      const o = y * outWidth;
      for (let x = 0; x < outWidth; x++) {
        const t1 = fround(lut[lb + pixels[row + x1[x]!]!]! * wx1[x]!);
        rowCache[o + x] = fmaf(lut[lb + pixels[row + x0[x]!]!]!, wx0[x]!, t1);
      }
    }
    // vertical pass into the destination plane
    for (let y = 0; y < outHeight; y++) {
      const r0 = ys.i0[y]! * outWidth;
      const r1 = ys.i1[y]! * outWidth;
      const w0 = ys.w0[y]!;
      const w1 = ys.w1[y]!;
      const o = c * plane + y * dstWidth;
      for (let x = 0; x < outWidth; x++) {
        dst[o + x] = fmaf(rowCache[r0 + x]!, w0, fround(rowCache[r1 + x]! * w1));
      }
    }
  }
}
