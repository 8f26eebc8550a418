/** This package's fixture reader: `src/<arch>/__fixtures__` (shared code: @ocelot/test-utils). */
import { fixtureReader } from '@ocelot/test-utils/fixtures';

export type { Arr, BinRef, Loaded } from '@ocelot/test-utils/fixtures';

export const { fixtureDir, fixturePath, loadFixture } = fixtureReader(
  new URL('..', import.meta.url),
);
