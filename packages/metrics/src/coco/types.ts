/**
 * COCO JSON shapes accepted by `evaluateCoco`, its options and its result.
 * The input types describe the COCO format as published; fields Ocelot does not read are
 * allowed and ignored.
 */
import type { TensorView } from '@ocelot/core';

/** Image and category ids: COCO uses integers; strings are accepted too (not mixed). */
export type CocoId = number | string;

/** Compressed (string counts) or uncompressed (number[] counts) COCO run-length encoding. */
export interface CocoRleJson {
  /** `[height, width]` of the mask. */
  readonly size: readonly [number, number] | readonly number[];
  /** Column-major run lengths starting with background, or their LEB128-like string form. */
  readonly counts: string | readonly number[];
}

/** A COCO `segmentation`: a list of polygons `[x1,y1,x2,y2,…]` or an RLE. */
export type CocoSegmentation = readonly (readonly number[])[] | CocoRleJson;

/** One image record of a COCO ground truth. */
export interface CocoImage {
  readonly id: CocoId;
  /** Needed to rasterise polygon or uncompressed-RLE segmentations (segm evaluation). */
  readonly height?: number;
  readonly width?: number;
  readonly [extra: string]: unknown;
}

/** One category record of a COCO ground truth. */
export interface CocoCategory {
  readonly id: CocoId;
  readonly name?: string;
  readonly [extra: string]: unknown;
}

/** One ground-truth object. */
export interface CocoAnnotation {
  readonly id: number;
  readonly image_id: CocoId;
  readonly category_id: CocoId;
  /** `[x, y, width, height]`; required for bbox evaluation. */
  readonly bbox?: readonly number[];
  /** Required for segm evaluation. */
  readonly segmentation?: CocoSegmentation;
  /** Used for the area ranges (as in pycocotools, never recomputed). */
  readonly area: number;
  /** Non-zero / true marks a crowd region. Missing means 0 (pycocotools raises KeyError). */
  readonly iscrowd?: number | boolean;
  readonly [extra: string]: unknown;
}

/** A COCO ground-truth file (`instances_val2017.json` shape). */
export interface CocoGroundTruth {
  readonly images: readonly CocoImage[];
  readonly categories: readonly CocoCategory[];
  /** Missing is the same as empty. */
  readonly annotations?: readonly CocoAnnotation[];
  readonly [extra: string]: unknown;
}

/**
 * One result record (the COCO results format). Bbox results carry `bbox`; segm results
 * carry `segmentation` (a compressed RLE). As in pycocotools' `loadRes`, the FIRST record
 * decides how all are read: if it has a non-empty `bbox`, every record's area is `w*h` of
 * its bbox (and a missing segmentation becomes the box polygon); otherwise every record's
 * area and (missing) bbox come from its RLE.
 */
export interface CocoDetection {
  readonly image_id: CocoId;
  readonly category_id: CocoId;
  readonly score: number;
  readonly bbox?: readonly number[];
  readonly segmentation?: CocoSegmentation;
  readonly [extra: string]: unknown;
}

/** An area range with its label (pycocotools `areaRng` + `areaRngLbl`). Bounds inclusive. */
export interface CocoAreaRange {
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

/** Options of `evaluateCoco`. Defaults are pycocotools' `Params(iouType)`. */
export interface CocoEvalOptions {
  /** `'bbox'` compares boxes; `'segm'` compares masks (RLE). */
  readonly iouType: 'bbox' | 'segm';
  /** IoU thresholds T. Default `np.linspace(.5, .95, 10)` (bit-identical float64 values). */
  readonly iouThresholds?: readonly number[];
  /** Recall thresholds R. Default `np.linspace(0, 1, 101)`. */
  readonly recallThresholds?: readonly number[];
  /** Max detections per image M (sorted ascending, as pycocotools does). Default `[1, 10, 100]`. */
  readonly maxDets?: readonly number[];
  /** Area ranges A. Default all/small/medium/large = [0,1e10], [0,1024], [1024,9216], [9216,1e10]. */
  readonly areaRanges?: readonly CocoAreaRange[];
  /** `false` evaluates class-agnostically (pycocotools `useCats = 0`). Default true. */
  readonly useCats?: boolean;
  /** Evaluate only these images (deduplicated and sorted). Default: every ground-truth image. */
  readonly imgIds?: readonly CocoId[];
  /** Evaluate only these categories (deduplicated and sorted). Default: every category. */
  readonly catIds?: readonly CocoId[];
  /** Also return pycocotools' `evalImgs` (one entry per image × category × area range). */
  readonly perImage?: boolean;
  /**
   * Called now and then with work units done and the total (images evaluated, then
   * categories accumulated). Never more than ~200 calls per evaluation.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The parameters an evaluation actually used (after defaults, dedup and sorting). */
export interface CocoEvalParams {
  readonly iouType: 'bbox' | 'segm';
  readonly imgIds: readonly CocoId[];
  /** Category ids in the K axis; `[-1]`-like single entry is not used: see `useCats`. */
  readonly catIds: readonly CocoId[];
  readonly iouThresholds: Float64Array;
  readonly recallThresholds: Float64Array;
  readonly maxDets: readonly number[];
  readonly areaRanges: readonly CocoAreaRange[];
  readonly useCats: boolean;
}

/** AP and AR of one category (area range index 0, largest maxDets), as detectron2 reports. */
export interface CocoCategoryResult {
  readonly categoryId: CocoId;
  readonly name: string | undefined;
  /** Mean precision over IoU thresholds and recall thresholds; -1 without ground truth. */
  readonly ap: number;
  /** AP at IoU 0.5 (-1 when 0.5 is not among the thresholds or there is no ground truth). */
  readonly ap50: number;
  /** AP at IoU 0.75 (-1 when 0.75 is not among the thresholds or there is no ground truth). */
  readonly ap75: number;
  /** Mean recall over IoU thresholds; -1 without ground truth. */
  readonly ar: number;
  /** Ground-truth objects of the category that count (not crowd, in area range 0). */
  readonly numGroundTruth: number;
  /** Detections of the category considered (within the largest maxDets per image). */
  readonly numDetections: number;
}

/**
 * One pycocotools `evalImgs` entry: the matching of one image × category × area range.
 * Detection ids are pycocotools' (1-based index into the detections array); ground-truth
 * ids are the annotation ids.
 */
export interface CocoImageEvaluation {
  readonly imageId: CocoId;
  /** `-1` when evaluating with `useCats: false` (as pycocotools). */
  readonly categoryId: CocoId;
  readonly areaRange: readonly [number, number];
  readonly maxDet: number;
  /** [D] in decreasing score order, at most `maxDet`. */
  readonly dtIds: Float64Array;
  /** [G] non-ignored first. */
  readonly gtIds: Float64Array;
  /** [T×D] row-major: matched gt id or 0. */
  readonly dtMatches: Float64Array;
  /** [T×G] row-major: matched dt id or 0. */
  readonly gtMatches: Float64Array;
  /** [D] */
  readonly dtScores: Float64Array;
  /** [G] 1 = ignored (crowd or out of area range). */
  readonly gtIgnore: Uint8Array;
  /** [T×D] row-major: 1 = ignored. */
  readonly dtIgnore: Uint8Array;
}

/** Result of `evaluateCoco`. Arrays are row-major float64 like numpy's. */
export interface CocoEvalResult {
  readonly params: CocoEvalParams;
  /**
   * The 12 summary numbers of `COCOeval.summarize()` in its order: AP, AP50, AP75, APs, APm,
   * APl, AR1, AR10, AR100, ARs, ARm, ARl. -1 where undefined (no ground truth, or a
   * threshold / area label / maxDets entry the summary needs is absent).
   */
  readonly stats: readonly number[];
  /** [T,R,K,A,M]; -1 where a category has no ground truth. */
  readonly precision: TensorView<Float64Array>;
  /** [T,K,A,M]; -1 where a category has no ground truth. */
  readonly recall: TensorView<Float64Array>;
  /** [T,R,K,A,M] detection score at each recall threshold. */
  readonly scores: TensorView<Float64Array>;
  /** One entry per K (one class-agnostic entry with id -1 when `useCats` is false). */
  readonly perCategory: readonly CocoCategoryResult[];
  /** pycocotools `evalImgs` without the `None`s, present when `perImage` was asked for. */
  readonly evalImgs?: readonly CocoImageEvaluation[];
  /** Records left out because their image or category is not evaluated. */
  readonly skipped: { readonly groundTruth: number; readonly detections: number };
}
