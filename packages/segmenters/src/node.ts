/**
 * `@ocelot/segmenters/node`: PNG overlays in Node (sharp, through @ocelot/image's Node entry).
 * Browsers draw with `drawSemantic` / `drawInstanceMasks` from the main entry and a canvas.
 */
import type { Rle } from '@ocelot/core';
import { drawDetections, encodePng, type RgbImage } from '@ocelot/image';
import {
  drawSemantic,
  instanceMaskMaps,
  type InstanceDrawOptions,
  type SemanticDrawOptions,
} from './draw.js';
import type { InstanceSegmentation, SemanticSegmentation } from './types.js';

/** {@link drawSemantic} encoded as PNG. */
export async function renderSemanticPng(
  image: RgbImage,
  seg: SemanticSegmentation,
  options: SemanticDrawOptions = {},
): Promise<Uint8Array> {
  return encodePng(drawSemantic(image, seg, options));
}

/** Options of {@link renderInstancesPng}. */
export interface InstanceRenderOptions extends InstanceDrawOptions {
  /** Draw boxes with `label score` text. Default true. */
  readonly boxes?: boolean;
}

/**
 * Instance masks (filled, outlined), boxes and labels over the image, as PNG (@ocelot/image's
 * `drawDetections`: masks with the shared raster code, boxes and text as an SVG composited by
 * sharp).
 */
export async function renderInstancesPng(
  image: RgbImage,
  instances: InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>,
  options: InstanceRenderOptions = {},
): Promise<Uint8Array> {
  const drawn = await drawDetections(
    image,
    {
      boxes: instances.boxes,
      scores: instances.scores,
      labels: instances.labels,
      labelNames: instances.labelNames,
      masks: instanceMaskMaps(instances),
    },
    {
      ...(options.colors !== undefined && { colors: options.colors }),
      alpha: options.alpha ?? 0.5,
      contour: options.contour ?? true,
      boxes: options.boxes ?? true,
    },
  );
  return encodePng(drawn);
}

export * from './index.js';
