import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { measure, measureAlternating, median, runsLabel, STANDARD_TIMING } from './timing.js';

/** A fake clock: each call of the returned fn takes the next duration in `durations` (ms). */
function timedCalls(durations: number[]) {
  let now = 0;
  let calls = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  const fn = () => {
    now += durations[Math.min(calls, durations.length - 1)]!;
    return ++calls;
  };
  return { fn, calls: () => calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two otherwise', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder its argument', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty list', () => {
    expect(() => median([])).toThrow(/empty/);
  });
});

/** The standard counts without the warm-up time floor. */
const COUNTS_ONLY = { ...STANDARD_TIMING, minWarmupMs: 0 };

describe('measure', () => {
  it('makes 3 warm-up calls then times 7 (the standard counts)', async () => {
    const { fn, calls } = timedCalls([5]);
    const m = await measure(fn, COUNTS_ONLY);
    expect(calls()).toBe(10);
    expect(m.warmup).toBe(3);
    expect(m.times).toEqual([5, 5, 5, 5, 5, 5, 5]);
    expect(m.output).toBe(10);
    expect(runsLabel(m)).toBe('3+7');
  });

  it('keeps warming up until the warm-ups took minWarmupMs (200 ms by default)', async () => {
    const { fn, calls } = timedCalls([5]);
    const m = await measure(fn);
    expect(m.warmup).toBe(40);
    expect(calls()).toBe(47);
    expect(runsLabel(m)).toBe('40+7');
    const capped = await measure(timedCalls([5]).fn, { ...STANDARD_TIMING, maxWarmup: 10 });
    expect(capped.warmup).toBe(10);
  });

  it('times only the timed calls', async () => {
    const { fn } = timedCalls([100, 100, 100, 1, 2, 3, 4, 5, 6, 7]);
    const m = await measure(fn);
    expect(m.times).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(median(m.times)).toBe(4);
  });

  it('switches to 1 + 3 when the first call takes ≥ slowMs', async () => {
    const { fn, calls } = timedCalls([2500, 2400]);
    const m = await measure(fn, STANDARD_TIMING);
    expect(runsLabel(m)).toBe('1+3');
    expect(calls()).toBe(4);
  });

  it('keeps the first call as the only measurement when it takes ≥ verySlowMs', async () => {
    const { fn, calls } = timedCalls([12_000]);
    const m = await measure(fn, STANDARD_TIMING);
    expect(runsLabel(m)).toBe('0+1');
    expect(m.times).toEqual([12_000]);
    expect(calls()).toBe(1);
  });

  it('awaits asynchronous calls inside the timer', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const fn = async () => {
      await Promise.resolve();
      now += 4;
      return 'done';
    };
    const m = await measure(fn, { warmup: 1, runs: 3 });
    expect(m.times).toEqual([4, 4, 4]);
    expect(m.output).toBe('done');
  });
});

describe('measureAlternating', () => {
  /** Two fake sides on one clock; `log` records the call order. */
  function sides(da: number[], db: number[]) {
    let now = 0;
    const log: string[] = [];
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    let ca = 0;
    let cb = 0;
    const a = () => {
      now += da[Math.min(ca, da.length - 1)]!;
      log.push('a');
      return ++ca;
    };
    const b = async () => {
      await Promise.resolve();
      now += db[Math.min(cb, db.length - 1)]!;
      log.push('b');
      return -++cb;
    };
    return { a, b, log };
  }

  it('alternates a, b, a, b through 3 warm-up pairs and 7 timed pairs', async () => {
    const { a, b, log } = sides([2], [5]);
    const m = await measureAlternating(a, b, COUNTS_ONLY);
    expect(log.join('')).toBe('ab'.repeat(10));
    expect(m.a.times).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(m.b.times).toEqual([5, 5, 5, 5, 5, 5, 5]);
    expect(runsLabel(m.a)).toBe('3+7');
    expect(runsLabel(m.b)).toBe('3+7');
    expect(m.a.output).toBe(10);
    expect(m.b.output).toBe(-10);
  });

  it('warms both sides up until the faster side took minWarmupMs', async () => {
    const { a, b } = sides([2], [5]);
    const m = await measureAlternating(a, b);
    expect(runsLabel(m.a)).toBe('100+7');
    expect(runsLabel(m.b)).toBe('100+7');
  });

  it('charges each side only its own calls, so a load step hits both alike', async () => {
    // the machine gets 3× slower halfway through: both medians move together
    const { a, b } = sides([1, 1, 1, 1, 1, 1, 3, 3, 3, 3], [2, 2, 2, 2, 2, 2, 6, 6, 6, 6]);
    const m = await measureAlternating(a, b);
    expect(median(m.b.times) / median(m.a.times)).toBe(2);
  });

  it('switches both sides to 1 + 3 when the slower first call takes ≥ slowMs', async () => {
    const { a, b, log } = sides([1], [2500, 2400]);
    const m = await measureAlternating(a, b, STANDARD_TIMING);
    expect(runsLabel(m.a)).toBe('1+3');
    expect(runsLabel(m.b)).toBe('1+3');
    expect(log.join('')).toBe('ab'.repeat(4));
  });

  it('keeps the first pair as the only measurement when one call takes ≥ verySlowMs', async () => {
    const { a, b, log } = sides([12_000], [3]);
    const m = await measureAlternating(a, b, STANDARD_TIMING);
    expect(m.a.times).toEqual([12_000]);
    expect(m.b.times).toEqual([3]);
    expect(runsLabel(m.a)).toBe('0+1');
    expect(log.join('')).toBe('ab');
  });
});
