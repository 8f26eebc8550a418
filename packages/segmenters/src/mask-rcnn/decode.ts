/**
 * Mask R-CNN's mask post-processing (pure), torchvision 0.14:
 * `roi_heads.maskrcnn_inference` — sigmoid of the mask logits, the channel of each detection's
 * predicted class — then `transform.postprocess`'s `paste_masks_in_image` with the boxes in
 * original-image pixels, thresholded (`> 0.5`, what torchvision's users and COCO evaluation
 * do) straight to COCO RLE or binary maps (@ocelot/core `pasteMasksToRle` /
 * `pasteMasksBinary`, torchvision's padding, box expansion and bilinear resampling).
 */
import { pasteMasksBinary, pasteMasksToRle, type ImageSize, type Rle } from '@ocelot/core';
import { assertFiniteOutput, expf, formatDims, ModelOutputError } from '@ocelot/detectors';

const fround = Math.fround;

/**
 * `maskrcnn_inference`: per detection, sigmoid of the logits of its class (torch's float32
 * sigmoid: the vectorised formula for elements in whole 16-lane blocks of the full tensor, the
 * scalar one for the tail, as torch computes `x.sigmoid()` on the whole tensor).
 * @param logits [D, C+1, M, M] mask logits, background at channel 0
 * @param labels [D] class index without the background (0-based)
 * @returns [D, M, M] probabilities
 * @throws ModelOutputError on a shape that does not fit or a non-finite logit
 */
export function maskProbabilities(
  model: string,
  logits: { readonly data: Float32Array; readonly dims: readonly number[] },
  labels: Int32Array,
  numClasses: number,
): { data: Float32Array; dims: [number, number, number] } {
  const D = labels.length;
  const d = logits.dims;
  if (d.length !== 4 || d[0] !== D || d[1] !== numClasses + 1 || d[2]! < 1 || d[3]! < 1) {
    throw new ModelOutputError(
      model,
      'mask_logits',
      `expected shape [D=${D}, ${numClasses + 1}, M, M] (${numClasses} classes + background, one row per detection), got ${formatDims(d)}`,
    );
  }
  assertFiniteOutput(model, 'mask_logits', logits.data);
  const M2 = d[2]! * d[3]!;
  const C1 = numClasses + 1;
  const n = logits.data.length;
  const vectorEnd = n - (n % 16);
  const out = new Float32Array(D * M2);
  for (let i = 0; i < D; i++) {
    const src = (i * C1 + labels[i]! + 1) * M2;
    for (let p = 0; p < M2; p++) {
      const x = logits.data[src + p]!;
      out[i * M2 + p] =
        src + p < vectorEnd
          ? fround(1 / fround(1 + expf(fround(-x))))
          : fround(1 / fround(1 + fround(Math.exp(-x))));
    }
  }
  return { data: out, dims: [D, d[2]!, d[3]!] };
}

/**
 * Pastes [D, M, M] mask probabilities into the image (torchvision `paste_masks_in_image`) and
 * thresholds them (`p > threshold`).
 * @param boxes [D, 4] xyxy in original-image pixels
 * @returns D COCO RLEs, or D [H,W] 0/1 maps
 */
export function pasteInstanceMasks(
  probabilities: { readonly data: Float32Array; readonly dims: readonly number[] },
  boxes: Float32Array,
  imageSize: ImageSize,
  threshold: number,
  format: 'rle' | 'binary',
): Rle[] | Uint8Array[] {
  if (format === 'rle') return pasteMasksToRle(probabilities, boxes, imageSize, { threshold });
  // one image-sized map per detection, pasted one at a time (no [D,H,W] buffer in between)
  const [D, mh, mw] = probabilities.dims as [number, number, number];
  const m2 = mh * mw;
  return Array.from({ length: D }, (_, i) =>
    pasteMasksBinary(
      { data: probabilities.data.subarray(i * m2, (i + 1) * m2), dims: [1, mh, mw] },
      boxes.subarray(4 * i, 4 * i + 4),
      imageSize,
      { threshold },
    ),
  );
}
