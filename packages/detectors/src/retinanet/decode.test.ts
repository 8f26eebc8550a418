import { createHash } from 'node:crypto';
import { Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import type { DecodeContext } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { parseModelCard } from '../model-card.js';
import { finalizeDetections, resolveDetectOptions } from '../postprocess.js';
import { buildDetector, createDetectorRegistry } from '../registry.js';
import { expectSameDetections, maxAbsDiff } from '../test-utils/compare.js';
import { f32 } from '../test-utils/fake-session.js';
import { fixtureDir, type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { recipeImage } from '../test-utils/recipe-image.js';
import { parseRetinaNetConfig, RETINANET_DEFAULTS } from './config.js';
import { decodeRetinaNet } from './decode.js';
import { retinaNetDecodeParams } from './index.js';

interface RetinaFixture {
  card: Record<string, unknown>;
  cardTorchvision: Record<string, unknown>;
  anchors: Loaded;
  featureMapSizes: [number, number][];
  headOutputs: { cls_logits: Loaded[]; bbox_regression: Loaded[] };
  images: {
    width: number;
    height: number;
    seed: number;
    sha256: string;
    resize: 'stretch' | 'torchvision';
    detections: { boxes: Loaded; scores: Loaded; labels: number[] };
  }[];
  torchvisionDefaults: Record<string, number>;
}

const fx = loadFixture<RetinaFixture>('retinanet', 'retinanet_tiny');
const card = parseModelCard(fx.card, 'retinanet_tiny');
const labels = card.labels!;
const size = { width: card.input.width!, height: card.input.height! };
const contextFor = (options = resolveDetectOptions(labels, RETINANET_DEFAULTS)): DecodeContext => ({
  model: 'retinanet_tiny',
  options,
  inputSize: size,
  numClasses: labels.length,
  metadata: {},
});
const headOutputs = () => {
  const out: Record<string, ReturnType<typeof f32>> = {};
  fx.headOutputs.cls_logits.forEach((t, l) => {
    out[`cls_logits_${l}`] = f32(t.data, t.dims);
  });
  fx.headOutputs.bbox_regression.forEach((t, l) => {
    out[`bbox_regression_${l}`] = f32(t.data, t.dims);
  });
  return out;
};
const finalize = (
  candidates: ReturnType<typeof decodeRetinaNet>,
  options = resolveDetectOptions(labels, RETINANET_DEFAULTS),
) =>
  finalizeDetections('m', candidates, options, Transform.identity(size.width, size.height), labels);

describe('retinanet parity with torchvision 0.14', () => {
  it('the architecture defaults are torchvision’s', () => {
    expect({ ...RETINANET_DEFAULTS }).toEqual(fx.torchvisionDefaults);
  });

  it('makes the same test images as the fixture script', () => {
    for (const img of fx.images) {
      const pixels = recipeImage(img.width, img.height, img.seed).data;
      expect(createHash('sha256').update(pixels).digest('hex')).toBe(img.sha256);
    }
  });

  it('generates torchvision’s anchors (integer strides, e.g. 320 // 3 = 106 on P7)', () => {
    const params = retinaNetDecodeParams(parseRetinaNetConfig(card));
    const sizes = fx.featureMapSizes.map(([height, width]) => ({ height, width }));
    const ours = params.anchorsFor(sizes, size);
    const flat = new Float32Array(ours.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of ours) {
      flat.set(a, o);
      o += a.length;
    }
    expect(maxAbsDiff(flat, fx.anchors.data)).toBe(0);
  });

  it('decodes torchvision’s head outputs to torchvision’s detections', () => {
    const params = retinaNetDecodeParams(parseRetinaNetConfig(card));
    const det = finalize(decodeRetinaNet(headOutputs(), contextFor(), params));
    expectSameDetections(det, fx.images[0]!.detections, 1e-3, 1e-6);
  });

  it('reads the concatenated [1, ΣHWA, K] layout with featureMapSizes, and the raw NCHW head layout', () => {
    const concatCard = parseModelCard({
      ...fx.card,
      architecture: { type: 'retinanet', featureMapSizes: fx.featureMapSizes },
    });
    const params = retinaNetDecodeParams(parseRetinaNetConfig(concatCard));
    const cat = (ts: Loaded[], k: number) => {
      const total = ts.reduce((n, t) => n + t.data.length, 0);
      const data = new Float32Array(total);
      let o = 0;
      for (const t of ts) {
        data.set(t.data, o);
        o += t.data.length;
      }
      return f32(data, [1, total / k, k]);
    };
    const outputs = {
      cls_logits: cat(fx.headOutputs.cls_logits, 4),
      bbox_regression: cat(fx.headOutputs.bbox_regression, 4),
    };
    expectSameDetections(
      finalize(decodeRetinaNet(outputs, contextFor(), params)),
      fx.images[0]!.detections,
      1e-3,
      1e-6,
    );

    // [1, H, W, A, K] → [1, A·K, H, W]
    const toNchw = (t: Loaded) => {
      const [, h, w, a, k] = t.dims as [number, number, number, number, number];
      const out = new Float32Array(t.data.length);
      for (let p = 0; p < h * w; p++)
        for (let ai = 0; ai < a; ai++)
          for (let ki = 0; ki < k; ki++)
            out[(ai * k + ki) * h * w + p] = t.data[(p * a + ai) * k + ki]!;
      return f32(out, [1, a * k, h, w]);
    };
    const nchw: Record<string, ReturnType<typeof f32>> = {};
    fx.headOutputs.cls_logits.forEach((t, l) => {
      nchw[`cls_logits_${l}`] = toNchw(t);
    });
    fx.headOutputs.bbox_regression.forEach((t, l) => {
      nchw[`bbox_regression_${l}`] = toNchw(t);
    });
    const p2 = retinaNetDecodeParams(parseRetinaNetConfig(card));
    expectSameDetections(
      finalize(decodeRetinaNet(nchw, contextFor(), p2)),
      fx.images[0]!.detections,
      1e-3,
      1e-6,
    );
  });

  it('detects like torchvision end to end (onnxruntime, image → detections)', async () => {
    const detector = await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      base: fixtureDir('retinanet'),
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      for (const img of fx.images.filter((i) => i.resize === 'stretch')) {
        const det = await detector.detect(recipeImage(img.width, img.height, img.seed));
        expectSameDetections(det, img.detections, 1e-2, 1e-4, 1e-4);
      }
    } finally {
      await detector.dispose();
    }
  });

  it('with resize "torchvision": min/max size, float resize, padding to 32, clipping to the unpadded image', async () => {
    const detector = await buildDetector(
      registerBuiltins(createDetectorRegistry()),
      parseModelCard(fx.cardTorchvision),
      {
        base: fixtureDir('retinanet'),
        session: { executionProviders: ['cpu'], threads: 1 },
      },
    );
    try {
      // 500×375 → 320×240, padded to 320×256
      expect(fx.images.some((i) => i.width === 500 && i.height === 375)).toBe(true);
      for (const img of fx.images) {
        const det = await detector.detect(recipeImage(img.width, img.height, img.seed));
        expectSameDetections(det, img.detections, 1e-2, 1e-4, 1e-4);
      }
    } finally {
      await detector.dispose();
    }
  });
});

describe('decodeRetinaNet on hand-made tensors', () => {
  // one level, 2×2 locations, 1 anchor per location (size 8, ratio 1), 2 classes
  const cardOf = (arch: Record<string, unknown> = {}) =>
    parseModelCard({
      id: 't',
      task: 'detect',
      architecture: { type: 'retinanet', anchors: { sizes: [[8]], aspectRatios: [1] }, ...arch },
      files: { model: { path: 'm' } },
      input: { width: 16, height: 16, resize: 'stretch' },
      labels: ['cat', 'dog'],
    });
  const params = retinaNetDecodeParams(parseRetinaNetConfig(cardOf()));
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 't',
    options: resolveDetectOptions(['cat', 'dog'], o, RETINANET_DEFAULTS),
    inputSize: { width: 16, height: 16 },
    numClasses: 2,
    metadata: {},
  });
  const out = (logits: number[]) => ({
    cls_logits_0: f32(logits, [1, 2, 2, 1, 2]),
    bbox_regression_0: f32(new Float32Array(16), [1, 2, 2, 1, 4]),
  });

  it('no candidates → empty', () => {
    expect(
      decodeRetinaNet(out([-9, -9, -9, -9, -9, -9, -9, -9]), ctx(), params).scores.length,
    ).toBe(0);
  });

  it('all above threshold → every (anchor, class), best first, boxes on the anchors clipped to the input', () => {
    const c = decodeRetinaNet(out([1, 2, 3, 4, 5, 6, 7, 8]), ctx(), params);
    expect(Array.from(c.labels)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(c.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-8)), 6);
    // the last location (row 1, col 1; stride 8): anchor [-4,-4,4,4] + 8
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([4, 4, 12, 12]);
    // the first location is clipped at 0
    expect(Array.from(c.boxes.subarray(24, 28))).toEqual([0, 0, 4, 4]);
  });

  it('top-k per level after the allow-list', () => {
    const c = decodeRetinaNet(
      out([1, 2, 3, 4, 5, 6, 7, 8]),
      ctx({ preNmsTopK: 3, classes: ['cat'] }),
      params,
    );
    expect(Array.from(c.labels)).toEqual([0, 0, 0]);
    expect(c.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-7)), 6);
  });

  it('maxDetections caps after NMS', () => {
    const options = resolveDetectOptions(['cat', 'dog'], { maxDetections: 2 }, RETINANET_DEFAULTS);
    const det = finalizeDetections(
      't',
      decodeRetinaNet(out([1, 2, 3, 4, 5, 6, 7, 8]), { ...ctx(), options }, params),
      options,
      Transform.identity(16, 16),
      ['cat', 'dog'],
    );
    expect(det.labelNames).toEqual(['dog', 'cat']);
  });

  it('names NaN and bad shapes', () => {
    expect(() => decodeRetinaNet(out([1, 2, 3, Number.NaN, 5, 6, 7, 8]), ctx(), params)).toThrow(
      /class logits of level 0": non-finite value NaN at flat index 3/,
    );
    expect(() =>
      decodeRetinaNet(
        {
          cls_logits_0: f32(new Float32Array(12), [1, 2, 2, 1, 3]),
          bbox_regression_0: f32(new Float32Array(16), [1, 2, 2, 1, 4]),
        },
        ctx(),
        params,
      ),
    ).toThrow(/"cls_logits_0": expected shape \[1, H, W, A=1, K=2\], got \[1, 2, 2, 1, 3\]/);
    expect(() =>
      decodeRetinaNet(
        {
          cls_logits: f32(new Float32Array(8), [1, 4, 2]),
          bbox_regression: f32(new Float32Array(16), [1, 4, 4]),
        },
        ctx(),
        params,
      ),
    ).toThrow(ModelOutputError);
    expect(() =>
      decodeRetinaNet(
        {
          cls_logits_0: f32(new Float32Array(8), [1, 4, 2]),
          bbox_regression_0: f32(new Float32Array(16), [1, 4, 4]),
        },
        ctx(),
        params,
      ),
    ).toThrow(/needs architecture.featureMapSizes/);
  });

  it('scans lengths that are not a multiple of 8 (tail and unrolled part) alike', () => {
    // one level, 1×3 locations, 3 classes: 9 logits
    const card3 = parseModelCard({
      id: 't',
      task: 'detect',
      architecture: { type: 'retinanet', anchors: { sizes: [[8]], aspectRatios: [1] } },
      files: { model: { path: 'm' } },
      input: { width: 24, height: 8, resize: 'stretch' },
      labels: ['a', 'b', 'c'],
    });
    const p3 = retinaNetDecodeParams(parseRetinaNetConfig(card3));
    const ctx3 = {
      model: 't',
      options: resolveDetectOptions(['a', 'b', 'c'], {}, RETINANET_DEFAULTS),
      inputSize: { width: 24, height: 8 },
      numClasses: 3,
      metadata: {},
    };
    const out3 = (logits: number[]) => ({
      cls_logits_0: f32(logits, [1, 1, 3, 1, 3]),
      bbox_regression_0: f32(new Float32Array(12), [1, 1, 3, 1, 4]),
    });
    const logits = [-9, 2, -9, -9, -9, 1, -9, -9, 3];
    const c = decodeRetinaNet(out3(logits), ctx3, p3);
    expect(Array.from(c.labels)).toEqual([2, 1, 2]);
    expect(c.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    for (const at of [3, 8]) {
      const bad = [...logits];
      bad[at] = Number.NaN;
      expect(() => decodeRetinaNet(out3(bad), ctx3, p3)).toThrow(
        new RegExp(`non-finite value NaN at flat index ${at}`),
      );
    }
  });

  it('config errors name the field', () => {
    expect(() => parseRetinaNetConfig(cardOf({ scoreOutputs: ['a'] }))).toThrow(
      /architecture.boxOutputs: give scoreOutputs and boxOutputs together/,
    );
    expect(() =>
      parseRetinaNetConfig(
        cardOf({
          featureMapSizes: [
            [2, 2],
            [1, 1],
          ],
        }),
      ),
    ).toThrow(ModelCardError);
    expect(() =>
      parseRetinaNetConfig(cardOf({ anchors: { sizes: [[8]], aspectRatios: [[1], [2]] } })),
    ).toThrow(/architecture.anchors.aspectRatios/);
  });
});
