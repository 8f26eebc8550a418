/**
 * The row registry's contract. A row (one file in src/rows/) is a workload family from
 * BENCHMARKS.md with a goal; it expands to cases (one per size / variant). For each case the
 * harness times Ocelot and every peer under the same rule, checks each peer's answer against
 * Ocelot's, and reports the ratio peer ms / Ocelot ms (≥ 1 means Ocelot is as fast or faster).
 */
import type { BenchContext } from './context.js';
import type { Measured, TimingRule } from './timing.js';

/** A workload family, e.g. "NMS". One file per row under src/rows/, listed in rows/index.ts. */
export interface BenchRow {
  /** Stable id for `--filter`, e.g. `'nms'`. */
  readonly id: string;
  /** The BENCHMARKS.md row number, for the table. */
  readonly number: number;
  readonly title: string;
  /** Minimum peer/Ocelot ratio the row must reach (BENCHMARKS.md "goal"), e.g. 1 or 10. */
  readonly goal: number;
  /** The correctness part of the goal as printed, e.g. `'identical keep indices'`. */
  readonly correctness: string;
  /** The cases to run; `ctx.quick` asks for fewer sizes. */
  cases(ctx: BenchContext): readonly BenchCase[];
}

/** One measured workload: Ocelot against its peers on the same inputs. */
export interface BenchCase {
  /** `<row id>/<variant>`, e.g. `'nms/clustered/10k/cap300'`; `--filter` matches prefixes. */
  readonly id: string;
  /** Human description for the table, e.g. `'clustered, N=10k, IoU 0.5, cap 300'`. */
  readonly workload: string;
  /** Writes/reads the inputs and returns the two sides; called once, right before timing. */
  prepare(ctx: BenchContext): Promise<PreparedCase>;
}

/** What the harness needs to time and check one case. `Out` is the comparable answer. */
export interface PreparedCase<Out = unknown> {
  readonly ocelot: OcelotSide<Out>;
  readonly peers: readonly PeerSide<Out>[];
  /** Compares Ocelot's answer with one peer's; a wrong answer fails the case. */
  check(ocelot: Out, peer: Out, peerName: string): Check;
  /** Timing rule for the Ocelot side (defaults to the standard 3 + 7 with the slow switch). */
  readonly timing?: TimingRule;
  /** Frees large buffers after the case. */
  dispose?(): void | Promise<void>;
}

export type OcelotSide<Out> =
  | {
      readonly available: true;
      readonly label: string;
      run(): Out | Promise<Out>;
      /**
       * Set when Ocelot runs outside this process (a browser page): the timed runs are made
       * there, under `rule`, and only their durations come back; `run` is then not called by
       * the harness. Its peers are measured there too, in alternation with it, and report
       * those durations through their own `measure`.
       */
      measureElsewhere?(rule: TimingRule): Promise<Measured<Out>>;
    }
  | { readonly available: false; readonly reason: string };

/** A peer implementation. `measure` does its own warm-up and timed runs under `timing`. */
export interface PeerSide<Out> {
  /** Printed name, e.g. `'ORT NonMaxSuppression'` or `'torchvision.ops.nms'`. */
  readonly name: string;
  /** Returns a reason to skip (module missing, no python), or undefined when usable. */
  unavailable(ctx: BenchContext): Promise<string | undefined>;
  measure(ctx: BenchContext, timing: TimingRule): Promise<Measured<Out>>;
  /**
   * Set for a peer that runs in this Node process (onnxruntime graphs, the model's own
   * session.run, sharp, plain JS): the harness then times Ocelot and the peer in alternation
   * (O, P, O, P, … after the warm-ups, `measureAlternating`) instead of one block after the
   * other, so a load change between the two blocks cannot skew the ratio. `measure` stays
   * the fallback when Ocelot cannot run.
   */
  inProcess?(ctx: BenchContext): Promise<InProcessPeer<Out>>;
  /** Printed beside the peer when its timing rule differs from the standard one. */
  readonly note?: string;
}

/** One call of an in-process peer, and how its last answer becomes the comparable one. */
export interface InProcessPeer<Out> {
  /** The timed call (everything it needs is built before). */
  run(): unknown;
  /** Untimed, after timing: the comparable answer from the last call's value, and a note. */
  finish(last: unknown): Promise<{ output: Out; note?: string }>;
  /** Frees what `inProcess` made (sessions), after `finish`. */
  dispose?(): Promise<void>;
}

export interface Check {
  readonly ok: boolean;
  /** e.g. `'keep identical (9,412 indices)'` or `'max abs diff 3.1e-7 ≤ 1e-6'`. */
  readonly detail: string;
}

/**
 * Thrown by `prepare` when the whole case cannot run on this machine (e.g. its data set needs a
 * Python module that is missing). The case is reported as skipped with the message.
 */
export class SkipCase extends Error {
  override readonly name = 'SkipCase';
}
