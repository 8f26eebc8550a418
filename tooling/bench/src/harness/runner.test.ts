import { describe, expect, it, vi } from 'vitest';
import type { BenchContext } from './context.js';
import { summarize, verdict } from './report.js';
import { runCaseWithLimit } from './runner.js';
import type { BenchCase, BenchRow, Check, PeerSide, PreparedCase } from './types.js';

const ctx = { log: () => {} } as unknown as BenchContext;
const row: BenchRow = {
  id: 'r',
  number: 1,
  title: 'test row',
  goal: 1,
  correctness: 'same number',
  cases: () => [],
};
const same = (a: unknown, b: unknown): Check => ({ ok: a === b, detail: `${a} vs ${b}` });
const never = () => new Promise<never>(() => {});

function benchCase(prepare: () => Promise<PreparedCase<unknown>>): BenchCase {
  return { id: 'r/case', workload: 'w', prepare };
}

function python(busy = false) {
  return { busy: vi.fn(() => busy), restart: vi.fn(() => true) };
}

/** A peer of this process that logs its calls; `answer` is what it returns. */
function inProcess(name: string, log: string[], answer = 42): PeerSide<unknown> {
  return {
    name,
    unavailable: async () => undefined,
    measure: async () => {
      throw new Error('the harness must alternate an in-process peer, not call measure');
    },
    inProcess: async () => ({
      run: () => {
        log.push('P');
        return answer;
      },
      finish: async (last) => ({ output: last, note: 'finished' }),
    }),
  };
}

/** A peer of another process (like the Python ones): timed on its own by `measure`. */
function outOfProcess(name: string, log: string[], answer = 42): PeerSide<unknown> {
  return {
    name,
    unavailable: async () => undefined,
    measure: async () => {
      log.push('Y');
      return { times: [1, 1, 1], warmup: 1, output: answer };
    },
  };
}

describe('runCaseWithLimit', () => {
  it('takes an Ocelot side measured elsewhere (a browser page) from measureElsewhere, not run', async () => {
    const log: string[] = [];
    const c = benchCase(async () => ({
      ocelot: {
        available: true,
        label: 'o',
        run: () => {
          throw new Error('the harness must not call run when measureElsewhere is set');
        },
        measureElsewhere: async (rule) => {
          log.push(`E${rule.warmup}+${rule.runs}`);
          return { times: [2, 4, 3], warmup: 5, output: 42 };
        },
      },
      peers: [outOfProcess('page peer', log)],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(), row, c, 10_000);
    expect(log).toEqual(['E3+7', 'Y']);
    expect(r.ocelot).toEqual({ kind: 'measured', label: 'o', medianMs: 3, runs: '5+3' });
    const p = r.peers[0]!;
    expect(p.kind === 'measured' && p.check).toEqual({ ok: true, detail: '42 vs 42' });
  });

  it('times an in-process peer in alternation with Ocelot, other peers on their own after', async () => {
    const log: string[] = [];
    const c = benchCase(async () => ({
      ocelot: {
        available: true,
        label: 'o',
        run: () => {
          log.push('O');
          return 42;
        },
      },
      peers: [outOfProcess('python', log), inProcess('ort', log)],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(), row, c, 10_000);
    // alternated O/P pairs (≥ 3 warm-ups until 200 ms or the 1000-call cap, then 7 timed), then Python
    expect(log.join('')).toMatch(/^(OP){10,}Y$/);
    expect(r.ocelot.kind).toBe('measured');
    // the table keeps the row's peer order; the cross-check is against the first in that order
    expect(r.peers.map((p) => p.name)).toEqual(['python', 'ort']);
    const ort = r.peers[1]!;
    expect(ort.kind === 'measured' && ort.ocelot?.runs).toMatch(/^\d+\+7$/);
    expect(ort.kind === 'measured' && ort.note).toBe('finished');
    expect(ort.kind === 'measured' && ort.crossCheck?.against).toBe('python');
    expect(r.peers.every((p) => p.kind === 'measured' && p.check?.ok !== false)).toBe(true);
    expect(r.timedOut).toBeUndefined();
  });

  it('flags a wrong in-process answer as FAILED', async () => {
    const log: string[] = [];
    const c = benchCase(async () => ({
      ocelot: { available: true, label: 'o', run: () => 1 },
      peers: [inProcess('ort', log, 2)],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(), row, c, 10_000);
    expect(verdict(r, r.peers[0])).toBe('FAILED');
  });

  it('measures an in-process peer on its own when Ocelot is not available', async () => {
    const c = benchCase(async () => ({
      ocelot: { available: false, reason: 'not built' },
      peers: [outOfProcess('python', [])],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(), row, c, 10_000);
    expect(verdict(r, r.peers[0])).toBe('not yet available');
  });

  it('reports a case whose preparation never settles as timed out and returns', async () => {
    const py = python(false);
    const r = await runCaseWithLimit(ctx, py, row, benchCase(never), 50);
    expect(r.timedOut).toMatch(/timed out after 0 s while preparing the inputs/);
    expect(r.ocelot.kind).toBe('timedOut');
    expect(verdict(r, r.peers[0])).toBe('timed out');
    expect(summarize([r]).timedOut).toBe(1);
    expect(summarize([r]).pass).toBe(0);
    expect(py.restart).not.toHaveBeenCalled();
  });

  it('keeps what was measured and marks the stuck peer; restarts a busy Python worker', async () => {
    const log: string[] = [];
    const stuck: PeerSide<unknown> = {
      name: 'stuck python peer',
      unavailable: async () => undefined,
      measure: never,
    };
    const c = benchCase(async () => ({
      ocelot: { available: true, label: 'o', run: () => 42 },
      peers: [outOfProcess('python', log), stuck],
      check: same,
    }));
    const py = python(true);
    const r = await runCaseWithLimit(ctx, py, row, c, 50);
    expect(py.restart).toHaveBeenCalledOnce();
    expect(r.timedOut).toMatch(/while stuck python peer; the Python peer worker was killed/);
    expect(r.ocelot.kind).toBe('measured');
    expect(r.peers.map((p) => [p.name, verdict(r, p)])).toEqual([
      ['python', 'pass'],
      ['stuck python peer', 'timed out'],
    ]);
  });

  it('times out an alternated run that stops answering', async () => {
    const hanging: PeerSide<unknown> = {
      name: 'ort',
      unavailable: async () => undefined,
      measure: never,
      inProcess: async () => ({ run: never, finish: async (last) => ({ output: last }) }),
    };
    const c = benchCase(async () => ({
      ocelot: { available: true, label: 'o', run: () => 42 },
      peers: [hanging],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(false), row, c, 50);
    expect(r.timedOut).toMatch(/while Ocelot and ort in alternation/);
    expect(verdict(r, r.peers[0])).toBe('timed out');
  });

  it('stops an abandoned case: no timed call runs after its time is up', async () => {
    const log: string[] = [];
    const late: PeerSide<unknown> = {
      ...inProcess('ort', log),
      // the peer's session takes longer to load than the case may take
      inProcess: async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { run: () => log.push('P'), finish: async (last) => ({ output: last }) };
      },
    };
    const c = benchCase(async () => ({
      ocelot: {
        available: true,
        label: 'o',
        run: () => {
          log.push('O');
          return 42;
        },
      },
      peers: [late, outOfProcess('python', log)],
      check: same,
    }));
    const r = await runCaseWithLimit(ctx, python(false), row, c, 50);
    expect(r.timedOut).toMatch(/in alternation/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log).toEqual([]);
  });
});
