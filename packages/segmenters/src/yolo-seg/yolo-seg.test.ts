import { rleDecode } from '@ocelot/core';
import { ModelCardError, ModelOutputError, parseModelCard } from '@ocelot/detectors';
import { createRgbImage } from '@ocelot/image';
import type { Tensor } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import type { InstanceSegmenter } from '../segmenter.js';
import { contextOf, f32, fakeSession } from '../test-utils/fake-session.js';
import { fixtureDir, type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { compareMasks, fixtureRle } from '../test-utils/masks.js';
import { recipeImage } from '../test-utils/recipe-image.js';
import type { InstanceSegmentation, InstanceSegmentOptions } from '../types.js';

interface Reference {
  boxes: Loaded;
  scores: Loaded;
  labels: number[];
  masks: Loaded<Int32Array>[];
  areas: number[];
}
interface YoloFixture {
  generator: string;
  card: Record<string, unknown>;
  names: string[];
  imgsz: [number, number];
  decode: {
    image: { width: number; height: number; seed: number };
    outputs: { output0: Loaded; output1: Loaded };
    modes: { proto: Reference; native: Reference };
  };
  endToEnd: {
    image: { width: number; height: number; seed: number };
    modes: { proto: Reference; native: Reference };
  }[];
}

const fx = loadFixture<YoloFixture>('yolo-seg', 'yolo_seg_tiny');
const registry = registerBuiltins(createSegmenterRegistry());
const metadata = {
  names: "{0: 'person', 1: 'car', 2: 'dog'}",
  imgsz: '[128, 160]',
  stride: '32',
  task: 'segment',
};

function cardWith(arch: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return parseModelCard({ ...fx.card, architecture: { type: 'yolo-seg', ...arch }, ...extra });
}

async function fromOutputs(
  outputs: Record<string, Tensor>,
  arch: Record<string, unknown> = {},
  meta = metadata,
): Promise<InstanceSegmenter> {
  const s = await buildSegmenter(
    registry,
    cardWith(arch),
    contextOf(
      fakeSession({
        outputs,
        metadata: meta,
        inputs: [{ name: 'images', type: 'float32', dims: [1, 3, 128, 160] }],
      }),
    ),
  );
  if (s.kind !== 'instance') throw new Error('expected an instance segmenter');
  return s;
}

function expectMatches(
  got: InstanceSegmentation,
  want: Reference,
  size: { width: number; height: number },
  boxTol: number,
  scoreTol: number,
  iouMin: number,
  maxDiff: number,
): void {
  expect(Array.from(got.labels)).toEqual(want.labels);
  for (let i = 0; i < got.boxes.length; i++)
    expect(Math.abs(got.boxes[i]! - want.boxes.data[i]!)).toBeLessThanOrEqual(boxTol);
  for (let i = 0; i < got.scores.length; i++)
    expect(Math.abs(got.scores[i]! - want.scores.data[i]!)).toBeLessThanOrEqual(scoreTol);
  expect(got.masks.length).toBe(want.labels.length);
  want.masks.forEach((m, i) => {
    const { diff, iou } = compareMasks(got.masks[i]!, fixtureRle(m, size.height, size.width));
    expect(iou).toBeGreaterThanOrEqual(iouMin);
    expect(diff).toBeLessThanOrEqual(maxDiff);
  });
}

describe('yolo-seg: the proto path against an independent torch reference', () => {
  it('names its generator', () =>
    expect(fx.generator).toBe('tooling/python/fixtures/segmenters_yolo_seg.py'));

  for (const mode of ['proto', 'native'] as const) {
    it(`decode-only (torch's outputs), mode ${mode}: same detections, masks identical but for rounding`, async () => {
      const o = fx.decode.outputs;
      const seg = await fromOutputs(
        {
          output0: f32(o.output0.data, o.output0.dims),
          output1: f32(o.output1.data, o.output1.dims),
        },
        { maskResolution: mode },
      );
      const { width, height } = fx.decode.image;
      const got = await seg.segment(createRgbImage(width, height));
      expect(got.imageSize).toEqual({ width, height });
      expect(got.labelNames).toEqual(
        got.labels.length ? Array.from(got.labels, (l) => fx.names[l]) : [],
      );
      expectMatches(got, fx.decode.modes[mode], { width, height }, 1e-3, 0, 0.999, 2);
      // binary maps on request are the same masks
      const bin = await seg.segment(createRgbImage(width, height), { maskFormat: 'binary' });
      bin.masks.forEach((m, i) => {
        expect(Buffer.compare(Buffer.from(m), Buffer.from(rleDecode(got.masks[i]!)))).toBe(0);
      });
    });
  }

  it('end to end through onnxruntime: labels and input size from the metadata, masks IoU ≥ 0.99', async () => {
    const seg = (await buildSegmenter(registry, parseModelCard(fx.card), {
      base: fixtureDir('yolo-seg'),
      session: { executionProviders: ['cpu'], threads: 1 },
    })) as InstanceSegmenter;
    try {
      expect(seg.classNames).toEqual(fx.names);
      expect([seg.card.input.height, seg.card.input.width]).toEqual(fx.imgsz);
      for (const e of fx.endToEnd) {
        const got = await seg.segment(recipeImage(e.image.width, e.image.height, e.image.seed));
        expectMatches(got, e.modes.proto, e.image, 1e-3, 1e-5, 0.99, 20);
      }
    } finally {
      await seg.dispose();
    }
  });

  it('masks stay inside their box (native: exactly; proto: within one prototype pixel)', async () => {
    const o = fx.decode.outputs;
    const { width, height } = fx.decode.image;
    for (const mode of ['proto', 'native'] as const) {
      const seg = await fromOutputs(
        {
          output0: f32(o.output0.data, o.output0.dims),
          output1: f32(o.output1.data, o.output1.dims),
        },
        { maskResolution: mode },
      );
      const got = await seg.segment(createRgbImage(width, height), { maskFormat: 'binary' });
      const slack = mode === 'native' ? 0 : (4 * width) / 160 + 1;
      let outside = 0;
      let inside = 0;
      got.masks.forEach((m, i) => {
        const [x1, y1, x2, y2] = Array.from(got.boxes.subarray(4 * i, 4 * i + 4)) as [
          number,
          number,
          number,
          number,
        ];
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            if (!m[y * width + x]) continue;
            inside++;
            if (x + 1 <= x1 - slack || x >= x2 + slack || y + 1 <= y1 - slack || y >= y2 + slack)
              outside++;
          }
        }
      });
      expect(inside).toBeGreaterThan(1000);
      expect(outside).toBe(0);
    }
  });
});

describe('yolo-seg on hand-made tensors', () => {
  // 3 anchors, channels first: cx, cy, w, h, 3 class scores, 2 coefficients
  const rows = [
    [40, 100, 60],
    [30, 60, 90],
    [20, 20, 30],
    [20, 20, 30],
    [0.9, 0.1, 0.3],
    [0.5, 0.8, 0.1],
    [0.1, 0.7, 0.05],
    [3, -3, 1],
    [0, 0, 0],
  ];
  const det = () => f32(rows.flat(), [1, rows.length, 3]);
  const protos = () => f32(new Float32Array(2 * 32 * 40).fill(1), [1, 2, 32, 40]);

  it('no detections: empty columns and no masks', async () => {
    const seg = await fromOutputs({ output0: det(), output1: protos() });
    const r = await seg.segment(createRgbImage(160, 128), { scoreThreshold: 0.95 });
    expect(r.boxes.length).toBe(0);
    expect(r.scores.length).toBe(0);
    expect(r.masks).toEqual([]);
  });

  it('class allow-list: the best allowed class, then NMS', async () => {
    const seg = await fromOutputs({ output0: det(), output1: protos() });
    const all = await seg.segment(createRgbImage(160, 128));
    expect(Array.from(all.labels)).toEqual([0, 1, 0]);
    expect(Array.from(all.scores)).toEqual([0.9, 0.8, 0.3].map(Math.fround));
    const dogs = await seg.segment(createRgbImage(160, 128), { classes: ['dog'] });
    expect(Array.from(dogs.labels)).toEqual([2]);
    expect(Array.from(dogs.scores)).toEqual([Math.fround(0.7)]);
    // a sigmoid(+3 · 1) mask fills its box, sigmoid(−3) is empty
    const m = rleDecode(all.masks[0]!);
    expect(m.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(rleDecode(all.masks[1]!).every((v) => v === 0)).toBe(true);
    await expect(seg.segment(createRgbImage(160, 128), { classes: ['cat'] })).rejects.toThrow(
      /options.classes: unknown class "cat"/,
    );
    await expect(seg.segment(createRgbImage(160, 128), { maskThreshold: 1.5 })).rejects.toThrow(
      /options.maskThreshold/,
    );
    await expect(
      seg.segment(createRgbImage(160, 128), {
        maskFormat: 'png',
      } as unknown as InstanceSegmentOptions),
    ).rejects.toThrow(/options.maskFormat/);
  });

  it('NaN scores, boxes, coefficients or prototypes: ModelOutputError naming the output and index', async () => {
    const bad = (r: number, c: number) => {
      const copy = rows.map((x) => [...x]);
      copy[r]![c] = Number.NaN;
      return f32(copy.flat(), [1, rows.length, 3]);
    };
    await expect(
      (await fromOutputs({ output0: bad(5, 1), output1: protos() })).segment(
        createRgbImage(160, 128),
      ),
    ).rejects.toThrow(/output "output0": non-finite value NaN at flat index 16/);
    await expect(
      (await fromOutputs({ output0: bad(0, 0), output1: protos() })).segment(
        createRgbImage(160, 128),
      ),
    ).rejects.toThrow(/output "output0": non-finite value NaN at flat index 0/);
    await expect(
      (await fromOutputs({ output0: bad(7, 1), output1: protos() })).segment(
        createRgbImage(160, 128),
      ),
    ).rejects.toThrow(/output "output0": non-finite value NaN at flat index 22/);
    const p = protos();
    (p.data as Float32Array)[77] = Number.POSITIVE_INFINITY;
    await expect(
      (await fromOutputs({ output0: det(), output1: p })).segment(createRgbImage(160, 128)),
    ).rejects.toThrow(/output "output1": non-finite value Infinity at flat index 77/);
  });

  it('wrong shapes name expected and given', async () => {
    const short = f32(rows.slice(0, 8).flat(), [1, 8, 3]);
    await expect(
      (await fromOutputs({ output0: short, output1: protos() })).segment(createRgbImage(160, 128)),
    ).rejects.toThrow(
      /output "output0": expected shape \[1, 4\+nc=7\+2, A\] \(channels first\).* for 3 classes, got \[1, 8, 3\]/,
    );
    await expect(
      (await fromOutputs({ output0: det(), output1: f32(new Float32Array(64), [2, 32]) })).segment(
        createRgbImage(160, 128),
      ),
    ).rejects.toThrow(ModelOutputError);
    await expect(
      (await fromOutputs({ output0: det(), output1: f32(new Float32Array(64), [2, 32]) })).segment(
        createRgbImage(160, 128),
      ),
    ).rejects.toThrow(/output "output1": expected shape \[1, nm, mh, mw\]/);
    await expect(
      (await fromOutputs({ output0: det() })).segment(createRgbImage(160, 128)),
    ).rejects.toThrow(/"output1 \| 1": missing/);
  });

  it('card and metadata errors name the field', async () => {
    const ctx = contextOf(
      fakeSession({
        outputs: { output0: det(), output1: protos() },
        metadata: { ...metadata, task: 'detect' },
      }),
    );
    await expect(buildSegmenter(registry, cardWith(), ctx)).rejects.toThrow(
      /the model's task is "detect"/,
    );
    await expect(
      buildSegmenter(registry, cardWith({ maskResolution: 'retina' }), ctx),
    ).rejects.toThrow(ModelCardError);
    await expect(buildSegmenter(registry, cardWith({}, { task: 'segment' }), ctx)).rejects.toThrow(
      /performs "instance-segment"/,
    );
    const labels = contextOf(fakeSession({ outputs: {}, metadata }));
    await expect(buildSegmenter(registry, cardWith({}, { labels: ['a'] }), labels)).rejects.toThrow(
      /the card lists 1 labels but the model's names metadata has 3/,
    );
    await expect(
      buildSegmenter(registry, cardWith({}, { defaults: { maskThreshold: -1 } }), labels),
    ).rejects.toThrow(/defaults.maskThreshold/);
  });
});
