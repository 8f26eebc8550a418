/**
 * What a prediction becomes on disk and on screen: COCO results records, counts per class,
 * annotated PNGs (boxes, labels, instance masks, label-map overlays) and raw label-map PNGs.
 */
import { type CocoRle, rleDecode, rleEncode, rleToCoco } from '@ocelot/core';
import { drawDetections, drawLabelMap, encodePng, type RgbImage, vocPalette } from '@ocelot/image';
import sharp from 'sharp';
import { backgroundIndex, type Prediction } from './model.js';

/** One COCO results record (a detection, an instance mask, or a semantic class region). */
export interface CocoResultRecord {
  image_id: number;
  category_id: number;
  /** xywh, absolute pixels (detections and instances). */
  bbox?: [number, number, number, number];
  score?: number;
  /** Compressed RLE (instances, semantic regions). */
  segmentation?: CocoRle;
  /** Pixels of the region (semantic regions). */
  area?: number;
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * COCO results records of one prediction: detections as `{bbox, score}`; instances with their
 * RLE `segmentation`; semantic maps as one `{segmentation, area}` region per class present
 * (background left out), the COCO-Stuff results form. Boxes are rounded to 1e-4 px, scores to
 * 1e-5.
 * @param categoryIds COCO category id per class index
 */
export function cocoRecords(
  prediction: Prediction,
  imageId: number,
  categoryIds: readonly number[],
  classNames: readonly string[],
): CocoResultRecord[] {
  const out: CocoResultRecord[] = [];
  if (prediction.kind === 'semantic') {
    const { labelMap, imageSize, classesPresent } = prediction.segmentation;
    const bg = backgroundIndex(classNames);
    for (const c of classesPresent) {
      if (c === bg) continue;
      const mask = new Uint8Array(labelMap.length);
      let area = 0;
      for (let i = 0; i < labelMap.length; i++) {
        if (labelMap[i] === c) {
          mask[i] = 1;
          area++;
        }
      }
      out.push({
        image_id: imageId,
        category_id: categoryIds[c]!,
        segmentation: rleToCoco(rleEncode(mask, imageSize.height, imageSize.width)),
        area,
      });
    }
    return out;
  }
  const d = prediction.kind === 'detect' ? prediction.detections : prediction.segmentation;
  const n = d.scores.length;
  for (let i = 0; i < n; i++) {
    const x1 = d.boxes[4 * i]!;
    const y1 = d.boxes[4 * i + 1]!;
    const record: CocoResultRecord = {
      image_id: imageId,
      category_id: categoryIds[d.labels[i]!]!,
      bbox: [
        round(x1, 4),
        round(y1, 4),
        round(d.boxes[4 * i + 2]! - x1, 4),
        round(d.boxes[4 * i + 3]! - y1, 4),
      ],
      score: round(d.scores[i]!, 5),
    };
    if (prediction.kind === 'instance') {
      record.segmentation = rleToCoco(prediction.segmentation.masks[i]!);
    }
    out.push(record);
  }
  return out;
}

/**
 * Objects per class name (detections, instances) or pixels per class name (semantic), in class
 * order; classes with none are left out.
 */
export function countsByClass(
  prediction: Prediction,
  classNames: readonly string[],
): Record<string, number> {
  const counts = new Float64Array(classNames.length);
  if (prediction.kind === 'semantic') {
    const map = prediction.segmentation.labelMap;
    for (let i = 0; i < map.length; i++) counts[map[i]!]!++;
  } else {
    const labels =
      prediction.kind === 'detect' ? prediction.detections.labels : prediction.segmentation.labels;
    for (const l of labels) counts[l]!++;
  }
  const out: Record<string, number> = {};
  classNames.forEach((name, c) => {
    if (counts[c]! > 0) out[name] = counts[c]!;
  });
  return out;
}

/** Drawing options of {@link annotate}. */
export interface AnnotateOptions {
  /** Opacity of masks and label-map overlays. Default 0.5. */
  readonly alpha?: number;
}

/**
 * The image with the prediction drawn on it, as PNG bytes: boxes with `label score` (and
 * instance masks with contours); for semantic maps a translucent overlay in the VOC palette,
 * background left clear.
 */
export async function annotate(
  image: RgbImage,
  prediction: Prediction,
  classNames: readonly string[],
  options: AnnotateOptions = {},
): Promise<Uint8Array> {
  const alpha = options.alpha ?? 0.5;
  if (prediction.kind === 'semantic') {
    const { labelMap } = prediction.segmentation;
    const bg = backgroundIndex(classNames);
    const palette = vocPalette(Math.max(256, classNames.length));
    const drawn = drawLabelMap(
      image,
      { data: labelMap, width: image.width, height: image.height },
      { palette, alpha, ...(bg >= 0 && { ignore: [bg] }) },
    );
    return encodePng(drawn);
  }
  if (prediction.kind === 'detect') {
    const d = prediction.detections;
    return encodePng(
      await drawDetections(image, {
        boxes: d.boxes,
        scores: d.scores,
        labels: d.labels,
        classNames,
      }),
    );
  }
  const s = prediction.segmentation;
  return encodePng(
    await drawDetections(
      image,
      {
        boxes: s.boxes,
        scores: s.scores,
        labels: s.labels,
        classNames,
        masks: s.masks.map((m) => rleDecode(m)),
      },
      { alpha, contour: true },
    ),
  );
}

/**
 * A semantic label map as a single-channel PNG whose pixel values are the class indices
 * (8-bit up to 256 classes, else 16-bit).
 */
export async function labelMapPng(
  labelMap: Uint8Array | Uint16Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const buffer = Buffer.from(labelMap.buffer, labelMap.byteOffset, labelMap.byteLength);
  const pipeline =
    labelMap instanceof Uint16Array
      ? sharp(labelMap, { raw: { width, height, channels: 1 } })
          .toColourspace('grey16')
          .png()
      : sharp(buffer, { raw: { width, height, channels: 1 } })
          .toColourspace('b-w')
          .png();
  return new Uint8Array(await pipeline.toBuffer());
}
