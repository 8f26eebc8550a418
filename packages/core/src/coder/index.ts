export type {
  BoxCoderLike,
  BoxCoderWeights,
  DecodeBoxDeltasOptions,
  EncodeBoxesOptions,
} from './box-coder.js';
export { BBOX_XFORM_CLIP, BoxCoder, decodeBoxDeltas, encodeBoxes } from './box-coder.js';
