/**
 * OverFeat's box merging (Sermanet et al. 2014, §4.3), as an alternative to NMS: instead of
 * keeping the best box of a cluster and dropping the rest, the boxes of a cluster are
 * averaged, so every window that saw the object votes on where it is.
 *
 * Greedy form, per class: boxes in decreasing score join the first cluster whose current
 * (merged) box overlaps them by more than `iouThreshold`, else start one. A cluster's box is
 * the score-weighted mean of its members' corners. Its score is OverFeat's — the sum S of the
 * members' class probabilities, so more agreeing windows mean more confidence — reported as
 * S / (1 + S): the same order, kept in (0, 1) so thresholds and AP read it as usual.
 */
import type { Candidates } from '../types.js';

/**
 * @param candidates [N] boxes (xyxy), scores, labels
 * @param iouThreshold a box joins a cluster whose merged box it overlaps by more than this
 * @param classAgnostic merge across classes (the cluster takes its best member's label)
 * @returns one candidate per cluster, by decreasing score
 */
export function overfeatMerge(
  candidates: Candidates,
  iouThreshold: number,
  classAgnostic = false,
): Candidates {
  const { boxes, scores, labels } = candidates;
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b]! - scores[a]! || a - b,
  );
  // cluster accumulators
  const sum = new Float64Array(4 * n); // Σ p·corner
  const weight = new Float64Array(n); // Σ p
  const box = new Float32Array(4 * n); // current merged box
  const label = new Int32Array(n);
  let clusters = 0;
  for (const i of order) {
    const p = scores[i]!;
    const x1 = boxes[4 * i]!;
    const y1 = boxes[4 * i + 1]!;
    const x2 = boxes[4 * i + 2]!;
    const y2 = boxes[4 * i + 3]!;
    const area = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    let target = -1;
    for (let c = 0; c < clusters; c++) {
      if (!classAgnostic && label[c] !== labels[i]) continue;
      const o = 4 * c;
      const iw = Math.min(x2, box[o + 2]!) - Math.max(x1, box[o]!);
      const ih = Math.min(y2, box[o + 3]!) - Math.max(y1, box[o + 1]!);
      if (iw <= 0 || ih <= 0) continue;
      const inter = iw * ih;
      const areaC = (box[o + 2]! - box[o]!) * (box[o + 3]! - box[o + 1]!);
      if (inter / (area + areaC - inter) > iouThreshold) {
        target = c;
        break;
      }
    }
    if (target < 0) {
      target = clusters++;
      label[target] = labels[i]!;
    }
    const o = 4 * target;
    sum[o] = sum[o]! + p * x1;
    sum[o + 1] = sum[o + 1]! + p * y1;
    sum[o + 2] = sum[o + 2]! + p * x2;
    sum[o + 3] = sum[o + 3]! + p * y2;
    weight[target] = weight[target]! + p;
    const w = weight[target]!;
    for (let k = 0; k < 4; k++) box[o + k] = w > 0 ? sum[o + k]! / w : boxes[4 * i + k]!;
  }
  const rank = Array.from({ length: clusters }, (_, c) => c).sort(
    (a, b) => weight[b]! - weight[a]! || a - b,
  );
  const outBoxes = new Float32Array(4 * clusters);
  const outScores = new Float32Array(clusters);
  const outLabels = new Int32Array(clusters);
  rank.forEach((c, j) => {
    outBoxes.set(box.subarray(4 * c, 4 * c + 4), 4 * j);
    outScores[j] = weight[c]! / (1 + weight[c]!);
    outLabels[j] = label[c]!;
  });
  return { boxes: outBoxes, scores: outScores, labels: outLabels };
}
