/** Builders for the two kinds of peer, so a row declares a peer in a few lines. */
import type { BenchContext } from './context.js';
import { type ort, ortSession } from './ort.js';
import { type PythonModule, PythonPeers, type PythonTaskResult } from './python.js';
import { type Measured, measure, type TimingRule } from './timing.js';
import type { PeerSide } from './types.js';

/** An onnxruntime single-op graph run in this process; feeds are built before timing. */
export function ortPeer<Out>(options: {
  name: string;
  graph: string;
  feeds: () => Record<string, ort.Tensor>;
  read: (outputs: ort.InferenceSession.ReturnType) => Out;
  note?: string;
}): PeerSide<Out> {
  return {
    name: options.name,
    ...(options.note ? { note: options.note } : {}),
    unavailable: async () => undefined,
    async measure(_ctx, timing): Promise<Measured<Out>> {
      const session = await ortSession(options.graph);
      const feeds = options.feeds();
      const m = await measure(() => session.run(feeds), timing);
      return { times: m.times, warmup: m.warmup, output: options.read(m.output) };
    },
  };
}

const reused = new Map<string, Promise<PythonTaskResult>>();

/**
 * A task of tooling/python/bench/peer_worker.py. The worker reads the input files itself,
 * times under the same rule (or `timing` when the row states a different one) and returns
 * durations plus its output; `read` turns that into the row's comparable answer. Cases that
 * would make the peer do identical work (torchvision has no NMS cap, so capped and uncapped are
 * the same call) share one measurement by giving the same `reuse` key.
 */
export function pythonPeer<Out>(options: {
  name: string;
  modules: readonly PythonModule[];
  task: string;
  args: (ctx: BenchContext) => Record<string, unknown> | Promise<Record<string, unknown>>;
  read: (result: PythonTaskResult) => Out;
  timing?: TimingRule;
  note?: string;
  reuse?: string;
}): PeerSide<Out> {
  return {
    name: options.name,
    ...(options.note ? { note: options.note } : {}),
    unavailable: (ctx) => ctx.python.unavailable(options.modules),
    async measure(ctx, timing): Promise<Measured<Out>> {
      const run = async () =>
        ctx.python.call(options.task, {
          ...(await options.args(ctx)),
          timing: PythonPeers.timing(options.timing ?? timing),
        });
      let pending = options.reuse ? reused.get(options.reuse) : undefined;
      if (!pending) {
        pending = run();
        if (options.reuse) reused.set(options.reuse, pending);
      }
      const result = await pending;
      return { times: result.times, warmup: result.warmup, output: options.read(result) };
    },
  };
}
