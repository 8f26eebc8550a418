/**
 * The `proposals` block of the proposal-based architectures (`rcnn`, `fast-rcnn`): where the
 * candidate boxes come from. Today: selective search with its options; any source can also be
 * passed per call (`detector.run(image, { proposals })`, e.g. RPN proposals).
 */
import type { ConfigReader } from '../card-config.js';
import { COLOUR_SPACES, type ColourSpace } from './colour.js';
import type { SelectiveSearchOptions, SelectiveSearchStrategy } from './selective-search.js';

export interface ProposalConfig {
  /** Default `selective-search`. */
  readonly method?: 'selective-search';
  /** Selective search preset. Default `fast`. */
  readonly strategy?: SelectiveSearchStrategy;
  /** At most this many proposals, best ranked first. Default 2000 (R-CNN's number). */
  readonly maxProposals?: number;
  /** Drop proposals narrower or lower than this, input pixels. Default 8. */
  readonly minBoxSize?: number;
  readonly colourSpaces?: readonly ColourSpace[];
  readonly ks?: readonly number[];
  readonly sigma?: number;
  readonly minSize?: number;
}

/** Resolved proposal settings: selective search options. */
export interface ResolvedProposalConfig {
  readonly method: 'selective-search';
  readonly selectiveSearch: SelectiveSearchOptions;
}

/**
 * Reads `architecture.proposals` (absent = selective search `fast`, 2000 proposals, ≥ 8 px).
 * @throws ModelCardError naming the field
 */
export function readProposalConfig(parent: ConfigReader): ResolvedProposalConfig {
  const r = parent.object('proposals');
  if (r === undefined) {
    return {
      method: 'selective-search',
      selectiveSearch: { strategy: 'fast', maxProposals: 2000, minBoxSize: 8 },
    };
  }
  r.only([
    'method',
    'strategy',
    'maxProposals',
    'minBoxSize',
    'colourSpaces',
    'ks',
    'sigma',
    'minSize',
  ]);
  const method = r.oneOf('method', ['selective-search'] as const, 'selective-search');
  const colourSpaces = r.stringList('colourSpaces');
  colourSpaces?.forEach((c, i) => {
    if (!COLOUR_SPACES.includes(c as ColourSpace)) {
      r.fail(
        `colourSpaces[${i}]`,
        `expected one of ${COLOUR_SPACES.join(', ')}, got ${JSON.stringify(c)}`,
      );
    }
  });
  const ks = r.numberList('ks', { above: 0 });
  const options: SelectiveSearchOptions = {
    strategy: r.oneOf('strategy', ['single', 'fast', 'quality'] as const, 'fast'),
    maxProposals: r.number('maxProposals', 2000, { integer: true, min: 1 }),
    minBoxSize: r.number('minBoxSize', 8, { min: 0 }),
    ...(colourSpaces && { colourSpaces: colourSpaces as ColourSpace[] }),
    ...(ks && { ks }),
    ...(r.has('sigma') && { sigma: r.number('sigma', 0.8, { min: 0, max: 100 }) }),
    ...(r.has('minSize') && { minSize: r.number('minSize', 100, { min: 0 }) }),
  };
  return { method, selectiveSearch: options };
}
