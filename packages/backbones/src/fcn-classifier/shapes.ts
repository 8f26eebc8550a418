/**
 * The spec of Ocelot's small shapes classifier made fully convolutional
 * (models/classic-shapes-overfeat/fcn.onnx, trained by tooling/python/train/classic_overfeat.py):
 * a 32×32 crop classifier of 3 valid convolutions and 2 max pools, whose FC layers became a 4×4
 * and a 1×1 convolution. Receptive field 32 px, stride 4, offset 0: cell (i, j) is the window
 * at (4j, 4i).
 */
import { defineFcnClassifierSpec, type FcnClassifierSpec } from './fcn-classifier.js';

export const CLASSIC_SHAPES_FCN: FcnClassifierSpec = defineFcnClassifierSpec({
  name: 'classic-shapes-fcn',
  description:
    'conv5-16, pool2, conv3-32, pool2, conv3-48, fc96 (as a 4×4 conv), fc7 (as a 1×1 conv); 6 shapes + background at channel 0',
  normalization: {
    scale: 1 / 255,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    channelOrder: 'rgb',
  },
  layers: [
    { type: 'conv', name: 'conv1', kernel: 5 },
    { type: 'pool', name: 'pool1', kernel: 2 },
    { type: 'conv', name: 'conv2', kernel: 3 },
    { type: 'pool', name: 'pool2', kernel: 2 },
    { type: 'conv', name: 'conv3', kernel: 3 },
    { type: 'conv', name: 'fc1', kernel: 4 },
    { type: 'conv', name: 'fc2', kernel: 1 },
  ],
  numClasses: 7,
  backgroundClass: 0,
});
