/**
 * Row 4 — RoI Align, 1000 RoIs → 7×7 from a 1×256×200×272 feature map (stride 4 of an
 * 800×1088 image: spatial scale 0.25), sampling ratio 2, aligned (half-pixel), against
 * onnxruntime's RoiAlign (opset 16, coordinate_transformation_mode = half_pixel) and
 * torchvision.ops.roi_align(aligned=True). Check: max abs difference ≤ 1e-5 over K×C×7×7.
 */
import { maxAbsDiff } from '../harness/check.js';
import { readArray } from '../harness/files.js';
import { type CoreModule, type ExportOr, ocelotFunction } from '../harness/ocelot.js';
import { ort } from '../harness/ort.js';
import { ortPeer, pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchRow, PreparedCase } from '../harness/types.js';

type RoiAlignFn = ExportOr<
  CoreModule,
  'roiAlign',
  (
    features: { data: Float32Array; dims: readonly number[] },
    rois: Float32Array,
    options: {
      outputSize: number | readonly [number, number];
      spatialScale?: number;
      samplingRatio?: number;
      aligned?: boolean;
    },
  ) => Float32Array | { data: Float32Array }
>;

const [C, H, W] = [256, 200, 272];
const K = 1000;
const OUT = 7;
const SCALE = 0.25;
const SAMPLING = 2;
const TOLERANCE = 1e-5;
/** Must match the attributes baked into the committed graph. */
const GRAPH = 'roi_align_7x7_s0.25_r2_half_pixel.onnx';

/** K RoIs [batch=0, x1, y1, x2, y2] in image pixels (1088×800), sides log-uniform 8–600 px. */
function makeRois(rng: Rng): Float32Array {
  const [imgW, imgH] = [W / SCALE, H / SCALE];
  const out = new Float32Array(5 * K);
  for (let k = 0; k < K; k++) {
    const w = Math.min(imgW - 1, rng.logUniform(8, 600));
    const h = Math.min(imgH - 1, rng.logUniform(8, 600));
    const x = rng.uniform(0, imgW - w);
    const y = rng.uniform(0, imgH - h);
    out.set([0, x, y, x + w, y + h], 5 * k);
  }
  return out;
}

function flatData(out: Float32Array | { data: Float32Array }): Float32Array {
  return out instanceof Float32Array ? out : out.data;
}

export const roiAlignRow: BenchRow = {
  id: 'roi-align',
  number: 4,
  title: 'RoI Align',
  goal: 1,
  correctness: 'max abs diff ≤ 1e-5',
  cases: () => [
    {
      id: 'roi-align/1000x7x7',
      workload: `RoI Align ${K} RoIs → ${OUT}×${OUT} from 1×${C}×${H}×${W}, aligned`,
      async prepare(ctx): Promise<PreparedCase<Float32Array>> {
        const features = ctx.inputs.array('roi-align-features', 'float32', [1, C, H, W], () => {
          const rng = new Rng(ctx.seed ^ 0x4a1);
          const f = new Float32Array(C * H * W);
          for (let i = 0; i < f.length; i++) f[i] = rng.uniform(-1, 1);
          return f;
        });
        const rois = ctx.inputs.array('roi-align-rois', 'float32', [K, 5], () =>
          makeRois(new Rng(ctx.seed ^ 0x4a2)),
        );
        const roiAlign = await ocelotFunction<RoiAlignFn>('@ocelot/core', 'roiAlign');
        const featureView = { data: features.data, dims: [1, C, H, W] as const };
        return {
          ocelot:
            'fn' in roiAlign
              ? {
                  available: true,
                  label: 'roiAlign',
                  run: () =>
                    flatData(
                      roiAlign.fn(featureView, rois.data, {
                        outputSize: [OUT, OUT],
                        spatialScale: SCALE,
                        samplingRatio: SAMPLING,
                        aligned: true,
                      }),
                    ),
                }
              : { available: false, reason: roiAlign.reason },
          peers: [
            ortPeer({
              name: 'ORT RoiAlign',
              graph: GRAPH,
              feeds: () => {
                const boxes = new Float32Array(4 * K);
                const batch = new BigInt64Array(K);
                for (let k = 0; k < K; k++) {
                  boxes.set(rois.data.subarray(5 * k + 1, 5 * k + 5), 4 * k);
                  batch[k] = BigInt(rois.data[5 * k]!);
                }
                return {
                  X: new ort.Tensor('float32', features.data, [1, C, H, W]),
                  rois: new ort.Tensor('float32', boxes, [K, 4]),
                  batch_indices: new ort.Tensor('int64', batch, [K]),
                };
              },
              read: (outputs) => outputs.Y!.data as Float32Array,
            }),
            pythonPeer({
              name: 'torchvision.ops.roi_align',
              modules: ['torch', 'torchvision'],
              task: 'torchvision.roi_align',
              args: () => ({
                features: features.spec,
                rois: rois.spec,
                outputSize: [OUT, OUT],
                spatialScale: SCALE,
                samplingRatio: SAMPLING,
                aligned: true,
                out: ctx.inputs.outputPath('roi-align.f32'),
              }),
              read: (r) => readArray({ ...r.output!, dtype: 'float32' }),
            }),
          ],
          check: (ocelot, peer) => maxAbsDiff(ocelot, peer, TOLERANCE),
        };
      },
    },
  ],
};
