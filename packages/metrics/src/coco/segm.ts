/**
 * Masks for COCO evaluation, through @ocelot/core's RLE functions: the segmentation of each
 * record becomes an RLE as pycocotools' `COCO.annToRLE` makes it, decoded lazily per
 * (image, category) group and only for the detections within maxDets.
 */
import {
  type Rle,
  rleArea,
  rleFromBbox,
  rleFromCoco,
  rleFromPolygons,
  rleIou,
  rleToBbox,
} from '@ocelot/core';
import { CocoFormatError } from '../errors.js';
import { describe } from './ids.js';
import { boxGroupIou, type GroupIou } from './geometry.js';
import type { CocoColumns } from './parse.js';

/** Re-throws a core error about an RLE or polygon as a CocoFormatError naming the record. */
function wrap<T>(argument: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CocoFormatError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const e = new CocoFormatError(argument, path, message, 'E_COCO_SEGMENTATION');
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
}

/**
 * `COCO.annToRLE`: polygons rasterised at the image size and merged; uncompressed or
 * compressed RLE read with its own size. An RLE whose size differs from the image's is
 * rejected (pycocotools would silently give IoU −1 against masks of the image's size).
 */
function segmentationToRle(
  argument: string,
  path: string,
  seg: unknown,
  height: number,
  width: number,
): Rle {
  return wrap(argument, path, () => {
    if (Array.isArray(seg)) {
      if (!Number.isFinite(height) || !Number.isFinite(width)) {
        throw new CocoFormatError(
          argument,
          path,
          'polygons need the image height and width, which groundTruth.images lacks for this image',
        );
      }
      const first = seg[0] as unknown;
      if (!Array.isArray(first) || first.length <= 4) {
        // frPyObjects reads a list whose first entry has 4 numbers as boxes and then fails on
        // the list (TypeError); fewer numbers or no polygon at all is "not supported".
        throw new CocoFormatError(
          argument,
          path,
          `expected polygons [[x1, y1, x2, y2, x3, y3, ...], ...] whose first polygon has more than 4 numbers, got ${Array.isArray(first) ? `a first polygon of ${first.length} numbers` : describe(first)} (pycocotools rejects this too)`,
        );
      }
      for (let i = 1; i < seg.length; i++) {
        if (!Array.isArray(seg[i]) || (seg[i] as unknown[]).length < 2) {
          throw new CocoFormatError(
            argument,
            `${path}[${i}]`,
            'expected a polygon [x1, y1, x2, y2, ...]',
          );
        }
      }
      return rleFromPolygons(seg as number[][], height, width);
    }
    const rle = rleFromCoco(seg as Parameters<typeof rleFromCoco>[0]);
    if (
      Number.isFinite(height) &&
      Number.isFinite(width) &&
      (rle.size[0] !== height || rle.size[1] !== width)
    ) {
      throw new CocoFormatError(
        argument,
        `${path}.size`,
        `mask size [${rle.size[0]}, ${rle.size[1]}] differs from the image's [${height}, ${width}]`,
        'E_COCO_MASK_SIZE',
      );
    }
    return rle;
  });
}

/**
 * IoU for segm evaluation (`rleIou` with crowd flags), or for bbox evaluation of segm
 * results (boxes from `rleToBbox` where a record has none, areas from `rleArea`).
 */
export function segmGroupIou(cols: CocoColumns, iouType: 'bbox' | 'segm'): GroupIou {
  const dtRle: Rle[] = [];
  const gtRle: Rle[] = [];
  let crowd = new Uint8Array(16);
  const dtRleOf = (c: number): Rle => {
    const src = cols.dtSrc[c]!;
    const img = cols.dtImg[c]!;
    const rec = cols.detections[src]!;
    const path = `detections[${src}].segmentation`;
    if (rec.segmentation === undefined) {
      // bbox results evaluated as segm: loadRes gives them the box polygon.
      return wrap('detections', `detections[${src}].bbox`, () => {
        if (!Number.isFinite(cols.imgHeight[img]!) || !Number.isFinite(cols.imgWidth[img]!)) {
          throw new CocoFormatError(
            'detections',
            `detections[${src}]`,
            'segm evaluation of bbox results needs the image height and width',
          );
        }
        return rleFromBbox(
          cols.dtBox.subarray(4 * c, 4 * c + 4),
          cols.imgHeight[img]!,
          cols.imgWidth[img]!,
        );
      });
    }
    return segmentationToRle(
      'detections',
      path,
      rec.segmentation,
      cols.imgHeight[img]!,
      cols.imgWidth[img]!,
    );
  };
  const boxes = boxGroupIou(cols.dtBox, cols.gtBox, cols.gtCrowd);

  if (iouType === 'bbox') {
    // Only reached for segm results: fill missing boxes and all areas from the masks.
    return {
      compute(dtSel, D, gtSel, G, iou) {
        for (let d = 0; d < D; d++) {
          const c = dtSel[d]!;
          if (!Number.isNaN(cols.dtArea[c]!)) continue;
          const rle = dtRleOf(c);
          cols.dtArea[c] = rleArea(rle);
          if (!cols.dtHasBox[c]) {
            cols.dtBox.set(rleToBbox(rle), 4 * c);
            cols.dtHasBox[c] = 1;
          }
        }
        boxes.compute(dtSel, D, gtSel, G, iou);
      },
    };
  }

  return {
    compute(dtSel, D, gtSel, G, iou) {
      dtRle.length = 0;
      for (let d = 0; d < D; d++) {
        const c = dtSel[d]!;
        const rle = dtRleOf(c);
        if (cols.resultMode === 'segm') cols.dtArea[c] = rleArea(rle);
        dtRle.push(rle);
      }
      if (G === 0) return;
      gtRle.length = 0;
      if (crowd.length < G) crowd = new Uint8Array(2 * G);
      for (let g = 0; g < G; g++) {
        const c = gtSel[g]!;
        const src = cols.gtSrc[c]!;
        const img = cols.gtImg[c]!;
        gtRle.push(
          segmentationToRle(
            'groundTruth',
            `groundTruth.annotations[${src}].segmentation`,
            cols.annotations[src]!.segmentation,
            cols.imgHeight[img]!,
            cols.imgWidth[img]!,
          ),
        );
        crowd[g] = cols.gtCrowd[c]!;
      }
      const out = rleIou(dtRle, gtRle, crowd.subarray(0, G));
      iou.set(out.subarray(0, D * G));
    },
  };
}
