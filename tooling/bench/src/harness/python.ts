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

  constructor(
    readonly executable: string,
    private readonly workerScript: string,
  ) {}

  /** The probe result, or why Python cannot be used at all. */
  probe(): Promise<Probe | string> {
    this.probed ??= this.doProbe();
    return this.probed;
  }

  /** Versions of Python and the importable peer modules (for RESULTS.md). */
  async versions(): Promise<Record<string, string>> {
    const probe = await this.probe();
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

  close(): void {
    if (this.proc && this.exited === undefined) {
      this.proc.stdin.end();
    }
  }

  private async doProbe(): Promise<Probe | string> {
    if (!existsSync(this.executable)) {
      return `${this.executable} not found (set OCELOT_BENCH_PYTHON to a Python with torch, torchvision, OpenCV, pycocotools)`;
    }
    if (!existsSync(this.workerScript)) return `${this.workerScript} not found`;
    try {
      const response = await this.request('probe', { modules: PYTHON_MODULES });
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
    createInterface({ input: proc.stdout }).on('line', (line) => this.onLine(line));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
    });
    const fail = (why: string) => {
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
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
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
      this.stderrTail.push(`(stdout) ${line}`);
      return;
    }
    const id = Number(response.id);
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.resolve(response);
  }
}
