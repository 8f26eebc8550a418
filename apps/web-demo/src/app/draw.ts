/**
 * Paints the current image and the visible part of a result onto the page's canvas with
 * @ocelot/image's canvas drawing: boxes, labels and instance masks for detections, a
 * translucent palette overlay for label maps.
 */
import { rleDecode } from '@ocelot/core';
import {
  blendLabelMapInto,
  colorFor,
  drawDetectionsToCanvas,
  type Rgb,
  vocPalette,
} from '@ocelot/image';
import type { InferenceResult } from '../shared/protocol.js';
import { selectDetections } from './filter.js';

/** Colour of class `label` as drawn: the detection palette, or VOC's for label maps. */
export function classColor(kind: InferenceResult['kind'], label: number): Rgb {
  if (kind === 'detect') return colorFor(label);
  const p = vocPalette(Math.max(256, label + 1));
  return [p[3 * label]!, p[3 * label + 1]!, p[3 * label + 2]!];
}

/**
 * Draws `base` and, on top, the visible detections (`visible` indices) or the label map with
 * `hidden` classes left out.
 */
export function renderResult(
  ctx: CanvasRenderingContext2D,
  base: ImageData,
  result: InferenceResult | undefined,
  visible: Int32Array,
  hidden: ReadonlySet<number>,
): void {
  const canvas = ctx.canvas;
  if (canvas.width !== base.width || canvas.height !== base.height) {
    canvas.width = base.width;
    canvas.height = base.height;
  }
  ctx.putImageData(base, 0, 0);
  if (!result) return;
  if (result.imageSize.width !== base.width || result.imageSize.height !== base.height) {
    return; // a result of an earlier image (webcam resolution change); the next run replaces it
  }
  if (result.kind === 'semantic') {
    const pixels = ctx.getImageData(0, 0, base.width, base.height);
    const classes = result.classNames.length;
    blendLabelMapInto(
      pixels.data,
      4,
      base.width,
      base.height,
      { data: result.labelMap, width: base.width, height: base.height },
      {
        palette: vocPalette(Math.max(256, classes)),
        alpha: 0.55,
        ignore: [...hidden],
      },
    );
    ctx.putImageData(pixels, 0, 0);
    return;
  }
  const shown = selectDetections(result, visible);
  const masks = result.masks
    ? Array.from(visible, (i) => {
        const m = result.masks![i]!;
        return rleDecode({ size: m.size, counts: m.counts });
      })
    : undefined;
  drawDetectionsToCanvas(ctx, {
    ...shown,
    classNames: result.classNames,
    ...(masks ? { masks } : {}),
  });
}
