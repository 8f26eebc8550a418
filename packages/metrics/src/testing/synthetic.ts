/**
 * A deterministic synthetic COCO set for tests and benchmarks, shaped like val2017: images of
 * 320–640 px, ~7.3 objects per image over 80 non-contiguous category ids (skewed frequencies),
 * log-uniform object areas (all three area ranges), ~1% crowd regions as uncompressed RLE,
 * polygon segmentations, and a fixed number of detections per image (jittered ground truth
 * with some class confusion, duplicates and background boxes; scores on a 0.001 grid so ties
 * occur).
 */
import { rleFromBbox, rleFromPolygons, rleToString } from '@ocelot/core';
import type { CocoAnnotation, CocoDetection, CocoGroundTruth } from '../coco/types.js';

/** Options of {@link generateSyntheticCoco}. */
export interface SyntheticCocoOptions {
  /** PRNG seed. Default 1. */
  readonly seed?: number;
  /** Default 5000 (val2017). */
  readonly numImages?: number;
  /** At most 90. Default 80. */
  readonly numCategories?: number;
  /** Mean ground-truth objects per image. Default 7.3 (val2017: 36.8k objects / 5000). */
  readonly objectsPerImage?: number;
  /** Detections per image. Default 100. */
  readonly detectionsPerImage?: number;
  /** Also make mask results (`detectionsSegm`). Slower. Default true. */
  readonly segm?: boolean;
}

/** What {@link generateSyntheticCoco} returns. */
export interface SyntheticCoco {
  readonly groundTruth: CocoGroundTruth;
  /** bbox results `[{ image_id, category_id, bbox, score }]`. */
  readonly detectionsBbox: CocoDetection[];
  /** segm results with compressed RLE, same objects and scores as the boxes (if asked). */
  readonly detectionsSegm: CocoDetection[];
}

/** mulberry32: small, fast, deterministic. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** A jittered ellipse polygon inscribed in the box, `n` vertices. */
function ellipsePolygon(
  rand: () => number,
  x: number,
  y: number,
  w: number,
  h: number,
  n: number,
): number[] {
  const out: number[] = [];
  const cx = x + w / 2;
  const cy = y + h / 2;
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = 0.75 + 0.25 * rand();
    out.push(round2(cx + (Math.cos(a) * r * w) / 2), round2(cy + (Math.sin(a) * r * h) / 2));
  }
  return out;
}

function polygonArea(p: readonly number[]): number {
  let s = 0;
  const n = p.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    s += p[2 * i]! * p[2 * j + 1]! - p[2 * j]! * p[2 * i + 1]!;
  }
  return Math.abs(s) / 2;
}

/**
 * Generates a synthetic COCO ground truth and matching bbox / segm results.
 * Deterministic for a given seed and options. About 1 s for the bbox part at val2017 size;
 * the masks take longer (one polygon rasterisation per detection).
 */
export function generateSyntheticCoco(options: SyntheticCocoOptions = {}): SyntheticCoco {
  const rand = mulberry32(options.seed ?? 1);
  const numImages = options.numImages ?? 5000;
  const numCategories = Math.min(90, options.numCategories ?? 80);
  const objectsPerImage = options.objectsPerImage ?? 7.3;
  const detsPerImage = options.detectionsPerImage ?? 100;
  const segm = options.segm ?? true;

  // COCO-like non-contiguous ids: 1..90 minus a few.
  const catIds: number[] = [];
  for (let id = 1; catIds.length < numCategories; id++)
    if (id % 12 !== 0 || id > 90) catIds.push(id);
  const categories = catIds.map((id) => ({ id, name: `class_${id}`, supercategory: 'thing' }));
  // Skewed category frequencies (a few very common classes, like "person").
  const weights = catIds.map((_, i) => 1 / (1 + i) ** 0.8);
  const cum: number[] = [];
  weights.reduce((s, w, i) => {
    cum[i] = s + w;
    return cum[i]!;
  }, 0);
  const total = cum[cum.length - 1]!;
  const pickCat = (): number => {
    const u = rand() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return catIds[lo]!;
  };

  const images: { id: number; width: number; height: number; file_name: string }[] = [];
  const annotations: CocoAnnotation[] = [];
  const detectionsBbox: CocoDetection[] = [];
  const detectionsSegm: CocoDetection[] = [];
  let annId = 1;

  const addDet = (
    imageId: number,
    cat: number,
    x: number,
    y: number,
    w: number,
    h: number,
    W: number,
    H: number,
    score: number,
    polygon: number[] | undefined,
  ) => {
    const bx = Math.max(0, Math.min(W - 1, x));
    const by = Math.max(0, Math.min(H - 1, y));
    const bw = round2(Math.max(1, Math.min(W - bx, w)));
    const bh = round2(Math.max(1, Math.min(H - by, h)));
    const s = Math.round(score * 1000) / 1000;
    detectionsBbox.push({
      image_id: imageId,
      category_id: cat,
      bbox: [round2(bx), round2(by), bw, bh],
      score: s,
    });
    if (segm) {
      const rle = polygon
        ? rleFromPolygons([polygon], H, W)
        : rleFromBbox([round2(bx), round2(by), bw, bh], H, W);
      detectionsSegm.push({
        image_id: imageId,
        category_id: cat,
        segmentation: { size: [H, W], counts: rleToString(rle) },
        score: s,
      });
    }
  };

  for (let i = 0; i < numImages; i++) {
    const imageId = 100000 + 7 * i; // sparse ids
    const W = 320 + Math.floor(rand() * 321);
    const H = 240 + Math.floor(rand() * 401);
    images.push({ id: imageId, width: W, height: H, file_name: `${imageId}.jpg` });
    const nObj = Math.floor(rand() * (2 * objectsPerImage + 1));
    const objs: { cat: number; x: number; y: number; w: number; h: number; poly: number[] }[] = [];
    for (let o = 0; o < nObj; o++) {
      const area = Math.exp(Math.log(60) + rand() * (Math.log(0.4 * W * H) - Math.log(60)));
      const ar = Math.exp((rand() - 0.5) * 2 * Math.log(3));
      const w = Math.min(W - 1, Math.sqrt(area * ar));
      const h = Math.min(H - 1, Math.sqrt(area / ar));
      const x = rand() * (W - w);
      const y = rand() * (H - h);
      const cat = pickCat();
      const crowd = rand() < 0.01;
      const bbox = [round2(x), round2(y), round2(w), round2(h)];
      if (crowd) {
        const rle = rleFromBbox(bbox, H, W);
        annotations.push({
          id: annId++,
          image_id: imageId,
          category_id: cat,
          bbox,
          area: round2(w * h),
          iscrowd: 1,
          segmentation: { size: [H, W], counts: Array.from(rle.counts) },
        });
        continue;
      }
      const poly = ellipsePolygon(rand, x, y, w, h, 8 + Math.floor(rand() * 17));
      annotations.push({
        id: annId++,
        image_id: imageId,
        category_id: cat,
        bbox,
        area: round2(polygonArea(poly)),
        iscrowd: 0,
        segmentation: [poly],
      });
      objs.push({ cat, x, y, w, h, poly });
    }
    let made = 0;
    // Detections of the objects: jittered, sometimes the wrong class, sometimes twice.
    for (const ob of objs) {
      if (made >= detsPerImage) break;
      if (rand() < 0.15) continue; // missed
      const copies = rand() < 0.2 ? 2 : 1;
      for (let c = 0; c < copies && made < detsPerImage; c++) {
        const j = 0.25 * rand() * rand();
        const dx = (rand() - 0.5) * j * ob.w;
        const dy = (rand() - 0.5) * j * ob.h;
        const sx = 1 + (rand() - 0.5) * j;
        const sy = 1 + (rand() - 0.5) * j;
        const cat = rand() < 0.1 ? pickCat() : ob.cat;
        const cx = ob.x + ob.w / 2;
        const cy = ob.y + ob.h / 2;
        const poly = ob.poly.map((v, k) =>
          round2(k % 2 === 0 ? cx + (v - cx) * sx + dx : cy + (v - cy) * sy + dy),
        );
        const score = 0.3 + 0.7 * rand() * (1 - j) ** 2;
        addDet(
          imageId,
          cat,
          ob.x + dx - ((sx - 1) * ob.w) / 2,
          ob.y + dy - ((sy - 1) * ob.h) / 2,
          ob.w * sx,
          ob.h * sy,
          W,
          H,
          score,
          poly,
        );
        made++;
      }
    }
    // Background detections with low scores.
    for (; made < detsPerImage; made++) {
      const area = Math.exp(Math.log(40) + rand() * (Math.log(0.2 * W * H) - Math.log(40)));
      const ar = Math.exp((rand() - 0.5) * 2 * Math.log(3));
      const w = Math.sqrt(area * ar);
      const h = Math.sqrt(area / ar);
      addDet(
        imageId,
        pickCat(),
        rand() * (W - w),
        rand() * (H - h),
        w,
        h,
        W,
        H,
        0.3 * rand() ** 2,
        undefined,
      );
    }
  }
  return {
    groundTruth: {
      info: { description: `ocelot synthetic COCO, seed ${options.seed ?? 1}` },
      images,
      categories,
      annotations,
    },
    detectionsBbox,
    detectionsSegm,
  };
}
