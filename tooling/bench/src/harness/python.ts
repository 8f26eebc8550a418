/**
 * The Python peers: one long-lived `/usr/bin/python3 tooling/python/bench/peer_worker.py`
 * process per bench run, spoken to in JSON lines (see that file for the protocol). Starting
 * it once keeps torch's import time out of every row. When Python or a module is missing, the
 * rows that need it are skipped with the reason; the bench never requires Python.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ArraySpec } from './files.js';
import type { TimingRule } from './timing.js';

/** Modules the peers may use; probed once, their versions go to RESULTS.md. */
export const PYTHON_MODULES = ['numpy', 'torch', 'torchvision', 'cv2', 'pycocotools'] as const;
export type PythonModule = (typeof PYTHON_MODULES)[number];

interface Probe {
  python: string;
  executable: string;
  modules: Record<string, { version: string | null; error?: string }>;
}

/** A peer task's answer: the timed durations, warm-ups done, and an output file or values. */
export interface PythonTaskResult {
  readonly times: number[];
  readonly warmup: number;
  readonly output?: ArraySpec;
  readonly [key: string]: unknown;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class PythonPeers {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail: string[] = [];
  private probed: Promise<Probe | string> | undefined;
  private exited: string | undefined;
  private probeAnswered = false;
  private closed = false;

  constructor(
    readonly executable: string,
    private readonly workerScript: string,
  ) {}

  /** The probe result, or why Python cannot be used at all. */
  probe(): Promise<Probe | string> {
    this.probed ??= this.doProbe();
    return this.probed;
  }

  /**
   * Versions of Python and the importable peer modules (for RESULTS.md). Call it before
   * {@link close}: it probes the worker when no row has. `limitMs` bounds the wait.
   */
  async versions(limitMs?: number): Promise<Record<string, string>> {
    let timer: NodeJS.Timeout | undefined;
    const probe =
      limitMs === undefined
        ? await this.probe()
        : await Promise.race([
            this.probe(),
            new Promise<string>((resolve) => {
              timer = setTimeout(
                () => resolve(`the version probe did not answer within ${limitMs / 1000} s`),
                limitMs,
              );
            }),
          ]).finally(() => clearTimeout(timer));
    if (typeof probe === 'string') return { python: `unavailable (${probe})` };
    const out: Record<string, string> = { python: `${probe.python} (${probe.executable})` };
    for (const [name, info] of Object.entries(probe.modules)) {
      out[name] = info.version ?? `not importable (${info.error ?? 'unknown'})`;
    }
    return out;
  }

  /** Undefined when every module in `modules` is importable; otherwise the reason to skip. */
  async unavailable(modules: readonly PythonModule[]): Promise<string | undefined> {
    const probe = await this.probe();
    if (typeof probe === 'string') return probe;
    const missing = modules.filter((m) => !probe.modules[m]?.version);
    if (missing.length === 0) return undefined;
    const why = missing.map((m) => `${m}: ${probe.modules[m]?.error ?? 'not probed'}`).join('; ');
    return `${missing.join(', ')} not importable by ${this.executable} (${why})`;
  }

  /** Runs one task in the worker. Rejects with the worker's traceback on failure. */
  async call(task: string, args: Record<string, unknown>): Promise<PythonTaskResult> {
    const response = await this.request(task, args);
    return response as unknown as PythonTaskResult;
  }

  /** Timing rule in the worker's JSON shape. */
  static timing(rule: TimingRule): Record<string, number> {
    const out: Record<string, number> = { warmup: rule.warmup, runs: rule.runs };
    if (rule.slowMs !== undefined) out.slowMs = rule.slowMs;
    if (rule.slowWarmup !== undefined) out.slowWarmup = rule.slowWarmup;
    if (rule.slowRuns !== undefined) out.slowRuns = rule.slowRuns;
    if (rule.verySlowMs !== undefined) out.verySlowMs = rule.verySlowMs;
    return out;
  }

  /**
   * Ends the worker: its stdin is closed (it exits at EOF), it no longer keeps Node's event loop
   * alive, and it is killed if it has not exited 5 s later. Requests after this reject.
   */
  close(): void {
    this.closed = true;
    const proc = this.proc;
    if (!proc || this.exited !== undefined) return;
    proc.stdin.end();
    proc.unref();
    for (const s of [proc.stdin, proc.stdout, proc.stderr] as unknown as { unref?(): void }[]) {
      s.unref?.();
    }
    setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }, 5000).unref();
  }

  /** True while a request is waiting for the worker's answer. */
  busy(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Kills the worker (SIGKILL) and rejects what it was asked with `why`; the next request
   * starts a fresh worker. Used by the per-case time limit. Returns whether one was running.
   */
  restart(why: string): boolean {
    const proc = this.proc;
    this.proc = undefined;
    this.exited = undefined;
    for (const p of this.pending.values()) p.reject(new Error(`${why}\n${this.tail()}`));
    this.pending.clear();
    // a probe killed here says nothing about Python: the next row probes the new worker
    if (!this.probeAnswered) this.probed = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return false;
    proc.removeAllListeners('exit');
    proc.removeAllListeners('error');
    proc.on('error', () => undefined);
    proc.kill('SIGKILL');
    return true;
  }

  private async doProbe(): Promise<Probe | string> {
    if (!existsSync(this.executable)) {
      return `${this.executable} not found (set OCELOT_BENCH_PYTHON to a Python with torch, torchvision, OpenCV, pycocotools)`;
    }
    if (!existsSync(this.workerScript)) return `${this.workerScript} not found`;
    try {
      const response = await this.request('probe', { modules: PYTHON_MODULES });
      this.probeAnswered = true;
      return response as unknown as Probe;
    } catch (error) {
      return `${this.executable} failed to start the peer worker: ${(error as Error).message}`;
    }
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn(this.executable, ['-u', this.workerScript], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OMP_NUM_THREADS: '1',
        MKL_NUM_THREADS: '1',
        OPENBLAS_NUM_THREADS: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    this.proc = proc;
    // A write to a dead worker's stdin must not crash the bench: 'exit' rejects the requests.
    proc.stdin.on('error', () => undefined);
    createInterface({ input: proc.stdout }).on('line', (line) => this.onLine(line));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
    });
    const fail = (why: string) => {
      if (this.proc !== proc) return; // an old worker, replaced by restart()
      this.exited = why;
      for (const p of this.pending.values()) p.reject(new Error(`${why}\n${this.tail()}`));
      this.pending.clear();
    };
    proc.on('error', (error) => fail(`python worker error: ${error.message}`));
    proc.on('exit', (code, signal) =>
      fail(`python worker exited (code ${code}, signal ${signal})`),
    );
    return proc;
  }

  private tail(): string {
    return this.stderrTail.slice(-15).join('\n');
  }

  private request(task: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error('the Python peer worker is closed'));
    if (this.exited !== undefined) {
      // the last worker died (crash, OOM kill): this request gets a fresh one
      this.stderrTail.push(`(harness) restarting the worker after: ${this.exited}`);
      this.proc = undefined;
      this.exited = undefined;
    }
    const proc = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      proc.stdin.write(`${JSON.stringify({ id, task, args })}\n`);
    }).then((value) => {
      const response = value as Record<string, unknown>;
      if (response.ok === true) return response;
      const missing = response.missing ? ` (module ${String(response.missing)} missing)` : '';
      throw new Error(`${task} failed${missing}: ${String(response.error)}\n${this.tail()}`);
    });
  }

  private onLine(line: string): void {
    let response: Record<string, unknown>;
    try {
      response = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Something wrote to the worker's stdout without a newline before a response (the
      // worker moves fd 1 to stderr so C code cannot, but an older worker could): the
      // response is the line's tail from its `{"id":`; dropping it would leave its request
      // pending for ever while both processes sit idle.
      const at = line.lastIndexOf('{"id":');
      const salvaged = at > 0 ? parseJson(line.slice(at)) : undefined;
      this.stderrTail.push(`(stdout) ${at > 0 ? line.slice(0, at) : line}`);
      if (!salvaged) return;
      response = salvaged;
    }
    const id = Number(response.id);
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.resolve(response);
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
