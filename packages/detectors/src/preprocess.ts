import { letterboxToTensor, type RgbImage, resizeToTensor, type TensorResult } from '@ocelot/image';
import type { ResolvedInputSpec } from './model-card.js';

/**
 * Turns an image into the network input described by a card's `input` spec, with the
 * `Transform` that maps model-input pixels back to the image.
 * @param image [H,W,3] uint8 RGB
 * @returns tensor [1,3,height,width] (or NHWC) float32 and its Transform
 */
export function prepareInput(image: RgbImage, spec: ResolvedInputSpec): TensorResult {
  const normalize = {
    ...(spec.scale !== undefined && { scale: spec.scale }),
    ...(spec.mean !== undefined && { mean: spec.mean }),
    ...(spec.std !== undefined && { std: spec.std }),
    ...(spec.channelOrder !== undefined && { channelOrder: spec.channelOrder }),
    ...(spec.layout !== undefined && { layout: spec.layout }),
    ...(spec.interpolation !== undefined && { interpolation: spec.interpolation }),
  };
  if (spec.resize === 'stretch') {
    return resizeToTensor(image, { width: spec.width, height: spec.height, ...normalize });
  }
  return letterboxToTensor(image, {
    size: { width: spec.width, height: spec.height },
    ...(spec.padValue !== undefined && { padValue: spec.padValue }),
    ...(spec.center !== undefined && { center: spec.center }),
    ...(spec.sizeRounding !== undefined && { sizeRounding: spec.sizeRounding }),
    ...normalize,
  });
}
