/**
 * Running a zoo detector over the annotated photos and scoring it with `evaluateCoco`
 * (pycocotools-identical), category ids mapped by the card's `labelIds`.
 */
import type { Detections, Detector, DetectOptions } from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import { evaluateCoco } from '@ocelot/metrics';
import { type CocoGroundTruth, type CocoResult, loadPhoto, toCocoResults } from './realworld.js';

/** Detection settings for COCO AP, as `ocelot eval detect` and COCO practice: score ≥ 0.001, at most 100 per image (COCO's maxDets). */
export const EVAL_OPTIONS: DetectOptions = { scoreThreshold: 0.001, maxDetections: 100 };

/** A photo of the ground truth with its pixels. */
export interface Photo {
  readonly id: number;
  readonly fileName: string;
  readonly image: RgbImage;
}

/** Decodes every photo of the ground truth, in its order. */
export async function loadPhotos(gt: CocoGroundTruth): Promise<Photo[]> {
  return Promise.all(
    gt.images.map(async (im) => ({
      id: im.id,
      fileName: im.file_name,
      image: await loadPhoto(im.file_name),
    })),
  );
}

/** The COCO summary of one detector on the photos. */
export interface DetectorScore {
  /** pycocotools' 12 numbers: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  readonly stats: readonly number[];
  readonly results: readonly CocoResult[];
  /** Detections per photo id. */
  readonly detections: ReadonlyMap<number, Detections>;
}

/**
 * Detects on every photo and evaluates against the ground truth.
 * @param labelIds the card's `labelIds` (class index → COCO category id)
 */
export async function scoreDetector(
  detector: Detector,
  photos: readonly Photo[],
  gt: CocoGroundTruth,
  labelIds: readonly number[],
  options: DetectOptions = EVAL_OPTIONS,
): Promise<DetectorScore> {
  const detections = new Map<number, Detections>();
  const results: CocoResult[] = [];
  for (const p of photos) {
    const d = await detector.detect(p.image, options);
    detections.set(p.id, d);
    results.push(...toCocoResults(p.id, d, labelIds));
  }
  const { stats } = evaluateCoco(gt, results, { iouType: 'bbox' });
  return { stats, results, detections };
}
