import { createHash } from 'node:crypto';
import { defaultBoxes } from '@ocelot/core';
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
import { parseSsdConfig, SSD_DEFAULTS, SSDLITE_DEFAULTS } from './config.js';
import { decodeSsd } from './decode.js';

interface SsdFixture {
  card: Record<string, unknown>;
  cardTorchvision: Record<string, unknown> & {
    architecture: { priors: { featureMapSizes: number[][] } };
  };
  anchors: Loaded;
  headOutputs: { bbox_regression: Loaded; cls_logits: Loaded };
  images: {
    width: number;
    height: number;
    seed: number;
    sha256: string;
    resize: 'stretch' | 'torchvision';
    detections: { boxes: Loaded; scores: Loaded; labels: number[] };
  }[];
  torchvisionDefaults: {
    scoreThreshold: number;
    iouThreshold: number;
    maxDetections: number;
    preNmsTopK: number;
  };
}

const cases = [
  { name: 'ssd300_tiny', type: 'ssd', defaults: SSD_DEFAULTS },
  { name: 'ssdlite320_tiny', type: 'ssdlite', defaults: SSDLITE_DEFAULTS },
] as const;

for (const c of cases) {
  describe(`${c.type} parity with torchvision 0.14 (${c.name})`, () => {
    const fx = loadFixture<SsdFixture>('ssd', c.name);
    const card = parseModelCard(fx.card, c.name);
    const size = { width: card.input.width!, height: card.input.height! };

    it('the architecture defaults are torchvision’s', () => {
      expect({ ...c.defaults }).toEqual(fx.torchvisionDefaults);
    });

    it('makes the same test images as the fixture script', () => {
      for (const img of fx.images) {
        const pixels = recipeImage(img.width, img.height, img.seed).data;
        expect(createHash('sha256').update(pixels).digest('hex')).toBe(img.sha256);
      }
    });

    it('generates torchvision’s default boxes', () => {
      const config = parseSsdConfig(card);
      if (config.priors.type !== 'default-boxes') throw new Error('fixture uses default boxes');
      const ours = defaultBoxes(config.priors.featureMapSizes, size, config.priors.options);
      expect(maxAbsDiff(ours, fx.anchors.data)).toBeLessThanOrEqual(1e-4);
    });

    it('decodes torchvision’s head outputs to torchvision’s detections', () => {
      const config = parseSsdConfig(card);
      if (config.priors.type !== 'default-boxes') throw new Error('fixture uses default boxes');
      const labels = card.labels!;
      const options = resolveDetectOptions(labels, c.defaults);
      const context: DecodeContext = {
        model: c.name,
        options,
        inputSize: size,
        numClasses: labels.length,
        metadata: {},
      };
      const outputs = {
        bbox_regression: f32(
          fx.headOutputs.bbox_regression.data,
          fx.headOutputs.bbox_regression.dims,
        ),
        cls_logits: f32(fx.headOutputs.cls_logits.data, fx.headOutputs.cls_logits.dims),
      };
      const priors = defaultBoxes(config.priors.featureMapSizes, size, config.priors.options);
      const candidates = decodeSsd(outputs, context, { ...config, priors });
      const det = finalizeDetections(
        c.name,
        candidates,
        options,
        Transform.identity(size.width, size.height),
        labels,
      );
      const diff = expectSameDetections(det, fx.images[0]!.detections, 1e-3, 1e-5);
      expect(diff.box).toBeLessThan(1e-3);
    });

    it('detects like torchvision end to end (onnxruntime, image → detections)', async () => {
      const registry = registerBuiltins(createDetectorRegistry());
      const detector = await buildDetector(registry, card, {
        base: fixtureDir('ssd'),
        session: { executionProviders: ['cpu'], threads: 1 },
      });
      try {
        for (const img of fx.images.filter((i) => i.resize === 'stretch')) {
          const det = await detector.detect(recipeImage(img.width, img.height, img.seed));
          expectSameDetections(det, img.detections, 1e-2, 1e-4, 1e-4);
          expect(det.labelNames[0]).toBe(card.labels![img.detections.labels[0]!]);
        }
      } finally {
        await detector.dispose();
      }
    });

    it('with resize "torchvision", also images of other sizes (float resize as torchvision)', async () => {
      const registry = registerBuiltins(createDetectorRegistry());
      const detector = await buildDetector(registry, parseModelCard(fx.cardTorchvision, c.name), {
        base: fixtureDir('ssd'),
        session: { executionProviders: ['cpu'], threads: 1 },
      });
      try {
        expect(fx.images.some((i) => i.width !== size.width)).toBe(true);
        for (const img of fx.images) {
          const det = await detector.detect(recipeImage(img.width, img.height, img.seed));
          expectSameDetections(det, img.detections, 1e-2, 1e-4, 1e-4);
        }
      } finally {
        await detector.dispose();
      }
    });
  });
}

describe('decodeSsd on hand-made tensors', () => {
  // 4 anchors, 2 classes (+ background); anchors are 10×10 boxes spread along x
  const priors = new Float32Array([0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10, 41, 0, 51, 10]);
  const labels = ['cat', 'dog'];
  const params = {
    priors,
    boxCoderWeights: [10, 10, 5, 5] as const,
    boxOutput: ['bbox_regression'],
    scoreOutput: ['cls_logits'],
    scores: 'logits' as const,
  };
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(labels, o, SSD_DEFAULTS),
    inputSize: { width: 64, height: 64 },
    numClasses: 2,
    metadata: {},
  });
  const zeros = f32(new Float32Array(16), [1, 4, 4]);
  // logits per anchor: [background, cat, dog]
  const logits = (rows: number[][]) => f32(rows.flat(), [1, rows.length, 3]);

  it('no candidates above the threshold → empty', () => {
    const out = decodeSsd(
      {
        bbox_regression: zeros,
        cls_logits: logits([
          [9, 0, 0],
          [9, 0, 0],
          [9, 0, 0],
          [9, 0, 0],
        ]),
      },
      ctx({ scoreThreshold: 0.5 }),
      params,
    );
    expect(out.scores.length).toBe(0);
  });

  it('every anchor above the threshold → every (anchor, class) pair, class by class', () => {
    const out = decodeSsd(
      {
        bbox_regression: zeros,
        cls_logits: logits([
          [0, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
          [0, 2, 2],
        ]),
      },
      ctx({ scoreThreshold: 0 }),
      params,
    );
    expect(Array.from(out.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    // class 0 (cat) by decreasing probability: anchor 1 (e/(2+e)), 3 (e²/(1+2e²)), 0 (1/3), 2
    expect(Array.from(out.boxes.subarray(0, 4))).toEqual([20, 0, 30, 10]);
    expect(Array.from(out.boxes.subarray(4, 8))).toEqual([41, 0, 51, 10]);
    expect(Array.from(out.boxes.subarray(8, 12))).toEqual([0, 0, 10, 10]);
    expect(out.scores[0]).toBeCloseTo(Math.E / (2 + Math.E), 6);
    expect(out.scores[1]).toBeCloseTo(Math.exp(2) / (1 + 2 * Math.exp(2)), 6);
  });

  it('keeps preNmsTopK per class; maxDetections caps after NMS', async () => {
    const rows = [
      [0, 3, 0],
      [0, 2, 0],
      [0, 1, 0],
      [0, 4, 0],
    ];
    const out = decodeSsd(
      { bbox_regression: zeros, cls_logits: logits(rows) },
      ctx({ preNmsTopK: 2 }),
      params,
    );
    expect(Array.from(out.labels)).toEqual([0, 0, 1, 1]);
    const options = resolveDetectOptions(labels, { maxDetections: 1 }, SSD_DEFAULTS);
    const det = finalizeDetections(
      'm',
      decodeSsd(
        { bbox_regression: zeros, cls_logits: logits(rows) },
        { ...ctx(), options },
        params,
      ),
      options,
      Transform.identity(64, 64),
      labels,
    );
    expect(det.labelNames).toEqual(['cat']);
    expect(Array.from(det.boxes)).toEqual([41, 0, 51, 10]);
  });

  it('applies the allow-list before top-k', () => {
    const rows = [
      [0, 5, 1],
      [0, 5, 1],
      [0, 5, 1],
      [0, 5, 1],
    ];
    const out = decodeSsd(
      { bbox_regression: zeros, cls_logits: logits(rows) },
      ctx({ classes: ['dog'], preNmsTopK: 2 }),
      params,
    );
    expect(Array.from(out.labels)).toEqual([1, 1]);
  });

  it('names the output holding a NaN', () => {
    const bad = logits([
      [0, 0, 0],
      [0, Number.NaN, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(() => decodeSsd({ bbox_regression: zeros, cls_logits: bad }, ctx(), params)).toThrow(
      ModelOutputError,
    );
    expect(() => decodeSsd({ bbox_regression: zeros, cls_logits: bad }, ctx(), params)).toThrow(
      /"cls_logits": non-finite value NaN at flat index 4/,
    );
    const badBoxes = f32([0, 0, Number.POSITIVE_INFINITY, ...new Array(13).fill(0)], [1, 4, 4]);
    expect(() =>
      decodeSsd(
        {
          bbox_regression: badBoxes,
          cls_logits: logits([
            [0, 1, 1],
            [0, 1, 1],
            [0, 1, 1],
            [0, 1, 1],
          ]),
        },
        ctx(),
        params,
      ),
    ).toThrow(/"bbox_regression": non-finite/);
  });

  it('says which shape it expected', () => {
    const wrongClasses = f32(new Float32Array(4 * 4), [1, 4, 4]);
    expect(() =>
      decodeSsd({ bbox_regression: zeros, cls_logits: wrongClasses }, ctx(), params),
    ).toThrow(
      /"cls_logits": expected shape \[1, A=4, C\+1=3\] \(2 labels \+ background at column 0\), got \[1, 4, 4\]/,
    );
    const wrongAnchors = f32(new Float32Array(20), [1, 5, 4]);
    expect(() =>
      decodeSsd({ bbox_regression: wrongAnchors, cls_logits: logits([[0, 0, 0]]) }, ctx(), params),
    ).toThrow(/"bbox_regression": expected shape \[1, A=4, 4\].*got \[1, 5, 4\]/);
    expect(() => decodeSsd({ boxes: zeros }, ctx(), params)).toThrow(
      /"bbox_regression": missing; the model returned boxes/,
    );
  });
});

describe('parseSsdConfig', () => {
  const card = (architecture: Record<string, unknown>) =>
    parseModelCard({
      id: 'x',
      task: 'detect',
      architecture: { type: 'ssd', ...architecture },
      files: { model: { path: 'm.onnx' } },
      input: { width: 300, height: 300, resize: 'stretch' },
      labels: ['a'],
    });

  it('accepts a preset with feature map sizes', () => {
    const c = parseSsdConfig(
      card({
        priors: {
          type: 'default-boxes',
          preset: 'ssd300',
          featureMapSizes: [
            [38, 38],
            [19, 19],
            [10, 10],
            [5, 5],
            [3, 3],
            [1, 1],
          ],
        },
      }),
    );
    expect(c.priors.type).toBe('default-boxes');
    expect(c.boxCoderWeights).toEqual([10, 10, 5, 5]);
  });

  it('names the bad field', () => {
    expect(() => parseSsdConfig(card({}))).toThrow(/architecture.priors: missing/);
    expect(() =>
      parseSsdConfig(
        card({ priors: { type: 'default-boxes', preset: 'ssd300', featureMapSizes: [[38, 38]] } }),
      ),
    ).toThrow(/architecture.priors.featureMapSizes: expected 6 sizes/);
    expect(() =>
      parseSsdConfig(card({ priors: { type: 'output' }, boxCoderWeights: [1, 1, 1] })),
    ).toThrow(ModelCardError);
    expect(() =>
      parseSsdConfig(card({ priors: { type: 'output', name: 'p' }, scroes: 'logits' })),
    ).toThrow(/architecture.scroes: unknown field/);
    expect(() =>
      parseSsdConfig(
        card({
          priors: { type: 'default-boxes', aspectRatios: [[2, -1]], featureMapSizes: [[1, 1]] },
        }),
      ),
    ).toThrow(/architecture.priors.aspectRatios\[0\]\[1\]: expected a number > 0, got -1/);
  });
});
