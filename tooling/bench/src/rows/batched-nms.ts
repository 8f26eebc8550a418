/**
 * Row 2 — batched (per-class) NMS, 80 classes, N ∈ {10k, 100k}, IoU 0.5, against
 * torchvision.ops.batched_nms. Check: identical keep indices, in order (decreasing score).
 * Boxes are the clustered set of row 1 with a uniformly random class per box; scores distinct.
 * (torchvision 0.14 runs its per-class loop above 4000 box coordinates on CPU, so it is that
 * path that is timed here.)
 */
import { sameIndices } from '../harness/check.js';
import { readArray } from '../harness/files.js';
import { type CoreModule, type ExportOr, ocelotFunction } from '../harness/ocelot.js';
import { pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchCase, BenchRow, PreparedCase } from '../harness/types.js';
import { clusteredBoxes, distinctScores, sizeLabel } from '../inputs/boxes.js';

type BatchedNmsFn = ExportOr<
  CoreModule,
  'batchedNms',
  (
    boxes: Float32Array,
    scores: Float32Array,
    idxs: Int32Array,
    iouThreshold: number,
  ) => ArrayLike<number>
>;

const IOU = 0.5;
const CLASSES = 80;

function batchedCase(n: number): BenchCase {
  const id = `batched-nms/${sizeLabel(n)}`;
  return {
    id,
    workload: `batched NMS, ${CLASSES} classes, N=${sizeLabel(n)}, IoU ${IOU}`,
    async prepare(ctx): Promise<PreparedCase<ArrayLike<number>>> {
      const stem = `batched-nms-${n}`;
      const boxes = ctx.inputs.array(`${stem}-boxes`, 'float32', [n, 4], () =>
        clusteredBoxes(n, new Rng(ctx.seed ^ n ^ 0xba)),
      );
      const scores = ctx.inputs.array(`${stem}-scores`, 'float32', [n], () =>
        distinctScores(n, new Rng(ctx.seed ^ n ^ 0xbb)),
      );
      const idxs = ctx.inputs.array(`${stem}-idxs`, 'int32', [n], () => {
        const rng = new Rng(ctx.seed ^ n ^ 0xbc);
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = rng.int(CLASSES);
        return out;
      });
      const batchedNms = await ocelotFunction<BatchedNmsFn>('@ocelot/core', 'batchedNms');
      return {
        ocelot:
          'fn' in batchedNms
            ? {
                available: true,
                label: 'batchedNms',
                run: () => batchedNms.fn(boxes.data, scores.data, idxs.data, IOU),
              }
            : { available: false, reason: batchedNms.reason },
        peers: [
          pythonPeer({
            name: 'torchvision.ops.batched_nms',
            modules: ['torch', 'torchvision'],
            task: 'torchvision.batched_nms',
            args: () => ({
              boxes: boxes.spec,
              scores: scores.spec,
              idxs: idxs.spec,
              iouThreshold: IOU,
              out: ctx.inputs.outputPath(`${stem}-keep.i32`),
            }),
            read: (r) => readArray({ ...r.output!, dtype: 'int32' }),
          }),
        ],
        check: (ocelot, peer) => sameIndices(ocelot, peer),
      };
    },
  };
}

export const batchedNmsRow: BenchRow = {
  id: 'batched-nms',
  number: 2,
  title: 'batched NMS',
  goal: 1,
  correctness: 'identical keep indices',
  cases: (ctx) => (ctx.quick ? [10_000] : [10_000, 100_000]).map(batchedCase),
};
