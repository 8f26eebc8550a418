/**
 * The WebAssembly SIMD path of `cvBilinearToTensor`: the same integer steps as the TypeScript
 * kernels in resize.ts (OpenCV 4.6's INTER_LINEAR on uint8, then the normalisation table), so
 * the floats are bit-identical; the property tests compare the two with `===`.
 *
 * The module (wasm/bilinear.ts, built into wasm/bilinear-module.ts, well under 4 KB so even a
 * browser main thread may compile it synchronously) is instantiated once per process on first
 * use. Its memory grows to the largest call seen and is reused; the source rows the resize
 * reads are copied in, and the result is copied out into the caller's `Float32Array`, so no
 * view of wasm memory ever reaches a caller.
 */
import { InvalidArgumentError, OcelotError } from '@ocelot/core';
import type { NormalizationTable, TensorPlacement } from './normalize.js';
import { BILINEAR_WASM_BASE64 } from './wasm/bilinear-module.js';

/** Which implementation runs the OpenCV-exact bilinear resize + normalise. */
export type BilinearBackend = 'wasm' | 'ts';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  bilinear(
    src: number,
    stride: number,
    dw: number,
    dh: number,
    xoff: number,
    xw: number,
    ytab: number,
    lut: number,
    mask: number,
    hA: number,
    hB: number,
    out: number,
    rowStride: number,
    step: number,
    plane: number,
  ): void;
}

/** Per-axis taps as resize.ts computes them (`i0`, `i1` source indices, `w0`, `w1` weights). */
export interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

let kernel: KernelExports | null | undefined; // undefined: not tried yet; null: unavailable
let unavailableReason = '';

function envPrefersTs(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const v = env?.OCELOT_IMAGE_WASM;
  return v === '0' || v === 'false' || v === 'off';
}

let preferred: 'auto' | BilinearBackend = envPrefersTs() ? 'ts' : 'auto';

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function loadKernel(): KernelExports | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly !== 'object') {
      unavailableReason = 'no WebAssembly';
      return kernel;
    }
    const bytes = decodeBase64(BILINEAR_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) {
      unavailableReason = 'WebAssembly SIMD is not supported';
      return kernel;
    }
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    kernel = instance.exports as unknown as KernelExports;
  } catch (e) {
    unavailableReason = `the module failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  return kernel;
}

/**
 * Chooses the bilinear resize + normalise implementation for the whole process. `'auto'`
 * (the default) uses WebAssembly SIMD when the runtime supports it and TypeScript otherwise;
 * `'ts'` forces the TypeScript kernel (as does the environment variable `OCELOT_IMAGE_WASM=0`
 * at load time); `'wasm'` forces WebAssembly and throws an `OcelotError` if it cannot load.
 * Both give bit-identical tensors.
 */
export function setBilinearBackend(backend: 'auto' | BilinearBackend): void {
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'ts') {
    throw new InvalidArgumentError(
      'backend',
      `expected 'auto', 'wasm' or 'ts', got ${JSON.stringify(backend)}`,
    );
  }
  if (backend === 'wasm' && loadKernel() === null) {
    throw new OcelotError(
      'E_WASM_UNAVAILABLE',
      `the WebAssembly bilinear kernel is unavailable: ${unavailableReason}`,
    );
  }
  preferred = backend;
}

/** The implementation the next bilinear resize + normalise will use. */
export function bilinearBackend(): BilinearBackend {
  return preferred !== 'ts' && loadKernel() !== null ? 'wasm' : 'ts';
}

// Views over the current wasm memory (rebuilt when it grows, which detaches the old buffer).
let viewsOf: ArrayBuffer | undefined;
let u8 = new Uint8Array(0);
let i16 = new Int16Array(0);
let i32 = new Int32Array(0);
let f32 = new Float32Array(0);

const align16 = (n: number) => (n + 15) & ~15;

/** Source rows + output floats processed per kernel call (about half a typical L2 cache). */
let BAND_BYTES = 256 * 1024;

/** Tests only (not exported from the package): the band budget, to exercise band edges. */
export function setBandBytesForTesting(bytes: number): void {
  BAND_BYTES = bytes;
}

let wasmRuns = 0;

/**
 * Tests only (not exported from the package): how many calls the WebAssembly kernel has
 * completed, so a parity test can tell that it compared WebAssembly with TypeScript and not
 * TypeScript with itself after a silent fallback.
 */
export function wasmRunsForTesting(): number {
  return wasmRuns;
}

/**
 * Runs the resize + normalise in WebAssembly when the backend is 'wasm'; returns false (having
 * done nothing) when the TypeScript kernel should run instead.
 * @param src [sh,sw,3] uint8
 */
export function wasmBilinearToTensor(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  xa: AxisTaps,
  ya: AxisTaps,
  out: Float32Array,
  at: TensorPlacement,
  left: number,
  top: number,
  table: NormalizationTable,
): boolean {
  if (preferred === 'ts') return false;
  const k = loadKernel();
  if (k === null) return false;
  const nchw = at.step === 1;
  if (!nchw && (at.step !== 3 || at.base1 !== at.base0 + 1 || at.base2 !== at.base0 + 2)) {
    return false;
  }
  const stride = sw * 3;

  // The source rows the resize reads, numbered in order (slots); `rowOf` maps back.
  const slot = new Int32Array(sh).fill(-1);
  for (let y = 0; y < dh; y++) {
    slot[ya.i0[y]!] = 0;
    slot[ya.i1[y]!] = 0;
  }
  const rowOf = new Int32Array(sh);
  let used = 0;
  for (let r = 0; r < sh; r++) {
    if (slot[r] === 0) {
      slot[r] = used;
      rowOf[used++] = r;
    }
  }
  const first = (y: number) => slot[ya.i0[y]!]!;
  const last = (y: number) => slot[ya.i1[y]!]!;

  // Bands of output rows whose source rows and output floats fit in BAND_BYTES, so the copied
  // rows are still in cache when the kernel reads them, and its output when copied out.
  const rowBytes = dw * 12;
  const bands: number[] = [0];
  let maxSlots = 0;
  let maxRows = 0;
  for (let y0 = 0; y0 < dh; ) {
    let y1 = y0 + 1;
    while (
      y1 < dh &&
      (last(y1) - first(y0) + 1) * stride + (y1 + 1 - y0) * rowBytes <= BAND_BYTES
    ) {
      y1++;
    }
    maxSlots = Math.max(maxSlots, last(y1 - 1) - first(y0) + 1);
    maxRows = Math.max(maxRows, y1 - y0);
    bands.push(y1);
    y0 = y1;
  }

  // Memory layout, 16-byte aligned blocks.
  const mask = align16(k.heapBase());
  const lut = mask + 16;
  const ytab = lut + 3072;
  const xoff = ytab + dh * 16;
  const xw = align16(xoff + dw * 4);
  const hA = xw + dw * 16;
  const hB = hA + dw * 16;
  const srcAt = hB + dw * 16;
  // +16: the horizontal pass reads 8 bytes from a pixel's first tap (up to 5 past the row at the pinned right border, where its weight is 0).
  const outAt = align16(srcAt + maxSlots * stride + 16);
  const end = outAt + maxRows * rowBytes + 16;
  const have = k.memory.buffer.byteLength;
  if (end > have) {
    try {
      k.memory.grow(Math.ceil((end - have) / 65536));
    } catch {
      return false; // no memory for this call: the TypeScript kernel needs none
    }
  }
  if (viewsOf !== k.memory.buffer) {
    const buf = k.memory.buffer;
    viewsOf = buf;
    u8 = new Uint8Array(buf);
    i16 = new Int16Array(buf);
    i32 = new Int32Array(buf);
    f32 = new Float32Array(buf);
  }

  // Swizzle mask: i16 lanes (c at p, c at p+3) for output channels 0, 1, 2, then zeros.
  u8.fill(0x80, mask, mask + 16);
  for (let c = 0; c < 3; c++) {
    const s = table.sourceChannel[c]!;
    u8[mask + 4 * c] = s;
    u8[mask + 4 * c + 2] = 3 + s;
  }
  for (let c = 0; c < 3; c++) f32.set(table.lut[c]!, (lut >> 2) + 256 * c);
  for (let y = 0, t = ytab >> 2; y < dh; y++, t += 4) {
    i32[t] = first(y);
    i32[t + 1] = last(y);
    i32[t + 2] = ya.w0[y]!;
    i32[t + 3] = ya.w1[y]!;
  }
  for (let x = 0, o = xoff >> 2, w = xw >> 1; x < dw; x++, w += 8) {
    const p = xa.i0[x]!;
    const a = xa.w0[x]!;
    const b = xa.w1[x]!;
    // The kernel takes the second tap at the next pixel; OpenCV's taps are always that or
    // weighted 0 (pinned borders). Anything else stays with the TypeScript kernel.
    if (b !== 0 && xa.i1[x] !== p + 1) return false;
    i32[o + x] = p * 3;
    i16[w] = a;
    i16[w + 1] = b;
    i16[w + 2] = a;
    i16[w + 3] = b;
    i16[w + 4] = a;
    i16[w + 5] = b;
    i16[w + 6] = 0;
    i16[w + 7] = 0;
  }

  const res = outAt >> 2;
  const { rowStride } = at;
  const bases = [at.base0, at.base1, at.base2];
  for (let b = 1; b < bands.length; b++) {
    const y0 = bands[b - 1]!;
    const rows = bands[b]! - y0;
    // Copy the band's source rows, a run of consecutive rows at a time.
    const s0 = first(y0);
    const s1 = last(y0 + rows - 1);
    for (let s = s0; s <= s1; ) {
      let e = s + 1;
      while (e <= s1 && rowOf[e] === rowOf[e - 1]! + 1) e++;
      const r = rowOf[s]!;
      u8.set(src.subarray(r * stride, (r + e - s) * stride), srcAt + (s - s0) * stride);
      s = e;
    }
    const plane = dw * rows;
    // Slot s of the band is at srcAt + (s - s0)·stride (wasm addresses wrap modulo 2^32).
    k.bilinear(
      srcAt - s0 * stride,
      stride,
      dw,
      rows,
      xoff,
      xw,
      ytab + y0 * 16,
      lut,
      mask,
      hA,
      hB,
      outAt,
      nchw ? dw : dw * 3,
      nchw ? 1 : 3,
      nchw ? plane : 1,
    );
    // Copy out: whole planes (or the whole interleaved block) when content rows are full rows.
    const len = nchw ? dw : dw * 3;
    for (let c = 0; c < (nchw ? 3 : 1); c++) {
      const from = res + c * plane;
      const to = bases[c]! + (top + y0) * rowStride + left * at.step;
      if (rowStride === len) {
        out.set(f32.subarray(from, from + len * rows), to);
      } else {
        for (let y = 0; y < rows; y++) {
          out.set(f32.subarray(from + y * len, from + y * len + len), to + y * rowStride);
        }
      }
    }
  }
  wasmRuns++;
  return true;
}
