/**
 * Mask R-CNN, composed: the Faster R-CNN of @ocelot/detectors (`backbone`, `rpn`, `boxHead`
 * files and its architecture fields) plus `files.maskHead` — torchvision's MaskRCNNHeads +
 * MaskRCNNPredictor, RoI-aligned features `[K, 256, 14, 14]` → mask logits `[K, C+1, 28, 28]`.
 * The mask head runs on `multiScaleRoIAlign` (14×14, sampling ratio 2) of the FINAL boxes;
 * the predicted class's channel goes through a sigmoid and is pasted into the image with
 * torchvision's `paste_masks_in_image`, then thresholded at 0.5.
 */

/** The mask branch fields; everything else in the config is Faster R-CNN's. */
export interface MaskHeadConfig {
  /** Mask head input name. Default: the session's first input. */
  readonly input?: string;
  /** Mask logits output. Default: the session's first output. */
  readonly output?: string;
  /** RoI Align output size for the mask head. Default 14. */
  readonly resolution?: number;
  /** RoI Align sampling ratio. Default 2. */
  readonly samplingRatio?: number;
}

export interface MaskRcnnConfig {
  /** The mask branch; optional (defaults above). */
  readonly mask?: MaskHeadConfig;
  /** Faster R-CNN's architecture fields (see @ocelot/detectors `faster-rcnn`). */
  readonly [field: string]: unknown;
}

declare module '../registry.js' {
  interface SegmenterConfigs {
    'mask-rcnn': MaskRcnnConfig;
  }
}
