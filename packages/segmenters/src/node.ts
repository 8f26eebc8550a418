/**
 * `@ocelot/segmenters/node`: loading a model card from disk, and PNG overlays (sharp, through
 * @ocelot/image's Node entry). The main entry stays free of Node built-ins; browsers build
 * with `buildSegmenter` and draw with `drawSemantic` / `drawInstanceMasks` and a canvas.
 */
import { dirname, resolve } from 'node:path';
import type { Rle } from '@ocelot/core';
import { loadModelCard } from '@ocelot/detectors/node';
import { drawDetections, encodePng, type RgbImage } from '@ocelot/image';
import type { CreateSessionOptions } from '@ocelot/runtime';
import { registerBuiltins } from './builtins.js';
import { buildSegmenter, createSegmenterRegistry, type SegmenterRegistry } from './registry.js';
import type { Segmenter } from './segmenter.js';
import {
  drawSemantic,
  instanceMaskMaps,
  type InstanceDrawOptions,
  type SemanticDrawOptions,
} from './draw.js';
import type { InstanceSegmentation, SemanticSegmentation } from './types.js';

/** Options of {@link loadSegmenter}. */
export interface LoadSegmenterOptions {
  /** The registry to build with; default: a new registry with `registerBuiltins`. */
  readonly registry?: SegmenterRegistry;
  /** Passed to every `createSession` (execution providers, threads, …). */
  readonly session?: CreateSessionOptions;
}

/**
 * Loads a model card from disk and builds its segmenter; the card's file paths are resolved
 * relative to the card's folder (each file's `sha256` is checked when the card gives one).
 * @example
 * const seg = await loadSegmenter('models/unet-shapes/model.json');
 * if (seg.kind === 'semantic') console.log((await seg.segment(image)).classesPresent);
 * @throws ModelCardError for the card, UnknownRegistryEntryError for an unknown architecture,
 *   the runtime's ModelLoadError / ChecksumMismatchError for the model files
 */
export async function loadSegmenter(
  cardPath: string,
  options: LoadSegmenterOptions = {},
): Promise<Segmenter> {
  const card = await loadModelCard(cardPath);
  const registry = options.registry ?? registerBuiltins(createSegmenterRegistry());
  return buildSegmenter(registry, card, {
    base: dirname(resolve(cardPath)),
    ...(options.session !== undefined && { session: options.session }),
  });
}

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
