import { torchvisionParity } from '../test-utils/torchvision-parity.js';

torchvisionParity('lraspp', 'lraspp_tiny');
