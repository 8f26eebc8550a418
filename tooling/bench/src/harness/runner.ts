/**
 * Runs one case: Ocelot and its peers, in-process peers in alternation with Ocelot, under a
 * per-case wall-clock limit (see `runCaseWithLimit`).
 */
import type { BenchContext } from './context.js';
import type { PythonPeers } from './python.js';
import {
  type CaseReport,
  type OcelotReport,
  type PeerReport,
  type SideTiming,
  timing,
} from './report.js';
import { type Alternated, measure, measureAlternating, STANDARD_TIMING } from './timing.js';
import {
  type BenchCase,
  type BenchRow,
  type InProcessPeer,
  type PeerSide,
  SkipCase,
} from './types.js';

function errorText(error: unknown): string {
  const e = error as Error;
  return (e?.message ?? String(error)).split('\n').slice(0, 12).join('\n');
}

class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

/** Enters the next phase of a case, or stops an abandoned (timed-out) case right there. */
function step(progress: Progress, phase: string): void {
  if (progress.cancelled) throw new Cancelled(`abandoned after timing out while ${progress.phase}`);
  progress.phase = phase;
}

/** `fn`, but throwing once the case has been abandoned: its timing loop stops at the next call. */
function guard<T>(progress: Progress, fn: () => T): () => T {
  return () => {
    if (progress.cancelled) throw new Cancelled('abandoned after timing out');
    return fn();
  };
}

/** What a case has done so far: a timed-out case is reported from this. */
interface Progress {
  /** Set by the time limit: the abandoned case must not go on timing beside the next one. */
  cancelled?: boolean;
  phase: string;
  ocelot?: OcelotReport;
  peers: PeerReport[];
  /** The peer being measured when the case stopped, if any. */
  peer?: string | undefined;
}

async function runCase(
  ctx: BenchContext,
  row: BenchRow,
  c: BenchCase,
  progress: Progress,
): Promise<CaseReport> {
  const base = { row, caseId: c.id, workload: c.workload };
  let prepared: Awaited<ReturnType<BenchCase['prepare']>>;
  try {
    step(progress, 'preparing the inputs');
    prepared = await c.prepare(ctx);
  } catch (error) {
    if (error instanceof SkipCase) {
      return {
        ...base,
        ocelot: { kind: 'unavailable', reason: 'not run' },
        peers: [],
        skipped: error.message,
      };
    }
    return {
      ...base,
      ocelot: { kind: 'error', error: 'not run' },
      peers: [],
      error: errorText(error),
    };
  }
  try {
    let ocelot: OcelotReport | undefined;
    let answer: unknown;
    const rule = prepared.timing ?? STANDARD_TIMING;
    const peers = progress.peers;
    const outputs = new Map<string, unknown>();
    const record = (
      peer: PeerSide<unknown>,
      m: { times: readonly number[]; warmup: number; output: unknown },
      note: string | undefined,
      ocelotTiming?: SideTiming,
    ) => {
      const check =
        ocelot?.kind === 'measured' ? prepared.check(answer, m.output, peer.name) : undefined;
      outputs.set(peer.name, m.output);
      peers.push({
        kind: 'measured',
        name: peer.name,
        ...timing(m),
        ...(ocelotTiming ? { ocelot: ocelotTiming } : {}),
        ...(check ? { check } : {}),
        ...(note ? { note } : {}),
      });
    };
    // Peers in this process are timed in alternation with Ocelot (O, P, O, P, …); the first
    // such pairing also gives the Ocelot column. Other peers (Python) are timed on their own,
    // after Ocelot's own block when no in-process peer gave Ocelot a timing.
    const usable: PeerSide<unknown>[] = [];
    for (const peer of prepared.peers) {
      step(progress, `probing ${peer.name}`);
      const reason = await peer.unavailable(ctx);
      if (reason) peers.push({ kind: 'skipped', name: peer.name, reason });
      else usable.push(peer);
    }
    const ocelotSide = prepared.ocelot;
    if (!ocelotSide.available) {
      ocelot = { kind: 'unavailable', reason: ocelotSide.reason };
    } else {
      for (const peer of usable) {
        if (!peer.inProcess) continue;
        step(progress, `Ocelot and ${peer.name} in alternation`);
        progress.peer = peer.name;
        ctx.log(`    Ocelot ${ocelotSide.label} ⇄ ${peer.name} …`);
        let started: InProcessPeer<unknown> | undefined;
        try {
          started = await peer.inProcess(ctx);
          const p = started;
          let m: Alternated<unknown, unknown>;
          try {
            m = await measureAlternating(
              guard(progress, ocelotSide.run),
              guard(progress, () => p.run()),
              rule,
            );
          } catch (error) {
            // tell which side threw: Ocelot alone, then the peer is reported as an error
            if (progress.cancelled) throw error;
            try {
              await ocelotSide.run();
            } catch (ocelotError) {
              ocelot = { kind: 'error', error: errorText(ocelotError) };
              break;
            }
            throw error;
          }
          const own = timing(m.a);
          if (ocelot === undefined) {
            ocelot = { kind: 'measured', label: ocelotSide.label, ...own };
            answer = m.a.output;
          }
          const finished = await p.finish(m.b.output);
          record(peer, { ...m.b, output: finished.output }, finished.note ?? peer.note, own);
        } catch (error) {
          peers.push({ kind: 'error', name: peer.name, error: errorText(error) });
        } finally {
          await started?.dispose?.();
        }
        progress.peer = undefined;
      }
      progress.peer = undefined;
      if (ocelot === undefined) {
        step(progress, `Ocelot ${ocelotSide.label}`);
        try {
          ctx.log(`    Ocelot ${ocelotSide.label} …`);
          const m = ocelotSide.measureElsewhere
            ? await ocelotSide.measureElsewhere(rule)
            : await measure(guard(progress, ocelotSide.run), rule);
          answer = m.output;
          ocelot = { kind: 'measured', label: ocelotSide.label, ...timing(m) };
        } catch (error) {
          ocelot = { kind: 'error', error: errorText(error) };
        }
      }
    }
    progress.ocelot = ocelot;
    for (const peer of usable) {
      if (peer.inProcess && ocelot.kind !== 'unavailable') continue; // done above (or Ocelot threw)
      step(progress, peer.name);
      progress.peer = peer.name;
      try {
        ctx.log(`    ${peer.name} …`);
        const m = await peer.measure(ctx, STANDARD_TIMING);
        record(peer, m, peer.note);
      } catch (error) {
        peers.push({ kind: 'error', name: peer.name, error: errorText(error) });
      }
      progress.peer = undefined;
    }
    // The rows' peer order in the table; each measured peer's answer is cross-checked against
    // the first measured one in that order (validates the peers themselves).
    const order = new Map(prepared.peers.map((p, i) => [p.name, i]));
    const sorted = [...peers].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    let reference: { name: string; output: unknown } | undefined;
    const checked = sorted.map((p): PeerReport => {
      if (p.kind !== 'measured') return p;
      const output = outputs.get(p.name);
      if (!reference) {
        reference = { name: p.name, output };
        return p;
      }
      const crossCheck = {
        ...prepared.check(reference.output, output, p.name),
        against: reference.name,
      };
      return { ...p, crossCheck };
    });
    return { ...base, ocelot, peers: checked };
  } finally {
    progress.phase = 'disposing';
    await prepared.dispose?.();
  }
}

/**
 * Runs a case under a wall-clock limit. A case that has not finished after `limitMs` (a hang:
 * an await that never settles, a stuck peer worker) is reported as "timed out" with whatever
 * it measured before, and the suite moves on; when the Python worker has a request in flight it
 * is killed, and the next Python peer starts a fresh one. (A synchronous endless loop in this
 * process cannot be interrupted this way; none of the hangs seen were that: Node sat idle.)
 */
export async function runCaseWithLimit(
  ctx: BenchContext,
  python: Pick<PythonPeers, 'busy' | 'restart'>,
  row: BenchRow,
  c: BenchCase,
  limitMs: number,
): Promise<CaseReport> {
  const progress: Progress = { phase: 'starting', peers: [] };
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limitMs);
  });
  const run = runCase(ctx, row, c, progress);
  try {
    const outcome = await Promise.race([run, limit]);
    if (outcome !== 'timeout') return outcome;
  } finally {
    clearTimeout(timer);
  }
  progress.cancelled = true; // if it ever wakes up, it stops at its next step or timed call
  run.catch(() => undefined); // it may still settle (or fail) later; nobody waits for it
  const seconds = Math.round(limitMs / 1000);
  const killed = python.busy()
    ? python.restart(`case ${c.id} timed out after ${seconds} s`)
    : false;
  const why = `timed out after ${seconds} s while ${progress.phase}${killed ? '; the Python peer worker was killed and is restarted for the next case' : ''}`;
  ctx.log(`    ⏱ ${why}`);
  const peers: PeerReport[] = [...progress.peers];
  if (progress.peer !== undefined && !peers.some((p) => p.name === progress.peer)) {
    peers.push({ kind: 'timedOut', name: progress.peer, reason: why });
  } else if (progress.ocelot !== undefined) {
    // everything was measured, the case stopped after (disposing): still a line that says so
    peers.push({ kind: 'timedOut', name: `(${progress.phase})`, reason: why });
  }
  return {
    ...{ row, caseId: c.id, workload: c.workload },
    ocelot: progress.ocelot ?? { kind: 'timedOut', reason: why },
    peers,
    timedOut: why,
  };
}
