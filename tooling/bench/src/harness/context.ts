/** What every row gets: run options, the input store and the peers' machinery. */
import type { InputStore } from './files.js';
import type { PythonPeers } from './python.js';

export interface BenchContext {
  /** `--quick`: fewer sizes, for development. */
  readonly quick: boolean;
  /** Seed of every generated input. */
  readonly seed: number;
  /** Scratch directory for inputs and cached data sets (OCELOT_BENCH_DIR or <tmp>/ocelot-bench). */
  readonly benchDir: string;
  readonly inputs: InputStore;
  readonly python: PythonPeers;
  /** Progress line on stderr (never part of the results table). */
  log(message: string): void;
}
