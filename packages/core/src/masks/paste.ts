/**
 * Pasting per-box mask probabilities (Mask R-CNN's 28×28 outputs) into full images, exactly as
 * torchvision 0.14 `roi_heads.paste_masks_in_image`: the masks are zero-padded by `padding`
 * pixels, the boxes expanded by the same factor and truncated to integers, each mask resized to
 * its box with bilinear `F.interpolate(align_corners=False)` and copied into the image. The
 * arithmetic is float32 step by step, as in PyTorch's CPU kernels.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors.js';
import type { Boxes, ImageSize, TensorView } from '../types.js';
import { assertBoxes, assertFinite, assertInteger, assertNumberInRange } from '../validate.js';
import type { Rle } from './rle.js';

/** Options of {@link pasteMasksInImage}. */
export interface PasteMasksOptions {
  /** Zero padding added around each mask before resizing (torchvision: 1). */
  readonly padding?: number;
}

/** Options of the thresholding variants {@link pasteMasksBinary} and {@link pasteMasksToRle}. */
export interface PasteMasksBinaryOptions extends PasteMasksOptions {
  /** A pixel is foreground when its probability is strictly greater (default 0.5). */
  readonly threshold?: number;
}

const f32 = Math.fround;

interface Input {
  n: number;
  mh: number;
  mw: number;
  data: Float32Array;
  boxes: Float32Array;
  height: number;
  width: number;
  padding: number;
}

function checkInput(
  masks: TensorView,
  boxes: Boxes,
  imageSize: ImageSize,
  options: PasteMasksOptions,
): Input {
  const dims = masks?.dims;
  if (!dims || (dims.length !== 3 && !(dims.length === 4 && dims[1] === 1))) {
    throw new ShapeMismatchError(
      'masks',
      '[N,M,M] or [N,1,M,M]',
      dims ? `[${dims.join(',')}]` : String(dims),
    );
  }
  const n = dims[0]!;
  const mh = dims[dims.length - 2]!;
  const mw = dims[dims.length - 1]!;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeMismatchError('masks', '[N,M,M]', `[${dims.join(',')}]`);
  }
  if (!(masks.data instanceof Float32Array)) {
    throw new InvalidArgumentError('masks.data', 'expected a Float32Array');
  }
  if (masks.data.length !== n * mh * mw) {
    throw new ShapeMismatchError(
      'masks',
      `[${dims.join(',')}] (${n * mh * mw} elements)`,
      `${masks.data.length} elements`,
    );
  }
  if (n > 0 && (mh === 0 || mw === 0)) {
    throw new InvalidArgumentError('masks', `masks must not be empty, got ${mh}×${mw}`);
  }
  assertFinite('masks', masks.data);
  const nb = assertBoxes('boxes', boxes);
  if (nb !== n) throw new ShapeMismatchError('boxes', `[N=${n},4] (one box per mask)`, `[${nb},4]`);
  if (imageSize === null || typeof imageSize !== 'object') {
    throw new InvalidArgumentError('imageSize', 'expected { width, height }');
  }
  assertInteger('imageSize.height', imageSize.height, 0);
  assertInteger('imageSize.width', imageSize.width, 0);
  const padding = options.padding ?? 1;
  assertInteger('options.padding', padding, 0);
  return {
    n,
    mh,
    mw,
    data: masks.data,
    boxes,
    height: imageSize.height,
    width: imageSize.width,
    padding,
  };
}

/** One mask's geometry after torchvision's expand_masks / expand_boxes / paste_mask_in_image. */
interface Placement {
  /** Padded mask, (mh + 2p) × (mw + 2p), row-major. */
  padded: Float32Array;
  pw: number;
  /** Image region [x0, x1) × [y0, y1) that receives the mask; empty when x1 <= x0 or y1 <= y0. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Per region column: source columns and weights in the padded mask. */
  cx0: Int32Array;
  cx1: Int32Array;
  lx0: Float32Array;
  lx1: Float32Array;
  /** Per region row: padded row offsets (row · pw) and weights. */
  ry0: Int32Array;
  ry1: Int32Array;
  ly0: Float32Array;
  ly1: Float32Array;
}

/**
 * Bilinear source indices and weights of PyTorch's upsample (align_corners=False, no scale
 * factor given) for output indices `first..first+count-1` of an output of `outSize`.
 */
function linearTaps(
  inSize: number,
  outSize: number,
  first: number,
  count: number,
  i0: Int32Array,
  i1: Int32Array,
  l0: Float32Array,
  l1: Float32Array,
  stride: number,
): void {
  const scale = f32(inSize / outSize);
  for (let k = 0; k < count; k++) {
    let src = f32(scale * (first + k + 0.5) - 0.5);
    if (src < 0) src = 0;
    const a = Math.trunc(src);
    const lambda1 = Math.min(Math.max(f32(src - a), 0), 1);
    i0[k] = a * stride;
    i1[k] = (a < inSize - 1 ? a + 1 : a) * stride;
    l1[k] = lambda1;
    l0[k] = f32(1 - lambda1);
  }
}

function place(input: Input, i: number, scale: number, padded: Float32Array): Placement {
  const { mh, mw, padding: p, data, boxes, height, width } = input;
  const pw = mw + 2 * p;
  const ph = mh + 2 * p;
  // expand_masks: zero padding on every side.
  padded.fill(0);
  const src = i * mh * mw;
  for (let y = 0; y < mh; y++) {
    padded.set(data.subarray(src + y * mw, src + (y + 1) * mw), (y + p) * pw + p);
  }
  // expand_boxes in float32, then .to(int64) (truncation toward zero).
  const o = 4 * i;
  const bx1 = boxes[o]!;
  const by1 = boxes[o + 1]!;
  const bx2 = boxes[o + 2]!;
  const by2 = boxes[o + 3]!;
  const wHalf = f32(f32(f32(bx2 - bx1) * 0.5) * scale);
  const hHalf = f32(f32(f32(by2 - by1) * 0.5) * scale);
  const xc = f32(f32(bx2 + bx1) * 0.5);
  const yc = f32(f32(by2 + by1) * 0.5);
  const ex0 = Math.trunc(f32(xc - wHalf));
  const ex2 = Math.trunc(f32(xc + wHalf));
  const ey0 = Math.trunc(f32(yc - hHalf));
  const ey2 = Math.trunc(f32(yc + hHalf));
  // paste_mask_in_image
  const w = Math.max(ex2 - ex0 + 1, 1);
  const h = Math.max(ey2 - ey0 + 1, 1);
  const x0 = Math.max(ex0, 0);
  const x1 = Math.min(ex2 + 1, width);
  const y0 = Math.max(ey0, 0);
  const y1 = Math.min(ey2 + 1, height);
  const nx = Math.max(x1 - x0, 0);
  const ny = Math.max(y1 - y0, 0);
  const pl: Placement = {
    padded,
    pw,
    x0,
    x1,
    y0,
    y1,
    cx0: new Int32Array(nx),
    cx1: new Int32Array(nx),
    lx0: new Float32Array(nx),
    lx1: new Float32Array(nx),
    ry0: new Int32Array(ny),
    ry1: new Int32Array(ny),
    ly0: new Float32Array(ny),
    ly1: new Float32Array(ny),
  };
  linearTaps(pw, w, x0 - ex0, nx, pl.cx0, pl.cx1, pl.lx0, pl.lx1, 1);
  linearTaps(ph, h, y0 - ey0, ny, pl.ry0, pl.ry1, pl.ly0, pl.ly1, pw);
  return pl;
}

/** The resized mask's value at region row r, region column c (float32 like PyTorch). */
function sample(pl: Placement, r: number, c: number): number {
  const P = pl.padded;
  const r0 = pl.ry0[r]!;
  const r1 = pl.ry1[r]!;
  const a = pl.cx0[c]!;
  const b = pl.cx1[c]!;
  const wa = pl.lx0[c]!;
  const wb = pl.lx1[c]!;
  const t0 = f32(f32(P[r0 + a]! * wa) + f32(P[r0 + b]! * wb));
  const t1 = f32(f32(P[r1 + a]! * wa) + f32(P[r1 + b]! * wb));
  return f32(f32(t0 * pl.ly0[r]!) + f32(t1 * pl.ly1[r]!));
}

function pasteEach(input: Input, visit: (i: number, pl: Placement) => void): void {
  const { mh, mw, padding } = input;
  // expand_masks' scale, a Python float, enters the float32 multiply as float32.
  const scale = f32((mw + 2 * padding) / mw);
  const padded = new Float32Array((mh + 2 * padding) * (mw + 2 * padding));
  for (let i = 0; i < input.n; i++) visit(i, place(input, i, scale, padded));
}

/**
 * Pastes masks into images, as torchvision 0.14 `paste_masks_in_image` (Mask R-CNN
 * post-processing). A box entirely outside the image gives an empty mask (torchvision raises or
 * slices with negative indices there).
 *
 * @param masks [N,M,M] or [N,1,M,M] mask probabilities, one per box (float32)
 * @param boxes [N,4] xyxy boxes in image pixels
 * @param imageSize the output image size
 * @param options `padding` (default 1)
 * @returns [N,H,W] row-major Float32Array of probabilities
 */
export function pasteMasksInImage(
  masks: TensorView,
  boxes: Boxes,
  imageSize: ImageSize,
  options: PasteMasksOptions = {},
): Float32Array {
  const input = checkInput(masks, boxes, imageSize, options);
  const { height: H, width: W } = input;
  const out = new Float32Array(input.n * H * W);
  pasteEach(input, (i, pl) => {
    const base = i * H * W;
    const nx = pl.x1 - pl.x0;
    for (let r = 0, y = pl.y0; y < pl.y1; y++, r++) {
      const row = base + y * W + pl.x0;
      for (let c = 0; c < nx; c++) out[row + c] = sample(pl, r, c);
    }
  });
  return out;
}

function thresholdOf(options: PasteMasksBinaryOptions): number {
  const t = options.threshold ?? 0.5;
  assertNumberInRange('options.threshold', t);
  return t;
}

/**
 * {@link pasteMasksInImage} thresholded (`probability > threshold`), without materialising the
 * float images.
 *
 * @returns [N,H,W] row-major Uint8Array of 0/1
 */
export function pasteMasksBinary(
  masks: TensorView,
  boxes: Boxes,
  imageSize: ImageSize,
  options: PasteMasksBinaryOptions = {},
): Uint8Array {
  const input = checkInput(masks, boxes, imageSize, options);
  const threshold = thresholdOf(options);
  const { height: H, width: W } = input;
  const out = new Uint8Array(input.n * H * W);
  pasteEach(input, (i, pl) => {
    const base = i * H * W;
    const nx = pl.x1 - pl.x0;
    for (let r = 0, y = pl.y0; y < pl.y1; y++, r++) {
      const row = base + y * W + pl.x0;
      for (let c = 0; c < nx; c++) if (sample(pl, r, c) > threshold) out[row + c] = 1;
    }
  });
  return out;
}

/**
 * {@link pasteMasksInImage} thresholded (`probability > threshold`) straight to COCO RLE: only
 * each box's region is computed, never a full H×W image. The RLEs equal pycocotools
 * `encode(pasted > threshold)`.
 *
 * @returns N RLEs of size [H, W]
 */
export function pasteMasksToRle(
  masks: TensorView,
  boxes: Boxes,
  imageSize: ImageSize,
  options: PasteMasksBinaryOptions = {},
): Rle[] {
  const input = checkInput(masks, boxes, imageSize, options);
  const threshold = thresholdOf(options);
  const { height: H, width: W } = input;
  const total = H * W;
  const rles: Rle[] = new Array(input.n);
  let buf: Uint32Array = new Uint32Array(256);
  pasteEach(input, (i, pl) => {
    let m = 0;
    let prevEnd = 0; // column-major end of the last closed run of ones
    let runStart = -1;
    let runEnd = -1;
    const ny = pl.y1 - pl.y0;
    for (let c = 0, x = pl.x0; x < pl.x1; x++, c++) {
      const col = x * H + pl.y0;
      for (let r = 0; r < ny; r++) {
        if (sample(pl, r, c) <= threshold) continue;
        const p = col + r;
        if (p === runEnd) {
          runEnd++;
          continue;
        }
        if (runStart >= 0) {
          if (m + 2 > buf.length) buf = growCopy(buf);
          buf[m++] = runStart - prevEnd;
          buf[m++] = runEnd - runStart;
          prevEnd = runEnd;
        }
        runStart = p;
        runEnd = p + 1;
      }
    }
    if (m + 3 > buf.length) buf = growCopy(buf);
    if (runStart >= 0) {
      buf[m++] = runStart - prevEnd;
      buf[m++] = runEnd - runStart;
      prevEnd = runEnd;
    }
    if (prevEnd < total || m === 0) buf[m++] = total - prevEnd;
    rles[i] = { size: [H, W], counts: buf.slice(0, m) };
  });
  return rles;
}

function growCopy(buf: Uint32Array): Uint32Array {
  const next = new Uint32Array(2 * buf.length);
  next.set(buf);
  return next;
}
