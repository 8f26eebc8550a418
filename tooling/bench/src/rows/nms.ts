/**
 * Row 1 — NMS, N ∈ {1k, 10k, 100k}, sparse and clustered boxes, IoU 0.5, uncapped and capped
 * at 300, against onnxruntime's NonMaxSuppression and torchvision.ops.nms. Check: identical
 * keep indices, in order.
 *
 * Peer semantics: ORT's NonMaxSuppression gets the same boxes in its default layout
 * (center_point_box = 0: [y1, x1, y2, x2]), one batch and one class,
 * max_output_boxes_per_class = N (uncapped) or 300, no score threshold; its
 * selected_indices [S, 3] column 2 is the keep list. torchvision has no cap: a torchvision user
 * runs nms() and takes [:300], so the capped case reuses the uncapped case's measurement (the
 * same call; at N = 100k sparse it is ~30 s) and compares its first 300 indices.
 */

import { sameIndices } from '../harness/check.js';
import { readArray } from '../harness/files.js';
import { type CoreModule, type ExportOr, ocelotFunction } from '../harness/ocelot.js';
import { ort } from '../harness/ort.js';
import { ortPeer, pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchCase, BenchRow, PreparedCase } from '../harness/types.js';
import {
  clusteredBoxes,
  distinctScores,
  sizeLabel,
  sparseBoxes,
  xyxyToYxyx,
} from '../inputs/boxes.js';

type NmsFn = ExportOr<
  CoreModule,
  'nms',
  (
    boxes: Float32Array,
    scores: Float32Array,
    iouThreshold: number,
    options?: { maxOutput?: number },
  ) => ArrayLike<number>
>;

const IOU = 0.5;
const CAP = 300;
const DISTRIBUTIONS = { sparse: sparseBoxes, clustered: clusteredBoxes } as const;
type Distribution = keyof typeof DISTRIBUTIONS;

/** Keep column (box index) of ORT's selected_indices [S, 3] int64. */
export function ortKeep(selected: ort.Tensor): Int32Array {
  const data = selected.data as BigInt64Array;
  const keep = new Int32Array(data.length / 3);
  for (let i = 0; i < keep.length; i++) keep[i] = Number(data[3 * i + 2]!);
  return keep;
}

function nmsCase(dist: Distribution, n: number, cap: number | undefined): BenchCase {
  const id = `nms/${dist}/${sizeLabel(n)}/${cap ? `cap${cap}` : 'uncapped'}`;
  return {
    id,
    workload: `NMS ${dist}, N=${sizeLabel(n)}, IoU ${IOU}, ${cap ? `cap ${cap}` : 'uncapped'}`,
    async prepare(ctx): Promise<PreparedCase<ArrayLike<number>>> {
      const stem = `nms-${dist}-${n}`;
      const boxes = ctx.inputs.array(`${stem}-boxes`, 'float32', [n, 4], () =>
        DISTRIBUTIONS[dist](n, new Rng(ctx.seed ^ n ^ (dist === 'sparse' ? 0x51 : 0xc1))),
      );
      const scores = ctx.inputs.array(`${stem}-scores`, 'float32', [n], () =>
        distinctScores(n, new Rng(ctx.seed ^ n ^ 0x5c)),
      );
      const nms = await ocelotFunction<NmsFn>('@ocelot/core', 'nms');
      return {
        ocelot:
          'fn' in nms
            ? {
                available: true,
                label: `nms(${cap ? `maxOutput ${cap}` : 'uncapped'})`,
                run: () =>
                  cap
                    ? nms.fn(boxes.data, scores.data, IOU, { maxOutput: cap })
                    : nms.fn(boxes.data, scores.data, IOU),
              }
            : { available: false, reason: nms.reason },
        peers: [
          ortPeer({
            name: 'ORT NonMaxSuppression',
            graph: 'nms.onnx',
            feeds: () => ({
              boxes: new ort.Tensor('float32', xyxyToYxyx(boxes.data), [1, n, 4]),
              scores: new ort.Tensor('float32', scores.data, [1, 1, n]),
              max_output_boxes_per_class: new ort.Tensor(
                'int64',
                BigInt64Array.of(BigInt(cap ?? n)),
                [1],
              ),
              iou_threshold: new ort.Tensor('float32', Float32Array.of(IOU), [1]),
            }),
            read: (outputs) => ortKeep(outputs.selected_indices!),
          }),
          pythonPeer({
            name: 'torchvision.ops.nms',
            modules: ['torch', 'torchvision'],
            task: 'torchvision.nms',
            args: () => ({
              boxes: boxes.spec,
              scores: scores.spec,
              iouThreshold: IOU,
              out: ctx.inputs.outputPath(`${stem}-torchvision-keep.i32`),
            }),
            read: (r) => {
              const keep = readArray({ ...r.output!, dtype: 'int32' });
              return cap ? keep.subarray(0, cap) : keep;
            },
            reuse: `torchvision.nms/${stem}`,
            ...(cap
              ? {
                  note: `torchvision has no cap: the uncapped nms() measurement of this input is reused, keep[:${cap}] compared`,
                }
              : {}),
          }),
        ],
        check: (ocelot, peer) => sameIndices(ocelot, peer),
      };
    },
  };
}

export const nmsRow: BenchRow = {
  id: 'nms',
  number: 1,
  title: 'NMS',
  goal: 1,
  correctness: 'identical keep indices',
  cases(ctx) {
    const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const cases: BenchCase[] = [];
    for (const n of sizes) {
      for (const dist of ['sparse', 'clustered'] as const) {
        for (const cap of [undefined, CAP]) cases.push(nmsCase(dist, n, cap));
      }
    }
    return cases;
  },
};
