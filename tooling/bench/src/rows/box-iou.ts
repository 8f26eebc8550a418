/**
 * Row 3 — pairwise IoU of 1k × 1k boxes against torchvision.ops.box_iou. Check: max abs
 * difference ≤ 1e-6 over the 1M values (both sides return float32 [N, M]).
 */
import { maxAbsDiff } from '../harness/check.js';
import { readArray } from '../harness/files.js';
import { type CoreModule, type ExportOr, ocelotFunction } from '../harness/ocelot.js';
import { pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchRow, PreparedCase } from '../harness/types.js';
import { uniformBoxes } from '../inputs/boxes.js';

type BoxIouFn = ExportOr<
  CoreModule,
  'boxIou',
  (boxes1: Float32Array, boxes2: Float32Array) => Float32Array
>;

const N = 1000;
const M = 1000;
const TOLERANCE = 1e-6;

export const boxIouRow: BenchRow = {
  id: 'box-iou',
  number: 3,
  title: 'boxIou',
  goal: 1,
  correctness: 'max abs diff ≤ 1e-6',
  cases: () => [
    {
      id: 'box-iou/1kx1k',
      workload: 'boxIou 1k × 1k',
      async prepare(ctx): Promise<PreparedCase<Float32Array>> {
        const a = ctx.inputs.array('box-iou-a', 'float32', [N, 4], () =>
          uniformBoxes(N, new Rng(ctx.seed ^ 0x10a)),
        );
        const b = ctx.inputs.array('box-iou-b', 'float32', [M, 4], () =>
          uniformBoxes(M, new Rng(ctx.seed ^ 0x10b)),
        );
        const boxIou = await ocelotFunction<BoxIouFn>('@ocelot/core', 'boxIou');
        return {
          ocelot:
            'fn' in boxIou
              ? { available: true, label: 'boxIou', run: () => boxIou.fn(a.data, b.data) }
              : { available: false, reason: boxIou.reason },
          peers: [
            pythonPeer({
              name: 'torchvision.ops.box_iou',
              modules: ['torch', 'torchvision'],
              task: 'torchvision.box_iou',
              args: () => ({ a: a.spec, b: b.spec, out: ctx.inputs.outputPath('box-iou.f32') }),
              read: (r) => readArray({ ...r.output!, dtype: 'float32' }),
            }),
          ],
          check: (ocelot, peer) => maxAbsDiff(ocelot, peer, TOLERANCE),
        };
      },
    },
  ],
};
