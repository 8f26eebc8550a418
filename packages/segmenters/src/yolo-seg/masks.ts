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
import type { Rle } from '@ocelot/core';
import type { Transform } from '@ocelot/image';
import { type PixelRegion, regionToBinary, regionToRle } from '../instance/region.js';
import { type AxisTaps, regionTaps, torchTaps } from '../semantic/resample.js';
import type { Prototypes } from './decode.js';

const f32 = Math.fround;

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
  keep?: PixelRegion,
): ProbWindow {
  const width = q1 - q0 + 1;
  const height = r1 - r0 + 1;
  const acc = new Float64Array(width * height);
  const { data, channels, width: mw, height: mh } = protos;
  const plane = mw * mh;
  for (let k = 0; k < channels; k++) {
    const c = coefficients[offset + k]!;
    if (c === 0) continue;
    const base = k * plane;
    for (let r = r0; r <= r1; r++) {
      const src = base + r * mw;
      const dst = (r - r0) * width - q0;
      for (let q = q0; q <= q1; q++) acc[dst + q]! += c * data[src + q]!;
    }
  }
  const out = new Float32Array(width * height);
  for (let r = r0; r <= r1; r++) {
    for (let q = q0; q <= q1; q++) {
      if (keep && (q < keep.x0 || q >= keep.x1 || r < keep.y0 || r >= keep.y1)) continue;
      const i = (r - r0) * width + (q - q0);
      out[i] = f32(1 / (1 + Math.exp(-f32(acc[i]!))));
    }
  }
  return { data: out, r0, q0, width, height };
}

/** Output indices [a, b] whose taps read a source index in [lo, hi] (taps are monotone). */
function tapRange(t: AxisTaps, lo: number, hi: number): [number, number] {
  const n = t.i0.length;
  let a = 0;
  while (a < n && t.i1[a]! < lo) a++;
  let b = n - 1;
  while (b >= 0 && t.i0[b]! > hi) b--;
  return [a, b];
}

/**
 * Resamples `src` (values at source rows [sr0, …), columns [sq0, …), zero elsewhere) at the
 * taps of output rows [ya, yb] × columns [xa, xb].
 */
function resampleWindow(
  src: ProbWindow,
  xt: AxisTaps,
  yt: AxisTaps,
  xa: number,
  xb: number,
  ya: number,
  yb: number,
): ProbWindow {
  const width = xb - xa + 1;
  const height = yb - ya + 1;
  const out = new Float32Array(Math.max(0, width * height));
  const { data, r0, q0, width: sw, height: sh } = src;
  const read = (r: number, q: number): number => {
    const rr = r - r0;
    const qq = q - q0;
    return rr >= 0 && rr < sh && qq >= 0 && qq < sw ? data[rr * sw + qq]! : 0;
  };
  for (let y = ya; y <= yb; y++) {
    const ry0 = yt.i0[y]!;
    const ry1 = yt.i1[y]!;
    const wy0 = yt.w0[y]!;
    const wy1 = yt.w1[y]!;
    for (let x = xa; x <= xb; x++) {
      const qx0 = xt.i0[x]!;
      const qx1 = xt.i1[x]!;
      const wx0 = xt.w0[x]!;
      const wx1 = xt.w1[x]!;
      const t0 = f32(read(ry0, qx0) * wx0 + f32(read(ry0, qx1) * wx1));
      const t1 = f32(read(ry1, qx0) * wx0 + f32(read(ry1, qx1) * wx1));
      out[(y - ya) * width + (x - xa)] = f32(t0 * wy0 + f32(t1 * wy1));
    }
  }
  return { data: out, r0: ya, q0: xa, width, height };
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
  const n = inputBoxes.length / 4;
  const masks: (Rle | Uint8Array)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const region =
      params.mode === 'proto'
        ? protoModeMask(protos, coefficients, i, inputBoxes, params, g)
        : nativeModeMask(protos, coefficients, i, imageBoxes, params, g);
    masks[i] = emit(region, params.format, g);
  }
  return masks as Rle[] | Uint8Array[];
}

interface MaskRegion {
  readonly inside: Uint8Array;
  readonly region: PixelRegion;
}

const EMPTY: MaskRegion = { inside: new Uint8Array(0), region: { x0: 0, x1: 0, y0: 0, y1: 0 } };

function emit(m: MaskRegion, format: 'rle' | 'binary', g: ImageGeometry): Rle | Uint8Array {
  return format === 'rle'
    ? regionToRle(m.inside, m.region, g.H, g.W)
    : regionToBinary(m.inside, m.region, g.H, g.W);
}

function threshold(values: ProbWindow, t: number): MaskRegion {
  const inside = new Uint8Array(values.data.length);
  for (let i = 0; i < inside.length; i++) inside[i] = values.data[i]! > t ? 1 : 0;
  return {
    inside,
    region: {
      x0: values.q0,
      x1: values.q0 + values.width,
      y0: values.r0,
      y1: values.r0 + values.height,
    },
  };
}

function protoModeMask(
  protos: Prototypes,
  coefficients: Float32Array,
  i: number,
  boxes: Float32Array,
  params: ProtoMaskParams,
  g: ImageGeometry,
): MaskRegion {
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
  if (keep.x0 >= keep.x1 || keep.y0 >= keep.y1) return EMPTY;
  const inX = g.inX!;
  const inY = g.inY!;
  // input pixels that read a kept prototype pixel
  const [Xa, Xb] = tapRange(inX, keep.x0, keep.x1 - 1);
  const [Ya, Yb] = tapRange(inY, keep.y0, keep.y1 - 1);
  // original pixels that read one of those input pixels
  const [xa, xb] = tapRange(g.outX, Xa, Xb);
  const [ya, yb] = tapRange(g.outY, Ya, Yb);
  if (xa > xb || ya > yb) return EMPTY;
  const probs = probabilities(
    protos,
    coefficients,
    i * protos.channels,
    Math.max(0, keep.y0 - 1),
    Math.min(mh - 1, keep.y1),
    Math.max(0, keep.x0 - 1),
    Math.min(mw - 1, keep.x1),
    keep,
  );
  // input-resolution values over the pixels the original taps read (zero beyond [Xa, Xb])
  const ia = Math.max(0, g.outX.i0[xa]!);
  const ib = g.outX.i1[xb]!;
  const ja = Math.max(0, g.outY.i0[ya]!);
  const jb = g.outY.i1[yb]!;
  const input = resampleWindow(probs, inX, inY, ia, ib, ja, jb);
  return threshold(resampleWindow(input, g.outX, g.outY, xa, xb, ya, yb), params.threshold);
}

function nativeModeMask(
  protos: Prototypes,
  coefficients: Float32Array,
  i: number,
  boxes: Float32Array,
  params: ProtoMaskParams,
  g: ImageGeometry,
): MaskRegion {
  // crop_mask in original pixels: x1 ≤ x < x2, y1 ≤ y < y2
  const xa = Math.max(0, Math.ceil(boxes[4 * i]!));
  const xb = Math.min(g.W, Math.ceil(boxes[4 * i + 2]!)) - 1;
  const ya = Math.max(0, Math.ceil(boxes[4 * i + 1]!));
  const yb = Math.min(g.H, Math.ceil(boxes[4 * i + 3]!)) - 1;
  if (xa > xb || ya > yb) return EMPTY;
  const probs = probabilities(
    protos,
    coefficients,
    i * protos.channels,
    g.outY.i0[ya]!,
    g.outY.i1[yb]!,
    g.outX.i0[xa]!,
    g.outX.i1[xb]!,
  );
  return threshold(resampleWindow(probs, g.outX, g.outY, xa, xb, ya, yb), params.threshold);
}
