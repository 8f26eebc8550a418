import {
  letterboxToTensor,
  type RgbImage,
  resizeToTensor,
  type TensorResult,
  Transform,
} from '@ocelot/image';
import type { ResolvedInputSpec } from './model-card.js';
import { rcnnTransform } from './two-stage/transform.js';

function perChannel(v: number | readonly number[] | undefined, fallback: number): number[] {
  if (v === undefined) return [fallback, fallback, fallback];
  return typeof v === 'number' ? [v, v, v] : [...v];
}

/**
 * torchvision's `GeneralizedRCNNTransform` (see `InputSpec.resize`), with the Transform back:
 * scale = resized / original per axis, no offset; the tensor may be larger than the resized
 * image by the bottom / right padding.
 */
function torchvisionInput(image: RgbImage, spec: ResolvedInputSpec): TensorResult {
  const dynamic = spec.minSize !== undefined && spec.maxSize !== undefined;
  const r = rcnnTransform(image, {
    ...(dynamic
      ? { minSize: spec.minSize, maxSize: spec.maxSize }
      : { fixedSize: { width: spec.width, height: spec.height } }),
    sizeDivisible: spec.sizeDivisible ?? (dynamic ? 32 : 1),
    mean: perChannel(spec.mean, 0),
    std: perChannel(spec.std, 1),
    scale: spec.scale ?? 1 / 255,
    channelOrder: spec.channelOrder ?? 'rgb',
  });
  const transform = new Transform({
    srcWidth: image.width,
    srcHeight: image.height,
    dstWidth: r.paddedSize.width,
    dstHeight: r.paddedSize.height,
    scaleX: r.imageSize.width / image.width,
    scaleY: r.imageSize.height / image.height,
    offsetX: 0,
    offsetY: 0,
  });
  return { tensor: r.tensor, transform };
}

/**
 * Turns an image into the network input described by a card's `input` spec, with the
 * `Transform` that maps model-input pixels back to the image.
 * @param image [H,W,3] uint8 RGB
 * @param out optional buffer to write the tensor into instead of allocating one: used only
 *   when it holds exactly `3·width·height` floats and the spec's resize is `stretch` or
 *   `letterbox` (whose tensors have that size); otherwise a new array is allocated. The
 *   caller must not hand `out` to anything that outlives the tensor's use.
 * @returns tensor [1,3,height,width] (or NHWC) float32 and its Transform; `tensor.data` is
 *   `out` when it was used
 */
export function prepareInput(
  image: RgbImage,
  spec: ResolvedInputSpec,
  out?: Float32Array,
): TensorResult {
  if (spec.resize === 'torchvision') return torchvisionInput(image, spec);
  const reuse =
    out !== undefined && out.length === 3 * spec.width * spec.height ? { out } : undefined;
  const normalize = {
    ...reuse,
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
