/**
 * RGB bytes to model-input floats: per-channel mean / std, 0–1 or 0–255 range, RGB or BGR,
 * NCHW or NHWC, batching. Every path goes through one 3×256 lookup table computed in float32
 * arithmetic, so results equal torchvision's `ToTensor()` + `Normalize(mean, std)` bit for bit.
 */
import { InvalidArgumentError, ShapeMismatchError, type TensorView } from '@ocelot/core';
import { assertRgbImage } from './image.js';
import type { Rgb, RgbImage } from './types.js';

/** ImageNet channel means (RGB, 0–1 range), as torchvision's pretrained weights expect. */
export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB, 0–1 range). */
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

/** How pixels become floats: `value = (pixel · scale − mean[c]) / std[c]`. */
export interface NormalizeOptions {
  /**
   * Multiplier applied first. Default `1/255` (values 0–1); `1` keeps 0–255. When `1/scale`
   * is a whole number the pixel is divided by it instead, as torchvision's `ToTensor` does
   * (`x / 255`), so the floats match bit for bit.
   */
  readonly scale?: number;
  /** Subtracted after scaling, in scaled units, one per output channel order's RGB. Default 0. */
  readonly mean?: number | readonly number[];
  /** Divisor after subtracting the mean. Default 1. */
  readonly std?: number | readonly number[];
  /**
   * Channel order of the output. Default `'rgb'`; `'bgr'` for models trained on OpenCV
   * images (e.g. Caffe-style). `mean` / `std` are always given in RGB order.
   */
  readonly channelOrder?: 'rgb' | 'bgr';
  /** Default `'nchw'` (`[N,3,H,W]`); `'nhwc'` gives `[N,H,W,3]` (TensorFlow-style models). */
  readonly layout?: 'nchw' | 'nhwc';
}

/** Where to write a tensor instead of allocating one. */
export interface TensorOutput {
  /** Destination, e.g. a batch buffer. Must hold `outOffset + 3·H·W` floats. */
  readonly out?: Float32Array;
  /** Element offset in `out` (e.g. `i·3·H·W` for batch item i). Default 0. */
  readonly outOffset?: number;
}

/** A float32 tensor `{ data, dims }`; onnxruntime's `new Tensor('float32', data, dims)` takes it. */
export type Float32Tensor = TensorView<Float32Array>;

/** The per-channel lookup tables, resolved options included. */
export interface NormalizationTable {
  /** Output plane c's table (already in output channel order): 256 floats each. */
  readonly lut: readonly [Float32Array, Float32Array, Float32Array];
  /** Which input (RGB) channel feeds output channel c. */
  readonly sourceChannel: readonly [number, number, number];
  readonly layout: 'nchw' | 'nhwc';
}

function perChannel(
  name: string,
  v: number | readonly number[] | undefined,
  fallback: number,
): number[] {
  if (v === undefined) return [fallback, fallback, fallback];
  const arr = typeof v === 'number' ? [v, v, v] : Array.from(v);
  if (arr.length !== 3 || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InvalidArgumentError(
      name,
      `expected a finite number or 3 finite numbers, got ${JSON.stringify(v)}`,
    );
  }
  return arr;
}

/** Resolves and checks normalisation options into lookup tables (3 × 256 floats). */
export function normalizationTable(options: NormalizeOptions = {}): NormalizationTable {
  const scale = options.scale ?? 1 / 255;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0) {
    throw new InvalidArgumentError(
      'options.scale',
      `expected a finite non-zero number, got ${String(scale)}`,
    );
  }
  const mean = perChannel('options.mean', options.mean, 0);
  const std = perChannel('options.std', options.std, 1);
  if (std.some((s) => s === 0)) {
    throw new InvalidArgumentError(
      'options.std',
      `std must not be 0, got ${JSON.stringify(options.std)}`,
    );
  }
  const order = options.channelOrder ?? 'rgb';
  if (order !== 'rgb' && order !== 'bgr') {
    throw new InvalidArgumentError(
      'options.channelOrder',
      `expected 'rgb' or 'bgr', got ${JSON.stringify(order)}`,
    );
  }
  const layout = options.layout ?? 'nchw';
  if (layout !== 'nchw' && layout !== 'nhwc') {
    throw new InvalidArgumentError(
      'options.layout',
      `expected 'nchw' or 'nhwc', got ${JSON.stringify(layout)}`,
    );
  }
  const inv = 1 / scale;
  const divisor = Number.isInteger(inv)
    ? inv
    : Math.abs(inv - Math.round(inv)) < 1e-9
      ? Math.round(inv)
      : 0;
  const f = Math.fround;
  const fScale = f(scale);
  const tables: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    const m = f(mean[c]!);
    const s = f(std[c]!);
    const t = new Float32Array(256);
    for (let p = 0; p < 256; p++) {
      // Each step rounded to float32, in torchvision's order: x / 255, then sub_(mean), div_(std).
      const x = divisor !== 0 ? f(p / divisor) : f(p * fScale);
      t[p] = f(f(x - m) / s);
    }
    tables.push(t);
  }
  const src: [number, number, number] = order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  return {
    lut: [tables[src[0]]!, tables[src[1]]!, tables[src[2]]!],
    sourceChannel: src,
    layout,
  };
}

/** Checks `out`/`outOffset` and returns the destination and offset. */
export function tensorDestination(output: TensorOutput, size: number): [Float32Array, number] {
  const offset = output.outOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InvalidArgumentError('options.outOffset', `expected an integer >= 0, got ${offset}`);
  }
  if (output.out === undefined) {
    if (offset !== 0) throw new InvalidArgumentError('options.outOffset', 'needs options.out');
    return [new Float32Array(size), 0];
  }
  if (!(output.out instanceof Float32Array)) {
    throw new InvalidArgumentError('options.out', 'expected a Float32Array');
  }
  if (output.out.length < offset + size) {
    throw new ShapeMismatchError(
      'options.out',
      `at least ${offset + size} floats`,
      `${output.out.length}`,
    );
  }
  return [output.out, offset];
}

/** Where the unpadded content sits inside a padded tensor image, and the pad colour. */
export interface PaddedContent {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly padColor: Rgb;
}

/**
 * Where pixel (x, y) of one tensor image lives in the output array, for either layout: output
 * channel c of it is at `base[c] + y·rowStride + x·step` (NCHW: three planes, step 1; NHWC:
 * interleaved, step 3). Kernels take these numbers so one loop serves both layouts.
 */
export interface TensorPlacement {
  readonly base0: number;
  readonly base1: number;
  readonly base2: number;
  readonly rowStride: number;
  readonly step: number;
}

/** The placement of a `width × height` image at element `outOffset` in `layout`. */
export function tensorPlacement(
  layout: 'nchw' | 'nhwc',
  outOffset: number,
  width: number,
  height: number,
): TensorPlacement {
  if (layout === 'nchw') {
    const plane = width * height;
    return {
      base0: outOffset,
      base1: outOffset + plane,
      base2: outOffset + 2 * plane,
      rowStride: width,
      step: 1,
    };
  }
  return {
    base0: outOffset,
    base1: outOffset + 1,
    base2: outOffset + 2,
    rowStride: width * 3,
    step: 3,
  };
}

/**
 * Fills everything of a `width × height` tensor image outside `content` with the pad colour
 * through the tables (the content itself is left for a kernel to write).
 */
export function fillTensorPadding(
  out: Float32Array,
  at: TensorPlacement,
  table: NormalizationTable,
  width: number,
  height: number,
  content: PaddedContent,
): void {
  const [l0, l1, l2] = table.lut;
  const [s0, s1, s2] = table.sourceChannel;
  const pc = content.padColor;
  const pads = [l0[pc[s0]!]!, l1[pc[s1]!]!, l2[pc[s2]!]!];
  const bases = [at.base0, at.base1, at.base2];
  const { left, top, width: cw, height: ch } = content;
  const right = left + cw;
  const bottom = top + ch;
  const { rowStride, step } = at;
  for (let c = 0; c < 3; c++) {
    const v = pads[c]!;
    const base = bases[c]!;
    if (step === 1) {
      // NCHW: the rows above and below the content are contiguous in each plane.
      out.fill(v, base, base + top * rowStride);
      out.fill(v, base + bottom * rowStride, base + height * rowStride);
      if (left > 0 || right < width) {
        for (let y = top; y < bottom; y++) {
          const row = base + y * rowStride;
          out.fill(v, row, row + left);
          out.fill(v, row + right, row + width);
        }
      }
    } else {
      fillStrided(out, base, step, top * width, v);
      fillStrided(out, base + bottom * rowStride, step, (height - bottom) * width, v);
      for (let y = top; y < bottom; y++) {
        const row = base + y * rowStride;
        fillStrided(out, row, step, left, v);
        fillStrided(out, row + right * step, step, width - right, v);
      }
    }
  }
}

/** `n` elements `step` apart from `start` set to `v`. */
function fillStrided(out: Float32Array, start: number, step: number, n: number, v: number): void {
  for (let i = 0, o = start; i < n; i++, o += step) out[o] = v;
}

/**
 * Writes interleaved RGB rows through the tables into the content area of a tensor image:
 * content row y is `n` pixels of `src` from byte `srcOffset + y·srcStride`. The whole loop
 * nest is one function with typed-array arguments, so V8 compiles it once, whatever called it.
 */
export function lutRowsToTensor(
  out: Float32Array,
  at: TensorPlacement,
  left: number,
  top: number,
  n: number,
  rows: number,
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  table: NormalizationTable,
): void {
  const [l0, l1, l2] = table.lut;
  const [s0, s1] = table.sourceChannel;
  const { rowStride, step } = at;
  const first = top * rowStride + left * step;
  // Source channel j (R, G, B) goes to the output channel that reads it.
  const lut = [l0, l1, l2];
  const base = [at.base0 + first, at.base1 + first, at.base2 + first];
  const outOf = (j: number) => (s0 === j ? 0 : s1 === j ? 1 : 2);
  const [cr, cg, cb] = [outOf(0), outOf(1), outOf(2)];
  lutKernel(
    out,
    base[cr]!,
    base[cg]!,
    base[cb]!,
    rowStride,
    step,
    n,
    rows,
    src,
    srcOffset,
    srcStride,
    lut[cr]!,
    lut[cg]!,
    lut[cb]!,
  );
}

/** The table loop: source channels at fixed offsets 0, 1, 2, each to its output channel. */
function lutKernel(
  out: Float32Array,
  oR: number,
  oG: number,
  oB: number,
  rowStride: number,
  step: number,
  n: number,
  rows: number,
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  lR: Float32Array,
  lG: Float32Array,
  lB: Float32Array,
): void {
  for (let y = 0; y < rows; y++) {
    let j = srcOffset + y * srcStride;
    const r = y * rowStride;
    const end = r + n * step;
    for (let k = r; k < end; k += step, j += 3) {
      out[oR + k] = lR[src[j]!]!;
      out[oG + k] = lG[src[j + 1]!]!;
      out[oB + k] = lB[src[j + 2]!]!;
    }
  }
}

/**
 * Writes one padded image into a tensor: the padding is the pad colour through the tables;
 * content row y comes from `contentRow(y)` (interleaved RGB, `content.width·3` bytes at the
 * returned offset) and goes through the same tables. For producers of one row at a time (the
 * generic resampler); whole images use `fillTensorPadding` + `lutRowsToTensor` directly.
 */
export function writePaddedTensor(
  out: Float32Array,
  outOffset: number,
  table: NormalizationTable,
  width: number,
  height: number,
  content: PaddedContent,
  contentRow: (y: number) => { readonly data: Uint8Array; readonly offset: number },
): void {
  const at = tensorPlacement(table.layout, outOffset, width, height);
  fillTensorPadding(out, at, table, width, height, content);
  for (let y = 0; y < content.height; y++) {
    const { data, offset } = contentRow(y);
    lutRowsToTensor(
      out,
      at,
      content.left,
      content.top + y,
      content.width,
      1,
      data,
      offset,
      0,
      table,
    );
  }
}

/**
 * One image to a `[1,3,H,W]` (or `[1,H,W,3]`) float32 tensor.
 * @param image [H,W,3] uint8 RGB
 * @returns tensor [1,3,H,W] (nchw) or [1,H,W,3] (nhwc) float32
 */
export function toTensor(
  image: RgbImage,
  options: NormalizeOptions & TensorOutput = {},
): Float32Tensor {
  assertRgbImage('image', image);
  const table = normalizationTable(options);
  const { width, height, data } = image;
  const [out, offset] = tensorDestination(options, width * height * 3);
  const at = tensorPlacement(table.layout, offset, width, height);
  lutRowsToTensor(out, at, 0, 0, width, height, data, 0, width * 3, table);
  return { data: out, dims: dims(table.layout, 1, width, height) };
}

/**
 * Several images of one size to one `[N,3,H,W]` (or `[N,H,W,3]`) tensor.
 * @param images N images, all the same size
 * @returns tensor [N,3,H,W] or [N,H,W,3] float32
 */
export function toTensorBatch(
  images: readonly RgbImage[],
  options: NormalizeOptions & Pick<TensorOutput, 'out'> = {},
): Float32Tensor {
  if (!Array.isArray(images) || images.length === 0) {
    throw new InvalidArgumentError('images', 'expected a non-empty array of images');
  }
  for (const [i, img] of images.entries()) assertRgbImage(`images[${i}]`, img);
  const { width, height } = images[0]!;
  for (const [i, img] of images.entries()) {
    if (img.width !== width || img.height !== height) {
      throw new ShapeMismatchError(
        `images[${i}]`,
        `${width}×${height} (as images[0])`,
        `${img.width}×${img.height}`,
      );
    }
  }
  const table = normalizationTable(options);
  const per = width * height * 3;
  const [out] = tensorDestination(
    { ...(options.out ? { out: options.out } : {}) },
    per * images.length,
  );
  images.forEach((img, i) => {
    const at = tensorPlacement(table.layout, i * per, width, height);
    lutRowsToTensor(out, at, 0, 0, width, height, img.data, 0, width * 3, table);
  });
  return { data: out, dims: dims(table.layout, images.length, width, height) };
}

/** `[n,3,h,w]` or `[n,h,w,3]`. */
export function dims(layout: 'nchw' | 'nhwc', n: number, width: number, height: number): number[] {
  return layout === 'nchw' ? [n, 3, height, width] : [n, height, width, 3];
}
