/** Parts shared by two-stage detectors (Faster R-CNN, Mask R-CNN, external-proposal heads). */
export { decodeSelected, RcnnBoxCoder } from './box-coder.js';
export {
  type BoxHeadRunner,
  type FeatureBackbone,
  type FeatureMaps,
  type RpnHeadLevel,
  type RpnHeadRunner,
  sessionBackbone,
  sessionBoxHead,
  sessionRpnHead,
} from './heads.js';
export { type RoIPooler, TorchvisionRoIPooler } from './pooler.js';
export { resizeBilinearFloat } from './resize-float.js';
export {
  type FastRcnnInferenceOptions,
  fastRcnnInference,
  type RoiDetections,
} from './roi-heads.js';
export {
  flattenObjectness,
  type Proposals,
  type RpnLevelOutput,
  type RpnPostprocessOptions,
  rpnProposals,
} from './rpn.js';
export { expf, fmaf, sigmoidInto, softmaxRows } from './torch-math.js';
export {
  RCNN_TRANSFORM_DEFAULTS,
  type RCNNInput,
  type RCNNTransformOptions,
  rcnnResizedSize,
  rcnnResizeScale,
  rcnnTransform,
  type ResolvedRCNNTransformOptions,
  resizeBoxes,
  resolveRCNNTransformOptions,
} from './transform.js';
