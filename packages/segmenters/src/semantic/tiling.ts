/**
 * Sliding-window (tiled) semantic segmentation of images larger than the model input, in
 * bounded memory.
 *
 * The image is covered, at its own resolution, by a grid of tiles of the model's input size.
 * Along each axis the tile count is the smallest that keeps neighbours overlapping by at least
 * `overlap` pixels, and the starts are spread evenly from 0 to `length − tile` (so the last
 * tile ends at the border). A tile's scores are weighted by a separable window — 1 inside,
 * ramping down towards each side that overlaps a neighbour (`linear` or `cosine`; `uniform` is
 * a plain average) — and the weights are normalised per pixel, so blended scores are weighted
 * averages of the tiles' scores and probabilities stay probabilities.
 *
 * Memory: tiles arrive in raster order and a pixel's label is written as soon as no later tile
 * covers it, so only scores that still expect contributions are held: the rows the next tile
 * row will overlap (about overlap × image width × classes floats, held twice while a tile row
 * hands over to the next) and, within the current tile row, one tile-sized window. The full-
 * resolution C×H×W score tensor never exists: a 4000×3000 image with 21 classes, 512² tiles
 * and a 128 px overlap holds 128 MB of score buffers instead of 1008 MB (measured by
 * tiling.test.ts).
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { ClassProbabilities, TileBlend } from '../types.js';
import { newLabelMap, type ScoreActivation, type ScoreMap } from './labels.js';
import { type AxisTaps, isIdentityTaps, torchTaps } from './resample.js';

/** Where tiles go along one axis. */
export interface AxisPlan {
  /** Start of each tile, increasing; the last tile ends at `length` when `length ≥ tile`. */
  readonly starts: Int32Array;
  /** Pixels each tile covers (the tile size, or `length` for a short axis). */
  readonly extent: number;
  /** Normalised blending weight of tile i at offset p: `weights[i][p]`; Σ over tiles = 1. */
  readonly weights: readonly Float32Array[];
}

/**
 * Tile positions and blending weights along one axis.
 * @param length image side in pixels
 * @param tile model input side in pixels
 * @param overlap minimum overlap of neighbouring tiles, 0 ≤ overlap < tile
 */
export function planAxis(
  length: number,
  tile: number,
  overlap: number,
  blend: TileBlend,
): AxisPlan {
  if (length <= tile) {
    return {
      starts: Int32Array.of(0),
      extent: length,
      weights: [new Float32Array(length).fill(1)],
    };
  }
  const n = Math.ceil((length - overlap) / (tile - overlap));
  const starts = new Int32Array(n);
  for (let i = 0; i < n; i++) starts[i] = Math.round((i * (length - tile)) / (n - 1));
  const ramp = (d: number, len: number): number => {
    if (blend === 'uniform') return 1;
    const u = Math.min(1, d / len);
    return blend === 'linear' ? u : (1 - Math.cos(Math.PI * u)) / 2;
  };
  const raw = Array.from(starts, (s, i) => {
    const w = new Float64Array(tile);
    const left = i > 0 ? starts[i - 1]! + tile - s : 0;
    const right = i < n - 1 ? s + tile - starts[i + 1]! : 0;
    for (let p = 0; p < tile; p++) {
      let v = 1;
      if (left > 0) v = Math.min(v, ramp(p + 0.5, left));
      if (right > 0) v = Math.min(v, ramp(tile - p - 0.5, right));
      w[p] = v;
    }
    return w;
  });
  const sum = new Float64Array(length);
  raw.forEach((w, i) => {
    for (let p = 0; p < tile; p++) sum[starts[i]! + p]! += w[p]!;
  });
  const weights = raw.map((w, i) => {
    const out = new Float32Array(tile);
    for (let p = 0; p < tile; p++) out[p] = w[p]! / sum[starts[i]! + p]!;
    return out;
  });
  return { starts, extent: tile, weights };
}

/** What {@link TiledSegmentation} produces per pixel. */
export interface TiledOptions {
  readonly channels: number;
  /** `allowed[c] === 1` when class c may be predicted; default all. */
  readonly allowed?: Uint8Array | undefined;
  /** Single channel: label 1 where the blended score is strictly above this. */
  readonly binaryThreshold?: number;
  readonly probabilities?: { readonly classes: Int32Array; readonly activation: ScoreActivation };
}

/**
 * Streaming accumulator of tile scores. Make one per image, feed every tile of `tiles` in
 * that order with `add`, then read `result()`.
 */
export class TiledSegmentation {
  readonly width: number;
  readonly height: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly xPlan: AxisPlan;
  readonly yPlan: AxisPlan;
  /** Tiles in processing order: crop rectangles in image pixels. */
  readonly tiles: readonly { x: number; y: number; width: number; height: number }[];
  readonly #C: number;
  readonly #allowed: Int32Array;
  readonly #binaryThreshold: number;
  readonly #probabilities: TiledOptions['probabilities'];
  readonly labelMap: Uint8Array | Uint16Array;
  readonly #seen: Uint8Array;
  readonly #maps: Float32Array[];
  #next = 0;
  /** Scores of rows [carryTop, carryTop + carryRows) from earlier tile rows, HWC. */
  #carry: Float32Array;
  #spare: Float32Array;
  #carryTop = 0;
  #carryRows = 0;
  /** Scores of the current band rows × window columns [winX, winX + extent), HWC. */
  readonly #win: Float32Array;
  #winX = 0;
  /** Columns of the band rows already written to the label map. */
  #doneX = 0;
  readonly #row: Float32Array;
  readonly #probe: Float64Array;

  constructor(
    width: number,
    height: number,
    tileWidth: number,
    tileHeight: number,
    overlap: number,
    blend: TileBlend,
    options: TiledOptions,
  ) {
    for (const [k, v] of [
      ['width', width],
      ['height', height],
      ['tileWidth', tileWidth],
      ['tileHeight', tileHeight],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidArgumentError(k, `expected a positive integer, got ${v}`);
      }
    }
    const maxOverlap = Math.min(tileWidth, tileHeight) - 1;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > maxOverlap) {
      throw new InvalidArgumentError(
        'options.tile.overlap',
        `expected an integer in 0..${maxOverlap} (less than the ${tileWidth}×${tileHeight} tile), got ${overlap}`,
      );
    }
    this.width = width;
    this.height = height;
    this.tileWidth = tileWidth;
    this.tileHeight = tileHeight;
    this.xPlan = planAxis(width, tileWidth, overlap, blend);
    this.yPlan = planAxis(height, tileHeight, overlap, blend);
    const tiles: { x: number; y: number; width: number; height: number }[] = [];
    for (const y of this.yPlan.starts) {
      for (const x of this.xPlan.starts) {
        tiles.push({ x, y, width: this.xPlan.extent, height: this.yPlan.extent });
      }
    }
    this.tiles = tiles;
    const C = options.channels;
    this.#C = C;
    const list: number[] = [];
    for (let c = 0; c < C; c++) if (!options.allowed || options.allowed[c] === 1) list.push(c);
    this.#allowed = Int32Array.from(list);
    this.#binaryThreshold = options.binaryThreshold ?? 0;
    this.#probabilities = options.probabilities;
    const numLabels = C === 1 ? 2 : C;
    this.labelMap = newLabelMap(numLabels, width * height);
    this.#seen = new Uint8Array(numLabels);
    this.#maps = Array.from(
      options.probabilities?.classes ?? [],
      () => new Float32Array(width * height),
    );
    const eh = this.yPlan.extent;
    const ew = this.xPlan.extent;
    const carryCap = Math.max(0, eh - minStep(this.yPlan.starts, height));
    this.#carry = new Float32Array(carryCap * width * C);
    this.#spare = new Float32Array(carryCap * width * C);
    this.#win = new Float32Array(eh * ew * C);
    this.#row = new Float32Array(ew * C);
    this.#probe = new Float64Array(C);
  }

  /** Score channels per pixel (1 for a binary model). */
  get channels(): number {
    return this.#C;
  }

  /** Bytes of score buffers this accumulator holds (carries, window, row). */
  get bufferBytes(): number {
    return (
      this.#carry.byteLength + this.#spare.byteLength + this.#win.byteLength + this.#row.byteLength
    );
  }

  /** Index of the tile `add` expects next (`tiles.length` when done). */
  get nextTile(): number {
    return this.#next;
  }

  /**
   * Adds the next tile's scores. The map covers the whole model input (`tileWidth` ×
   * `tileHeight`, the tile at its top-left, padding beyond), at any resolution.
   * @param scores finite scores of the tile
   */
  add(scores: ScoreMap): void {
    const t = this.#next;
    if (t >= this.tiles.length) {
      throw new InvalidArgumentError('scores', `all ${this.tiles.length} tiles were already added`);
    }
    if (scores.channels !== this.#C) {
      throw new InvalidArgumentError(
        'scores',
        `expected ${this.#C} channels, got ${scores.channels}`,
      );
    }
    const nx = this.xPlan.starts.length;
    const r = Math.floor(t / nx);
    const c = t - r * nx;
    const ys = this.yPlan.starts[r]!;
    const eh = this.yPlan.extent;
    const ew = this.xPlan.extent;
    const C = this.#C;
    const W = this.width;
    const band = (r + 1 < this.yPlan.starts.length ? this.yPlan.starts[r + 1]! : this.height) - ys;
    if (c === 0) this.#startRow(ys, band, eh);
    else this.#shiftWindow(this.xPlan.starts[c]!, band);
    const xs = this.xPlan.starts[c]!;
    const wy = this.yPlan.weights[r]!;
    const wx = this.xPlan.weights[c]!;
    const yt = torchTaps(scores.height, this.tileHeight);
    const xt = torchTaps(scores.width, this.tileWidth);
    const identity = isIdentityTaps(xt, scores.width) && isIdentityTaps(yt, scores.height);
    const row = this.#row;
    const win = this.#win;
    const next = this.#spare;
    for (let p = 0; p < eh; p++) {
      sampleRow(scores, xt, yt, p, ew, identity, row);
      const a = wy[p]!;
      let dst: Float32Array;
      let o: number;
      if (p < band) {
        dst = win;
        o = (p * ew + (xs - this.#winX)) * C;
      } else {
        dst = next;
        o = ((p - band) * W + xs) * C;
      }
      for (let q = 0, j = 0; q < ew; q++) {
        const g = a * wx[q]!;
        for (let k = 0; k < C; k++, j++) dst[o + j]! += g * row[j]!;
      }
    }
    // Columns no later tile of this row touches are final for the band rows.
    const doneTo = c + 1 < nx ? this.xPlan.starts[c + 1]! : W;
    this.#finalize(ys, band, doneTo);
    this.#next++;
    if (c === nx - 1) {
      // The rows below the band become the carry of the next tile row.
      const tmp = this.#carry;
      this.#carry = this.#spare;
      this.#spare = tmp;
      this.#carryTop = ys + band;
      this.#carryRows = eh - band;
    }
  }

  /** Starts tile row at `ys`: the next carry holds old carry rows ≥ ys + band, zeros below. */
  #startRow(ys: number, band: number, eh: number): void {
    const W = this.width;
    const C = this.#C;
    const next = this.#spare;
    const rows = eh - band;
    next.fill(0, 0, rows * W * C);
    for (let p = 0; p < rows; p++) {
      const y = ys + band + p;
      const i = y - this.#carryTop;
      if (i >= 0 && i < this.#carryRows) {
        next.set(this.#carry.subarray(i * W * C, (i + 1) * W * C), p * W * C);
      }
    }
    this.#winX = 0;
    this.#doneX = 0;
    this.#fillWindow(ys, band, 0, this.xPlan.extent);
  }

  /** Moves the window to start at `xs`, keeping pending columns and loading new ones. */
  #shiftWindow(xs: number, band: number): void {
    const ew = this.xPlan.extent;
    const C = this.#C;
    const keep = this.#winX + ew - xs;
    const from = xs - this.#winX;
    const win = this.#win;
    for (let p = 0; p < band; p++) {
      const o = p * ew * C;
      win.copyWithin(o, o + from * C, o + (from + keep) * C);
    }
    this.#winX = xs;
    this.#fillWindow(this.yPlan.starts[this.#rowIndex()]!, band, keep, ew);
  }

  #rowIndex(): number {
    return Math.floor(this.#next / this.xPlan.starts.length);
  }

  /** Window columns [from, to) of the band rows: old carry scores, or zeros. */
  #fillWindow(ys: number, band: number, from: number, to: number): void {
    const ew = this.xPlan.extent;
    const C = this.#C;
    const W = this.width;
    const win = this.#win;
    for (let p = 0; p < band; p++) {
      const o = (p * ew + from) * C;
      const i = ys + p - this.#carryTop;
      if (i >= 0 && i < this.#carryRows) {
        const src = (i * W + this.#winX + from) * C;
        win.set(this.#carry.subarray(src, src + (to - from) * C), o);
      } else {
        win.fill(0, o, o + (to - from) * C);
      }
    }
  }

  /** Labels (and probabilities) of band rows for columns [doneX, to). */
  #finalize(ys: number, band: number, to: number): void {
    const ew = this.xPlan.extent;
    const C = this.#C;
    const W = this.width;
    const win = this.#win;
    const out = this.labelMap;
    const seen = this.#seen;
    const allowed = this.#allowed;
    const binary = C === 1;
    const thr = this.#binaryThreshold;
    const probs = this.#probabilities;
    for (let p = 0; p < band; p++) {
      const rowOut = (ys + p) * W;
      for (let x = this.#doneX; x < to; x++) {
        const o = (p * ew + (x - this.#winX)) * C;
        let label: number;
        if (binary) label = win[o]! > thr ? 1 : 0;
        else {
          label = allowed[0] ?? 0;
          let best = win[o + label]!;
          for (let k = 1; k < allowed.length; k++) {
            const cl = allowed[k]!;
            const v = win[o + cl]!;
            if (v > best) {
              best = v;
              label = cl;
            }
          }
        }
        out[rowOut + x] = label;
        seen[label] = 1;
        if (probs) this.#writeProbabilities(win, o, rowOut + x, probs);
      }
    }
    this.#doneX = to;
  }

  #writeProbabilities(
    src: Float32Array,
    o: number,
    pixel: number,
    probs: NonNullable<TiledOptions['probabilities']>,
  ): void {
    const C = this.#C;
    const { classes, activation } = probs;
    if (C === 1) {
      const v = src[o]!;
      const p = activation === 'none' ? v : 1 / (1 + Math.exp(-v));
      for (let k = 0; k < classes.length; k++) this.#maps[k]![pixel] = classes[k] === 1 ? p : 1 - p;
      return;
    }
    if (activation === 'softmax') {
      const e = this.#probe;
      let mx = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) if (src[o + c]! > mx) mx = src[o + c]!;
      let sum = 0;
      for (let c = 0; c < C; c++) {
        e[c] = Math.exp(src[o + c]! - mx);
        sum += e[c]!;
      }
      for (let k = 0; k < classes.length; k++) this.#maps[k]![pixel] = e[classes[k]!]! / sum;
    } else {
      for (let k = 0; k < classes.length; k++) {
        const v = src[o + classes[k]!]!;
        this.#maps[k]![pixel] = activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : v;
      }
    }
  }

  /** The label map (and probabilities) once every tile was added. */
  result(): {
    labelMap: Uint8Array | Uint16Array;
    classesPresent: Int32Array;
    probabilities?: ClassProbabilities;
  } {
    if (this.#next !== this.tiles.length) {
      throw new InvalidArgumentError(
        'tiles',
        `${this.tiles.length - this.#next} of ${this.tiles.length} tiles not added yet`,
      );
    }
    const present: number[] = [];
    this.#seen.forEach((s, i) => {
      if (s) present.push(i);
    });
    const base = { labelMap: this.labelMap, classesPresent: Int32Array.from(present) };
    const probs = this.#probabilities;
    if (!probs || probs.classes.length === 0) return base;
    return { ...base, probabilities: { classes: probs.classes.slice(), maps: this.#maps } };
  }
}

/** Smallest distance between consecutive starts (or `length` for one tile). */
function minStep(starts: Int32Array, length: number): number {
  let m = length;
  for (let i = 1; i < starts.length; i++) m = Math.min(m, starts[i]! - starts[i - 1]!);
  return m;
}

/** Row p (of the tile's top-left `extent` pixels) of the tile scores, HWC, resampled to the tile. */
function sampleRow(
  s: ScoreMap,
  xt: AxisTaps,
  yt: AxisTaps,
  p: number,
  extent: number,
  identity: boolean,
  out: Float32Array,
): void {
  const C = s.channels;
  const d = s.data;
  const nchw = s.layout === 'nchw';
  const plane = s.height * s.width;
  if (identity) {
    if (!nchw) {
      out.set(d.subarray(p * s.width * C, (p * s.width + extent) * C));
      return;
    }
    for (let c = 0; c < C; c++) {
      const o = c * plane + p * s.width;
      for (let q = 0; q < extent; q++) out[q * C + c] = d[o + q]!;
    }
    return;
  }
  const f32 = Math.fround;
  const r0 = yt.i0[p]!;
  const r1 = yt.i1[p]!;
  const wy0 = yt.w0[p]!;
  const wy1 = yt.w1[p]!;
  for (let q = 0; q < extent; q++) {
    const q0 = xt.i0[q]!;
    const q1 = xt.i1[q]!;
    const wx0 = xt.w0[q]!;
    const wx1 = xt.w1[q]!;
    for (let c = 0; c < C; c++) {
      let a: number;
      let b: number;
      let e: number;
      let g: number;
      if (nchw) {
        const o = c * plane;
        a = d[o + r0 * s.width + q0]!;
        b = d[o + r0 * s.width + q1]!;
        e = d[o + r1 * s.width + q0]!;
        g = d[o + r1 * s.width + q1]!;
      } else {
        a = d[(r0 * s.width + q0) * C + c]!;
        b = d[(r0 * s.width + q1) * C + c]!;
        e = d[(r1 * s.width + q0) * C + c]!;
        g = d[(r1 * s.width + q1) * C + c]!;
      }
      const t0 = f32(a * wx0 + f32(b * wx1));
      const t1 = f32(e * wx0 + f32(g * wx1));
      out[q * C + c] = f32(t0 * wy0 + f32(t1 * wy1));
    }
  }
}
