/**
 * Mask R-CNN, composed: @ocelot/detectors' Faster R-CNN (`backbone`, `rpnHead`, `boxHead`
 * graphs and its whole architecture config) plus `files.maskHead` — torchvision's
 * MaskRCNNHeads + MaskRCNNPredictor, RoI-aligned features `[K, C, 14, 14]` → mask logits
 * `[K, classes+1, 28, 28]`. tooling/python/export/torchvision_rcnn_split.py writes such cards
 * (`type: "mask-rcnn"`, `roiHeads.mask` read from the model's `mask_roi_pool`).
 *
 * ```json
 * { "type": "mask-rcnn", "featureNames": ["0", "1", "2", "3", "pool"], "transform": { … },
 *   "anchors": { … }, "rpn": { … },
 *   "roiHeads": { …, "mask": { "featureNames": ["0", "1", "2", "3"], "outputSize": [14, 14],
 *                              "samplingRatio": 2 } } }
 * ```
 */
import {
  type FasterRcnnConfig,
  type ModelCard,
  parseFasterRcnnConfig,
  type ResolvedFasterRcnnConfig,
  type ResolvedRoiPoolerConfig,
} from '@ocelot/detectors';

/** Faster R-CNN's config; `roiHeads.mask` configures the mask pooler (default 14×14, sampling 2). */
export type MaskRcnnConfig = FasterRcnnConfig;

declare module '../registry.js' {
  interface SegmenterConfigs {
    'mask-rcnn': MaskRcnnConfig;
  }
}

export interface ResolvedMaskRcnnConfig {
  readonly fasterRcnn: ResolvedFasterRcnnConfig;
  /** The mask head's `MultiScaleRoIAlign`. */
  readonly mask: ResolvedRoiPoolerConfig;
}

/**
 * Validates `card.architecture` for `mask-rcnn` (Faster R-CNN's checks, torchvision's
 * defaults; the mask pooler defaults to the box pooler's levels at 14×14, sampling ratio 2).
 * @throws ModelCardError naming the field
 */
export function parseMaskRcnnConfig(card: ModelCard): ResolvedMaskRcnnConfig {
  const fasterRcnn = parseFasterRcnnConfig(card);
  const h = fasterRcnn.roiHeads;
  return {
    fasterRcnn,
    mask: h.mask ?? {
      featureNames: h.featureNames,
      outputSize: [14, 14],
      samplingRatio: 2,
      canonicalScale: h.canonicalScale,
      canonicalLevel: h.canonicalLevel,
    },
  };
}
