/** A classifier made fully convolutional: receptive-field arithmetic, specs, score maps → boxes. */
export {
  defineFcnClassifierSpec,
  type FcnClassifierSpec,
  type FcnClassifierSpecInput,
  type PixelMapping,
  type ProjectedScoreMap,
  projectScoreMap,
} from './fcn-classifier.js';
export {
  type AxisField,
  type LayerSpec,
  outputSize,
  type Pair,
  type ReceptiveField,
  type ReceptiveFieldStep,
  receptiveField,
  receptiveFieldTrace,
} from './receptive-field.js';
export { CLASSIC_SHAPES_FCN } from './shapes.js';
