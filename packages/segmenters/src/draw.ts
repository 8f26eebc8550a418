/**
 * Overlays of segmentations on their image — the pure raster part, shared by Node and the
 * browser (PNG encoding and box labels are in `@ocelot/segmenters/node`). Built on
 * @ocelot/image's `drawLabelMap` / `drawMasks` (blend `round((1 − α)·pixel + α·colour)`,
 * contours = mask pixels within `thickness` of the mask's edge).
 */
import { InvalidArgumentError, type Rle, rleDecode } from '@ocelot/core';
import {
  assertRgbImage,
  colorFor,
  drawLabelMap_,
  drawMasks_,
  type Rgb,
  type RgbImage,
  vocPalette,
} from '@ocelot/image';
import type { InstanceSegmentation, SemanticSegmentation } from './types.js';

/** Options of {@link drawSemantic}. */
export interface SemanticDrawOptions {
  /** `[n,3]` bytes or RGB triples indexed by class. Default: the PASCAL VOC palette. */
  readonly palette?: Uint8Array | readonly Rgb[];
  /** Fill opacity, 0–1. Default 0.5; 0 draws only contours. */
  readonly alpha?: number;
  /** Classes left undrawn. Default `[0]` (background). */
  readonly ignore?: readonly number[];
  /** Outline every class region in full opacity (`true` = 1 px, or `{ thickness }`). Default false. */
  readonly contour?: boolean | { readonly thickness?: number };
}

/**
 * A label map blended over a copy of its image, optionally with class outlines.
 * @param image the image that was segmented ([H,W,3], the label map's size)
 * @returns a new image
 */
export function drawSemantic(
  image: RgbImage,
  seg: SemanticSegmentation,
  options: SemanticDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  if (image.width !== seg.imageSize.width || image.height !== seg.imageSize.height) {
    throw new InvalidArgumentError(
      'image',
      `is ${image.width}×${image.height} but the segmentation is ${seg.imageSize.width}×${seg.imageSize.height}`,
    );
  }
  const ignore = options.ignore ?? [0];
  const palette = options.palette ?? vocPalette(256);
  const out: RgbImage = { data: image.data.slice(), width: image.width, height: image.height };
  const map = { data: seg.labelMap, width: image.width, height: image.height };
  drawLabelMap_(out, map, { palette, alpha: options.alpha ?? 0.5, ignore });
  if (options.contour) {
    const thickness = typeof options.contour === 'object' ? (options.contour.thickness ?? 1) : 1;
    const classes = Array.from(seg.classesPresent).filter((c) => !ignore.includes(c));
    const masks = classes.map((c) => {
      const m = new Uint8Array(seg.labelMap.length);
      for (let i = 0; i < m.length; i++) if (seg.labelMap[i] === c) m[i] = 1;
      return m;
    });
    const colors = classes.map((c) => paletteColor(palette, c));
    drawMasks_(out, masks, { colors, alpha: 0, contour: { thickness } });
  }
  return out;
}

/** Options of {@link drawInstanceMasks}. */
export interface InstanceDrawOptions {
  /** Colour per class (by label). Default: Ultralytics' 20-colour palette. */
  readonly colors?: readonly Rgb[];
  /** Fill opacity, 0–1. Default 0.5. */
  readonly alpha?: number;
  /** Outline each mask in full opacity. Default true (1 px). */
  readonly contour?: boolean | { readonly thickness?: number; readonly color?: Rgb };
}

/** The instances' masks as [H,W] 0/1 maps (RLEs decoded). */
export function instanceMaskMaps(
  instances: InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>,
): Uint8Array[] {
  return (instances.masks as readonly (Rle | Uint8Array)[]).map((m) =>
    m instanceof Uint8Array ? m : rleDecode(m),
  );
}

/**
 * Instance masks blended over a copy of their image, coloured by class, outlined (boxes and
 * labels: `renderInstancesPng` in `@ocelot/segmenters/node`, or @ocelot/image's canvas drawing).
 * Later (lower-scoring) instances are drawn over earlier ones.
 * @returns a new image
 */
export function drawInstanceMasks(
  image: RgbImage,
  instances: InstanceSegmentation<Rle> | InstanceSegmentation<Uint8Array>,
  options: InstanceDrawOptions = {},
): RgbImage {
  assertRgbImage('image', image);
  const { width, height } = instances.imageSize;
  if (image.width !== width || image.height !== height) {
    throw new InvalidArgumentError(
      'image',
      `is ${image.width}×${image.height} but the instances are ${width}×${height}`,
    );
  }
  const colors = Array.from(instances.labels, (l) =>
    options.colors ? colorFor(l, options.colors) : colorFor(l),
  );
  const out: RgbImage = { data: image.data.slice(), width, height };
  drawMasks_(out, instanceMaskMaps(instances), {
    colors,
    alpha: options.alpha ?? 0.5,
    contour: options.contour ?? true,
  });
  return out;
}

/** Colour `c` of a palette given as `[n,3]` bytes or RGB triples (validated by drawLabelMap). */
function paletteColor(palette: Uint8Array | readonly Rgb[], c: number): Rgb {
  if (palette instanceof Uint8Array)
    return [palette[3 * c]!, palette[3 * c + 1]!, palette[3 * c + 2]!];
  return palette[c]!;
}
