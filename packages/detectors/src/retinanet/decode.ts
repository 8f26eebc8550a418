/**
 * RetinaNet post-processing up to NMS, torchvision 0.14's `RetinaNet.postprocess_detections`
 * step for step, per FPN level:
 *
 * 1. scores = sigmoid(logits), flattened anchor-major (index = anchor·K + class);
 * 2. keep scores > threshold (strictly; 0.05), then the `preNmsTopK` best (1000) of the level;
 * 3. anchor = index ÷ K, label = index mod K; boxes = BoxCoder(1, 1, 1, 1).decode(deltas,
 *    anchors), clipped to the input;
 * 4. levels concatenated in order — the order `batched_nms` sees — for the shared NMS (0.5) and
 *    cap (300).
 *
 * The allow-list is applied in step 2, before the top-k, so other classes never crowd an
 * allowed one out. The sigmoid is only evaluated for logits above logit(threshold) − 1e-4
 * (the rest cannot pass), and boxes only for the kept candidates.
 */
import {
  type BoxCoderWeights,
  clipBoxesToImage,
  decodeBoxDeltas,
  type FeatureMapSize,
  type ImageSize,
} from '@ocelot/core';
import type { Tensor } from '@ocelot/runtime';
import type { DecodeContext } from '../detector.js';
import { ModelOutputError } from '../errors.js';
import { formatDims, readFloat32Output, shapeError } from '../outputs.js';
import { assertFiniteOutput, emptyCandidates } from '../postprocess.js';
import { topKIndices } from '../select.js';
import type { Candidates } from '../types.js';

/** One level's head outputs in torchvision's (H, W, A) × K order. */
export interface RetinaNetLevel {
  /** [H·W·A, K] class logits. */
  readonly logits: Float32Array;
  /** [H·W·A, 4] box deltas. */
  readonly deltas: Float32Array;
  readonly size: FeatureMapSize;
}

/** What `decodeRetinaNet` needs besides the outputs. */
export interface RetinaNetDecodeParams {
  /** Anchors per location of each level (9 with the default generator). */
  readonly anchorsPerLocation: readonly number[];
  /** Anchors of each level, [H·W·A, 4] xyxy, for the given feature sizes and input size. */
  anchorsFor(
    featureSizes: readonly FeatureMapSize[],
    imageSize: ImageSize,
  ): readonly Float32Array[];
  readonly boxCoderWeights: BoxCoderWeights;
  /** Output names per level (or one concatenated); default: see `readRetinaNetLevels`. */
  readonly scoreOutputs?: readonly string[] | undefined;
  readonly boxOutputs?: readonly string[] | undefined;
  /** `[height, width]` per level, for rank-3 outputs. */
  readonly featureMapSizes?: readonly FeatureMapSize[] | undefined;
}

type Outputs = Readonly<Record<string, Tensor>>;

/** `[1, A·K, H, W]` → `[H·W·A, K]`. */
function fromNchw(data: Float32Array, a: number, k: number, h: number, w: number): Float32Array {
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let ai = 0; ai < a; ai++) {
    for (let ki = 0; ki < k; ki++) {
      const src = (ai * k + ki) * plane;
      for (let p = 0; p < plane; p++) out[(p * a + ai) * k + ki] = data[src + p]!;
    }
  }
  return out;
}

/** Reads one level's output in any supported rank; returns data in (H, W, A) × K order. */
function readLevel(
  model: string,
  outputs: Outputs,
  name: string,
  a: number,
  k: number,
  what: string,
  size: FeatureMapSize | undefined,
): { data: Float32Array; size: FeatureMapSize } {
  const t = outputs[name];
  const rank = t?.dims.length ?? 5;
  const expected = `[1, H, W, A=${a}, ${what}] or [1, A·${what}=${a * k}, H, W] or [1, H·W·A, ${what}] with featureMapSizes`;
  const o = readFloat32Output(model, outputs, name, rank, expected);
  const d = o.dims;
  if (rank === 5) {
    if (d[0] !== 1 || d[3] !== a || d[4] !== k)
      throw shapeError(model, o.name, `[1, H, W, A=${a}, ${what}]`, d);
    return { data: o.data, size: { height: d[1]!, width: d[2]! } };
  }
  if (rank === 4) {
    if (d[0] !== 1 || d[1] !== a * k)
      throw shapeError(model, o.name, `[1, A·${what}=${a * k}, H, W]`, d);
    return { data: fromNchw(o.data, a, k, d[2]!, d[3]!), size: { height: d[2]!, width: d[3]! } };
  }
  if (rank === 3) {
    if (size === undefined) {
      throw new ModelOutputError(
        model,
        o.name,
        `rank-3 output ${formatDims(d)} needs architecture.featureMapSizes to know the level's height and width`,
      );
    }
    const hwa = size.height * size.width * a;
    if (d[0] !== 1 || d[1] !== hwa || d[2] !== k) {
      throw shapeError(
        model,
        o.name,
        `[1, H·W·A=${size.height}·${size.width}·${a}=${hwa}, ${what}]`,
        d,
      );
    }
    return { data: o.data, size };
  }
  throw shapeError(model, o.name, expected, d);
}

/**
 * The head outputs of every level, whatever the export's layout (see the config). Output names:
 * `scoreOutputs` / `boxOutputs` when given, else `cls_logits_<l>` / `bbox_regression_<l>` when
 * the model has `cls_logits_0`, else one concatenated `cls_logits` / `bbox_regression`.
 * @throws ModelOutputError on missing outputs or shapes that do not fit
 */
export function readRetinaNetLevels(
  outputs: Outputs,
  context: DecodeContext,
  params: RetinaNetDecodeParams,
): RetinaNetLevel[] {
  const { model, numClasses: k } = context;
  const levels = params.anchorsPerLocation.length;
  let scoreNames = params.scoreOutputs;
  let boxNames = params.boxOutputs;
  if (scoreNames === undefined || boxNames === undefined) {
    if (Object.hasOwn(outputs, 'cls_logits_0')) {
      scoreNames = Array.from({ length: levels }, (_, l) => `cls_logits_${l}`);
      boxNames = Array.from({ length: levels }, (_, l) => `bbox_regression_${l}`);
    } else {
      scoreNames = ['cls_logits'];
      boxNames = ['bbox_regression'];
    }
  }
  const sizes = params.featureMapSizes;
  if (scoreNames.length === 1 && levels > 1) {
    // torchvision's concatenated head outputs: split by the configured level sizes
    const cls = readFloat32Output(model, outputs, scoreNames[0]!, 3, `[1, Σ H·W·A, K=${k}]`);
    const box = readFloat32Output(model, outputs, boxNames[0]!, 3, '[1, Σ H·W·A, 4]');
    if (sizes === undefined) {
      throw new ModelOutputError(
        model,
        cls.name,
        'concatenated head outputs need architecture.featureMapSizes to split the levels',
      );
    }
    const counts = sizes.map((s, l) => s.height * s.width * params.anchorsPerLocation[l]!);
    const total = counts.reduce((x, y) => x + y, 0);
    if (cls.dims[0] !== 1 || cls.dims[1] !== total || cls.dims[2] !== k) {
      throw shapeError(model, cls.name, `[1, Σ H·W·A=${total}, K=${k}]`, cls.dims);
    }
    if (box.dims[0] !== 1 || box.dims[1] !== total || box.dims[2] !== 4) {
      throw shapeError(model, box.name, `[1, Σ H·W·A=${total}, 4]`, box.dims);
    }
    let start = 0;
    return counts.map((n, l) => {
      const level = {
        logits: cls.data.subarray(start * k, (start + n) * k),
        deltas: box.data.subarray(start * 4, (start + n) * 4),
        size: sizes[l]!,
      };
      start += n;
      return level;
    });
  }
  if (scoreNames.length !== levels || boxNames.length !== levels) {
    throw new ModelOutputError(
      model,
      scoreNames.join(', '),
      `expected ${levels} per-level outputs (one per anchor level), got ${scoreNames.length}`,
    );
  }
  return scoreNames.map((name, l) => {
    const a = params.anchorsPerLocation[l]!;
    const cls = readLevel(model, outputs, name, a, k, `K=${k}`, sizes?.[l]);
    const box = readLevel(model, outputs, boxNames[l]!, a, 4, '4', sizes?.[l] ?? cls.size);
    if (box.size.height !== cls.size.height || box.size.width !== cls.size.width) {
      throw new ModelOutputError(
        model,
        boxNames[l]!,
        `level ${l} is ${box.size.height}×${box.size.width} but ${name} is ${cls.size.height}×${cls.size.width}`,
      );
    }
    return { logits: cls.data, deltas: box.data, size: cls.size };
  });
}

/** The logit above which sigmoid(x) can exceed `threshold` (with margin for rounding). */
function logitFloor(threshold: number): number {
  if (!(threshold > 0)) return Number.NEGATIVE_INFINITY;
  if (threshold >= 1) return Number.POSITIVE_INFINITY;
  return Math.log(threshold / (1 - threshold)) - 1e-4;
}

/** Candidates of one level that pass the threshold: flat indices and their scores, compact. */
interface LevelPassing {
  readonly index: Int32Array;
  readonly scores: Float32Array;
  readonly count: number;
  /** NaN when the logits held a non-finite value. */
  readonly poison: number;
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const out = new Int32Array(2 * a.length);
  out.set(a);
  return out;
}

/**
 * Step 1–2 scan of one level, in two passes: first the flat indices of logits above
 * logit(threshold) − 1e-4 (the only ones whose sigmoid can pass; a tight loop with nothing but a
 * comparison — a `Math.exp` in its rare branch made V8's loop 3× slower), then their float32
 * sigmoid, kept when > threshold and the class is allowed. A NaN / ±Inf anywhere poisons the
 * returned accumulator (v·0 is 0 for finite v), so the check costs no extra pass.
 */
function scanLevel(
  logits: Float32Array,
  k: number,
  floor: number,
  threshold: number,
  allowed: Uint8Array | undefined,
): LevelPassing {
  let above = new Int32Array(4096);
  let count = 0;
  let poison = 0;
  const n = logits.length;
  let i = 0;
  // eight logits per step, as the Ultralytics scan (V8 does not unroll loops itself)
  for (; i + 8 <= n; i += 8) {
    const v0 = logits[i]!;
    const v1 = logits[i + 1]!;
    const v2 = logits[i + 2]!;
    const v3 = logits[i + 3]!;
    const v4 = logits[i + 4]!;
    const v5 = logits[i + 5]!;
    const v6 = logits[i + 6]!;
    const v7 = logits[i + 7]!;
    poison += (v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7) * 0;
    if (
      v0 > floor ||
      v1 > floor ||
      v2 > floor ||
      v3 > floor ||
      v4 > floor ||
      v5 > floor ||
      v6 > floor ||
      v7 > floor
    ) {
      for (let j = i; j < i + 8; j++) {
        if (logits[j]! > floor) {
          if (count === above.length) above = grow(above);
          above[count++] = j;
        }
      }
    }
  }
  for (; i < n; i++) {
    const v = logits[i]!;
    poison += v * 0;
    if (v > floor) {
      if (count === above.length) above = grow(above);
      above[count++] = i;
    }
  }
  const index = new Int32Array(count);
  const scores = new Float32Array(count);
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const at = above[j]!;
    if (allowed !== undefined && allowed[at % k] !== 1) continue;
    const s = Math.fround(1 / (1 + Math.exp(-logits[at]!)));
    if (s > threshold) {
      index[kept] = at;
      scores[kept] = s;
      kept++;
    }
  }
  return { index, scores, count: kept, poison };
}

/**
 * Per-level head outputs → candidates in input pixels (steps 1–4 above).
 * @param levels see `readRetinaNetLevels`
 * @param anchors per level, [H·W·A, 4] xyxy
 */
export function decodeRetinaNetLevels(
  levels: readonly RetinaNetLevel[],
  anchors: readonly Float32Array[],
  context: DecodeContext,
  boxCoderWeights: BoxCoderWeights,
): Candidates {
  const { model, options, numClasses: k, inputSize } = context;
  const { scoreThreshold, preNmsTopK, allowed } = options;
  const floor = logitFloor(scoreThreshold);
  const picks: { top: Int32Array; passing: LevelPassing; level: number }[] = [];
  let total = 0;
  for (const [l, level] of levels.entries()) {
    const passing = scanLevel(level.logits, k, floor, scoreThreshold, allowed);
    if (passing.poison !== 0) assertFiniteOutput(model, `class logits of level ${l}`, level.logits);
    if (passing.count === 0) continue;
    // positions 0…count−1 are in flat-index order, so equal scores keep torchvision's order
    const positions = new Int32Array(passing.count);
    for (let i = 0; i < passing.count; i++) positions[i] = i;
    const top = topKIndices(passing.scores, positions, passing.count, preNmsTopK);
    picks.push({ top, passing, level: l });
    total += top.length;
  }
  if (total === 0) return emptyCandidates();
  const deltas = new Float32Array(4 * total);
  const refs = new Float32Array(4 * total);
  const outScores = new Float32Array(total);
  const labels = new Int32Array(total);
  let o = 0;
  for (const { top, passing, level: l } of picks) {
    const level = levels[l]!;
    const levelAnchors = anchors[l]!;
    for (let i = 0; i < top.length; i++, o++) {
      const p = top[i]!;
      const idx = passing.index[p]!;
      const a = Math.floor(idx / k);
      deltas.set(level.deltas.subarray(4 * a, 4 * a + 4), 4 * o);
      refs.set(levelAnchors.subarray(4 * a, 4 * a + 4), 4 * o);
      outScores[o] = passing.scores[p]!;
      labels[o] = idx - a * k;
    }
  }
  for (const [l, level] of levels.entries()) {
    assertFiniteOutput(model, `box deltas of level ${l}`, level.deltas);
  }
  const decoded = decodeBoxDeltas(deltas, refs, { weights: boxCoderWeights });
  // torchvision clips to the resized image (`image_sizes`), not to the padded tensor
  const boxes = clipBoxesToImage(decoded, context.resizedSize ?? inputSize);
  return { boxes, scores: outScores, labels };
}

/**
 * Raw RetinaNet head outputs → candidates in input pixels.
 * @throws ModelOutputError on missing outputs, shapes that do not fit or non-finite values
 */
export function decodeRetinaNet(
  outputs: Outputs,
  context: DecodeContext,
  params: RetinaNetDecodeParams,
): Candidates {
  const levels = readRetinaNetLevels(outputs, context, params);
  const anchors = params.anchorsFor(
    levels.map((l) => l.size),
    context.inputSize,
  );
  return decodeRetinaNetLevels(levels, anchors, context, params.boxCoderWeights);
}
