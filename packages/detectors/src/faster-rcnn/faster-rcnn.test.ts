import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type TensorView } from '@ocelot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { type ModelCard, parseModelCard } from '../model-card.js';
import { buildDetector, createDetectorRegistry } from '../registry.js';
import { expectSameDetections } from '../test-utils/compare.js';
import { f32, fakeSession } from '../test-utils/fake-session.js';
import { fixtureDir } from '../test-utils/fixtures.js';
import { recipeImage } from '../test-utils/recipe-image.js';
import type { BoxHeadRunner, FeatureBackbone, RpnHeadRunner } from '../two-stage/heads.js';
import { sessionBackbone, sessionBoxHead, sessionRpnHead } from '../two-stage/heads.js';
import { resizeBoxes } from '../two-stage/transform.js';
import { fasterRcnnFixture } from './__fixtures__/load.js';
import { FASTER_RCNN_DEFAULTS, parseFasterRcnnConfig } from './config.js';
import type { FasterRcnnDetector } from './detector.js';
import { FasterRCNN } from './faster-rcnn.js';

const fx = fasterRcnnFixture();
const graphDir = join(fixtureDir('faster-rcnn'), fx.graphs);
const cardJson = JSON.parse(readFileSync(join(graphDir, 'model.json'), 'utf8'));
const card = parseModelCard(cardJson, 'faster_rcnn_tiny/model.json');
const zeros = (n: number) => ({
  boxes: { data: new Float32Array(4 * n) },
  scores: { data: new Float32Array(n) },
  labels: new Array<number>(n).fill(0),
});

describe('faster-rcnn config', () => {
  it('the defaults are torchvision 0.14’s FasterRCNN test-time settings', () => {
    const t = fx.torchvision;
    expect(FASTER_RCNN_DEFAULTS).toEqual({
      scoreThreshold: t.roiHeads.scoreThresh,
      iouThreshold: t.roiHeads.nmsThresh,
      maxDetections: t.roiHeads.detectionsPerImg,
    });
    const bare = parseFasterRcnnConfig({
      ...card,
      architecture: { type: 'faster-rcnn' },
    } as ModelCard);
    expect(bare.rpn).toMatchObject({
      preNmsTopN: 1000,
      postNmsTopN: 1000,
      nmsThresh: 0.7,
      scoreThresh: 0,
      minSize: 1e-3,
    });
    expect(bare.roiHeads).toMatchObject({
      featureNames: ['0', '1', '2', '3'],
      outputSize: [7, 7],
      samplingRatio: 2,
      scoreThresh: 0.05,
      nmsThresh: 0.5,
      detectionsPerImg: 100,
    });
    expect(bare.transform).toEqual({
      minSize: 800,
      maxSize: 1333,
      sizeDivisible: 32,
      fixedSize: undefined,
    });
  });

  it('reads the card the exporter wrote from the model’s modules', () => {
    const c = parseFasterRcnnConfig(card);
    expect(c.transform.minSize).toBe(fx.torchvision.minSize);
    expect(c.transform.maxSize).toBe(fx.torchvision.maxSize);
    expect(c.rpn).toMatchObject(fx.torchvision.rpn);
    expect(c.roiHeads).toMatchObject(fx.torchvision.roiHeads);
    expect(c.featureNames).toEqual(['0', '1', '2', '3', 'pool']);
  });

  it('names the field of a malformed config', () => {
    const bad = (architecture: Record<string, unknown>) =>
      parseFasterRcnnConfig({
        ...card,
        architecture: { type: 'faster-rcnn', ...architecture },
      } as ModelCard);
    expect(() => bad({ rpn: { nmsThres: 0.5 } })).toThrow(
      /architecture\.rpn\.nmsThres: unknown field/,
    );
    expect(() => bad({ roiHeads: { detectionsPerImg: 0 } })).toThrow(
      /architecture\.roiHeads\.detectionsPerImg/,
    );
    expect(() => bad({ transform: { fixedSize: [10] } })).toThrow(
      /architecture\.transform\.fixedSize/,
    );
    expect(() => bad({ anchors: { aspectRatios: [1] } })).toThrow(/architecture\.anchors\.sizes/);
    expect(() => bad({ rpn: { boxCoderWeights: [1, 1, 0, 1] } })).toThrow(ModelCardError);
  });
});

describe('faster-rcnn parity with torchvision 0.14 (onnxruntime, image → detections)', () => {
  let detector: FasterRcnnDetector;
  beforeAll(async () => {
    detector = (await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      base: graphDir,
      session: { executionProviders: ['cpu'], threads: 1 },
    })) as FasterRcnnDetector;
  });
  afterAll(async () => {
    await detector?.dispose();
  });

  it('proposes torchvision’s proposals and detects torchvision’s detections', async () => {
    for (const img of fx.images) {
      const result = await detector.run(recipeImage(img.width, img.height, img.seed));
      const label = `${img.width}x${img.height}`;
      // Proposals: the same 1000 boxes; onnxruntime's last-digit differences may only swap
      // proposals whose torch scores are within 1e-5 of each other.
      const p = result.proposals;
      expect(p.source).toBe('rpn');
      const n = img.proposals.scores.data.length;
      expectSameDetections(
        { boxes: p.boxes, scores: p.scores!, labels: new Int32Array(n) },
        { ...zeros(n), boxes: img.proposals.boxes, scores: img.proposals.scores },
        1e-2,
        1e-4,
        1e-5,
      );
      // the top proposals in exactly torchvision's order
      for (let i = 0; i < 4 * 100; i++) {
        expect(
          Math.abs(p.boxes[i]! - img.proposals.boxes.data[i]!),
          `${label} proposal ${i >> 2}`,
        ).toBeLessThanOrEqual(1e-2);
      }
      // Detections: same labels and order, boxes within 1e-2 px, scores within 1e-4.
      const diff = expectSameDetections(result.detections, img.detections, 1e-2, 1e-4, 1e-5);
      expect(diff.reordered, label).toBe(0);
      expect(result.detections.labelNames[0]).toBe(card.labels![img.detections.labels[0]!]);
      expect(result.detections.imageSize).toEqual({ width: img.width, height: img.height });
    }
  });

  it('exposes the features, the input sizes, detections in input pixels and stage timings', async () => {
    const img = fx.images[1]!;
    const r = await detector.run(recipeImage(img.width, img.height, img.seed));
    expect(Object.keys(r.features)).toEqual(['0', '1', '2', '3', 'pool']);
    expect(Object.values(r.features).map((f) => f.dims.slice(2))).toEqual(img.featureSizes);
    expect([r.input.imageSize.height, r.input.imageSize.width]).toEqual(img.resized);
    expect(
      Array.from(resizeBoxes(r.inputDetections.boxes, r.input.imageSize, r.input.originalSize)),
    ).toEqual(Array.from(r.detections.boxes));
    const t = r.timings;
    for (const k of [
      'transform',
      'backbone',
      'rpnHead',
      'proposals',
      'roiAlign',
      'boxHead',
      'postprocess',
    ] as const) {
      expect(t[k], k).toBeGreaterThanOrEqual(0);
    }
    expect(t.total).toBeGreaterThanOrEqual(t.backbone + t.rpnHead + t.boxHead);
  });

  it('runs only the second stage on proposals given from outside', async () => {
    const img = fx.images[2]!;
    const image = recipeImage(img.width, img.height, img.seed);
    // torchvision's proposals, in input pixels …
    const inInput = await detector.run(image, {
      proposals: img.proposals.boxes.data,
      proposalSpace: 'input',
    });
    expect(inInput.proposals.source).toBe('external');
    expect(inInput.timings.rpnHead).toBe(0);
    expectSameDetections(inInput.detections, img.detections, 1e-2, 1e-4, 1e-5);
    // … and the same proposals in image pixels give the same detections
    const resized = { width: img.resized[1], height: img.resized[0] };
    const inImage = resizeBoxes(img.proposals.boxes.data, resized, {
      width: img.width,
      height: img.height,
    });
    const viaImage = await detector.run(image, { proposals: inImage });
    expect(viaImage.detections.labels.length).toBe(img.detections.labels.length);
    expectSameDetections(viaImage.detections, img.detections, 0.05, 1e-2, 1e-3);
    // no proposals: no detections, and the box head is not run
    const none = await detector.run(image, { proposals: new Float32Array(0) });
    expect(none.detections.boxes.length).toBe(0);
    expect(none.timings.boxHead).toBe(0);
    await expect(detector.run(image, { proposals: new Float32Array([1, 2, 3]) })).rejects.toThrow(
      /options\.proposals/,
    );
  });

  it('takes detect options: threshold, cap, classes', async () => {
    const img = fx.images[0]!;
    const image = recipeImage(img.width, img.height, img.seed);
    const top5 = await detector.detect(image, { maxDetections: 5 });
    expect(Array.from(top5.labels)).toEqual(img.detections.labels.slice(0, 5));
    const high = await detector.detect(image, { scoreThreshold: 0.5 });
    expect(high.scores.length).toBe(img.detections.scores.data.filter((s) => s > 0.5).length);
    const only = await detector.detect(image, { classes: ['square'] });
    expect(new Set(only.labelNames)).toEqual(new Set(['square']));
  });
});

// ------------------------------------------------------------------------------------------
// Hand-made parts: a 64×64 input, 4-channel maps at strides 4…64.

const LEVELS = ['0', '1', '2', '3', 'pool'];
const SIDES = [16, 8, 4, 2, 1];
const image = recipeImage(64, 64, 3);

function maps(channels = 4): Record<string, TensorView<Float32Array>> {
  return Object.fromEntries(
    LEVELS.map((n, l) => {
      const s = SIDES[l]!;
      return [n, { data: new Float32Array(channels * s * s).fill(0.5), dims: [1, channels, s, s] }];
    }),
  );
}

function parts(
  overrides: {
    backbone?: Partial<FeatureBackbone>;
    rpn?: RpnHeadRunner['run'];
    box?: BoxHeadRunner['run'];
  } = {},
) {
  let boxCalls = 0;
  const backbone: FeatureBackbone = {
    outputNames: LEVELS,
    run: async () => maps(),
    ...overrides.backbone,
  };
  const head: RpnHeadRunner = {
    run:
      overrides.rpn ??
      (async (features, levels) =>
        levels.map((n, l) => {
          const [, , h, w] = features[n]!.dims as number[];
          return {
            objectness: {
              data: Float32Array.from({ length: 3 * h! * w! }, (_, i) => Math.sin(i + l)),
              dims: [1, 3, h!, w!],
            },
            deltas: { data: new Float32Array(12 * h! * w!), dims: [1, 12, h!, w!] },
          };
        })),
  };
  const boxHead: BoxHeadRunner = {
    async run(x) {
      boxCalls++;
      if (overrides.box) return overrides.box(x);
      const K = x.dims[0]!;
      // class 1 ("b") wins everywhere, with scores decreasing by proposal
      const logits = Float32Array.from({ length: 3 * K }, (_, i) =>
        i % 3 === 2 ? 3 - (i / 3) * 1e-3 : 0,
      );
      return {
        classLogits: { data: logits, dims: [K, 3] },
        boxRegression: { data: new Float32Array(12 * K), dims: [K, 12] },
      };
    },
  };
  const model = new FasterRCNN({
    name: 'toy',
    classNames: ['a', 'b'],
    backbone,
    rpn: { head, postNmsTopN: 50 },
    roiHeads: { boxHead },
    transform: { minSize: 64, maxSize: 64 },
  });
  return { model, boxCalls: () => boxCalls };
}

describe('FasterRCNN composition (hand-made parts)', () => {
  it('runs end to end and caps at detectionsPerImg', async () => {
    const { model } = parts();
    const r = await model.run(image);
    expect(r.proposals.boxes.length / 4).toBe(50);
    // 50 proposals, class "b" passes everywhere; anchors overlap, so NMS keeps fewer
    expect(r.detections.labels.length).toBeGreaterThan(3);
    expect(new Set(r.detections.labelNames)).toEqual(new Set(['b']));
    const capped = await model.run(image, { detectionsPerImg: 3 });
    expect(capped.detections.labels.length).toBe(3);
    expect(Array.from(capped.detections.scores)).toEqual(
      Array.from(r.detections.scores.subarray(0, 3)),
    );
  });

  it('returns no detections when nothing passes the score threshold', async () => {
    const { model } = parts({
      box: async (x) => {
        const K = x.dims[0]!;
        const logits = Float32Array.from({ length: 3 * K }, (_, i) => (i % 3 === 0 ? 20 : 0));
        return {
          classLogits: { data: logits, dims: [K, 3] },
          boxRegression: { data: new Float32Array(12 * K), dims: [K, 12] },
        };
      },
    });
    const r = await model.run(image);
    expect(r.proposals.boxes.length).toBeGreaterThan(0);
    expect(r.detections.boxes.length).toBe(0);
    expect(r.detections.labelNames).toEqual([]);
  });

  it('returns no detections, without running the box head, when no proposal survives', async () => {
    const { model, boxCalls } = parts({
      rpn: async (features, levels) =>
        levels.map((n) => {
          const [, , h, w] = features[n]!.dims as number[];
          // dw = dh = -30: every proposal shrinks below min_size (1e-3 px)
          const deltas = new Float32Array(12 * h! * w!);
          for (let k = 0; k < 3; k++)
            deltas.fill(-30, (4 * k + 2) * h! * w!, (4 * k + 4) * h! * w!);
          return {
            objectness: { data: new Float32Array(3 * h! * w!), dims: [1, 3, h!, w!] },
            deltas: { data: deltas, dims: [1, 12, h!, w!] },
          };
        }),
    });
    const r = await model.run(image);
    expect(r.proposals.boxes.length).toBe(0);
    expect(r.detections.boxes.length).toBe(0);
    expect(boxCalls()).toBe(0);
  });

  it('names the graph and the output when a network returns the wrong shape', async () => {
    const missing = parts({
      backbone: {
        run: async () => {
          const m = maps();
          delete m['2'];
          return m;
        },
      },
    }).model;
    await expect(missing.run(image)).rejects.toThrow(ModelOutputError);
    await expect(missing.run(image)).rejects.toThrow(/model "toy\/backbone", output "2": missing/);

    const tooBig = parts({
      backbone: {
        run: async () => ({
          ...maps(),
          '0': { data: new Float32Array(4 * 128 * 128), dims: [1, 4, 128, 128] },
        }),
      },
    }).model;
    await expect(tooBig.run(image)).rejects.toThrow(
      /toy\/backbone", output "0": expected shape \[1, C, H, W\]/,
    );

    const channels = parts({
      backbone: {
        run: async () => ({ ...maps(), pool: { data: new Float32Array(8), dims: [1, 8, 1, 1] } }),
      },
    }).model;
    await expect(channels.run(image)).rejects.toThrow(/output "pool": has 8 channels/);

    const wrongA = parts({
      rpn: async (features, levels) =>
        levels.map((n) => {
          const [, , h, w] = features[n]!.dims as number[];
          return {
            objectness: { data: new Float32Array(2 * h! * w!), dims: [1, 2, h!, w!] },
            deltas: { data: new Float32Array(12 * h! * w!), dims: [1, 12, h!, w!] },
          };
        }),
    }).model;
    await expect(wrongA.run(image)).rejects.toThrow(
      /model "toy\/rpnHead", output "objectness_0": expected shape \[1, A=3, 16, 16\]/,
    );

    const nan = parts({
      rpn: async (features, levels) =>
        levels.map((n) => {
          const [, , h, w] = features[n]!.dims as number[];
          return {
            objectness: {
              data: new Float32Array(3 * h! * w!).fill(Number.NaN),
              dims: [1, 3, h!, w!],
            },
            deltas: { data: new Float32Array(12 * h! * w!), dims: [1, 12, h!, w!] },
          };
        }),
    }).model;
    await expect(nan.run(image)).rejects.toThrow(/output "objectness_0": non-finite value NaN/);

    const wrongClasses = parts({
      box: async (x) => ({
        classLogits: { data: new Float32Array(5 * x.dims[0]!), dims: [x.dims[0]!, 5] },
        boxRegression: { data: new Float32Array(12 * x.dims[0]!), dims: [x.dims[0]!, 12] },
      }),
    }).model;
    await expect(wrongClasses.run(image)).rejects.toThrow(
      /model "toy\/boxHead", output "class_logits": expected shape \[K=50, 3\]/,
    );

    const wrongDeltas = parts({
      box: async (x) => ({
        classLogits: { data: new Float32Array(3 * x.dims[0]!), dims: [x.dims[0]!, 3] },
        boxRegression: { data: new Float32Array(4 * x.dims[0]!), dims: [x.dims[0]!, 4] },
      }),
    }).model;
    await expect(wrongDeltas.run(image)).rejects.toThrow(
      /output "box_regression": expected shape \[K=50, 12\]/,
    );
  });

  it('refuses inconsistent parts when it is built', () => {
    const { model } = parts();
    const base = {
      classNames: ['a'],
      backbone: model.backbone,
      rpn: { head: model.rpn.head },
      roiHeads: { boxHead: model.roiHeads.boxHead },
    };
    expect(
      () =>
        new FasterRCNN({ ...base, backbone: { outputNames: ['0', '1'], run: model.backbone.run } }),
    ).toThrow(/options\.rpn\.anchorGenerator: has 5 levels but the RPN gets 2 feature maps/);
    expect(
      () => new FasterRCNN({ ...base, roiHeads: { ...base.roiHeads, featureNames: ['p2'] } }),
    ).toThrow(/options\.roiHeads\.featureNames: none of p2 is a backbone output/);
    // names the backbone lacks are skipped and the backbone's order kept (torchvision's _filter_input)
    const some = new FasterRCNN({
      ...base,
      roiHeads: { ...base.roiHeads, featureNames: ['1', '0', 'p9'] },
    });
    expect(some.roiHeads.featureNames).toEqual(['0', '1']);
    expect(() => new FasterRCNN({ ...base, classNames: [] })).toThrow(InvalidArgumentError);
    expect(() => new FasterRCNN({ ...base, rpn: { head: model.rpn.head, nmsThresh: 2 } })).toThrow(
      /options\.rpn\.nmsThresh/,
    );
  });
});

describe('graph adapters over sessions', () => {
  it('read the outputs by name and name a missing one', async () => {
    const backbone = sessionBackbone(
      fakeSession({
        outputs: { a: f32(new Float32Array(4), [1, 1, 2, 2]), b: f32([1], [1, 1, 1, 1]) },
      }),
      'm/backbone',
    );
    expect(backbone.outputNames).toEqual(['a', 'b']);
    const out = await backbone.run({ data: new Float32Array(12), dims: [1, 3, 2, 2] });
    expect(out.b!.dims).toEqual([1, 1, 1, 1]);
    expect(() =>
      sessionBackbone(fakeSession({ outputs: { a: f32([1], [1, 1, 1, 1]) } }), 'm/backbone', {
        outputNames: ['x'],
      }),
    ).toThrow(/model "m\/backbone", output "x": missing/);
    const box = sessionBoxHead(
      fakeSession({
        outputs: { class_logits: f32([1, 2], [1, 1, 2]), box_regression: f32([1], [1, 1]) },
      }),
      'm/boxHead',
    );
    await expect(box.run({ data: new Float32Array(1), dims: [1, 1, 1, 1] })).rejects.toThrow(
      /output "class_logits": expected shape \[K, classes\+1\]/,
    );
  });

  it('run a single-input RPN head once per level', async () => {
    const session = fakeSession({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 1, 'h', 'w'] }],
      outputs: (feeds) => {
        const d = feeds.x!.dims as number[];
        return {
          objectness: f32(new Float32Array(d[2]! * d[3]!), [1, 1, d[2]!, d[3]!]),
          bbox_deltas: f32(new Float32Array(4 * d[2]! * d[3]!), [1, 4, d[2]!, d[3]!]),
        };
      },
    });
    const head = sessionRpnHead(session, 'm/rpnHead');
    const out = await head.run(
      {
        p: { data: new Float32Array(4), dims: [1, 1, 2, 2] },
        q: { data: new Float32Array(1), dims: [1, 1, 1, 1] },
      },
      ['p', 'q'],
    );
    expect(session.calls.length).toBe(2);
    expect(out.map((o) => o.deltas.dims)).toEqual([
      [1, 4, 2, 2],
      [1, 4, 1, 1],
    ]);
  });
});

describe('faster-rcnn factory', () => {
  it('needs the three graphs, named by role', async () => {
    const noBox = {
      ...cardJson,
      files: { backbone: cardJson.files.backbone, rpnHead: cardJson.files.rpnHead },
    };
    await expect(
      buildDetector(registerBuiltins(createDetectorRegistry()), parseModelCard(noBox), {
        base: graphDir,
      }),
    ).rejects.toThrow(/files\.boxHead: missing/);
  });

  it('refuses graphs that do not fit the card, naming graph and output', async () => {
    const swapped = { ...cardJson, files: { ...cardJson.files, rpnHead: cardJson.files.boxHead } };
    await expect(
      buildDetector(registerBuiltins(createDetectorRegistry()), parseModelCard(swapped), {
        base: graphDir,
        session: { executionProviders: ['cpu'] },
      }),
    ).rejects.toThrow(
      /model "faster_rcnn_tiny\/rpnHead", output "objectness": missing; the RPN head returns class_logits, box_regression/,
    );
  });
});
