/**
 * The base image of the multi-run classic pipelines (sliding window, OverFeat, R-CNN,
 * Fast R-CNN): the card's input spec applied to the uint8 pixels — letterbox or stretch to the
 * input size — with the `Transform` back to the original image, and the spec's normalisation
 * as lookup tables. Pyramids, crops and proposals all start from it.
 */
import {
  letterbox,
  type NormalizationTable,
  normalizationTable,
  type RgbImage,
  resize,
  type Transform,
} from '@ocelot/image';
import type { ResolvedInputSpec } from '../model-card.js';

/** The base image and the map from its pixels to the original image's. */
export interface BaseImage {
  readonly image: RgbImage;
  readonly transform: Transform;
}

/**
 * Applies the card's resize (letterbox or stretch) to the pixels, without normalising.
 * @param image [H,W,3] uint8 RGB
 */
export function prepareBaseImage(image: RgbImage, spec: ResolvedInputSpec): BaseImage {
  const interpolation = spec.interpolation ?? 'bilinear';
  if (spec.resize === 'stretch') {
    return resize(image, { width: spec.width, height: spec.height, interpolation });
  }
  return letterbox(image, {
    size: { width: spec.width, height: spec.height },
    interpolation,
    ...(spec.padValue !== undefined && { padValue: spec.padValue }),
    ...(spec.center !== undefined && { center: spec.center }),
    ...(spec.sizeRounding !== undefined && { sizeRounding: spec.sizeRounding }),
  });
}

/** The card's normalisation (NCHW) as per-channel lookup tables. */
export function inputNormalization(spec: ResolvedInputSpec): NormalizationTable {
  return normalizationTable({
    ...(spec.scale !== undefined && { scale: spec.scale }),
    ...(spec.mean !== undefined && { mean: spec.mean }),
    ...(spec.std !== undefined && { std: spec.std }),
    ...(spec.channelOrder !== undefined && { channelOrder: spec.channelOrder }),
    layout: 'nchw',
  });
}

/**
 * The whole image as a normalised [1,3,H,W] tensor (one lookup per byte).
 * @param image [H,W,3] uint8 RGB
 */
export function imageTensor(
  image: RgbImage,
  table: NormalizationTable,
): { data: Float32Array; dims: number[] } {
  const { width: w, height: h, data } = image;
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  const [l0, l1, l2] = table.lut;
  const [s0, s1, s2] = table.sourceChannel;
  for (let i = 0, src = 0; i < plane; i++, src += 3) {
    out[i] = l0[data[src + s0]!]!;
    out[i + plane] = l1[data[src + s1]!]!;
    out[i + 2 * plane] = l2[data[src + s2]!]!;
  }
  return { data: out, dims: [1, 3, h, w] };
}
