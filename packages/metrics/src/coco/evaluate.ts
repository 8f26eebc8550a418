/**
 * COCO detection / instance-segmentation evaluation with pycocotools COCOeval's exact
 * semantics (evaluate → accumulate → summarize), on columnar data.
 *
 * How it differs from COCOeval internally (never in its numbers):
 *  1. Records become typed-array columns; (image, category) groups come from a two-pass
 *     counting sort instead of dicts of lists.
 *  2. Each group's IoU matrix and score order are computed once and shared by every area
 *     range and IoU threshold (COCOeval re-sorts per area range).
 *  3. A match is stored as one byte per detection × area range × threshold (0 false positive,
 *     1 true positive, 2 ignored) instead of per-image matrices of ids.
 *  4. accumulate sorts each category's detections once (by score, stable in image order as
 *     `np.argsort(kind='mergesort')` over the concatenation) and derives the maxDets
 *     truncations by filtering that order.
 */
import { boxGroupIou, type GroupIou } from './geometry.js';
import { numpyMean } from './numpy.js';
import { resolveParams, type ResolvedParams } from './params.js';
import { type CocoColumns, parseCoco } from './parse.js';
import { segmGroupIou } from './segm.js';
import type {
  CocoCategoryResult,
  CocoDetection,
  CocoEvalOptions,
  CocoEvalResult,
  CocoGroundTruth,
  CocoImageEvaluation,
} from './types.js';

/** `np.spacing(1)`, the epsilon COCOeval adds to tp + fp. */
const EPS = 2.220446049250313e-16;
const STATE_FP = 0;
const STATE_TP = 1;
const STATE_IGNORE = 2;

/**
 * Indices `0..n)` ordered by (image, category, index): a stable counting sort by category
 * followed by a stable one by image. Returns the order and `imgStart[I+1]` offsets into it.
 */
function groupByImageAndCategory(
  n: number,
  img: Int32Array,
  cat: Int32Array,
  numImages: number,
  numCats: number,
): { order: Int32Array; imgStart: Int32Array } {
  const byCat = new Int32Array(n);
  const catStart = new Int32Array(numCats + 1);
  for (let i = 0; i < n; i++) catStart[cat[i]! + 1]!++;
  for (let k = 0; k < numCats; k++) catStart[k + 1]! += catStart[k]!;
  for (let i = 0; i < n; i++) byCat[catStart[cat[i]!]!++] = i;
  const order = new Int32Array(n);
  const imgStart = new Int32Array(numImages + 1);
  for (let i = 0; i < n; i++) imgStart[img[i]! + 1]!++;
  for (let k = 0; k < numImages; k++) imgStart[k + 1]! += imgStart[k]!;
  const cursor = imgStart.slice(0, numImages);
  for (let j = 0; j < n; j++) {
    const i = byCat[j]!;
    order[cursor[img[i]!]!++] = i;
  }
  return { order, imgStart };
}

/** Stable in-place sort of `idx[0..n)` by decreasing `score[idx]` (ties keep their order). */
function sortByScoreDesc(idx: Int32Array, n: number, score: Float64Array): void {
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const v = idx[i]!;
      const s = score[v]!;
      let j = i - 1;
      while (j >= 0 && score[idx[j]!]! < s) {
        idx[j + 1] = idx[j]!;
        j--;
      }
      idx[j + 1] = v;
    }
    return;
  }
  const copy = idx.slice(0, n);
  const pos = new Int32Array(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  pos.sort((a, b) => score[copy[b]!]! - score[copy[a]!]! || a - b);
  for (let i = 0; i < n; i++) idx[i] = copy[pos[i]!]!;
}

/** Growable scratch buffers. */
class Scratch {
  iou = new Float64Array(1024);
  dtSel = new Int32Array(256);
  gtSel = new Int32Array(64);
  gtOrder = new Int32Array(64);
  gtIgnore = new Uint8Array(64);
  gtCrowdSorted = new Uint8Array(64);
  gtMatched = new Int32Array(64);
  dtAreaOut = new Uint8Array(256);
  candStart = new Int32Array(257);
  candJ = new Int32Array(1024);
  candV = new Float64Array(1024);
  ensure(D: number, G: number): void {
    if (this.iou.length < D * G) {
      const n = Math.max(D * G, 2 * this.iou.length);
      this.iou = new Float64Array(n);
      this.candJ = new Int32Array(n);
      this.candV = new Float64Array(n);
    }
    if (this.dtSel.length < D) {
      const n = Math.max(D, 2 * this.dtSel.length);
      this.dtSel = new Int32Array(n);
      this.dtAreaOut = new Uint8Array(n);
      this.candStart = new Int32Array(n + 1);
    }
    if (this.gtSel.length < G) {
      const n = Math.max(G, 2 * this.gtSel.length);
      this.gtSel = new Int32Array(n);
      this.gtOrder = new Int32Array(n);
      this.gtIgnore = new Uint8Array(n);
      this.gtCrowdSorted = new Uint8Array(n);
      this.gtMatched = new Int32Array(n);
    }
  }
}

/**
 * Evaluates detections or instance masks against a COCO ground truth exactly as pycocotools
 * `COCOeval(gt, gt.loadRes(dt), iouType)` followed by `evaluate()`, `accumulate()` and
 * `summarize()`; `stats` equal COCOeval's to the last bit in the tested cases.
 *
 * @param groundTruth COCO ground truth `{ images, annotations, categories }` (parsed JSON)
 * @param detections COCO results `[{ image_id, category_id, score, bbox | segmentation }]`
 * @param options `iouType` and optional COCOeval parameters (see {@link CocoEvalOptions})
 * @returns stats (12), precision [T,R,K,A,M], recall [T,K,A,M], scores [T,R,K,A,M],
 *   per-category AP, and optionally per-image evaluations
 * @throws CocoFormatError (a subclass of OcelotError) naming the record and field on
 *   malformed input; UnknownImageError for a detection of an image not in the ground truth
 */
export function evaluateCoco(
  groundTruth: CocoGroundTruth,
  detections: readonly CocoDetection[],
  options: CocoEvalOptions,
): CocoEvalResult {
  const p = resolveParams(options);
  const cols = parseCoco(groundTruth, detections, p.iouType, options.imgIds, options.catIds);
  return evaluateColumns(cols, p, options);
}

function evaluateColumns(
  cols: CocoColumns,
  p: ResolvedParams,
  options: CocoEvalOptions,
): CocoEvalResult {
  const { iouThresholds, recallThresholds, maxDets, areaRanges, useCats } = p;
  const I = cols.imgIds.length;
  const Kc = cols.catIds.length;
  const K = useCats ? Kc : 1;
  const T = iouThresholds.length;
  const R = recallThresholds.length;
  const A = areaRanges.length;
  const M = maxDets.length;
  const maxDetLast = maxDets[M - 1]!;
  const onProgress = options.onProgress;
  const progressTotal = I + K;
  const progressStep = Math.max(1, Math.ceil(progressTotal / 100));
  let progressDone = 0;
  const tick = (units: number): void => {
    if (!onProgress) return;
    const before = Math.floor(progressDone / progressStep);
    progressDone += units;
    if (Math.floor(progressDone / progressStep) !== before || progressDone === progressTotal) {
      onProgress(progressDone, progressTotal);
    }
  };

  const gtGroups = groupByImageAndCategory(cols.gtCount, cols.gtImg, cols.gtCat, I, Kc);
  const dtGroups = groupByImageAndCategory(cols.dtCount, cols.dtImg, cols.dtCat, I, Kc);

  // Non-ignored ground truth per (category, area range): `npig` of accumulate.
  const npig = new Float64Array(K * A);
  const areaMin = new Float64Array(A);
  const areaMax = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    areaMin[a] = areaRanges[a]!.min;
    areaMax[a] = areaRanges[a]!.max;
  }
  for (let i = 0; i < cols.gtCount; i++) {
    if (cols.gtCrowd[i]) continue;
    const k = useCats ? cols.gtCat[i]! : 0;
    const area = cols.gtArea[i]!;
    for (let a = 0; a < A; a++) {
      if (!(area < areaMin[a]! || area > areaMax[a]!)) npig[k * A + a]!++;
    }
  }

  const groupIou: GroupIou =
    p.iouType === 'bbox' && cols.resultMode === 'bbox'
      ? boxGroupIou(cols.dtBox, cols.gtBox, cols.gtCrowd)
      : segmGroupIou(cols, p.iouType);

  // Kept detections (the first maxDets[-1] of each group by score), in group order.
  const keptCap = cols.dtCount;
  const keptCol = new Int32Array(keptCap);
  const keptCat = new Int32Array(keptCap);
  const keptRank = new Int32Array(keptCap);
  const state = new Uint8Array(keptCap * A * T);
  let kept = 0;

  const perImage = options.perImage === true;
  const evalEntries: { k: number; a: number; i: number; e: CocoImageEvaluation }[] = [];

  const s = new Scratch();
  const thrMatch = new Float64Array(T);
  for (let t = 0; t < T; t++) thrMatch[t] = Math.min(iouThresholds[t]!, 1 - 1e-10);
  let minThrMatch = Number.POSITIVE_INFINITY;
  for (let t = 0; t < T; t++) minThrMatch = Math.min(minThrMatch, thrMatch[t]!);

  const evaluateGroup = (
    imgIdx: number,
    catK: number,
    gtFrom: number,
    G: number,
    dtFrom: number,
    D0: number,
  ): void => {
    s.ensure(D0, G);
    const dtSel = s.dtSel;
    const gtSel = s.gtSel;
    for (let j = 0; j < D0; j++) dtSel[j] = dtGroups.order[dtFrom + j]!;
    for (let j = 0; j < G; j++) gtSel[j] = gtGroups.order[gtFrom + j]!;
    sortByScoreDesc(dtSel, D0, cols.dtScore);
    const D = Math.min(D0, maxDetLast);
    // Also run without ground truth: segm results get their areas from the RLE here.
    if (D > 0) groupIou.compute(dtSel, D, gtSel, G, s.iou);
    const iou = s.iou;
    const base = kept;
    for (let d = 0; d < D; d++) {
      keptCol[base + d] = dtSel[d]!;
      keptCat[base + d] = catK;
      keptRank[base + d] = d;
    }
    kept += D;
    const gtOrder = s.gtOrder;
    const gtIg = s.gtIgnore;
    const crowdS = s.gtCrowdSorted;
    const matched = s.gtMatched;
    const areaOut = s.dtAreaOut;
    for (let a = 0; a < A; a++) {
      const lo = areaMin[a]!;
      const hi = areaMax[a]!;
      // Ground truth: not ignored first, then ignored (stable), as argsort(kind='mergesort').
      let nFirst = 0;
      for (let j = 0; j < G; j++) {
        const c = gtSel[j]!;
        const area = cols.gtArea[c]!;
        if (!(cols.gtCrowd[c] || area < lo || area > hi)) gtOrder[nFirst++] = j;
      }
      let nAll = nFirst;
      for (let j = 0; j < G; j++) {
        const c = gtSel[j]!;
        const area = cols.gtArea[c]!;
        if (cols.gtCrowd[c] || area < lo || area > hi) gtOrder[nAll++] = j;
      }
      for (let j = 0; j < G; j++) {
        gtIg[j] = j < nFirst ? 0 : 1;
        crowdS[j] = cols.gtCrowd[gtSel[gtOrder[j]!]!]!;
      }
      for (let d = 0; d < D; d++) {
        const area = cols.dtArea[dtSel[d]!]!;
        areaOut[d] = area < lo || area > hi ? 1 : 0;
      }
      let entry: CocoImageEvaluation | undefined;
      if (perImage)
        entry = newEntry(
          cols,
          imgIdx,
          catK,
          useCats,
          areaRanges[a]!,
          maxDetLast,
          dtSel,
          D,
          gtSel,
          gtOrder,
          gtIg,
          G,
          T,
        );
      // Candidates per detection: ground truth (in gtOrder order) with IoU >= the lowest
      // threshold. Any other gt only ever hits `continue` in COCOeval's loop, so skipping it
      // leaves every match unchanged.
      const candStart = s.candStart;
      const candJ = s.candJ;
      const candV = s.candV;
      let nc = 0;
      for (let d = 0; d < D; d++) {
        candStart[d] = nc;
        const row = d * G;
        for (let j = 0; j < G; j++) {
          const v = iou[row + gtOrder[j]!]!;
          if (v >= minThrMatch) {
            candJ[nc] = j;
            candV[nc] = v;
            nc++;
          }
        }
      }
      candStart[D] = nc;
      for (let t = 0; t < T; t++) {
        const thr = thrMatch[t]!;
        matched.fill(0, 0, G);
        const stateBase = (base * A + a) * T + t;
        for (let d = 0; d < D; d++) {
          let best = thr;
          let m = -1;
          const cEnd = candStart[d + 1]!;
          for (let c = candStart[d]!; c < cEnd; c++) {
            const j = candJ[c]!;
            if (matched[j] !== 0 && crowdS[j] === 0) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[j] === 1) break;
            const v = candV[c]!;
            if (v < best) continue;
            best = v;
            m = j;
          }
          let ignore = 0;
          let dtm = 0;
          if (m !== -1) {
            ignore = gtIg[m]!;
            // COCOeval stores the matched gt's *id*; an id of 0 reads as "unmatched".
            dtm = cols.gtId[gtSel[gtOrder[m]!]!]!;
            matched[m] = cols.dtSrc[dtSel[d]!]! + 1;
          }
          if (!ignore && dtm === 0 && areaOut[d]) ignore = 1;
          state[stateBase + d * A * T] = ignore ? STATE_IGNORE : dtm !== 0 ? STATE_TP : STATE_FP;
          if (entry) {
            entry.dtMatches[t * D + d] = dtm;
            entry.dtIgnore[t * D + d] = ignore;
          }
        }
        if (entry) for (let j = 0; j < G; j++) entry.gtMatches[t * G + j] = matched[j]!;
      }
      if (entry) evalEntries.push({ k: catK, a, i: imgIdx, e: entry });
    }
  };

  for (let im = 0; im < I; im++) {
    const g0 = gtGroups.imgStart[im]!;
    const g1 = gtGroups.imgStart[im + 1]!;
    const d0 = dtGroups.imgStart[im]!;
    const d1 = dtGroups.imgStart[im + 1]!;
    if (!useCats) {
      if (g1 > g0 || d1 > d0) evaluateGroup(im, 0, g0, g1 - g0, d0, d1 - d0);
    } else {
      // Both lists are sorted by category within the image: walk them together.
      let gi = g0;
      let di = d0;
      while (gi < g1 || di < d1) {
        const gc = gi < g1 ? cols.gtCat[gtGroups.order[gi]!]! : Kc;
        const dc = di < d1 ? cols.dtCat[dtGroups.order[di]!]! : Kc;
        const k = Math.min(gc, dc);
        let ge = gi;
        while (ge < g1 && cols.gtCat[gtGroups.order[ge]!] === k) ge++;
        let de = di;
        while (de < d1 && cols.dtCat[dtGroups.order[de]!] === k) de++;
        evaluateGroup(im, k, gi, ge - gi, di, de - di);
        gi = ge;
        di = de;
      }
    }
    tick(1);
  }

  const acc = accumulate(
    { kept, keptCol, keptCat, keptRank, state, dtScore: cols.dtScore },
    npig,
    p,
    K,
    tick,
  );
  const stats = summarizeDetections(acc.precision, acc.recall, p, K);
  const perCategory = perCategoryResults(cols, p, K, acc, npig);

  let evalImgs: CocoImageEvaluation[] | undefined;
  if (perImage) {
    // COCOeval's order: category, area range, image.
    evalEntries.sort((x, y) => x.k - y.k || x.a - y.a || x.i - y.i);
    evalImgs = evalEntries.map((x) => x.e);
  }
  const result: CocoEvalResult = {
    params: {
      iouType: p.iouType,
      imgIds: cols.imgIds,
      catIds: cols.catIds,
      iouThresholds,
      recallThresholds,
      maxDets,
      areaRanges,
      useCats,
    },
    stats,
    precision: { data: acc.precision, dims: [T, R, K, A, M] },
    recall: { data: acc.recall, dims: [T, K, A, M] },
    scores: { data: acc.scores, dims: [T, R, K, A, M] },
    perCategory,
    skipped: { groundTruth: cols.skippedGroundTruth, detections: cols.skippedDetections },
    ...(evalImgs ? { evalImgs } : {}),
  };
  return result;
}

function newEntry(
  cols: CocoColumns,
  imgIdx: number,
  catK: number,
  useCats: boolean,
  range: { min: number; max: number },
  maxDet: number,
  dtSel: Int32Array,
  D: number,
  gtSel: Int32Array,
  gtOrder: Int32Array,
  gtIg: Uint8Array,
  G: number,
  T: number,
): CocoImageEvaluation {
  const dtIds = new Float64Array(D);
  const dtScores = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    dtIds[d] = cols.dtSrc[dtSel[d]!]! + 1;
    dtScores[d] = cols.dtScore[dtSel[d]!]!;
  }
  const gtIds = new Float64Array(G);
  for (let j = 0; j < G; j++) gtIds[j] = cols.gtId[gtSel[gtOrder[j]!]!]!;
  return {
    imageId: cols.imgIds[imgIdx]!,
    categoryId: useCats ? cols.catIds[catK]! : -1,
    areaRange: [range.min, range.max],
    maxDet,
    dtIds,
    gtIds,
    dtMatches: new Float64Array(T * D),
    gtMatches: new Float64Array(T * G),
    dtScores,
    gtIgnore: gtIg.slice(0, G),
    dtIgnore: new Uint8Array(T * D),
  };
}

interface KeptDetections {
  readonly kept: number;
  readonly keptCol: Int32Array;
  readonly keptCat: Int32Array;
  readonly keptRank: Int32Array;
  readonly state: Uint8Array;
  readonly dtScore: Float64Array;
}

/**
 * Kept detections ordered by (category, decreasing score, kept order) — per category exactly
 * `np.argsort(-scores, kind='mergesort')` over the image-order concatenation — with one stable
 * LSD radix sort: four 16-bit passes over an order-preserving key of the float64 score, then
 * a counting pass by category. Passes whose digit is constant are skipped.
 */
function sortKeptByCategoryAndScore(
  kd: KeptDetections,
  K: number,
): { order: Int32Array; catStart: Int32Array } {
  const n = kd.kept;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = kd.dtScore[kd.keptCol[i]!]! + 0; // -0 → +0: equal scores tie
  const bits = new Uint32Array(f.buffer); // little-endian: [2i] low word, [2i+1] high word
  const keyLo = new Uint32Array(n);
  const keyHi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = bits[2 * i]!;
    const hi = bits[2 * i + 1]!;
    if (hi & 0x80000000) {
      keyHi[i] = hi; // negative: larger magnitude sorts later
      keyLo[i] = lo;
    } else {
      keyHi[i] = ~hi & 0x7fffffff; // non-negative: larger value sorts earlier
      keyLo[i] = ~lo >>> 0;
    }
  }
  let cur = new Int32Array(n);
  let next = new Int32Array(n);
  for (let i = 0; i < n; i++) cur[i] = i;
  const count = new Int32Array(65536);
  const digitPass = (key: Uint32Array, shift: number): void => {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i]! >>> shift) & 0xffff]!++;
    for (let b = 0; b < 65536; b++) if (count[b] === n) return; // constant digit
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const i = cur[j]!;
      next[count[(key[i]! >>> shift) & 0xffff]!++] = i;
    }
    const t = cur;
    cur = next;
    next = t;
  };
  digitPass(keyLo, 0);
  digitPass(keyLo, 16);
  digitPass(keyHi, 0);
  digitPass(keyHi, 16);
  const catStart = new Int32Array(K + 1);
  for (let i = 0; i < n; i++) catStart[kd.keptCat[i]! + 1]!++;
  for (let k = 0; k < K; k++) catStart[k + 1]! += catStart[k]!;
  const cursor = catStart.slice(0, K);
  for (let j = 0; j < n; j++) {
    const i = cur[j]!;
    next[cursor[kd.keptCat[i]!]!++] = i;
  }
  return { order: next, catStart };
}

interface Accumulated {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly scores: Float64Array;
  /** Detections per category within maxDets[-1]. */
  readonly numDetections: Int32Array;
}

/** COCOeval.accumulate on the kept detections. */
function accumulate(
  kd: KeptDetections,
  npig: Float64Array,
  p: ResolvedParams,
  K: number,
  tick: (units: number) => void,
): Accumulated {
  const { iouThresholds, recallThresholds, maxDets, areaRanges } = p;
  const T = iouThresholds.length;
  const R = recallThresholds.length;
  const A = areaRanges.length;
  const M = maxDets.length;
  const AT = A * T;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const { keptCol, keptRank, state, dtScore } = kd;

  const { order: byCat, catStart } = sortKeptByCategoryAndScore(kd, K);
  let maxN = 0;
  for (let k = 0; k < K; k++) maxN = Math.max(maxN, catStart[k + 1]! - catStart[k]!);
  const tpPos = new Int32Array(maxN);
  const tpPr = new Float64Array(maxN);
  const sel = new Int32Array(maxN);
  const sortedScore = new Float64Array(maxN);
  const sortedRank = new Int32Array(maxN);
  const sortedState = new Uint8Array(maxN * AT);
  const numDetections = new Int32Array(K);

  for (let k = 0; k < K; k++) {
    const from = catStart[k]!;
    const n = catStart[k + 1]! - from;
    numDetections[k] = n;
    let anyGt = false;
    for (let a = 0; a < A; a++) if (npig[k * A + a]! > 0) anyGt = true;
    if (!anyGt) {
      tick(1);
      continue;
    }
    const order = byCat.subarray(from, from + n);
    for (let i = 0; i < n; i++) {
      const ki = order[i]!;
      sortedScore[i] = dtScore[keptCol[ki]!]!;
      sortedRank[i] = keptRank[ki]!;
      const so = ki * AT;
      for (let at = 0; at < AT; at++) sortedState[at * n + i] = state[so + at]!;
    }
    for (let m = 0; m < M; m++) {
      const maxDet = maxDets[m]!;
      let nd = 0;
      for (let i = 0; i < n; i++) if (sortedRank[i]! < maxDet) sel[nd++] = i;
      for (let a = 0; a < A; a++) {
        const np = npig[k * A + a]!;
        if (np === 0) continue;
        for (let t = 0; t < T; t++) {
          const row = (a * T + t) * n;
          // COCOeval builds rc and pr for all nd detections, takes the envelope of pr and
          // reads it at searchsorted(rc, recThrs). Only true positives move rc or raise pr,
          // so the same numbers come from the true positives alone: at the q-th one (1-based)
          // rc = q / npig and pr = q / (fp + q + eps), identical float64 operations.
          let nTp = 0;
          let fp = 0;
          for (let i = 0; i < nd; i++) {
            const st = sortedState[row + sel[i]!];
            if (st === STATE_TP) {
              tpPos[nTp] = i;
              nTp++;
              tpPr[nTp - 1] = nTp / (fp + nTp + EPS);
            } else if (st === STATE_FP) fp++;
          }
          recall[((t * K + k) * A + a) * M + m] = nd ? nTp / np : 0;
          // The envelope: running maximum from the end.
          for (let q = nTp - 1; q > 0; q--) if (tpPr[q]! > tpPr[q - 1]!) tpPr[q - 1] = tpPr[q]!;
          const pBase = (t * R * K + k) * A * M + a * M + m;
          const rStride = K * A * M;
          let r = 0;
          for (; r < R; r++) {
            const thr = recallThresholds[r]!;
            if (nd === 0) break; // IndexError in COCOeval: the rest stay 0
            let pi: number;
            let value: number;
            if (0 / np >= thr) {
              // rc[0] >= thr: the envelope at 0 is the maximum of all pr (0 without a TP).
              pi = 0;
              value = nTp > 0 ? tpPr[0]! : 0;
            } else {
              // First q with q / npig >= thr, i.e. np.searchsorted(rc, thr, side='left').
              let lo = 0;
              let hi = nTp;
              while (lo < hi) {
                const mid = (lo + hi) >>> 1;
                if ((mid + 1) / np < thr) lo = mid + 1;
                else hi = mid;
              }
              if (lo >= nTp) break;
              pi = tpPos[lo]!;
              value = tpPr[lo]!;
            }
            precision[pBase + r * rStride] = value;
            scores[pBase + r * rStride] = sortedScore[sel[pi]!]!;
          }
          for (; r < R; r++) {
            precision[pBase + r * rStride] = 0;
            scores[pBase + r * rStride] = 0;
          }
        }
      }
    }
    tick(1);
  }
  return { precision, recall, scores, numDetections };
}

/** `mean(s[s > -1])` with numpy's summation, or -1 when nothing is > -1. */
function meanValid(values: Float64Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (values[i]! > -1) values[c++] = values[i]!;
  return c === 0 ? -1 : numpyMean(values, c);
}

/**
 * COCOeval.summarize's `_summarize(ap, iouThr, areaRng, maxDets)` on the accumulated arrays.
 * Returns -1 when the IoU threshold, area label or maxDets value is not among the params.
 */
export function summarizeOne(
  precision: Float64Array,
  recall: Float64Array,
  p: Pick<ResolvedParams, 'iouThresholds' | 'recallThresholds' | 'maxDets' | 'areaRanges'>,
  K: number,
  ap: boolean,
  iouThr: number | undefined,
  areaLabel: string,
  maxDet: number | undefined,
): number {
  const T = p.iouThresholds.length;
  const R = p.recallThresholds.length;
  const A = p.areaRanges.length;
  const M = p.maxDets.length;
  const a = p.areaRanges.findIndex((r) => r.label === areaLabel);
  const m = maxDet === undefined ? -1 : p.maxDets.indexOf(maxDet);
  if (a < 0 || m < 0) return -1;
  const ts: number[] = [];
  for (let t = 0; t < T; t++) if (iouThr === undefined || p.iouThresholds[t] === iouThr) ts.push(t);
  // Gather in C order of s[t, r, k] (precision) or s[t, k] (recall), as s[s > -1] flattens.
  const buf = new Float64Array(ts.length * (ap ? R : 1) * K);
  let n = 0;
  for (const t of ts) {
    if (ap) {
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) buf[n++] = precision[(((t * R + r) * K + k) * A + a) * M + m]!;
      }
    } else {
      for (let k = 0; k < K; k++) buf[n++] = recall[((t * K + k) * A + a) * M + m]!;
    }
  }
  return meanValid(buf, n);
}

/** The 12 numbers of `_summarizeDets`. */
function summarizeDetections(
  precision: Float64Array,
  recall: Float64Array,
  p: ResolvedParams,
  K: number,
): number[] {
  const md = p.maxDets;
  const f = (ap: boolean, iouThr: number | undefined, area: string, maxDet: number | undefined) =>
    summarizeOne(precision, recall, p, K, ap, iouThr, area, maxDet);
  return [
    f(true, undefined, 'all', 100),
    f(true, 0.5, 'all', md[2]),
    f(true, 0.75, 'all', md[2]),
    f(true, undefined, 'small', md[2]),
    f(true, undefined, 'medium', md[2]),
    f(true, undefined, 'large', md[2]),
    f(false, undefined, 'all', md[0]),
    f(false, undefined, 'all', md[1]),
    f(false, undefined, 'all', md[2]),
    f(false, undefined, 'small', md[2]),
    f(false, undefined, 'medium', md[2]),
    f(false, undefined, 'large', md[2]),
  ];
}

function perCategoryResults(
  cols: CocoColumns,
  p: ResolvedParams,
  K: number,
  acc: Accumulated,
  npig: Float64Array,
): CocoCategoryResult[] {
  const T = p.iouThresholds.length;
  const R = p.recallThresholds.length;
  const A = p.areaRanges.length;
  const M = p.maxDets.length;
  const m = M - 1;
  const out: CocoCategoryResult[] = [];
  const buf = new Float64Array(T * R);
  const apAt = (k: number, ts: number[]): number => {
    let n = 0;
    for (const t of ts) {
      for (let r = 0; r < R; r++)
        buf[n++] = acc.precision[(((t * R + r) * K + k) * A + 0) * M + m]!;
    }
    return meanValid(buf, n);
  };
  const allT = Array.from({ length: T }, (_, t) => t);
  const t50 = allT.filter((t) => p.iouThresholds[t] === 0.5);
  const t75 = allT.filter((t) => p.iouThresholds[t] === 0.75);
  for (let k = 0; k < K; k++) {
    let n = 0;
    for (let t = 0; t < T; t++) buf[n++] = acc.recall[((t * K + k) * A + 0) * M + m]!;
    const ar = meanValid(buf, n);
    out.push({
      categoryId: p.useCats ? cols.catIds[k]! : -1,
      name: p.useCats ? cols.catNames[k] : undefined,
      ap: apAt(k, allT),
      ap50: apAt(k, t50),
      ap75: apAt(k, t75),
      ar,
      numGroundTruth: npig[k * A]!,
      numDetections: acc.numDetections[k]!,
    });
  }
  return out;
}
