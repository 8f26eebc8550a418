/** Turns measured cases into the console table and tooling/bench/RESULTS.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Environment } from './env.js';
import { median, runsLabel } from './timing.js';
import type { BenchRow, Check } from './types.js';

export interface SideTiming {
  readonly medianMs: number;
  readonly runs: string;
}

export type OcelotReport =
  | ({ readonly kind: 'measured'; readonly label: string } & SideTiming)
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'timedOut'; readonly reason: string };

export type PeerReport =
  | ({
      readonly kind: 'measured';
      readonly name: string;
      readonly check?: Check;
      /** This peer's answer against the first measured peer's (validates the peers themselves). */
      readonly crossCheck?: Check & { readonly against: string };
      readonly note?: string;
      /**
       * Ocelot's timing from the alternated run with this peer (in-process peers); the ratio
       * of this line uses it instead of the case's Ocelot column.
       */
      readonly ocelot?: SideTiming;
    } & SideTiming)
  | { readonly kind: 'skipped'; readonly name: string; readonly reason: string }
  | { readonly kind: 'error'; readonly name: string; readonly error: string }
  | { readonly kind: 'timedOut'; readonly name: string; readonly reason: string };

export interface CaseReport {
  readonly row: BenchRow;
  readonly caseId: string;
  readonly workload: string;
  readonly ocelot: OcelotReport;
  readonly peers: readonly PeerReport[];
  /** Set when preparing the case failed (inputs, data set generation). */
  readonly error?: string;
  /** Set when the whole case cannot run on this machine (SkipCase). */
  readonly skipped?: string;
  /** Set when the case hit the per-case wall-clock limit: why and where it stopped. */
  readonly timedOut?: string;
}

export type Verdict =
  | 'pass'
  | 'below goal'
  | 'FAILED'
  | 'timed out'
  | 'not yet available'
  | 'skipped'
  | 'error';

export function timing(m: { warmup: number; times: readonly number[] }): SideTiming {
  return { medianMs: median(m.times), runs: runsLabel(m) };
}

export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}

function ratioOf(c: CaseReport, p: PeerReport): number | undefined {
  if (c.ocelot.kind !== 'measured' || p.kind !== 'measured') return undefined;
  return p.medianMs / (p.ocelot ?? c.ocelot).medianMs;
}

/** The verdict of one (case, peer) line. A wrong answer is FAILED however fast. */
export function verdict(c: CaseReport, p: PeerReport | undefined): Verdict {
  if (c.skipped !== undefined) return 'skipped';
  if (c.ocelot.kind === 'timedOut' || p?.kind === 'timedOut') return 'timed out';
  if (c.error || c.ocelot.kind === 'error') return 'FAILED';
  if (c.ocelot.kind === 'unavailable') return 'not yet available';
  if (!p) return 'skipped';
  if (p.kind === 'skipped') return 'skipped';
  if (p.kind === 'error') return 'error';
  if (p.check && !p.check.ok) return 'FAILED';
  const r = ratioOf(c, p);
  return r !== undefined && r >= c.row.goal ? 'pass' : 'below goal';
}

interface Line {
  readonly number: string;
  readonly workload: string;
  readonly ocelotMs: string;
  readonly peer: string;
  readonly peerMs: string;
  readonly ratio: string;
  readonly goal: string;
  readonly runs: string;
  readonly result: string;
}

function lines(c: CaseReport): Line[] {
  const caseMs =
    c.ocelot.kind === 'measured'
      ? formatMs(c.ocelot.medianMs)
      : c.ocelot.kind === 'error'
        ? 'error'
        : c.ocelot.kind === 'timedOut'
          ? 'timed out'
          : '—';
  const caseRuns = c.ocelot.kind === 'measured' ? c.ocelot.runs : '—';
  const goal = `≥ ${c.row.goal}×`;
  const peers: (PeerReport | undefined)[] = c.peers.length ? [...c.peers] : [undefined];
  return peers.map((p) => {
    const r = p ? ratioOf(c, p) : undefined;
    const v = verdict(c, p);
    // an in-process peer's line shows the Ocelot timing it was alternated with
    const paired = p?.kind === 'measured' && c.ocelot.kind === 'measured' ? p.ocelot : undefined;
    const ocelotMs = paired ? formatMs(paired.medianMs) : caseMs;
    const ocelotRuns = paired ? paired.runs : caseRuns;
    return {
      number: String(c.row.number),
      workload: c.workload,
      ocelotMs,
      peer: p ? p.name : '—',
      peerMs:
        p?.kind === 'measured'
          ? formatMs(p.medianMs)
          : p?.kind === 'error'
            ? 'error'
            : p?.kind === 'timedOut'
              ? 'timed out'
              : '—',
      ratio: r === undefined ? '—' : `${r.toFixed(2)}×`,
      goal,
      runs: `${ocelotRuns} / ${p?.kind === 'measured' ? p.runs : '—'}`,
      result: v,
    };
  });
}

const HEADER: Line = {
  number: '#',
  workload: 'workload',
  ocelotMs: 'Ocelot ms',
  peer: 'peer',
  peerMs: 'peer ms',
  ratio: 'peer/Ocelot',
  goal: 'goal',
  runs: 'runs O / peer',
  result: 'result',
};
const KEYS = Object.keys(HEADER) as (keyof Line)[];

/** The lines of one case as plain aligned text (printed as each case finishes). */
export function consoleLines(c: CaseReport): string[] {
  return lines(c).map(
    (l) =>
      `  ${l.workload.padEnd(46)} ${l.ocelotMs.padStart(9)}  ${l.peer.padEnd(28)} ${l.peerMs.padStart(9)}  ${l.ratio.padStart(8)}  ${l.goal}  ${l.runs.padEnd(11)} ${l.result}`,
  );
}

/** Why a line is not a plain pass: check details, skip reasons, errors. */
export function details(c: CaseReport): string[] {
  const out: string[] = [];
  if (c.skipped !== undefined) out.push(`${c.caseId}: skipped — ${c.skipped}`);
  if (c.error) out.push(`${c.caseId}: case failed before timing: ${c.error}`);
  if (c.ocelot.kind === 'unavailable' && c.skipped === undefined) {
    out.push(`${c.caseId}: Ocelot — ${c.ocelot.reason}`);
  }
  if (c.ocelot.kind === 'error') out.push(`${c.caseId}: Ocelot threw — ${c.ocelot.error}`);
  if (c.timedOut !== undefined) out.push(`${c.caseId}: TIMED OUT — ${c.timedOut}`);
  for (const p of c.peers) {
    if (p.kind === 'skipped') out.push(`${c.caseId} vs ${p.name}: skipped — ${p.reason}`);
    else if (p.kind === 'timedOut')
      continue; // the case line above says it
    else if (p.kind === 'error') out.push(`${c.caseId} vs ${p.name}: peer error — ${p.error}`);
    else {
      if (p.check)
        out.push(`${c.caseId} vs ${p.name}: ${p.check.ok ? 'ok' : 'WRONG'} — ${p.check.detail}`);
      if (p.crossCheck) {
        const x = p.crossCheck;
        out.push(
          `${c.caseId}: peers ${x.ok ? 'agree' : 'DISAGREE'} (${p.name} vs ${x.against}) — ${x.detail}`,
        );
      }
      if (p.note) out.push(`${c.caseId} vs ${p.name}: note — ${p.note}`);
    }
  }
  return out;
}

function markdownTable(cases: readonly CaseReport[]): string {
  const rows = [HEADER, ...cases.flatMap(lines)];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = rows.map((l) => `| ${KEYS.map((k) => esc(l[k])).join(' | ')} |`);
  out.splice(
    1,
    0,
    `|${KEYS.map((k) => (k === 'workload' || k === 'peer' || k === 'result' ? '---' : '---:')).join('|')}|`,
  );
  return out.join('\n');
}

export interface Summary {
  readonly pass: number;
  readonly belowGoal: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly notYet: number;
  readonly skipped: number;
  readonly errors: number;
}

export function summarize(cases: readonly CaseReport[]): Summary {
  const s = { pass: 0, belowGoal: 0, failed: 0, timedOut: 0, notYet: 0, skipped: 0, errors: 0 };
  for (const c of cases) {
    const peers: (PeerReport | undefined)[] = c.peers.length ? [...c.peers] : [undefined];
    for (const p of peers) {
      const v = verdict(c, p);
      if (v === 'pass') s.pass++;
      else if (v === 'below goal') s.belowGoal++;
      else if (v === 'FAILED') s.failed++;
      else if (v === 'timed out') s.timedOut++;
      else if (v === 'not yet available') s.notYet++;
      else if (v === 'skipped') s.skipped++;
      else s.errors++;
    }
  }
  return s;
}

export function summaryLine(s: Summary): string {
  return `${s.pass} pass, ${s.belowGoal} below goal, ${s.failed} FAILED, ${s.timedOut} timed out, ${s.notYet} not yet available, ${s.skipped} skipped, ${s.errors} peer errors`;
}

export interface ResultsDocument {
  readonly env: Environment;
  readonly loadAtEnd: string;
  readonly command: string;
  readonly versions: readonly string[];
  readonly timingRules: readonly string[];
  readonly notes: readonly string[];
  readonly cases: readonly CaseReport[];
  readonly wallSeconds: number;
}

export function writeResults(path: string, doc: ResultsDocument): void {
  const e = doc.env;
  const out: string[] = [
    '# Ocelot benchmark results',
    '',
    'Written by `pnpm bench` (tooling/bench/src/run.ts); do not edit by hand. Ratio = peer ms / Ocelot ms',
    '(≥ 1× means Ocelot is as fast or faster). A wrong answer is FAILED however fast.',
    '',
    `- date: ${e.date}`,
    `- command: \`${doc.command}\` (${Math.round(doc.wallSeconds)} s wall)`,
    `- node: ${e.node}`,
    `- nproc: ${e.nproc}`,
    `- CPU: ${e.cpu}`,
    `- load average (1/5/15 min): ${e.loadAtStart} at start, ${doc.loadAtEnd} at end`,
    `- Ocelot: commit ${e.commit}, built dist/ of @ocelot/*`,
    ...doc.versions.map((v) => `- ${v}`),
    ...doc.timingRules.map((t) => `- ${t}`),
    '',
  ];
  if (doc.notes.length) {
    out.push('## Notes', '', ...doc.notes.map((n) => `- ${n}`), '');
  }
  out.push(
    '## Results',
    '',
    markdownTable(doc.cases),
    '',
    `Summary: ${summaryLine(summarize(doc.cases))}.`,
    '',
  );
  const det = doc.cases.flatMap(details);
  if (det.length)
    out.push('## Checks, skips and notes per line', '', ...det.map((d) => `- ${d}`), '');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${out.join('\n')}`);
}
