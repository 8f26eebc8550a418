/**
 * Instance-mask post-processing of @ocelot/segmenters, 100 instances on a 1280×720 image:
 *
 * Row 8 (`mask-paste`) — Mask R-CNN's: `maskProbabilities` (sigmoid of each detection's class
 * channel of [100, 91, 28, 28] mask logits) + `pasteInstanceMasks` (torchvision's
 * paste_masks_in_image thresholded at 0.5, straight to COCO RLE). Peers:
 * `torchvision…paste_masks_in_image` on the same probabilities (the paste alone; its output is
 * thresholded after timing) — check: per-mask IoU ≥ 0.99 — and a stand-in of the model that
 * produces those logits: torchvision's COCO mask branch (MaskRCNNHeads + MaskRCNNPredictor, 256
 * channels, 100 RoIs, 53 G multiply-adds, weights drawn inside the graph;
 * tooling/python/bench/make_segmenters_graphs.py). Against the stand-in the ratio is model time /
 * post-processing time: post-processing takes 1/ratio of the mask branch alone (a lower bound
 * of the model's time).
 *
 * Row 11 (`proto-masks`) — YOLO-seg's: from the raw outputs of a 640×640 model ([1, 116, 8400]
 * + [1, 32, 160, 160] prototypes, 100 planted detections, the 1280×720 image letterboxed) to
 * detections with COCO RLE masks in image pixels: score scan, NMS, coefficients × prototypes,
 * sigmoid, crop, upsampling, letterbox undone, threshold (`decodeYoloSegDetections` +
 * `protoMasks`, mode `proto`). Peer: a stand-in YOLO-seg network with those output shapes
 * (3.5 G multiply-adds; YOLOv8n-seg has ~6.3 G). Goal: post-processing ≤ 10 % of the model
 * (ratio ≥ 10). Check (made once in `prepare`, outside the timer): the masks equal a direct
 * full-image implementation of the same steps, pixel for pixel.
 */
import { type Rle, rleDecode } from '@ocelot/core';
import { letterboxGeometry } from '@ocelot/image';
import { readArray } from '../harness/files.js';
import { ort } from '../harness/ort.js';
import { ortPeer, pythonPeer } from '../harness/peers.js';
import { Rng } from '../harness/rng.js';
import type { BenchCase, BenchRow, Check, PreparedCase } from '../harness/types.js';
import { loadSegmenters, type SegmentersModule } from './segmenters-load.js';

const N = 100;
const IMG_W = 1280;
const IMG_H = 720;

type Answer =
  | { readonly kind: 'rle'; readonly masks: readonly Rle[] }
  | { readonly kind: 'binary'; readonly data: Uint8Array }
  | { readonly kind: 'model' };

const TIMING_ONLY: Check = {
  ok: true,
  detail: 'stand-in model: a timing reference, outputs not compared',
};

function unavailable(loaded: { module: SegmentersModule } | { reason: string }): {
  available: false;
  reason: string;
} {
  return { available: false, reason: 'reason' in loaded ? loaded.reason : 'not loaded' };
}

// ---------------------------------------------------------------------------------------------
// Row 8: Mask R-CNN mask pasting

/** A blob-shaped mask logit map per detection (positive in a random ellipse), other classes noise. */
function maskLogits(rng: Rng, labels: Int32Array): Float32Array {
  const M = 28;
  const C1 = 91;
  const out = new Float32Array(N * C1 * M * M);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  for (let n = 0; n < N; n++) {
    const o = (n * C1 + labels[n]! + 1) * M * M;
    const cx = rng.uniform(10, 18);
    const cy = rng.uniform(10, 18);
    const rx = rng.uniform(5, 12);
    const ry = rng.uniform(5, 12);
    for (let y = 0; y < M; y++) {
      for (let x = 0; x < M; x++) {
        const r = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        out[o + y * M + x] = 4 * (1 - r) + 0.3 * rng.normal();
      }
    }
  }
  return out;
}

function maskBoxes(rng: Rng): Float32Array {
  const out = new Float32Array(4 * N);
  for (let n = 0; n < N; n++) {
    const bw = rng.logUniform(20, 400);
    const bh = rng.logUniform(20, 400);
    const x = rng.uniform(0, IMG_W - bw);
    const y = rng.uniform(0, IMG_H - Math.min(bh, IMG_H - 1));
    out.set([x, y, x + bw, Math.min(IMG_H, y + bh)], 4 * n);
  }
  return out;
}

function checkPasted(ocelot: Answer, peer: Answer): Check {
  if (ocelot.kind === 'model' || peer.kind === 'model') return TIMING_ONLY;
  if (ocelot.kind !== 'rle' || peer.kind !== 'binary')
    return { ok: false, detail: 'unexpected answers' };
  const size = IMG_W * IMG_H;
  let worst = 1;
  let at = -1;
  ocelot.masks.forEach((rle, n) => {
    const mine = rleDecode(rle);
    let inter = 0;
    let union = 0;
    for (let i = 0; i < size; i++) {
      const a = mine[i]!;
      const b = peer.data[n * size + i]!;
      inter += a & b;
      union += a | b;
    }
    const iou = union === 0 ? 1 : inter / union;
    if (iou < worst) {
      worst = iou;
      at = n;
    }
  });
  return worst >= 0.99
    ? { ok: true, detail: `${N} masks, worst IoU ${worst.toFixed(5)} ≥ 0.99` }
    : { ok: false, detail: `mask ${at}: IoU ${worst.toFixed(5)} < 0.99` };
}

const maskPasteCase: BenchCase = {
  id: 'mask-paste/mask-rcnn-100',
  workload: `Mask R-CNN masks: sigmoid + paste ${N} × 28×28 → ${IMG_W}×${IMG_H} COCO RLE`,
  async prepare(ctx): Promise<PreparedCase<Answer>> {
    const rng = new Rng(ctx.seed ^ 0x3a5);
    const labels = ctx.inputs.array('mask-paste-labels', 'int32', [N], () =>
      Int32Array.from({ length: N }, () => rng.int(90)),
    );
    const logits = ctx.inputs.array('mask-paste-logits', 'float32', [N, 91, 28, 28], () =>
      maskLogits(new Rng(ctx.seed ^ 0x3a6), labels.data),
    );
    const boxes = ctx.inputs.array('mask-paste-boxes', 'float32', [N, 4], () =>
      maskBoxes(new Rng(ctx.seed ^ 0x3a7)),
    );
    const features = ctx.inputs.array('mask-paste-features', 'float32', [N, 256, 14, 14], () => {
      const r = new Rng(ctx.seed ^ 0x3a8);
      return Float32Array.from({ length: N * 256 * 196 }, () => r.uniform(0, 1));
    });
    const loaded = await loadSegmenters();
    if (!('module' in loaded)) {
      return { ocelot: unavailable(loaded), peers: [], check: () => TIMING_ONLY };
    }
    const seg = loaded.module;
    const logitView = { data: logits.data, dims: [N, 91, 28, 28] };
    // the peer pastes the same probabilities
    const probs = seg.maskProbabilities('bench', logitView, labels.data, 90);
    const probFile = ctx.inputs.array(
      'mask-paste-probs',
      'float32',
      [N, 1, 28, 28],
      () => probs.data,
    );
    return {
      ocelot: {
        available: true,
        label: 'maskProbabilities + pasteInstanceMasks',
        run: () => {
          const p = seg.maskProbabilities('bench', logitView, labels.data, 90);
          const masks = seg.pasteInstanceMasks(
            p,
            boxes.data,
            { width: IMG_W, height: IMG_H },
            0.5,
            'rle',
          );
          return { kind: 'rle', masks: masks as Rle[] };
        },
      },
      peers: [
        pythonPeer<Answer>({
          name: 'torchvision paste_masks_in_image',
          modules: ['torch', 'torchvision'],
          task: 'torchvision.paste_masks_in_image',
          args: () => ({
            masks: probFile.spec,
            boxes: boxes.spec,
            height: IMG_H,
            width: IMG_W,
            threshold: 0.5,
            out: ctx.inputs.outputPath('mask-paste.u8'),
          }),
          read: (r) => ({
            kind: 'binary',
            data: readArray({ ...r.output!, dtype: 'uint8' }) as Uint8Array,
          }),
          note: 'paste only (no sigmoid)',
        }),
        ortPeer<Answer>({
          name: 'stand-in mask head (ORT, 100 RoIs)',
          graph: 'mask_head_standin_100.onnx',
          feeds: () => ({
            mask_features: new ort.Tensor('float32', features.data, [N, 256, 14, 14]),
          }),
          read: () => ({ kind: 'model' }),
          note: 'model time: post-processing share = 1 / ratio',
        }),
      ],
      check: (a, b) => checkPasted(a, b),
    };
  },
};

export const segmentersMaskPasteRow: BenchRow = {
  id: 'mask-paste',
  number: 8,
  title: 'mask pasting (Mask R-CNN, segmenters)',
  goal: 1,
  correctness: 'per-mask IoU ≥ 0.99 vs torchvision',
  cases: () => [maskPasteCase],
};

// ---------------------------------------------------------------------------------------------
// Row 11: YOLO-seg prototype masks

const NC = 80;
const NM = 32;
const A = 8400;
const MP = 160;

/** Raw YOLO-seg outputs with N planted detections (distinct classes per overlap, so NMS keeps them). */
function yoloOutputs(
  rng: Rng,
  top: number,
  content: number,
): { det: Float32Array; protos: Float32Array } {
  const ch = 4 + NC + NM;
  const det = new Float32Array(ch * A);
  for (let a = 0; a < A; a++) {
    det[a] = rng.uniform(0, 640);
    det[A + a] = rng.uniform(0, 640);
    det[2 * A + a] = rng.uniform(4, 60);
    det[3 * A + a] = rng.uniform(4, 60);
    for (let c = 0; c < NC; c++) det[(4 + c) * A + a] = rng.uniform(0, 0.2);
    for (let m = 0; m < NM; m++) det[(4 + NC + m) * A + a] = rng.normal();
  }
  const slots = rng.permutation(A);
  for (let n = 0; n < N; n++) {
    const a = slots[n]!;
    const w = rng.logUniform(16, 200);
    const h = Math.min(content - 2, rng.logUniform(16, 200));
    det[a] = rng.uniform(w / 2, 640 - w / 2);
    det[A + a] = rng.uniform(top + h / 2, top + content - h / 2);
    det[2 * A + a] = w;
    det[3 * A + a] = h;
    det[(4 + (n % NC)) * A + a] = rng.uniform(0.3, 0.95);
    for (let m = 0; m < NM; m++) det[(4 + NC + m) * A + a] = rng.normal() * 1.5;
  }
  const protos = new Float32Array(NM * MP * MP);
  for (let m = 0; m < NM; m++) {
    const py = rng.uniform(0, MP);
    const px = rng.uniform(0, MP);
    const s = rng.uniform(8, 40);
    const amp = rng.uniform(0.5, 2);
    const off = rng.uniform(0, 0.3);
    for (let y = 0; y < MP; y++) {
      for (let x = 0; x < MP; x++) {
        protos[(m * MP + y) * MP + x] =
          amp * Math.exp(-((y - py) ** 2 + (x - px) ** 2) / (2 * s * s)) - off;
      }
    }
  }
  return { det, protos };
}

/**
 * The same masks computed the direct way — full prototype-resolution probabilities, the full
 * 640×640 upsampled map, the full original-size map, thresholded — compared with the RLEs
 * Ocelot returned, one mask at a time into one reused buffer (so no garbage is left behind to
 * be collected while Ocelot is being timed).
 * @returns the index of the first mask that differs, or -1
 */
function firstMismatch(
  seg: SegmentersModule,
  protos: Float32Array,
  coefficients: Float32Array,
  boxes: Float32Array,
  content: { top: number; height: number; left: number; width: number },
  masks: readonly Rle[],
): number {
  const f32 = Math.fround;
  const n = boxes.length / 4;
  const inX = seg.torchTaps(MP, 640);
  const inY = seg.torchTaps(MP, 640);
  const outX = seg.torchTaps(content.width, IMG_W, content.left);
  const outY = seg.torchTaps(content.height, IMG_H, content.top);
  const p = new Float32Array(MP * MP);
  const up = new Float32Array(640 * 640);
  const mask = new Uint8Array(IMG_W * IMG_H);
  const sample = (
    src: Float32Array,
    sw: number,
    xt: typeof inX,
    yt: typeof inX,
    x: number,
    y: number,
  ) => {
    const a = src[yt.i0[y]! * sw + xt.i0[x]!]!;
    const b = src[yt.i0[y]! * sw + xt.i1[x]!]!;
    const c = src[yt.i1[y]! * sw + xt.i0[x]!]!;
    const d = src[yt.i1[y]! * sw + xt.i1[x]!]!;
    const t0 = f32(a * xt.w0[x]! + f32(b * xt.w1[x]!));
    const t1 = f32(c * xt.w0[x]! + f32(d * xt.w1[x]!));
    return f32(t0 * yt.w0[y]! + f32(t1 * yt.w1[y]!));
  };
  const ratio = f32(MP / 640);
  for (let i = 0; i < n; i++) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => f32(boxes[4 * i + k]! * ratio)) as [
      number,
      number,
      number,
      number,
    ];
    for (let r = 0; r < MP; r++) {
      for (let c = 0; c < MP; c++) {
        let s = 0;
        for (let m = 0; m < NM; m++)
          s += coefficients[i * NM + m]! * protos[(m * MP + r) * MP + c]!;
        const inside = c >= x1 && c < x2 && r >= y1 && r < y2;
        p[r * MP + c] = inside ? f32(1 / (1 + Math.exp(-f32(s)))) : 0;
      }
    }
    for (let y = 0; y < 640; y++)
      for (let x = 0; x < 640; x++) up[y * 640 + x] = sample(p, MP, inX, inY, x, y);
    for (let y = 0; y < IMG_H; y++) {
      for (let x = 0; x < IMG_W; x++)
        mask[y * IMG_W + x] = sample(up, 640, outX, outY, x, y) > 0.5 ? 1 : 0;
    }
    // walk the RLE (column-major runs, zeros first) against the row-major mask
    let pos = 0;
    const counts = masks[i]!.counts;
    for (let j = 0; j < counts.length; j++) {
      const v = j & 1;
      for (let k = 0; k < counts[j]!; k++, pos++) {
        const x = Math.floor(pos / IMG_H);
        if (mask[(pos - x * IMG_H) * IMG_W + x] !== v) return i;
      }
    }
    if (pos !== IMG_W * IMG_H) return i;
  }
  return -1;
}

const protoMasksCase: BenchCase = {
  id: 'proto-masks/yolo-seg-100',
  workload: `YOLO-seg post-processing: [1,116,8400] + [1,32,160,160] → ${N} detections with RLE masks at ${IMG_W}×${IMG_H}`,
  async prepare(ctx): Promise<PreparedCase<Answer>> {
    const geometry = letterboxGeometry(IMG_W, IMG_H, { size: 640 });
    const transform = geometry.transform;
    const content = {
      top: geometry.padTop,
      height: geometry.resizedHeight,
      left: geometry.padLeft,
      width: geometry.resizedWidth,
    };
    const made = yoloOutputs(new Rng(ctx.seed ^ 0x7e5), content.top, content.height);
    const det = ctx.inputs.array(
      'proto-masks-output0',
      'float32',
      [1, 4 + NC + NM, A],
      () => made.det,
    );
    const protos = ctx.inputs.array(
      'proto-masks-output1',
      'float32',
      [1, NM, MP, MP],
      () => made.protos,
    );
    const image = ctx.inputs.array('proto-masks-images', 'float32', [1, 3, 640, 640], () => {
      const r = new Rng(ctx.seed ^ 0x7e6);
      return Float32Array.from({ length: 3 * 640 * 640 }, () => r.uniform(0, 1));
    });
    const loaded = await loadSegmenters();
    if (!('module' in loaded))
      return { ocelot: unavailable(loaded), peers: [], check: () => TIMING_ONLY };
    const seg = loaded.module;
    const outputs = {
      output0: { type: 'float32' as const, data: det.data, dims: [1, 4 + NC + NM, A] },
      output1: { type: 'float32' as const, data: protos.data, dims: [1, NM, MP, MP] },
    };
    const names = Array.from({ length: NC }, (_, c) => `c${c}`);
    const options = seg.resolveInstanceOptions(names, {
      scoreThreshold: 0.25,
      iouThreshold: 0.7,
      maxDetections: 300,
    }).detect;
    const run = () => {
      const p = seg.readPrototypes('bench', outputs, ['output1']);
      const d = seg.decodeYoloSegDetections(
        outputs,
        {
          model: 'bench',
          options,
          inputSize: { width: 640, height: 640 },
          numClasses: NC,
          metadata: {},
        },
        { output: ['output0'], protoOutput: ['output1'] },
        p.channels,
      );
      const boxes = transform.toImage(d.boxes, { clip: true });
      const masks = seg.protoMasks(p, d.coefficients, d.boxes, boxes, {
        mode: 'proto',
        threshold: 0.5,
        transform,
        format: 'rle',
      });
      return { detections: d, masks: masks as Rle[] };
    };
    // correctness, once, outside the timer
    const first = run();
    const mismatch =
      first.detections.labels.length === N
        ? firstMismatch(
            seg,
            protos.data,
            first.detections.coefficients,
            first.detections.boxes,
            content,
            first.masks,
          )
        : -2;
    const correctness: Check =
      mismatch === -1
        ? {
            ok: true,
            detail: `${N} detections; masks identical to a direct full-image implementation`,
          }
        : mismatch === -2
          ? { ok: false, detail: `${first.detections.labels.length} detections kept, ${N} planted` }
          : {
              ok: false,
              detail: `mask ${mismatch} differs from the direct full-image implementation`,
            };
    return {
      ocelot: {
        available: true,
        label: 'decodeYoloSegDetections + protoMasks',
        run: (): Answer => ({ kind: 'rle', masks: run().masks }),
      },
      peers: [
        ortPeer<Answer>({
          name: 'stand-in YOLO-seg model (ORT, 640×640)',
          graph: 'yolo_seg_standin_640.onnx',
          feeds: () => ({ images: new ort.Tensor('float32', image.data, [1, 3, 640, 640]) }),
          read: () => ({ kind: 'model' }),
          note: 'model time: post-processing share = 1 / ratio',
        }),
      ],
      check: () => correctness,
    };
  },
};

export const segmentersProtoMasksRow: BenchRow = {
  id: 'proto-masks',
  number: 11,
  title: 'YOLO-seg prototype masks (share of model time)',
  goal: 10,
  correctness: 'masks identical to a direct full-image implementation',
  cases: () => [protoMasksCase],
};
