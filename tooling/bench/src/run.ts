/**
 * `pnpm bench`: Ocelot beside its peers in the same run, as ratios (BENCHMARKS.md).
 *
 *   pnpm bench                                  every row, writes tooling/bench/RESULTS.md
 *   pnpm --filter @ocelot/bench bench --quick --filter nms,roi-align
 *
 * Options (or OCELOT_BENCH_* variables, which pass through turbo):
 *   --quick            fewer sizes (OCELOT_BENCH_QUICK=1)
 *   --filter a,b       row ids or case-id prefixes, e.g. nms, nms/clustered, coco-eval/bbox
 *                      (OCELOT_BENCH_FILTER)
 *   --list             print the row and case ids and exit
 *   --out FILE         where to write the results (default RESULTS.md for a full run,
 *                      results/partial.md when filtered or quick; OCELOT_BENCH_OUT)
 *   --note TEXT        a line for the Notes section, e.g. "machine loaded" (OCELOT_BENCH_NOTE)
 *   --seed N           input seed (default 20240611; OCELOT_BENCH_SEED)
 *   --case-timeout S   wall-clock limit of one case in seconds (default 300;
 *                      OCELOT_BENCH_CASE_TIMEOUT): a case still running then is reported as
 *                      "timed out" and the run moves on (a stuck Python worker is restarted)
 *   OCELOT_BENCH_PYTHON  Python for the peers (default /usr/bin/python3)
 *   OCELOT_BENCH_DIR     scratch dir for inputs and the cached COCO set (default <tmp>/ocelot-bench)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchContext } from './harness/context.js';
import { environment, loadAverage } from './harness/env.js';
import { InputStore } from './harness/files.js';
import { ocelotBuildNotes } from './harness/ocelot.js';
import { ORT_SESSION_OPTIONS, ortVersion, releaseOrtSessions } from './harness/ort.js';
import { PythonPeers } from './harness/python.js';
import {
  type CaseReport,
  consoleLines,
  details,
  summarize,
  summaryLine,
  writeResults,
} from './harness/report.js';
import { runCaseWithLimit } from './harness/runner.js';
import { STANDARD_TIMING } from './harness/timing.js';
import type { BenchCase, BenchRow } from './harness/types.js';
import { ROWS } from './rows/index.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '..', '..');

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      filter: { type: 'string' },
      list: { type: 'boolean', default: false },
      out: { type: 'string' },
      note: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'case-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  const env = process.env;
  return {
    quick: values.quick || env.OCELOT_BENCH_QUICK === '1',
    filter: (values.filter ?? env.OCELOT_BENCH_FILTER ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    list: values.list,
    out: values.out ?? env.OCELOT_BENCH_OUT,
    notes: [...(values.note ?? []), ...(env.OCELOT_BENCH_NOTE ? [env.OCELOT_BENCH_NOTE] : [])],
    seed: Number(values.seed ?? env.OCELOT_BENCH_SEED ?? 20240611),
    caseTimeoutS: Number(values['case-timeout'] ?? env.OCELOT_BENCH_CASE_TIMEOUT ?? 300),
    help: values.help,
  };
}

function selected(row: BenchRow, c: BenchCase, filter: readonly string[]): boolean {
  if (filter.length === 0) return true;
  return filter.some((f) => f === row.id || c.id === f || c.id.startsWith(`${f}/`));
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.help) {
    process.stdout.write(`${readHelp()}\n`);
    return 0;
  }
  if (!(opts.caseTimeoutS > 0)) {
    process.stderr.write(
      '--case-timeout (OCELOT_BENCH_CASE_TIMEOUT) must be a positive number of seconds\n',
    );
    return 2;
  }
  const benchDir = process.env.OCELOT_BENCH_DIR ?? join(tmpdir(), 'ocelot-bench');
  const python = new PythonPeers(
    process.env.OCELOT_BENCH_PYTHON ?? '/usr/bin/python3',
    join(REPO_DIR, 'tooling', 'python', 'bench', 'peer_worker.py'),
  );
  const ctx: BenchContext = {
    quick: opts.quick,
    seed: opts.seed,
    benchDir,
    inputs: new InputStore(benchDir, opts.seed),
    python,
    log: (m) => process.stderr.write(`${m}\n`),
  };

  const plan = ROWS.map((row) => ({
    row,
    cases: row.cases(ctx).filter((c) => selected(row, c, opts.filter)),
  })).filter((p) => p.cases.length > 0);

  if (opts.list || plan.length === 0) {
    const all = ROWS.map((row) => ({ row, cases: row.cases(ctx) }));
    for (const { row, cases } of all) {
      process.stdout.write(`${row.id}  (#${row.number} ${row.title})\n`);
      for (const c of cases) process.stdout.write(`  ${c.id}  ${c.workload}\n`);
    }
    if (plan.length === 0) {
      process.stderr.write(`no case matches --filter ${opts.filter.join(',')}\n`);
      return 2;
    }
    return 0;
  }

  const started = Date.now();
  const env = environment();
  const partial = opts.quick || opts.filter.length > 0;
  const out = opts.out ?? join(PACKAGE_DIR, partial ? 'results/partial.md' : 'RESULTS.md');
  const command = `pnpm bench${opts.quick ? ' --quick' : ''}${opts.filter.length ? ` --filter ${opts.filter.join(',')}` : ''}`;
  process.stdout.write(
    `Ocelot bench — ${env.date}, node ${env.node}, nproc ${env.nproc}, ${env.cpu}, load ${env.loadAtStart}\n`,
  );
  const buildNotes = await ocelotBuildNotes();
  for (const n of buildNotes) process.stdout.write(`  ! ${n}\n`);

  const reports: CaseReport[] = [];
  let pyVersions: Record<string, string> = {};
  try {
    for (const { row, cases } of plan) {
      process.stdout.write(
        `\n#${row.number} ${row.title} (goal ≥ ${row.goal}×, ${row.correctness})\n`,
      );
      for (const c of cases) {
        ctx.log(`  ▶ ${c.id}`);
        const report = await runCaseWithLimit(ctx, python, row, c, opts.caseTimeoutS * 1000);
        reports.push(report);
        for (const line of consoleLines(report)) process.stdout.write(`${line}\n`);
        for (const d of details(report)) {
          if (!d.includes(': ok — ') && !d.includes(': peers agree ('))
            process.stdout.write(`      ${d}\n`);
        }
      }
    }
  } finally {
    // Versions for the header come from the worker's probe: asked before the worker is closed.
    // (Asked after, as before, a run whose rows used no Python peer — realworld-e2e alone —
    // spawned a fresh worker just for the probe and never closed it: the results were written,
    // then Node sat idle for ever beside an idle worker whose open stdin kept it alive.)
    pyVersions = await python.versions(PROBE_LIMIT_MS);
    python.close();
    await releaseOrtSessions();
  }

  const versions = [
    `onnxruntime-node ${ortVersion()} (intraOpNumThreads ${ORT_SESSION_OPTIONS.intraOpNumThreads}, interOpNumThreads ${ORT_SESSION_OPTIONS.interOpNumThreads}, ${ORT_SESSION_OPTIONS.executionMode} execution)`,
    `Python peers: ${Object.entries(pyVersions)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} (torch.set_num_threads(1), set_num_interop_threads(1), cv2.setNumThreads(1), OMP/MKL_NUM_THREADS=1)`,
  ];
  const rules = [
    `timing: ${STANDARD_TIMING.warmup} warm-up runs (in this Node process: more, until the warm-ups took ${STANDARD_TIMING.minWarmupMs} ms, so V8 has optimised the code — the first case of a run measured up to 4× slow otherwise), then the median of ${STANDARD_TIMING.runs}, on both sides; when the first warm-up call takes ≥ ${STANDARD_TIMING.slowMs} ms that side does ${STANDARD_TIMING.slowWarmup} warm-up + median of ${STANDARD_TIMING.slowRuns}, and when it takes ≥ ${STANDARD_TIMING.verySlowMs} ms that first call is the one measurement ("runs" column: warm-ups+timed, Ocelot / peer); rows with their own rule say so in the notes below`,
    `timing of peers in this Node process (onnxruntime graphs, the model's own session.run, sharp, plain JS): Ocelot and the peer are timed in alternation — O, P, O, P, … through the warm-ups and the timed runs, the same counts on both sides (the slow switches look at the slower first call), the median of each side — so a change of machine load during the case hits both sides alike; such a line's Ocelot ms is the one from its alternated run. Python peers (torchvision, OpenCV, pycocotools) run in another process and time their own block after Ocelot's`,
    `each case has a wall-clock limit of ${opts.caseTimeoutS} s (--case-timeout, OCELOT_BENCH_CASE_TIMEOUT): a case still running then is reported "timed out" with what it measured before, a Python worker with a request in flight is killed and restarted, and the run moves on`,
    `inputs: seed ${opts.seed}, written once per run under ${ctx.inputs.dir} and read by both sides`,
  ];
  const notes = [...opts.notes, ...buildNotes];
  const load1 = Number(env.loadAtStart.split(' / ')[0]);
  if (load1 > 0.5 * env.nproc) {
    notes.push(
      `the machine was loaded when the run started (1-min load ${load1.toFixed(2)} on ${env.nproc} CPUs): ratios are noisier than on an idle machine`,
    );
  }
  writeResults(out, {
    env,
    loadAtEnd: loadAverage(),
    command,
    versions,
    timingRules: rules,
    notes,
    cases: reports,
    wallSeconds: (Date.now() - started) / 1000,
  });
  const s = summarize(reports);
  process.stdout.write(`\n${summaryLine(s)}\nwrote ${out}\n`);
  return s.failed > 0 || s.timedOut > 0 ? 1 : 0;
}

function readHelp(): string {
  const src = fileURLToPath(import.meta.url);
  return `see the header of ${src} and tooling/bench/README.md`;
}

/** How long the version probe may take before the header says so instead. */
const PROBE_LIMIT_MS = 120_000;

/**
 * Once main() is done, anything still holding the event loop (a child, a socket, a native
 * handle) would keep the process alive with nothing left to do: after a grace period the
 * process exits anyway, saying so. The timer is unref'd, so it never delays a clean exit.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write('bench: finished, but open handles kept the process alive; exiting\n');
    process.exit(code);
  }, 10_000).unref();
}

main().then(exitSoon, (error) => {
  process.stderr.write(`bench crashed: ${(error as Error).stack ?? String(error)}\n`);
  exitSoon(1);
});
