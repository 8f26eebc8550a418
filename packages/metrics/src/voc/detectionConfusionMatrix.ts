/**
 * A detection confusion matrix with a background class, as Ultralytics' `ConfusionMatrix`
 * (task "detect") builds it: detections above a confidence threshold are matched one-to-one to
 * ground truth by IoU, class-agnostically, and each pair, missed object and unmatched
 * detection is counted.
 */
import { InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';

/** Options of {@link DetectionConfusionMatrix}. */
export interface DetectionConfusionMatrixOptions {
  /** Detections with score > this are used. Default 0.25 (Ultralytics' default). */
  readonly confidenceThreshold?: number;
  /** A detection and an object can match when IoU > this. Default 0.45 (Ultralytics). */
  readonly iouThreshold?: number;
}

function arrayLike(name: string, v: unknown): ArrayLike<number> {
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof (v as { length?: unknown }).length !== 'number'
  ) {
    throw new InvalidArgumentError(name, 'expected an array or typed array');
  }
  return v as ArrayLike<number>;
}

/**
 * Accumulates a (C+1)×(C+1) confusion matrix over images. Row = predicted class, column =
 * true class, index C = background: `[p, g]` counts detections of class p matched to an object
 * of class g, `[C, g]` missed objects of class g, `[p, C]` detections of class p matching no
 * object.
 *
 * Matching (per image): pairs with IoU > iouThreshold; each detection keeps its best object
 * (ties: the higher object index), then each object keeps its best remaining detection (ties:
 * the higher detection index) — Ultralytics' two `np.unique` passes over IoU-sorted pairs,
 * which resolve ties that way for up to 16 candidate pairs (numpy's quicksort is an insertion
 * sort there). IoU is computed in float64 (Ultralytics: float32 torch tensors).
 */
export class DetectionConfusionMatrix {
  readonly numClasses: number;
  readonly confidenceThreshold: number;
  readonly iouThreshold: number;
  /** [(C+1)×(C+1)] row-major counts, `matrix[p * (C + 1) + g]`. */
  readonly matrix: Float64Array;

  constructor(numClasses: number, options: DetectionConfusionMatrixOptions = {}) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new InvalidArgumentError('numClasses', `expected an integer >= 1, got ${numClasses}`);
    }
    const conf = options.confidenceThreshold ?? 0.25;
    const iou = options.iouThreshold ?? 0.45;
    if (typeof conf !== 'number' || Number.isNaN(conf)) {
      throw new InvalidArgumentError(
        'options.confidenceThreshold',
        `expected a number, got ${String(conf)}`,
      );
    }
    if (typeof iou !== 'number' || Number.isNaN(iou)) {
      throw new InvalidArgumentError(
        'options.iouThreshold',
        `expected a number, got ${String(iou)}`,
      );
    }
    this.numClasses = numClasses;
    this.confidenceThreshold = conf;
    this.iouThreshold = iou;
    this.matrix = new Float64Array((numClasses + 1) * (numClasses + 1));
  }

  /** Count at (predicted class, true class); use `numClasses` for background. */
  get(predicted: number, actual: number): number {
    return this.matrix[predicted * (this.numClasses + 1) + actual]!;
  }

  /**
   * Adds one image.
   * @param gtBoxes [G,4] xyxy
   * @param gtLabels [G] class indices
   * @param detBoxes [D,4] xyxy
   * @param detScores [D]
   * @param detLabels [D] class indices
   */
  update(
    gtBoxes: ArrayLike<number>,
    gtLabels: ArrayLike<number>,
    detBoxes: ArrayLike<number>,
    detScores: ArrayLike<number>,
    detLabels: ArrayLike<number>,
  ): void {
    const C = this.numClasses;
    const W = C + 1;
    const gb = arrayLike('gtBoxes', gtBoxes);
    const gl = arrayLike('gtLabels', gtLabels);
    const db = arrayLike('detBoxes', detBoxes);
    const ds = arrayLike('detScores', detScores);
    const dl = arrayLike('detLabels', detLabels);
    if (gb.length % 4 !== 0) throw new ShapeMismatchError('gtBoxes', '[G,4]', `[${gb.length}]`);
    if (db.length % 4 !== 0) throw new ShapeMismatchError('detBoxes', '[D,4]', `[${db.length}]`);
    const G = gb.length / 4;
    const D0 = db.length / 4;
    if (gl.length !== G) throw new ShapeMismatchError('gtLabels', `[G=${G}]`, `[${gl.length}]`);
    if (ds.length !== D0) throw new ShapeMismatchError('detScores', `[D=${D0}]`, `[${ds.length}]`);
    if (dl.length !== D0) throw new ShapeMismatchError('detLabels', `[D=${D0}]`, `[${dl.length}]`);
    const checkLabel = (name: string, v: number, i: number) => {
      if (!Number.isInteger(v) || v < 0 || v >= C) {
        throw new InvalidArgumentError(
          name,
          `label ${v} at ${i} is not a class index in [0, ${C})`,
        );
      }
    };
    for (let i = 0; i < G; i++) checkLabel('gtLabels', gl[i]!, i);
    for (let i = 0; i < 4 * G; i++) {
      if (!Number.isFinite(gb[i]))
        throw new InvalidArgumentError(
          'gtBoxes',
          `non-finite value ${gb[i]} at ${i}`,
          'E_NON_FINITE',
        );
    }
    // Detections above the confidence threshold, in input order.
    const keep: number[] = [];
    for (let j = 0; j < D0; j++) {
      const s = ds[j]!;
      if (Number.isNaN(s))
        throw new InvalidArgumentError('detScores', `NaN at ${j}`, 'E_NON_FINITE');
      checkLabel('detLabels', dl[j]!, j);
      for (let c = 0; c < 4; c++) {
        if (!Number.isFinite(db[4 * j + c])) {
          throw new InvalidArgumentError(
            'detBoxes',
            `non-finite value ${db[4 * j + c]} at ${4 * j + c}`,
            'E_NON_FINITE',
          );
        }
      }
      if (s > this.confidenceThreshold) keep.push(j);
    }
    const D = keep.length;
    if (G === 0) {
      for (const j of keep) this.matrix[dl[j]! * W + C]!++;
      return;
    }
    // Best object per detection (IoU > threshold; ties → higher object index).
    const detBest = new Int32Array(D).fill(-1);
    const detBestIou = new Float64Array(D);
    for (let k = 0; k < D; k++) {
      const j = keep[k]!;
      const dx1 = db[4 * j]!;
      const dy1 = db[4 * j + 1]!;
      const dx2 = db[4 * j + 2]!;
      const dy2 = db[4 * j + 3]!;
      const da = (dx2 - dx1) * (dy2 - dy1);
      for (let g = 0; g < G; g++) {
        const gx1 = gb[4 * g]!;
        const gy1 = gb[4 * g + 1]!;
        const gx2 = gb[4 * g + 2]!;
        const gy2 = gb[4 * g + 3]!;
        const w = Math.max(0, Math.min(dx2, gx2) - Math.max(dx1, gx1));
        const h = Math.max(0, Math.min(dy2, gy2) - Math.max(dy1, gy1));
        const inter = w * h;
        const union = da + (gx2 - gx1) * (gy2 - gy1) - inter;
        const iou = inter / union; // torchvision box_iou: NaN for two empty boxes (no match)
        if (iou > this.iouThreshold && (detBest[k] === -1 || iou >= detBestIou[k]!)) {
          detBest[k] = g;
          detBestIou[k] = iou;
        }
      }
    }
    // Best detection per object among those pairs (ties → higher detection index).
    const gtMatch = new Int32Array(G).fill(-1);
    const gtMatchIou = new Float64Array(G);
    for (let k = 0; k < D; k++) {
      const g = detBest[k]!;
      if (g < 0) continue;
      if (gtMatch[g] === -1 || detBestIou[k]! >= gtMatchIou[g]!) {
        gtMatch[g] = k;
        gtMatchIou[g] = detBestIou[k]!;
      }
    }
    const detMatched = new Uint8Array(D);
    for (let g = 0; g < G; g++) {
      const k = gtMatch[g]!;
      if (k >= 0) {
        this.matrix[dl[keep[k]!]! * W + gl[g]!]!++;
        detMatched[k] = 1;
      } else {
        this.matrix[C * W + gl[g]!]!++;
      }
    }
    for (let k = 0; k < D; k++) if (!detMatched[k]) this.matrix[dl[keep[k]!]! * W + C]!++;
  }

  /** [C] true positives per class: the diagonal without background. */
  truePositives(): Float64Array {
    const C = this.numClasses;
    const out = new Float64Array(C);
    for (let c = 0; c < C; c++) out[c] = this.get(c, c);
    return out;
  }

  /** [C] false positives per class: row sum minus diagonal (Ultralytics `tp_fp`). */
  falsePositives(): Float64Array {
    const C = this.numClasses;
    const out = new Float64Array(C);
    for (let p = 0; p < C; p++) {
      let s = 0;
      for (let g = 0; g <= C; g++) s += this.get(p, g);
      out[p] = s - this.get(p, p);
    }
    return out;
  }

  /** [C] false negatives per class: column sum minus diagonal. */
  falseNegatives(): Float64Array {
    const C = this.numClasses;
    const out = new Float64Array(C);
    for (let g = 0; g < C; g++) {
      let s = 0;
      for (let p = 0; p <= C; p++) s += this.get(p, g);
      out[g] = s - this.get(g, g);
    }
    return out;
  }

  /** The matrix divided by its column sums (+1e-9), as Ultralytics plots it normalised. */
  normalized(): Float64Array {
    const W = this.numClasses + 1;
    const out = new Float64Array(W * W);
    for (let g = 0; g < W; g++) {
      let s = 0;
      for (let p = 0; p < W; p++) s += this.matrix[p * W + g]!;
      for (let p = 0; p < W; p++) out[p * W + g] = this.matrix[p * W + g]! / (s + 1e-9);
    }
    return out;
  }

  /** Adds another matrix's counts (same number of classes) into this one. */
  merge(other: DetectionConfusionMatrix): this {
    if (!(other instanceof DetectionConfusionMatrix) || other.numClasses !== this.numClasses) {
      throw new ShapeMismatchError(
        'other',
        `a DetectionConfusionMatrix of ${this.numClasses} classes`,
        other instanceof DetectionConfusionMatrix ? `${other.numClasses} classes` : typeof other,
      );
    }
    for (let i = 0; i < this.matrix.length; i++) this.matrix[i]! += other.matrix[i]!;
    return this;
  }

  /** Sets every count to 0. */
  reset(): void {
    this.matrix.fill(0);
  }
}
