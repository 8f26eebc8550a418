/**
 * What the page shows of a result, chosen without re-running the model: detections at or above
 * the score slider whose class is switched on, and the per-class summary behind the toggles.
 *
 * Raising the threshold after the run is exact: greedy NMS decides a box only against
 * higher-scoring boxes, so the boxes the model keeps at threshold t₀ that score above t₁ ≥ t₀
 * are exactly those it would keep when run at t₁ — as long as the `maxDetections` cap did not
 * cut the list (`capped` in the summary says when it might have).
 */

/** Detections as the worker returns them (column store). */
export interface DetectionColumns {
  /** [N,4] xyxy, image pixels. */
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
}

/** One class in the toggles: how many detections (or pixels) it has. */
export interface ClassCount {
  readonly label: number;
  readonly name: string;
  /** Detections of this class in the model's output. */
  readonly total: number;
  /** Of those, how many pass the score slider. */
  readonly aboveThreshold: number;
}

/**
 * Indices of the detections to show, in the result's order (decreasing score).
 * @param minScore show detections with `score >= minScore`
 * @param hidden class indices switched off
 */
export function visibleDetections(
  d: DetectionColumns,
  minScore: number,
  hidden: ReadonlySet<number>,
): Int32Array {
  const n = d.scores.length;
  const keep = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (d.scores[i]! >= minScore && !hidden.has(d.labels[i]!)) keep[k++] = i;
  }
  return keep.slice(0, k);
}

/** Rows `index` of every column (a new column store). */
export function selectDetections<T extends DetectionColumns>(
  d: T,
  index: Int32Array,
): DetectionColumns {
  const boxes = new Float32Array(index.length * 4);
  const scores = new Float32Array(index.length);
  const labels = new Int32Array(index.length);
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    boxes.set(d.boxes.subarray(4 * i, 4 * i + 4), 4 * j);
    scores[j] = d.scores[i]!;
    labels[j] = d.labels[i]!;
  }
  return { boxes, scores, labels };
}

/**
 * Per-class counts of a detection result, classes that occur only, by class index.
 * @param minScore the slider's value, for `aboveThreshold`
 */
export function classCounts(
  d: DetectionColumns,
  classNames: readonly string[],
  minScore: number,
): ClassCount[] {
  const totals = new Map<number, { total: number; above: number }>();
  for (let i = 0; i < d.labels.length; i++) {
    const l = d.labels[i]!;
    const t = totals.get(l) ?? { total: 0, above: 0 };
    t.total++;
    if (d.scores[i]! >= minScore) t.above++;
    totals.set(l, t);
  }
  return [...totals.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, t]) => ({
      label,
      name: classNames[label] ?? `class ${label}`,
      total: t.total,
      aboveThreshold: t.above,
    }));
}

/** Pixels per class of a label map, classes that occur only, by class index. */
export function pixelCounts(
  labelMap: Uint8Array | Uint16Array,
  classNames: readonly string[],
): ClassCount[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < labelMap.length; i++) {
    const l = labelMap[i]!;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, total]) => ({
      label,
      name: classNames[label] ?? `class ${label}`,
      total,
      aboveThreshold: total,
    }));
}

/** Classes hidden by default in a label map: the background ("background", "_background_"). */
export function isBackgroundClass(name: string): boolean {
  return /^_*background_*$/i.test(name.trim());
}
