/** Selective search object proposals, and the Felzenszwalb–Huttenlocher segmentation under it. */
export { COLOUR_SPACES, type ColourSpace, type Planes, toColourSpace } from './colour.js';
export {
  buildPixelGraph,
  type FelzenszwalbOptions,
  felzenszwalbSegmentation,
  gaussianSmooth,
  type PixelGraph,
  type Segmentation,
  segmentPixelGraph,
} from './felzenszwalb.js';
export type { SimilarityTerms } from './grouping.js';
export {
  SELECTIVE_SEARCH_PRESETS,
  type SelectiveSearchOptions,
  type SelectiveSearchStrategy,
  selectiveSearch,
} from './selective-search.js';
export { type ProposalConfig, type ResolvedProposalConfig, readProposalConfig } from './config.js';
