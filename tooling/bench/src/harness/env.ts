/** The machine and versions a run was measured with, for the header of RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly loadAtStart: string;
  readonly commit: string;
}

export function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('model name'));
    return line
      ? line.split(':').slice(1).join(':').trim()
      : 'unknown (no model name in /proc/cpuinfo)';
  } catch {
    return 'unknown (/proc/cpuinfo unreadable)';
  }
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} (packages/ has uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

export function environment(): Environment {
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: nproc(),
    cpu: cpuModel(),
    loadAtStart: loadAverage(),
    commit: gitCommit(),
  };
}
