/**
 * The RoI pooler of torchvision's R-CNN heads: `MultiScaleRoIAlign` with torchvision's handling
 * of pyramids whose pooled levels share one scale.
 *
 * torchvision maps each RoI to level `k0 + log2(√area / 224)` clamped to the range spanned by
 * the first and last level's scales. When those two scales are equal — the MobileNetV3 FPN
 * models pool from `0` and `1`, both at stride 32 — the range is one level, every RoI goes to
 * the first map and the others are never read. @ocelot/core's `multiScaleRoIAlign` refuses
 * levels that are not consecutive powers of two, so this pooler hands it the first map alone in
 * that case, which is exactly torchvision's result.
 */
import {
  type Boxes,
  type ImageSize,
  inferLevelScales,
  type MultiScaleRoIAlignOptions,
  multiScaleRoIAlign,
  type TensorView,
} from '@ocelot/core';

/** Pools RoI features from pyramid levels (the shape `FasterRCNN` takes as `boxRoiPool`). */
export interface RoIPooler {
  /**
   * @param features the levels to pool from, finest first, each [1, C, H_l, W_l]
   * @param boxes one [K, 4] xyxy array per image, input pixels
   * @param imageSizes the resized image sizes (before padding)
   * @returns [K, C, S, S]
   */
  forward(
    features: readonly TensorView[],
    boxes: readonly Boxes[],
    imageSizes: readonly ImageSize[],
  ): TensorView<Float32Array>;
}

/** torchvision's `MultiScaleRoIAlign` (see the module comment). */
export class TorchvisionRoIPooler implements RoIPooler {
  readonly options: Readonly<MultiScaleRoIAlignOptions>;

  constructor(options: MultiScaleRoIAlignOptions) {
    this.options = { ...options };
  }

  forward(
    features: readonly TensorView[],
    boxes: readonly Boxes[],
    imageSizes: readonly ImageSize[],
  ): TensorView<Float32Array> {
    let levels = features;
    if (features.length > 1) {
      const scales = inferLevelScales(
        features.map((f) => f.dims[2]!),
        imageSizes,
      );
      if (scales[0] === scales[scales.length - 1]) levels = features.slice(0, 1);
    }
    return multiScaleRoIAlign(levels, boxes, imageSizes, this.options);
  }
}
