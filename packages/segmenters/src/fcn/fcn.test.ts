import { torchvisionParity } from '../test-utils/torchvision-parity.js';

torchvisionParity('fcn', 'fcn_tiny');
