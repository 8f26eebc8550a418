/**
 * A deliberately literal, slow port of pycocotools' cocoeval.py (bbox only, numbers ids) used
 * as an oracle by the property tests: per-image dicts, re-sorting per area range, the
 * evaluateImg loops and accumulate's full rc / pr arrays with the envelope and searchsorted,
 * exactly as the Python reads. Not exported from the package.
 */
import { numpyMean, searchSortedLeft } from '../coco/numpy.js';

export interface RefParams {
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  areaRng: [number, number][];
  areaRngLbl: string[];
  useCats: boolean;
}

interface Ann {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  area: number;
  iscrowd: number;
  score: number;
  ignore?: boolean;
  _ignore?: number;
}

/** np.argsort(values, kind='mergesort'): a stable ascending argsort. */
function argsortStable(values: number[]): number[] {
  return values
    .map((_, i) => i)
    .sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
}

function bbIou(d: number[][], g: number[][], iscrowd: number[]): number[][] {
  return d.map((D) =>
    g.map((G, j) => {
      const ga = G[2]! * G[3]!;
      const da = D[2]! * D[3]!;
      const w = Math.min(D[2]! + D[0]!, G[2]! + G[0]!) - Math.max(D[0]!, G[0]!);
      if (w <= 0) return 0;
      const h = Math.min(D[3]! + D[1]!, G[3]! + G[1]!) - Math.max(D[1]!, G[1]!);
      if (h <= 0) return 0;
      const i = w * h;
      const u = iscrowd[j] ? da : da + ga - i;
      return i / u;
    }),
  );
}

export interface RefResult {
  stats: number[];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
}

export function referenceCocoEval(
  gtAnns: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: number[];
    area: number;
    iscrowd: number;
  }[],
  dtRecs: { image_id: number; category_id: number; bbox: number[]; score: number }[],
  imgIdsIn: number[],
  catIdsIn: number[],
  p: RefParams,
): RefResult {
  const imgIds = [...new Set(imgIdsIn)].sort((a, b) => a - b);
  const catIds = [...new Set(catIdsIn)].sort((a, b) => a - b);
  const maxDets = [...p.maxDets].sort((a, b) => a - b);
  // loadRes
  const dts: Ann[] = dtRecs.map((d, i) => ({
    ...d,
    area: d.bbox[2]! * d.bbox[3]!,
    id: i + 1,
    iscrowd: 0,
  }));
  const gts: Ann[] = gtAnns.map((g) => ({ ...g, score: 0 }));
  // _prepare
  const imgSet = new Set(imgIds);
  const catSet = new Set(catIds);
  const gSel = gts.filter(
    (g) => imgSet.has(g.image_id) && (!p.useCats || catSet.has(g.category_id)),
  );
  const dSel = dts.filter(
    (d) => imgSet.has(d.image_id) && (!p.useCats || catSet.has(d.category_id)),
  );
  // getAnnIds walks images in p.imgIds order, annotations in file order within each image
  const byImg = (a: Ann[]) => imgIds.flatMap((i) => a.filter((x) => x.image_id === i));
  const _gts = new Map<string, Ann[]>();
  const _dts = new Map<string, Ann[]>();
  for (const g of byImg(gSel)) {
    g.ignore = g.iscrowd !== 0;
    const k = `${g.image_id},${g.category_id}`;
    if (!_gts.has(k)) _gts.set(k, []);
    _gts.get(k)!.push(g);
  }
  for (const d of byImg(dSel)) {
    const k = `${d.image_id},${d.category_id}`;
    if (!_dts.has(k)) _dts.set(k, []);
    _dts.get(k)!.push(d);
  }
  const getG = (i: number, c: number): Ann[] =>
    p.useCats
      ? (_gts.get(`${i},${c}`) ?? [])
      : catIds.flatMap((cc) => _gts.get(`${i},${cc}`) ?? []);
  const getD = (i: number, c: number): Ann[] =>
    p.useCats
      ? (_dts.get(`${i},${c}`) ?? [])
      : catIds.flatMap((cc) => _dts.get(`${i},${cc}`) ?? []);
  const evalCats = p.useCats ? catIds : [-1];
  const ious = new Map<string, number[][]>();
  for (const i of imgIds) {
    for (const c of evalCats) {
      const gt = getG(i, c);
      let dt = getD(i, c);
      if (gt.length === 0 && dt.length === 0) {
        ious.set(`${i},${c}`, []);
        continue;
      }
      const inds = argsortStable(dt.map((d) => -d.score));
      dt = inds.map((x) => dt[x]!).slice(0, maxDets[maxDets.length - 1]);
      if (dt.length === 0 || gt.length === 0) ious.set(`${i},${c}`, []);
      else
        ious.set(
          `${i},${c}`,
          bbIou(
            dt.map((d) => d.bbox),
            gt.map((g) => g.bbox),
            gt.map((g) => g.iscrowd),
          ),
        );
    }
  }
  type E = {
    dtScores: number[];
    dtMatches: number[][];
    dtIgnore: number[][];
    gtIgnore: number[];
  } | null;
  const T = p.iouThrs.length;
  const evaluateImg = (imgId: number, catId: number, aRng: [number, number], maxDet: number): E => {
    let gt = getG(imgId, catId);
    let dt = getD(imgId, catId);
    if (gt.length === 0 && dt.length === 0) return null;
    for (const g of gt) g._ignore = g.ignore || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0;
    const gtind = argsortStable(gt.map((g) => g._ignore!));
    gt = gtind.map((x) => gt[x]!);
    const dtind = argsortStable(dt.map((d) => -d.score));
    dt = dtind.slice(0, maxDet).map((x) => dt[x]!);
    const iscrowd = gt.map((g) => g.iscrowd);
    const full = ious.get(`${imgId},${catId}`)!;
    const io = full.length > 0 ? full.map((row) => gtind.map((x) => row[x]!)) : full;
    const G = gt.length;
    const D = dt.length;
    const gtm = Array.from({ length: T }, () => new Array<number>(G).fill(0));
    const dtm = Array.from({ length: T }, () => new Array<number>(D).fill(0));
    const gtIg = gt.map((g) => g._ignore!);
    const dtIg = Array.from({ length: T }, () => new Array<number>(D).fill(0));
    if (io.length !== 0) {
      p.iouThrs.forEach((t, tind) => {
        dt.forEach((d, dind) => {
          let iou = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gind = 0; gind < G; gind++) {
            if (gtm[tind]![gind]! > 0 && !iscrowd[gind]) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[gind] === 1) break;
            if (io[dind]![gind]! < iou) continue;
            iou = io[dind]![gind]!;
            m = gind;
          }
          if (m === -1) return;
          dtIg[tind]![dind] = gtIg[m]!;
          dtm[tind]![dind] = gt[m]!.id;
          gtm[tind]![m] = d.id;
        });
      });
    }
    const a = dt.map((d) => d.area < aRng[0] || d.area > aRng[1]);
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        dtIg[t]![d] = dtIg[t]![d] || (dtm[t]![d] === 0 && a[d]) ? 1 : 0;
      }
    }
    return { dtScores: dt.map((d) => d.score), dtMatches: dtm, dtIgnore: dtIg, gtIgnore: gtIg };
  };
  const maxDet = maxDets[maxDets.length - 1]!;
  const evalImgs: E[] = [];
  for (const c of evalCats)
    for (const aRng of p.areaRng)
      for (const i of imgIds) evalImgs.push(evaluateImg(i, c, aRng, maxDet));

  // accumulate
  const R = p.recThrs.length;
  const K = evalCats.length;
  const A = p.areaRng.length;
  const M = maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const I0 = imgIds.length;
  const A0 = A;
  for (let k = 0; k < K; k++) {
    const Nk = k * A0 * I0;
    for (let a = 0; a < A; a++) {
      const Na = a * I0;
      for (let m = 0; m < M; m++) {
        const md = maxDets[m]!;
        const E = imgIds.map((_, i) => evalImgs[Nk + Na + i]!).filter((e) => e !== null) as Exclude<
          E,
          null
        >[];
        if (E.length === 0) continue;
        const dtScores = E.flatMap((e) => e.dtScores.slice(0, md));
        const inds = argsortStable(dtScores.map((s) => -s));
        const dtScoresSorted = inds.map((i) => dtScores[i]!);
        const dtm = Array.from({ length: T }, (_, t) => {
          const row = E.flatMap((e) => e.dtMatches[t]!.slice(0, md));
          return inds.map((i) => row[i]!);
        });
        const dtIg = Array.from({ length: T }, (_, t) => {
          const row = E.flatMap((e) => e.dtIgnore[t]!.slice(0, md));
          return inds.map((i) => row[i]!);
        });
        const gtIg = E.flatMap((e) => e.gtIgnore);
        const npig = gtIg.filter((g) => g === 0).length;
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          let tpc = 0;
          let fpc = 0;
          const tp: number[] = [];
          const fp: number[] = [];
          dtm[t]!.forEach((mm, i) => {
            const ig = dtIg[t]![i]!;
            if (mm !== 0 && !ig) tpc++;
            if (mm === 0 && !ig) fpc++;
            tp.push(tpc);
            fp.push(fpc);
          });
          const nd = tp.length;
          const rc = tp.map((x) => x / npig);
          const pr = tp.map((x, i) => x / (fp[i]! + x + 2.220446049250313e-16));
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          const q = new Array<number>(R).fill(0);
          const ss = new Array<number>(R).fill(0);
          for (let ri = 0; ri < R; ri++) {
            const pi = searchSortedLeft(rc, nd, p.recThrs[ri]!);
            if (pi >= nd) break;
            q[ri] = pr[pi]!;
            ss[ri] = dtScoresSorted[pi]!;
          }
          for (let r = 0; r < R; r++) {
            precision[(((t * R + r) * K + k) * A + a) * M + m] = q[r]!;
            scores[(((t * R + r) * K + k) * A + a) * M + m] = ss[r]!;
          }
        }
      }
    }
  }
  // summarize
  const summ = (
    ap: boolean,
    iouThr: number | undefined,
    areaRng: string,
    md: number | undefined,
  ): number => {
    const aind = p.areaRngLbl.indexOf(areaRng);
    const mind = md === undefined ? -1 : maxDets.indexOf(md);
    if (aind < 0 || mind < 0) return -1;
    const vals: number[] = [];
    for (let t = 0; t < T; t++) {
      if (iouThr !== undefined && p.iouThrs[t] !== iouThr) continue;
      if (ap) {
        for (let r = 0; r < R; r++) {
          for (let k = 0; k < K; k++)
            vals.push(precision[(((t * R + r) * K + k) * A + aind) * M + mind]!);
        }
      } else {
        for (let k = 0; k < K; k++) vals.push(recall[((t * K + k) * A + aind) * M + mind]!);
      }
    }
    const v = vals.filter((x) => x > -1);
    return v.length === 0 ? -1 : numpyMean(v);
  };
  const md = maxDets;
  const stats = [
    summ(true, undefined, 'all', 100),
    summ(true, 0.5, 'all', md[2]),
    summ(true, 0.75, 'all', md[2]),
    summ(true, undefined, 'small', md[2]),
    summ(true, undefined, 'medium', md[2]),
    summ(true, undefined, 'large', md[2]),
    summ(false, undefined, 'all', md[0]),
    summ(false, undefined, 'all', md[1]),
    summ(false, undefined, 'all', md[2]),
    summ(false, undefined, 'small', md[2]),
    summ(false, undefined, 'medium', md[2]),
    summ(false, undefined, 'large', md[2]),
  ];
  return { stats, precision, recall, scores };
}
