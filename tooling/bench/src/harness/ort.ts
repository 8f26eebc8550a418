/**
 * onnxruntime-node peers: single-operator graphs from tooling/bench/graphs/ (made by
 * tooling/python/bench/make_single_op_graphs.py and committed), run in this same Node process
 * with one intra-op and one inter-op thread, sequential execution — the bench's one-thread rule.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

export { ort };

/** BENCHMARKS.md: one thread on both sides (two were slower than one on this 2-core machine). */
export const ORT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

const GRAPHS_DIR = fileURLToPath(new URL('../../graphs/', import.meta.url));
const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** Path of a committed single-op graph, e.g. `graphPath('nms.onnx')`. */
export function graphPath(file: string): string {
  return GRAPHS_DIR + file;
}

/** One cached session per graph file. */
export function ortSession(file: string): Promise<ort.InferenceSession> {
  let session = sessions.get(file);
  if (!session) {
    session = ort.InferenceSession.create(graphPath(file), ORT_SESSION_OPTIONS);
    sessions.set(file, session);
  }
  return session;
}

export async function releaseOrtSessions(): Promise<void> {
  for (const s of sessions.values()) await (await s).release();
  sessions.clear();
}

/** The onnxruntime-node package version actually resolved (for RESULTS.md). */
export function ortVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8'));
  return String(pkg.version);
}
