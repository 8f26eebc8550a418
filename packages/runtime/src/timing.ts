/**
 * Splits one `detect` / `segment` call into pre-processing, network and post-processing time
 * without reaching into the detector: every session the detector opens is wrapped so that its
 * runs are timed. Pre = call start → first run start; model = the runs' own durations
 * (summed for composed models such as Faster R-CNN, whose TypeScript stages between graphs then
 * count as post); post = the rest. Plain `performance.now()`: the same in Node and browsers
 * (the CLI and the web demo both report their stage times with it).
 */
import type { Session } from './types.js';

/** One call's time split, in milliseconds. */
export interface StageTimings {
  /** From the call to the first `session.run`: resize, normalise. */
  readonly preMs: number;
  /** Inside `session.run` / `runRaw` (all graphs, summed). */
  readonly modelMs: number;
  /** The rest: decode, NMS, masks, mapping back to the image. */
  readonly postMs: number;
  readonly totalMs: number;
}

/** Collects run intervals of the wrapped sessions during one call. */
export class RunClock {
  #firstStart: number | undefined;
  #modelMs = 0;
  #start = 0;

  /** Marks the start of a call. */
  begin(now = performance.now()): void {
    this.#start = now;
    this.#firstStart = undefined;
    this.#modelMs = 0;
  }

  /**
   * Records one session run. Runs that overlap (graphs run in parallel) each add their whole
   * duration to the model time, so post-processing is then understated (clamped at 0).
   */
  record(start: number, end: number): void {
    this.#firstStart = this.#firstStart === undefined ? start : Math.min(this.#firstStart, start);
    this.#modelMs += end - start;
  }

  /** Stage times of the call that began with `begin`. */
  end(now = performance.now()): StageTimings {
    const totalMs = now - this.#start;
    const preMs = (this.#firstStart ?? now) - this.#start;
    const modelMs = this.#modelMs;
    return { preMs, modelMs, postMs: Math.max(0, totalMs - preMs - modelMs), totalMs };
  }
}

/**
 * A `Session` that reports each `run` / `runRaw` to `clock`; everything else is the wrapped
 * session's. Disposing it disposes the wrapped session.
 */
export function timedSession(session: Session, clock: RunClock): Session {
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      clock.record(start, performance.now());
    }
  };
  return {
    get name() {
      return session.name;
    },
    get inputs() {
      return session.inputs;
    },
    get outputs() {
      return session.outputs;
    },
    get executionProvider() {
      return session.executionProvider;
    },
    get providerAttempts() {
      return session.providerAttempts;
    },
    get metadata() {
      return session.metadata;
    },
    get modelInfo() {
      return session.modelInfo;
    },
    get sha256() {
      return session.sha256;
    },
    run: (feeds, options) => timed(() => session.run(feeds, options)),
    runRaw: (feeds, options) => timed(() => session.runRaw(feeds, options)),
    dispose: () => session.dispose(),
    [Symbol.dispose]: () => session[Symbol.dispose](),
    [Symbol.asyncDispose]: () => session[Symbol.asyncDispose](),
  };
}
