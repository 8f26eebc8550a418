/**
 * YOLO-seg mask assembly: mask coefficients × prototypes → sigmoid → masks in ORIGINAL image
 * pixels, computed only where a mask can be non-zero (its box plus one resampling tap), so
 * 100 instances cost about their total box area, not 100 image-sized maps.
 *
 * `proto` — Ultralytics `ops.process_mask(protos, coefficients, boxes, input_shape,
 * upsample=True)` (`retina_masks=False`), then the letterbox undone:
 *   1. p = sigmoid(coefficients · prototypes) at prototype resolution (mh × mw);
 *   2. `crop_mask` in prototype pixels: the box times (mw / iw, mh / ih) (float32), keeping
 *      prototype pixel (r, c) iff x1 ≤ c < x2 and y1 ≤ r < y2 (pixel indices, not centres);
 *   3. bilinear upsampling to the input size (`F.interpolate(align_corners=False)`);
 *   4. the padding cropped and the rest resized to the original size, bilinear (`scale_masks`,
 *      the Transform's content region);
 *   5. p > threshold (0.5).
 * `native` — `ops.process_mask_native` (`retina_masks=True`): p at prototype resolution, the
 *   padding cropped there with Ultralytics' `int()` of the fractional padding, one bilinear
 *   resize straight to the original size, then `crop_mask` with the box in original pixels,
 *   then p > threshold.
 *
 * Resampling uses torch's float32 arithmetic (semantic/resample.ts). The coefficient ·
 * prototype sums are computed in double and rounded once (torch's BLAS sums in float32 in its
 * own order), so mask probabilities can differ from torch's in the last bits — a pixel whose
 * probability is within ~1e-6 of the threshold may fall on the other side.
 *
 * Ultralytics ≥ 8.3 skips the sigmoid and thresholds the logits at 0 (`gt_(0.0)`); inside the
 * box that is the same decision, but the cropped-out pixels it zeroes are logit 0 (probability
 * 0.5) rather than probability 0, so its masks reach up to one prototype pixel further across
 * the box edge.
 */
import { type Rle, rleDecode } from '@ocelot/core';
import type { Transform } from '@ocelot/image';
import type { PixelRegion } from '../instance/region.js';
import { type AxisTaps, regionTaps, torchTaps } from '../semantic/resample.js';
import type { Prototypes } from './decode.js';

const f32 = Math.fround;

/**
 * Buffers reused by every instance of one `protoMasks` call (allocating them per instance made
 * garbage collection cost more than the arithmetic).
 */
class Scratch {
  f64 = new Float64Array(1024);
  probs = new Float32Array(1024);
  tmp = new Float32Array(1024);
  input = new Float32Array(1024);
  state = new Uint8Array(1024);
  runRow = new Int32Array(256);
  runStart = new Int32Array(256);
  writer = new RunWriter();

  /** `buf` if it holds `n` elements, else a larger one of the same type. */
  static fit<T extends Float64Array | Float32Array | Uint8Array | Int32Array>(
    buf: T,
    n: number,
  ): T {
    if (buf.length >= n) return buf;
    const Ctor = buf.constructor as new (n: number) => T;
    return new Ctor(Math.max(n, 2 * buf.length));
  }
}

export interface ProtoMaskParams {
  /** `proto` (process_mask + undo letterbox) or `native` (process_mask_native). */
  readonly mode: 'proto' | 'native';
  /** Foreground when the probability is strictly greater. */
  readonly threshold: number;
  /** Model input ↔ original image. */
  readonly transform: Transform;
  readonly format: 'rle' | 'binary';
}

/** A window of prototype-resolution probabilities, rows [r0, r1] × columns [q0, q1]. */
interface ProbWindow {
  readonly data: Float32Array;
  readonly r0: number;
  readonly q0: number;
  readonly width: number;
  readonly height: number;
}

/**
 * sigmoid(coefficients · prototypes) over rows [r0, r1] × columns [q0, q1]; pixels outside
 * `keep` (when given) are 0 (Ultralytics `crop_mask` on probabilities).
 */
function probabilities(
  protos: Prototypes,
  coefficients: Float32Array,
  offset: number,
  r0: number,
  r1: number,
  q0: number,
  q1: number,
  scratch: Scratch,
  keep?: PixelRegion,
): ProbWindow {
  const width = q1 - q0 + 1;
  const height = r1 - r0 + 1;
  // the pixels that get a probability: the window, or its part inside `keep`
  const ra = keep ? Math.max(r0, keep.y0) : r0;
  const rb = keep ? Math.min(r1, keep.y1 - 1) : r1;
  const qa = keep ? Math.max(q0, keep.x0) : q0;
  const qb = keep ? Math.min(q1, keep.x1 - 1) : q1;
  scratch.probs = Scratch.fit(scratch.probs, width * height);
  const out = scratch.probs;
  out.fill(0, 0, width * height);
  if (ra > rb || qa > qb) return { data: out, r0, q0, width, height };
  const kw = qb - qa + 1;
  scratch.f64 = Scratch.fit(scratch.f64, kw * (rb - ra + 1));
  const acc = scratch.f64;
  acc.fill(0, 0, kw * (rb - ra + 1));
  const { data, channels, width: mw, height: mh } = protos;
  const plane = mw * mh;
  for (let k = 0; k < channels; k++) {
    const c = coefficients[offset + k]!;
    if (c === 0) continue;
    const base = k * plane;
    for (let r = ra; r <= rb; r++) {
      const src = base + r * mw + qa;
      const dst = (r - ra) * kw;
      for (let q = 0; q < kw; q++) acc[dst + q]! += c * data[src + q]!;
    }
  }
  for (let r = ra; r <= rb; r++) {
    const o = (r - r0) * width + (qa - q0);
    const a = (r - ra) * kw;
    for (let q = 0; q < kw; q++) out[o + q] = f32(1 / (1 + Math.exp(-f32(acc[a + q]!))));
  }
  return { data: out, r0, q0, width, height };
}

/** Output indices [a, b] whose taps read a source index in [lo, hi] (taps are monotone). */
function tapRange(t: AxisTaps, lo: number, hi: number): [number, number] {
  // first index with i1 >= lo, last index with i0 <= hi (binary searches)
  let a = 0;
  let b = t.i0.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (t.i1[m]! < lo) a = m + 1;
    else b = m;
  }
  let c = -1;
  let d = t.i0.length - 1;
  while (c < d) {
    const m = (c + d + 1) >> 1;
    if (t.i0[m]! > hi) d = m - 1;
    else c = m;
  }
  return [a, c];
}

/**
 * `src` resampled at the taps of output rows [ya, yb] × columns [xa, xb], separably in torch's
 * order (each source row horizontally, then two rows blended), so every value equals
 * `bilinear`'s. `src` must cover every source row and column those taps read.
 */
function resampleWindow(
  src: ProbWindow,
  xt: AxisTaps,
  yt: AxisTaps,
  xa: number,
  xb: number,
  ya: number,
  yb: number,
  scratch: Scratch,
): ProbWindow {
  const width = xb - xa + 1;
  const height = yb - ya + 1;
  const { data, r0, q0, width: sw } = src;
  const rlo = yt.i0[ya]!;
  const rhi = yt.i1[yb]!;
  const rows = rhi - rlo + 1;
  scratch.tmp = Scratch.fit(scratch.tmp, rows * width);
  const tmp = scratch.tmp;
  for (let r = 0; r < rows; r++) {
    const s = (rlo + r - r0) * sw - q0;
    const o = r * width - xa;
    for (let x = xa; x <= xb; x++) {
      tmp[o + x] = f32(data[s + xt.i0[x]!]! * xt.w0[x]! + f32(data[s + xt.i1[x]!]! * xt.w1[x]!));
    }
  }
  scratch.input = Scratch.fit(scratch.input, width * height);
  const out = scratch.input;
  for (let y = ya; y <= yb; y++) {
    const a = (yt.i0[y]! - rlo) * width;
    const b = (yt.i1[y]! - rlo) * width;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    const o = (y - ya) * width;
    for (let k = 0; k < width; k++) out[o + k] = f32(tmp[a + k]! * wy0 + f32(tmp[b + k]! * wy1));
  }
  return { data: out, r0: ya, q0: xa, width, height };
}

/** Column-major run lengths of a binary image, zeros first (COCO RLE counts), built by runs. */
class RunWriter {
  counts = new Uint32Array(64);
  n = 1; // counts[0] is the first run of zeros (possibly empty)
  value = 0;

  reset(): void {
    this.counts[0] = 0;
    this.n = 1;
    this.value = 0;
  }

  add(v: number, length: number): void {
    if (length <= 0) return;
    if (v !== this.value) {
      if (this.n === this.counts.length) {
        const grown = new Uint32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
      this.counts[this.n++] = 0;
      this.value = v;
    }
    this.counts[this.n - 1]! += length;
  }
}

/**
 * The COCO RLE of `resampleWindow(src, …) > threshold` over output rows [ya, yb] × columns
 * [xa, xb] of an H×W image (zero elsewhere), without interpolating where the answer is
 * known: a bilinear value lies between the smallest and largest of its four corners (up to
 * float32 rounding, < 1e-6 for values in [0, 1]), so output pixels whose source cell is
 * clearly above or clearly below the threshold become whole runs; only cells straddling it
 * are interpolated. Pixels are visited column by column, as COCO RLE counts them.
 */
function thresholdToRle(
  src: ProbWindow,
  xt: AxisTaps,
  yt: AxisTaps,
  xa: number,
  xb: number,
  ya: number,
  yb: number,
  threshold: number,
  H: number,
  W: number,
  scratch: Scratch,
): Rle {
  const { data, r0, q0, width: sw, height: sh } = src;
  const eps = 1e-6;
  // cell (r, q) of the window: corners r, r+1 and q, q+1 (clamped to the window)
  scratch.state = Scratch.fit(scratch.state, sw * sh);
  const state = scratch.state;
  for (let r = 0; r < sh; r++) {
    const a = r * sw;
    const b = (r + 1 < sh ? r + 1 : r) * sw;
    for (let q = 0; q < sw; q++) {
      const q1 = q + 1 < sw ? q + 1 : q;
      let mn = data[a + q]!;
      let mx = mn;
      let v = data[a + q1]!;
      if (v < mn) mn = v;
      else if (v > mx) mx = v;
      v = data[b + q]!;
      if (v < mn) mn = v;
      else if (v > mx) mx = v;
      v = data[b + q1]!;
      if (v < mn) mn = v;
      else if (v > mx) mx = v;
      state[a + q] = mn > threshold + eps ? 1 : mx <= threshold - eps ? 0 : 2;
    }
  }
  // output rows grouped by the source row their cells start at
  scratch.runRow = Scratch.fit(scratch.runRow, yb - ya + 2);
  scratch.runStart = Scratch.fit(scratch.runStart, yb - ya + 2);
  const runRow = scratch.runRow;
  const runStart = scratch.runStart;
  let runs = 0;
  for (let y = ya; y <= yb; y++) {
    const r = yt.i0[y]! - r0;
    if (runs === 0 || runRow[runs - 1] !== r) {
      runRow[runs] = r;
      runStart[runs++] = y;
    }
  }
  runStart[runs] = yb + 1;
  const out = scratch.writer;
  out.reset();
  out.add(0, xa * H);
  for (let x = xa; x <= xb; x++) {
    out.add(0, ya);
    const qx = xt.i0[x]! - q0;
    const qy = xt.i1[x]! - q0;
    const wx0 = xt.w0[x]!;
    const wx1 = xt.w1[x]!;
    for (let k = 0; k < runs; k++) {
      const st = state[runRow[k]! * sw + qx]!;
      const y0 = runStart[k]!;
      const y1 = runStart[k + 1]!;
      if (st !== 2) {
        out.add(st, y1 - y0);
        continue;
      }
      for (let y = y0; y < y1; y++) {
        const a = (yt.i0[y]! - r0) * sw;
        const b = (yt.i1[y]! - r0) * sw;
        const t0 = f32(data[a + qx]! * wx0 + f32(data[a + qy]! * wx1));
        const t1 = f32(data[b + qx]! * wx0 + f32(data[b + qy]! * wx1));
        out.add(f32(t0 * yt.w0[y]! + f32(t1 * yt.w1[y]!)) > threshold ? 1 : 0, 1);
      }
    }
    out.add(0, H - 1 - yb);
  }
  out.add(0, (W - 1 - xb) * H);
  return { size: [H, W], counts: out.counts.slice(0, out.n) };
}

/** Geometry shared by every instance of one image. */
interface ImageGeometry {
  readonly H: number;
  readonly W: number;
  /** proto → input (proto mode). */
  readonly inX?: AxisTaps;
  readonly inY?: AxisTaps;
  /** input crop → original (proto mode), or proto crop → original (native mode). */
  readonly outX: AxisTaps;
  readonly outY: AxisTaps;
}

function geometry(protos: Prototypes, params: ProtoMaskParams): ImageGeometry {
  const t = params.transform;
  const W = t.srcWidth;
  const H = t.srcHeight;
  const iw = t.dstWidth;
  const ih = t.dstHeight;
  if (params.mode === 'proto') {
    const [x1, y1, x2, y2] = t.contentBox;
    return {
      H,
      W,
      inX: torchTaps(protos.width, iw),
      inY: torchTaps(protos.height, ih),
      outX: regionTaps(iw, x1, x2, W),
      outY: regionTaps(ih, y1, y2, H),
    };
  }
  // Ultralytics scale_masks: gain and padding from the shapes, padding truncated by int()
  const mh = protos.height;
  const mw = protos.width;
  const gain = Math.min(mh / H, mw / W);
  const padW = (mw - W * gain) / 2;
  const padH = (mh - H * gain) / 2;
  const top = Math.trunc(padH);
  const left = Math.trunc(padW);
  const bottom = Math.trunc(mh - padH);
  const right = Math.trunc(mw - padW);
  return { H, W, outX: torchTaps(right - left, W, left), outY: torchTaps(bottom - top, H, top) };
}

/**
 * Masks of the kept detections at the original image size.
 * @param protos prototypes [nm, mh, mw]
 * @param coefficients [N, nm]
 * @param inputBoxes [N,4] xyxy in model input pixels (for `proto` mode's crop)
 * @param imageBoxes [N,4] xyxy in original pixels (for `native` mode's crop)
 * @returns N COCO RLEs (or [H,W] 0/1 maps with `format: 'binary'`)
 */
export function protoMasks(
  protos: Prototypes,
  coefficients: Float32Array,
  inputBoxes: Float32Array,
  imageBoxes: Float32Array,
  params: ProtoMaskParams,
): Rle[] | Uint8Array[] {
  const g = geometry(protos, params);
  const scratch = new Scratch();
  const n = inputBoxes.length / 4;
  const masks: (Rle | Uint8Array)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const rle =
      params.mode === 'proto'
        ? protoModeMask(protos, coefficients, i, inputBoxes, params, g, scratch)
        : nativeModeMask(protos, coefficients, i, imageBoxes, params, g, scratch);
    masks[i] = params.format === 'rle' ? rle : rleDecode(rle);
  }
  return masks as Rle[] | Uint8Array[];
}

function emptyRle(g: ImageGeometry): Rle {
  return { size: [g.H, g.W], counts: Uint32Array.of(g.H * g.W) };
}

function protoModeMask(
  protos: Prototypes,
  coefficients: Float32Array,
  i: number,
  boxes: Float32Array,
  params: ProtoMaskParams,
  g: ImageGeometry,
  scratch: Scratch,
): Rle {
  const mw = protos.width;
  const mh = protos.height;
  const t = params.transform;
  const rx = f32(mw / t.dstWidth);
  const ry = f32(mh / t.dstHeight);
  const bx1 = f32(boxes[4 * i]! * rx);
  const by1 = f32(boxes[4 * i + 1]! * ry);
  const bx2 = f32(boxes[4 * i + 2]! * rx);
  const by2 = f32(boxes[4 * i + 3]! * ry);
  // kept prototype pixels: x1 ≤ c < x2, y1 ≤ r < y2
  const keep = {
    x0: Math.max(0, Math.ceil(bx1)),
    x1: Math.min(mw, Math.ceil(bx2)),
    y0: Math.max(0, Math.ceil(by1)),
    y1: Math.min(mh, Math.ceil(by2)),
  };
  if (keep.x0 >= keep.x1 || keep.y0 >= keep.y1) return emptyRle(g);
  const inX = g.inX!;
  const inY = g.inY!;
  // input pixels that read a kept prototype pixel
  const [Xa, Xb] = tapRange(inX, keep.x0, keep.x1 - 1);
  const [Ya, Yb] = tapRange(inY, keep.y0, keep.y1 - 1);
  // original pixels that read one of those input pixels
  const [xa, xb] = tapRange(g.outX, Xa, Xb);
  const [ya, yb] = tapRange(g.outY, Ya, Yb);
  if (xa > xb || ya > yb) return emptyRle(g);
  // input-resolution values over the pixels the original taps read (zero beyond [Xa, Xb]),
  // from prototype probabilities over every prototype pixel those input pixels read
  const ia = g.outX.i0[xa]!;
  const ib = g.outX.i1[xb]!;
  const ja = g.outY.i0[ya]!;
  const jb = g.outY.i1[yb]!;
  const probs = probabilities(
    protos,
    coefficients,
    i * protos.channels,
    inY.i0[ja]!,
    inY.i1[jb]!,
    inX.i0[ia]!,
    inX.i1[ib]!,
    scratch,
    keep,
  );
  const input = resampleWindow(probs, inX, inY, ia, ib, ja, jb, scratch);
  return thresholdToRle(input, g.outX, g.outY, xa, xb, ya, yb, params.threshold, g.H, g.W, scratch);
}

function nativeModeMask(
  protos: Prototypes,
  coefficients: Float32Array,
  i: number,
  boxes: Float32Array,
  params: ProtoMaskParams,
  g: ImageGeometry,
  scratch: Scratch,
): Rle {
  // crop_mask in original pixels: x1 ≤ x < x2, y1 ≤ y < y2
  const xa = Math.max(0, Math.ceil(boxes[4 * i]!));
  const xb = Math.min(g.W, Math.ceil(boxes[4 * i + 2]!)) - 1;
  const ya = Math.max(0, Math.ceil(boxes[4 * i + 1]!));
  const yb = Math.min(g.H, Math.ceil(boxes[4 * i + 3]!)) - 1;
  if (xa > xb || ya > yb) return emptyRle(g);
  const probs = probabilities(
    protos,
    coefficients,
    i * protos.channels,
    g.outY.i0[ya]!,
    g.outY.i1[yb]!,
    g.outX.i0[xa]!,
    g.outX.i1[xb]!,
    scratch,
  );
  return thresholdToRle(probs, g.outX, g.outY, xa, xb, ya, yb, params.threshold, g.H, g.W, scratch);
}
