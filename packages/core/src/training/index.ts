export type { HardNegativeMiningOptions, HardNegatives } from './hard-negative-mining.js';
export { hardNegativeMining } from './hard-negative-mining.js';
export type {
  CrossEntropyOptions,
  FloatArray,
  LossReduction,
  SigmoidFocalLossOptions,
  SmoothL1LossOptions,
} from './losses.js';
export {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  sigmoidFocalLoss,
  smoothL1Loss,
} from './losses.js';
export type { MatcherOptions, MatchQualityMatrix } from './matcher.js';
export {
  BELOW_LOW_THRESHOLD,
  BETWEEN_THRESHOLDS,
  Matcher,
  matchPredictions,
  SSDMatcher,
  ssdMatchPredictions,
} from './matcher.js';
export type { RandomSource } from './random.js';
export { sampleWithoutReplacement, seededRandom } from './random.js';
export type { BalancedSample, BalancedSamplerOptions } from './sampler.js';
export { BalancedPositiveNegativeSampler, sampleBalanced } from './sampler.js';
