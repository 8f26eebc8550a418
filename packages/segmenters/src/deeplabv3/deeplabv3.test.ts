import { torchvisionParity } from '../test-utils/torchvision-parity.js';

torchvisionParity('deeplabv3', 'deeplabv3_tiny');
