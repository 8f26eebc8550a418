/**
 * The timing rule shared with the Python peers (tooling/python/bench/common.py `measure`):
 * `warmup` untimed calls, then `runs` timed calls, and the median of those. When the first
 * warm-up call alone takes at least `slowMs`, the rule drops to `slowWarmup` warm-ups and
 * `slowRuns` timed runs so a 5-second call does not cost 50 seconds; when it takes at least
 * `verySlowMs`, that first call is the one measurement (warm-up effects are noise at that
 * length, and a 30-second call repeated would blow the run's budget). The table prints the
 * counts actually used ("3+7", "1+3", "0+1"). In this process (V8) the warm-ups also go on
 * until they have taken `minWarmupMs` (at most `maxWarmup` calls): three calls of a 1 ms
 * function leave it unoptimised, and the first case of a full run measured 4× slower than the
 * same case run alone. The extra calls show in the count ("150+7").
 */
import { performance } from 'node:perf_hooks';

export interface TimingRule {
  readonly warmup: number;
  readonly runs: number;
  readonly slowMs?: number;
  readonly slowWarmup?: number;
  readonly slowRuns?: number;
  readonly verySlowMs?: number;
  /** Keep warming up until the warm-ups took this long (ms), V8 only; default 0. */
  readonly minWarmupMs?: number;
  /** Cap on warm-up calls that `minWarmupMs` may add; default 1000. */
  readonly maxWarmup?: number;
}

/** Whether another warm-up call is due: the rule's count, then `minWarmupMs` of warm-up time. */
function warmingUp(rule: TimingRule, warmup: number, done: number, warmMs: number, slow: boolean): boolean {
  if (done < warmup) return true;
  if (slow || rule.minWarmupMs === undefined) return false;
  return warmMs < rule.minWarmupMs && done < (rule.maxWarmup ?? 1000);
}

/**
 * BENCHMARKS.md: 3 warm-up runs, then the median of ≥ 7; 1 + 3 for calls of 2 s or more; the
 * first call alone for calls of 10 s or more. Warm-ups continue until they took 200 ms.
 */
export const STANDARD_TIMING: TimingRule = {
  warmup: 3,
  runs: 7,
  slowMs: 2000,
  slowWarmup: 1,
  slowRuns: 3,
  verySlowMs: 10_000,
  minWarmupMs: 200,
};

/** Durations of the timed runs and the answer of the last call. */
export interface Measured<Out> {
  readonly times: readonly number[];
  readonly warmup: number;
  readonly output: Out;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `fn` (sync or async) under `rule`; only the call itself is inside the timer. A
 * synchronous op is not awaited, so it is not charged a microtask turn.
 */
export async function measure<Out>(
  fn: () => Out | Promise<Out>,
  rule: TimingRule = STANDARD_TIMING,
): Promise<Measured<Out>> {
  let warmup = rule.warmup;
  let runs = rule.runs;
  let output: Out | undefined;
  let done = 0;
  let warmMs = 0;
  let slow = false;
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const result = fn();
    output = result instanceof Promise ? await result : result;
    return performance.now() - t0;
  };
  while (warmingUp(rule, warmup, done, warmMs, slow)) {
    const ms = await once();
    done++;
    warmMs += ms;
    if (done === 1 && rule.verySlowMs !== undefined && ms >= rule.verySlowMs) {
      return { times: [ms], warmup: 0, output: output as Out };
    }
    if (done === 1 && rule.slowMs !== undefined && ms >= rule.slowMs) {
      slow = true;
      warmup = Math.max(1, rule.slowWarmup ?? 1);
      runs = Math.min(runs, rule.slowRuns ?? 3);
    }
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  if (times.length === 0 && done === 0) throw new Error('timing rule with no calls');
  return { times, warmup: done, output: output as Out };
}

/** "3+7": warm-ups + timed runs, as printed in the table. */
export function runsLabel(m: {
  readonly warmup: number;
  readonly times: readonly number[];
}): string {
  return `${m.warmup}+${m.times.length}`;
}

/** Both sides of an alternated measurement. */
export interface Alternated<A, B> {
  readonly a: Measured<A>;
  readonly b: Measured<B>;
}

/**
 * Times `a` and `b` (sync or async, both in this process) in alternation — a, b, a, b, … —
 * under one `rule`, so a change of machine load hits both sides alike instead of whichever
 * block happened to run during it. Warm-ups alternate too. The slow switches of the rule look
 * at the slower of the two first calls, so both sides always get the same counts: "3+7", or
 * "1+3" when a first call takes ≥ `slowMs`, or the first pair alone ("0+1") when one takes
 * ≥ `verySlowMs`. Each side's median is then taken over its own timed calls.
 */
export async function measureAlternating<A, B>(
  a: () => A | Promise<A>,
  b: () => B | Promise<B>,
  rule: TimingRule = STANDARD_TIMING,
): Promise<Alternated<A, B>> {
  let warmup = rule.warmup;
  let runs = rule.runs;
  let outA: A | undefined;
  let outB: B | undefined;
  const onceA = async (): Promise<number> => {
    const t0 = performance.now();
    const result = a();
    outA = result instanceof Promise ? await result : result;
    return performance.now() - t0;
  };
  const onceB = async (): Promise<number> => {
    const t0 = performance.now();
    const result = b();
    outB = result instanceof Promise ? await result : result;
    return performance.now() - t0;
  };
  let done = 0;
  let warmMs = 0;
  let slow = false;
  while (warmingUp(rule, warmup, done, warmMs, slow)) {
    const msA = await onceA();
    const msB = await onceB();
    done++;
    warmMs += Math.min(msA, msB);
    const slower = Math.max(msA, msB);
    if (done === 1 && rule.verySlowMs !== undefined && slower >= rule.verySlowMs) {
      return {
        a: { times: [msA], warmup: 0, output: outA as A },
        b: { times: [msB], warmup: 0, output: outB as B },
      };
    }
    if (done === 1 && rule.slowMs !== undefined && slower >= rule.slowMs) {
      slow = true;
      warmup = Math.max(1, rule.slowWarmup ?? 1);
      runs = Math.min(runs, rule.slowRuns ?? 3);
    }
  }
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let i = 0; i < runs; i++) {
    timesA.push(await onceA());
    timesB.push(await onceB());
  }
  if (timesA.length === 0 && done === 0) throw new Error('timing rule with no calls');
  return {
    a: { times: timesA, warmup: done, output: outA as A },
    b: { times: timesB, warmup: done, output: outB as B },
  };
}
