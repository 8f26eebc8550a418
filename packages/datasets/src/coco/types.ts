/**
 * COCO JSON as written by the COCO API (https://cocodataset.org/#format-data). Field names keep
 * COCO's snake_case so a parsed file and a file written back are the same JSON. Unknown extra
 * fields (`license`, `coco_url`, …) are kept as they are.
 */

/** `[x, y, width, height]`: top-left corner and size in continuous pixel coordinates. */
export type CocoBbox = [x: number, y: number, width: number, height: number];

/** Polygons: each a flat `[x1, y1, x2, y2, …]` list of at least three points. */
export type CocoPolygons = number[][];

/** Uncompressed RLE: run lengths, column-major, starting with a run of zeros; `size` is [h, w]. */
export interface CocoUncompressedRle {
  size: [height: number, width: number];
  counts: number[];
}

/**
 * Compressed RLE: the run lengths in pycocotools' compact string form; `size` is [h, w].
 * (Same name and shape as @ocelot/core's `CocoRle`.)
 */
export interface CocoRle {
  size: [height: number, width: number];
  counts: string;
}

/** Any segmentation a COCO annotation may hold. */
export type CocoSegmentation = CocoPolygons | CocoRle | CocoUncompressedRle;

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name?: string;
  [extra: string]: unknown;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  [extra: string]: unknown;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: CocoBbox;
  /** Object area in pixels (mask area for segmented objects); COCO's area ranges use it. */
  area: number;
  /** 1 marks a crowd region: detections matched to it are ignored, never counted as false. */
  iscrowd?: 0 | 1;
  segmentation?: CocoSegmentation;
  [extra: string]: unknown;
}

/** A COCO instances file (ground truth). */
export interface CocoDataset {
  info?: Record<string, unknown>;
  licenses?: Record<string, unknown>[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  [extra: string]: unknown;
}

/** One detection in a COCO results file. Needs `bbox` or `segmentation` (RLE), or both. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: CocoBbox;
  segmentation?: CocoRle | CocoUncompressedRle;
  [extra: string]: unknown;
}

/** A COCO results file: a JSON array of detections. */
export type CocoResults = CocoDetection[];
