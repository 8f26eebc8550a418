/**
 * Comparing a PASCAL VOC segmenter with COCO panoptic semantic masks: the COCO classes that are
 * VOC classes map to them, the other COCO "things" (giraffe, truck, umbrella …) are ignored —
 * a VOC model has no right answer for them — and COCO "stuff" (sky, grass, wall …) is VOC
 * background. Unlabelled pixels (0) are ignored. Dining tables are merged into the panoptic
 * stuff class `table-merged` (189), so that maps to `diningtable`.
 */
import { join } from 'node:path';
import { decodeImage } from '@ocelot/image';
import { SEMANTIC_MASKS_DIR } from './realworld.js';

/** Label of pixels left out of the comparison. */
export const IGNORE = 255;

/** VOC class index (the card's label order) by COCO panoptic category id. */
export const VOC_BY_COCO_ID: Readonly<Record<number, number>> = {
  5: 1, // airplane → aeroplane
  2: 2, // bicycle
  16: 3, // bird
  9: 4, // boat
  44: 5, // bottle
  6: 6, // bus
  3: 7, // car
  17: 8, // cat
  62: 9, // chair
  21: 10, // cow
  189: 11, // table-merged → diningtable
  18: 12, // dog
  19: 13, // horse
  4: 14, // motorcycle → motorbike
  1: 15, // person
  64: 16, // potted plant
  20: 17, // sheep
  63: 18, // couch → sofa
  7: 19, // train
  72: 20, // tv → tv/monitor
};

/** COCO panoptic id → VOC label or IGNORE, as a 256-entry lookup table. */
export const COCO_TO_VOC: Uint8Array = (() => {
  const lut = new Uint8Array(256).fill(IGNORE);
  for (let id = 92; id <= 200; id++) lut[id] = 0; // stuff → background
  for (const [coco, voc] of Object.entries(VOC_BY_COCO_ID)) lut[Number(coco)] = voc;
  return lut;
})();

/**
 * The semantic mask of a photo as VOC labels.
 * @param fileName the photo's file name (`000000000042.jpg`)
 * @returns [H,W] VOC labels, IGNORE where there is no VOC answer
 */
export async function vocTargetOf(
  fileName: string,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const png = join(SEMANTIC_MASKS_DIR, fileName.replace(/\.jpg$/, '.png'));
  const rgb = await decodeImage(png);
  const n = rgb.width * rgb.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = COCO_TO_VOC[rgb.data[3 * i]!]!;
  return { data, width: rgb.width, height: rgb.height };
}

/** Share of the image's pixels per label, largest first (labels below `minShare` left out). */
export function labelShares(
  labels: Uint8Array | Uint16Array,
  minShare = 0,
): { label: number; share: number }[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  return [...counts]
    .map(([label, n]) => ({ label, share: n / labels.length }))
    .filter((x) => x.share >= minShare)
    .sort((a, b) => b.share - a.share);
}
