/** Builders for the two kinds of peer, so a row declares a peer in a few lines. */
import type { BenchContext } from './context.js';
import { type ort, ortSession } from './ort.js';
import { type PythonModule, PythonPeers, type PythonTaskResult } from './python.js';
import { type Measured, measure, type TimingRule } from './timing.js';
import type { InProcessPeer, PeerSide } from './types.js';

/**
 * A peer that runs in this Node process. `start` builds what the timed call needs (session,
 * feeds) and returns it as an {@link InProcessPeer}; the harness times it in alternation with
 * Ocelot, or on its own through `measure` when Ocelot cannot run.
 */
export function inProcessPeer<Out>(options: {
  name: string;
  note?: string;
  unavailable?: (ctx: BenchContext) => Promise<string | undefined>;
  start: (ctx: BenchContext) => Promise<InProcessPeer<Out>>;
}): PeerSide<Out> {
  return {
    name: options.name,
    ...(options.note ? { note: options.note } : {}),
    unavailable: options.unavailable ?? (async () => undefined),
    inProcess: options.start,
    async measure(ctx, timing): Promise<Measured<Out>> {
      const peer = await options.start(ctx);
      try {
        const m = await measure(() => peer.run(), timing);
        const { output } = await peer.finish(m.output);
        return { times: m.times, warmup: m.warmup, output };
      } finally {
        await peer.dispose?.();
      }
    },
  };
}

/** An onnxruntime single-op graph run in this process; feeds are built before timing. */
export function ortPeer<Out>(options: {
  name: string;
  graph: string;
  feeds: () => Record<string, ort.Tensor>;
  read: (outputs: ort.InferenceSession.ReturnType) => Out;
  note?: string;
}): PeerSide<Out> {
  return inProcessPeer({
    name: options.name,
    ...(options.note ? { note: options.note } : {}),
    async start() {
      const session = await ortSession(options.graph);
      const feeds = options.feeds();
      return {
        run: () => session.run(feeds),
        finish: async (last) => ({
          output: options.read(last as ort.InferenceSession.ReturnType),
        }),
      };
    },
  });
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
        if (options.reuse) {
          const key = options.reuse;
          reused.set(key, pending);
          // a failed (or killed, timed-out) measurement is not reused: the next case retries
          pending.catch(() => reused.delete(key));
        }
      }
      const result = await pending;
      return { times: result.times, warmup: result.warmup, output: options.read(result) };
    },
  };
}
