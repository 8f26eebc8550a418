/**
 * NanoDet GFL head → candidates, as NanoDet's `GFLHead.get_bboxes` + `multiclass_nms` up to
 * the NMS:
 *
 * 1. per level, when it has more anchors than `preNmsTopK`, keep the `preNmsTopK` anchors with
 *    the best (allowed) class score (NanoDet's `nms_pre`), in decreasing order;
 * 2. every (anchor, allowed class) pair with score > threshold (strictly) is a candidate —
 *    anchor-major, class-minor, levels in stride order: the order `batched_nms` sees;
 *    `multiLabel: false` keeps only each anchor's best class;
 * 3. each side's distance = Σ softmax(logits)·[0…regMax] · stride from the cell centre
 *    ((x + centerOffset)·stride, (y + centerOffset)·stride), boxes clamped to the input
 *    (`distance2bbox(..., max_shape)`). Boxes are decoded only for anchors that gave a
 *    candidate.
 */
import type { ImageSize } from '@ocelot/core';
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { readFloat32Output, shapeError } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { sigmoid, topKIndices } from '../select.js';
import type { Candidates } from '../types.js';
import type { NanoDetOutputs } from './config.js';

/** What `decodeNanoDet` needs besides the outputs. */
export interface NanoDetDecodeParams {
  readonly strides: readonly number[];
  readonly regMax: number;
  readonly centerOffset: number;
  readonly outputs: NanoDetOutputs;
  readonly sigmoid: boolean;
  readonly multiLabel: boolean;
}

/** Grid of one level: ⌈H/s⌉ rows × ⌈W/s⌉ columns, row-major. */
export interface NanoDetLevelGrid {
  readonly stride: number;
  readonly width: number;
  readonly height: number;
}

/** The level grids of an input size (a stride-s feature map with "same" padding). */
export function nanoDetGrids(inputSize: ImageSize, strides: readonly number[]): NanoDetLevelGrid[] {
  return strides.map((stride) => ({
    stride,
    width: Math.ceil(inputSize.width / stride),
    height: Math.ceil(inputSize.height / stride),
  }));
}

/** One level's rows: anchor a's class scores at `cls[clsStart + a·clsStep …]`, its logits at `reg[regStart + a·regStep …]`. */
interface LevelView {
  readonly grid: NanoDetLevelGrid;
  readonly cls: Float32Array;
  readonly clsStart: number;
  readonly clsStep: number;
  readonly reg: Float32Array;
  readonly regStart: number;
  readonly regStep: number;
}

type Outputs = Readonly<Record<string, Tensor>>;

function levelViews(
  outputs: Outputs,
  context: DecodeContext,
  params: NanoDetDecodeParams,
  grids: readonly NanoDetLevelGrid[],
): LevelView[] {
  const { model, numClasses: nc } = context;
  const regCh = 4 * (params.regMax + 1);
  if (params.outputs.kind === 'concatenated') {
    const total = grids.reduce((acc, g) => acc + g.width * g.height, 0);
    const ch = nc + regCh;
    const expected = `[1, A=${total}, nc + 4(regMax+1)=${ch}]`;
    const out = readFloat32Output(model, outputs, params.outputs.name, 3, expected);
    if (out.dims[0] !== 1 || out.dims[1] !== total || out.dims[2] !== ch) {
      throw shapeError(
        model,
        out.name,
        `${expected} (A = anchor points of strides ${params.strides.join(', ')} on ${context.inputSize.width}×${context.inputSize.height})`,
        out.dims,
      );
    }
    assertFiniteOutput(model, out.name, out.data);
    let first = 0;
    return grids.map((grid) => {
      const view = {
        grid,
        cls: out.data,
        clsStart: first * ch,
        clsStep: ch,
        reg: out.data,
        regStart: first * ch + nc,
        regStep: ch,
      };
      first += grid.width * grid.height;
      return view;
    });
  }
  const { cls, reg } = params.outputs;
  return grids.map((grid, l) => {
    const A = grid.width * grid.height;
    const where = `level stride ${grid.stride}: ${grid.height}×${grid.width} cells`;
    const c = readFloat32Output(model, outputs, cls[l]!, 3, `[1, A=${A}, nc=${nc}]`);
    if (c.dims[0] !== 1 || c.dims[1] !== A || c.dims[2] !== nc) {
      throw shapeError(model, c.name, `[1, A=${A}, nc=${nc}] (${where})`, c.dims);
    }
    const r = readFloat32Output(model, outputs, reg[l]!, 3, `[1, A=${A}, ${regCh}]`);
    if (r.dims[0] !== 1 || r.dims[1] !== A || r.dims[2] !== regCh) {
      throw shapeError(
        model,
        r.name,
        `[1, A=${A}, 4(regMax+1)=${regCh}] (${where}, regMax ${params.regMax})`,
        r.dims,
      );
    }
    assertFiniteOutput(model, c.name, c.data);
    assertFiniteOutput(model, r.name, r.data);
    return {
      grid,
      cls: c.data,
      clsStart: 0,
      clsStep: nc,
      reg: r.data,
      regStart: 0,
      regStep: regCh,
    };
  });
}

/** Growable (anchor, class, score) triples. */
class Pairs {
  anchor = new Int32Array(256);
  level = new Int32Array(256);
  label = new Int32Array(256);
  score = new Float32Array(256);
  length = 0;

  push(level: number, anchor: number, label: number, score: number): void {
    if (this.length === this.anchor.length) {
      const grow = <T extends Int32Array | Float32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.anchor = grow(this.anchor);
      this.level = grow(this.level);
      this.label = grow(this.label);
      this.score = grow(this.score);
    }
    const i = this.length++;
    this.level[i] = level;
    this.anchor[i] = anchor;
    this.label[i] = label;
    this.score[i] = score;
  }
}

/**
 * Softmax expectation of one side's distribution, in bins: Σ softmax(logits)_j · j.
 * @param logits regMax + 1 logits at `start`
 */
export function distributionExpectation(logits: Float32Array, start: number, bins: number): number {
  let max = logits[start]!;
  for (let j = 1; j < bins; j++) max = Math.max(max, logits[start + j]!);
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < bins; j++) {
    const e = Math.exp(logits[start + j]! - max);
    sum += e;
    weighted += e * j;
  }
  return weighted / sum;
}

/**
 * Class indices `c` with `allowed[c] === 1`, increasing; `undefined` when every class is
 * allowed (the loops then run over 0..nc − 1 directly).
 */
function allowedClasses(nc: number, allowed: Uint8Array | undefined): Int32Array | undefined {
  if (allowed === undefined) return undefined;
  let n = 0;
  for (let c = 0; c < nc; c++) if (allowed[c] === 1) n++;
  if (n === nc) return undefined;
  const out = new Int32Array(n);
  for (let c = 0, k = 0; c < nc; c++) if (allowed[c] === 1) out[k++] = c;
  return out;
}

/**
 * Per anchor, its best score over `classes` (the sigmoid of the best raw score when `sig`),
 * and the identity index list `all`.
 */
function anchorBest(
  cls: Float32Array,
  start: number,
  step: number,
  A: number,
  nc: number,
  classes: Int32Array | undefined,
  sig: boolean,
  best: Float32Array,
  all: Int32Array,
): void {
  for (let a = 0, row = start; a < A; a++, row += step) {
    let m = Number.NEGATIVE_INFINITY;
    if (classes === undefined) {
      for (let c = row, end = row + nc; c < end; c++) {
        const s = cls[c]!;
        if (s > m) m = s;
      }
    } else {
      for (let k = 0; k < classes.length; k++) {
        const s = cls[row + classes[k]!]!;
        if (s > m) m = s;
      }
    }
    best[a] = sig ? sigmoid(m) : m;
    all[a] = a;
  }
}

/** How many leading entries of `order` (by decreasing `best`) have `best` above `threshold`. */
function aboveThreshold(best: Float32Array, order: Int32Array, threshold: number): number {
  let n = 0;
  while (n < order.length && best[order[n]!]! > threshold) n++;
  return n;
}

/** Multi-label, scores already probabilities: every (anchor, class) above the threshold. */
function collectRaw(
  cls: Float32Array,
  start: number,
  step: number,
  order: Int32Array,
  nc: number,
  classes: Int32Array | undefined,
  threshold: number,
  level: number,
  pairs: Pairs,
): void {
  for (let i = 0; i < order.length; i++) {
    const a = order[i]!;
    const row = start + a * step;
    // float32 elements: Math.fround would return them unchanged
    if (classes === undefined) {
      for (let c = 0; c < nc; c++) {
        const s = cls[row + c]!;
        if (s > threshold) pairs.push(level, a, c, s);
      }
    } else {
      for (let k = 0; k < classes.length; k++) {
        const c = classes[k]!;
        const s = cls[row + c]!;
        if (s > threshold) pairs.push(level, a, c, s);
      }
    }
  }
}

/** Multi-label with the sigmoid applied here. */
function collectSigmoid(
  cls: Float32Array,
  start: number,
  step: number,
  order: Int32Array,
  nc: number,
  classes: Int32Array | undefined,
  threshold: number,
  level: number,
  pairs: Pairs,
): void {
  const K = classes === undefined ? nc : classes.length;
  for (let i = 0; i < order.length; i++) {
    const a = order[i]!;
    const row = start + a * step;
    for (let k = 0; k < K; k++) {
      const c = classes === undefined ? k : classes[k]!;
      const s = Math.fround(sigmoid(cls[row + c]!));
      if (s > threshold) pairs.push(level, a, c, s);
    }
  }
}

/** Single label: each anchor's best allowed class, when its score is above the threshold. */
function collectBest(
  cls: Float32Array,
  start: number,
  step: number,
  order: Int32Array,
  nc: number,
  classes: Int32Array | undefined,
  sig: boolean,
  threshold: number,
  level: number,
  pairs: Pairs,
): void {
  const K = classes === undefined ? nc : classes.length;
  for (let i = 0; i < order.length; i++) {
    const a = order[i]!;
    const row = start + a * step;
    let best = Number.NEGATIVE_INFINITY;
    let bestClass = -1;
    for (let k = 0; k < K; k++) {
      const c = classes === undefined ? k : classes[k]!;
      const s = cls[row + c]!;
      if (s > best) {
        best = s;
        bestClass = c;
      }
    }
    const s = Math.fround(sig ? sigmoid(best) : best);
    if (bestClass >= 0 && s > threshold) pairs.push(level, a, bestClass, s);
  }
}

/**
 * NanoDet GFL outputs → candidates in input pixels.
 * @param outputs per level `[1, A_l, nc]` + `[1, A_l, 4(regMax+1)]`, or one `[1, A, nc + 4(regMax+1)]`
 * @throws ModelOutputError on a missing output, a shape that does not fit the strides, labels
 *   and regMax, or non-finite values
 */
export function decodeNanoDet(
  outputs: Outputs,
  context: DecodeContext,
  params: NanoDetDecodeParams,
): Candidates {
  const { options, numClasses: nc, inputSize } = context;
  const grids = nanoDetGrids(inputSize, params.strides);
  const views = levelViews(outputs, context, params, grids);
  const { scoreThreshold, allowed, preNmsTopK } = options;
  // The allowed classes in increasing order: the loops below visit only these.
  const classes = allowedClasses(nc, allowed);
  const pairs = new Pairs();

  views.forEach((v, l) => {
    const A = v.grid.width * v.grid.height;
    // 1. per-level pre-selection of anchors by their best allowed class score
    let order: Int32Array;
    if (A > preNmsTopK) {
      const best = new Float32Array(A);
      const all = new Int32Array(A);
      anchorBest(v.cls, v.clsStart, v.clsStep, A, nc, classes, params.sigmoid, best, all);
      order = topKIndices(best, all, A, preNmsTopK);
      // `order` is by decreasing best score, and no class of an anchor scores above its best
      // (the sigmoid and float32 rounding keep the order): the pairs come from a prefix.
      order = order.subarray(0, aboveThreshold(best, order, scoreThreshold));
    } else {
      order = new Int32Array(A);
      for (let a = 0; a < A; a++) order[a] = a;
    }
    // 2. (anchor, class) pairs above the threshold
    if (params.multiLabel) {
      if (params.sigmoid) {
        collectSigmoid(v.cls, v.clsStart, v.clsStep, order, nc, classes, scoreThreshold, l, pairs);
      } else {
        collectRaw(v.cls, v.clsStart, v.clsStep, order, nc, classes, scoreThreshold, l, pairs);
      }
    } else {
      collectBest(
        v.cls,
        v.clsStart,
        v.clsStep,
        order,
        nc,
        classes,
        params.sigmoid,
        scoreThreshold,
        l,
        pairs,
      );
    }
  });
  const n = pairs.length;
  if (n === 0) return emptyCandidates();

  // 3. boxes from the distance distributions (one decode per distinct anchor)
  const f = Math.fround;
  const bins = params.regMax + 1;
  const W = inputSize.width;
  const H = inputSize.height;
  const boxes = new Float32Array(4 * n);
  let lastLevel = -1;
  let lastAnchor = -1;
  for (let i = 0; i < n; i++) {
    const l = pairs.level[i]!;
    const a = pairs.anchor[i]!;
    if (l === lastLevel && a === lastAnchor) {
      boxes.copyWithin(4 * i, 4 * (i - 1), 4 * i);
      continue;
    }
    lastLevel = l;
    lastAnchor = a;
    const v = views[l]!;
    const s = v.grid.stride;
    const cx = f((a % v.grid.width) + params.centerOffset) * s;
    const cy = f(Math.floor(a / v.grid.width) + params.centerOffset) * s;
    const start = v.regStart + a * v.regStep;
    const d0 = f(f(distributionExpectation(v.reg, start, bins)) * s);
    const d1 = f(f(distributionExpectation(v.reg, start + bins, bins)) * s);
    const d2 = f(f(distributionExpectation(v.reg, start + 2 * bins, bins)) * s);
    const d3 = f(f(distributionExpectation(v.reg, start + 3 * bins, bins)) * s);
    boxes[4 * i] = Math.min(Math.max(f(cx - d0), 0), W);
    boxes[4 * i + 1] = Math.min(Math.max(f(cy - d1), 0), H);
    boxes[4 * i + 2] = Math.min(Math.max(f(cx + d2), 0), W);
    boxes[4 * i + 3] = Math.min(Math.max(f(cy + d3), 0), H);
  }
  return {
    boxes,
    scores: pairs.score.slice(0, n),
    labels: pairs.label.slice(0, n),
  };
}
