import { timesZeroSum } from '@ocelot/core';
import { ModelCardError, ModelOutputError, parseModelCard } from '@ocelot/detectors';
import { createRgbImage, type RgbImage } from '@ocelot/image';
import type { Tensor, TensorLike } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { contextOf, f32, fakeSession } from '../test-utils/fake-session.js';
import type { SemanticSegmentOptions } from '../types.js';

const registry = registerBuiltins(createSegmenterRegistry());

function card(arch: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseModelCard({
    id: 'tiny',
    task: 'segment',
    architecture: { type: 'fcn', ...arch },
    files: { model: { path: 'x.onnx' } },
    input: { width: 4, height: 4, resize: 'stretch' },
    labels: ['bg', 'a', 'b'],
    ...extra,
  });
}

async function build(
  arch: Record<string, unknown>,
  outputs:
    | Record<string, Tensor>
    | ((f: Readonly<Record<string, TensorLike>>) => Record<string, Tensor>),
  extra: Record<string, unknown> = {},
): Promise<SemanticSegmenter> {
  const s = await buildSegmenter(registry, card(arch, extra), contextOf(fakeSession({ outputs })));
  if (s.kind !== 'semantic') throw new Error('expected a semantic segmenter');
  return s;
}

/** [1,3,4,4] logits: class 1 on the left half, class 2 on the right half, bg nowhere. */
function halves(): Float32Array {
  const d = new Float32Array(3 * 16);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      d[y * 4 + x] = -5;
      d[16 + y * 4 + x] = x < 2 ? 3 : 0;
      d[32 + y * 4 + x] = x < 2 ? 0 : 3;
    }
  }
  return d;
}

describe('semantic decode through a segmenter (fake session)', () => {
  it('labels at the original size, classes present, class names', async () => {
    const seg = await build(
      {},
      { out: f32(halves(), [1, 3, 4, 4]), aux: f32(new Float32Array(48), [1, 3, 4, 4]) },
    );
    const r = await seg.segment(createRgbImage(8, 6));
    expect(r.imageSize).toEqual({ width: 8, height: 6 });
    expect(r.labelMap).toBeInstanceOf(Uint8Array);
    expect(r.labelMap.length).toBe(48);
    for (let y = 0; y < 6; y++) {
      expect(Array.from(r.labelMap.subarray(y * 8, y * 8 + 8))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    }
    expect(Array.from(r.classesPresent)).toEqual([1, 2]);
    expect(r.classNames).toEqual(['bg', 'a', 'b']);
    expect(r.probabilities).toBeUndefined();
  });

  it('the allow-list restricts the argmax; probabilities on request', async () => {
    const seg = await build({}, { out: f32(halves(), [1, 3, 4, 4]) });
    const r = await seg.segment(createRgbImage(4, 4), {
      classes: ['bg', 'b'],
      probabilities: ['a'],
    });
    // left half: a is not allowed, and bg (-5) loses to b (0)
    expect(Array.from(r.labelMap.subarray(0, 4))).toEqual([2, 2, 2, 2]);
    expect(Array.from(r.classesPresent)).toEqual([2]);
    const onlyBgA = await seg.segment(createRgbImage(4, 4), { classes: [0, 1] });
    expect(Array.from(onlyBgA.labelMap.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(r.probabilities!.classes)).toEqual([1]);
    const p = r.probabilities!.maps[0]!;
    const e = (v: number) => Math.exp(v);
    expect(p[0]).toBeCloseTo(e(3) / (e(-5) + e(3) + e(0)), 6);
    expect(p[3]).toBeCloseTo(e(0) / (e(-5) + e(3) + e(0)), 6);
    await expect(seg.segment(createRgbImage(4, 4), { classes: ['cat'] })).rejects.toThrow(
      /options.classes: unknown class "cat"/,
    );
    await expect(seg.segment(createRgbImage(4, 4), { classes: [] })).rejects.toThrow(
      /options.classes/,
    );
    await expect(seg.segment(createRgbImage(4, 4), { tile: { overlap: -1 } })).rejects.toThrow(
      /options.tile.overlap/,
    );
    await expect(seg.segment(createRgbImage(4, 4), { threshold: 2 })).rejects.toThrow(
      /options.threshold/,
    );
    await expect(
      seg.segment(createRgbImage(4, 4), { clases: [1] } as unknown as SemanticSegmentOptions),
    ).rejects.toThrow(/options.clases: unknown option/);
  });

  it('letterbox: the padding is cropped before upsampling', async () => {
    // 8×4 image into a 4×4 letterbox: content rows 1..3 of the map, padding rows 0 and 3
    const d = new Float32Array(3 * 16).fill(-5);
    for (let x = 0; x < 4; x++) {
      d[16 + 0 * 4 + x] = 9; // padding row 0 says class a
      d[32 + 1 * 4 + x] = 9; // content says class b
      d[32 + 2 * 4 + x] = 9;
      d[16 + 3 * 4 + x] = 9; // padding row 3 says class a
    }
    const seg = await build(
      {},
      { out: f32(d, [1, 3, 4, 4]) },
      { input: { width: 4, height: 4, resize: 'letterbox' } },
    );
    const r = await seg.segment(createRgbImage(8, 4));
    expect(r.labelMap.every((v) => v === 2)).toBe(true);
  });

  it('NHWC output by configuration, and a hint when the layout is wrong', async () => {
    const nchw = halves();
    const nhwc = new Float32Array(48);
    for (let c = 0; c < 3; c++) for (let i = 0; i < 16; i++) nhwc[i * 3 + c] = nchw[c * 16 + i]!;
    const seg = await build(
      { layout: 'nhwc', output: 'logits' },
      { logits: f32(nhwc, [1, 4, 4, 3]) },
    );
    const r = await seg.segment(createRgbImage(4, 4));
    expect(Array.from(r.labelMap.subarray(0, 4))).toEqual([1, 1, 2, 2]);
    const wrong = await build({}, { out: f32(nhwc, [1, 4, 4, 3]) });
    await expect(wrong.segment(createRgbImage(4, 4))).rejects.toThrow(
      /model "tiny", output "out": expected shape \[1, C=3, h, w\] \(nchw\) for 3 classes, got \[1, 4, 4, 3\] \(the classes are on the last axis: set architecture.layout to "nhwc"\)/,
    );
  });

  it('wrong shapes name expected and given; missing outputs list what the model returned', async () => {
    const two = await build({}, { out: f32(new Float32Array(32), [1, 2, 4, 4]) });
    await expect(two.segment(createRgbImage(4, 4))).rejects.toThrow(
      /expected shape \[1, C=3, h, w\] \(nchw\) for 3 classes, got \[1, 2, 4, 4\]; 2 channels but 3 labels/,
    );
    const rank3 = await build({}, { out: f32(new Float32Array(48), [3, 4, 4]) });
    await expect(rank3.segment(createRgbImage(4, 4))).rejects.toThrow(ModelOutputError);
    await expect(rank3.segment(createRgbImage(4, 4))).rejects.toThrow(
      /expected shape \[1, C=3, h, w\] \(nchw\), got \[3, 4, 4\]/,
    );
    const named = await build({ output: 'logits' }, { out: f32(halves(), [1, 3, 4, 4]) });
    await expect(named.segment(createRgbImage(4, 4))).rejects.toThrow(
      /output "logits": missing; the model returned out/,
    );
    const ints = await build(
      {},
      { out: { type: 'int64', data: new BigInt64Array(48), dims: [1, 3, 4, 4] } },
    );
    await expect(ints.segment(createRgbImage(4, 4))).rejects.toThrow(/expected float32, got int64/);
  });

  it('NaN / Infinity logits: ModelOutputError naming the flat index', async () => {
    const d = halves();
    d[21] = Number.NaN;
    const seg = await build({}, { out: f32(d, [1, 3, 4, 4]) });
    await expect(seg.segment(createRgbImage(4, 4))).rejects.toThrow(
      /output "out": non-finite value NaN at flat index 21/,
    );
    d[21] = 0;
    d[47] = Number.NEGATIVE_INFINITY;
    const seg2 = await build({}, { out: f32(d, [1, 3, 4, 4]) });
    await expect(seg2.segment(createRgbImage(9, 9))).rejects.toThrow(
      /non-finite value -Infinity at flat index 47/,
    );
  });

  it('NHWC maps upsampled (the check folded into the first pass): the same error for any non-finite score anywhere', async () => {
    // 3×3 samples (odd: the pass takes samples in pairs plus one) and 2×3 (even), 3 classes
    for (const [h, w] of [
      [3, 3],
      [2, 3],
    ] as const) {
      const n = h * w * 3;
      const good = Float32Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2);
      let current = good;
      const seg = await build({ layout: 'nhwc' }, () => ({ out: f32(current, [1, h, w, 3]) }));
      // finite: no error, and the same labels as the map checked up front would give
      await expect(seg.segment(createRgbImage(9, 7))).resolves.toBeDefined();
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (let at = 0; at < n; at++) {
          current = good.slice();
          current[at] = bad;
          await expect(seg.segment(createRgbImage(9, 7))).rejects.toThrow(
            new RegExp(`output "out": non-finite value ${bad} at flat index ${at}$`),
          );
        }
      }
    }
  });

  it('timesZeroSum: 0 for finite data, NaN for any NaN / ±Infinity wherever it sits', () => {
    for (const n of [0, 1, 7, 8, 9, 23, 64, 1001]) {
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = (i % 5) - 2.5 + i * 1e3;
      expect(timesZeroSum(d)).toBe(0);
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (const at of [0, n >> 1, n - 1]) {
          if (n === 0) continue;
          const e = d.slice();
          e[at] = bad;
          expect(Number.isNaN(timesZeroSum(e))).toBe(true);
        }
      }
    }
  });

  it('label outputs (graphs ending in ArgMax) are mapped with nearest neighbour', async () => {
    const labels = new BigInt64Array(16);
    for (let i = 0; i < 16; i++) labels[i] = BigInt(i % 4 < 2 ? 1 : 2);
    const seg = await build(
      { values: 'labels' },
      { out: { type: 'int64', data: labels, dims: [1, 4, 4] } },
    );
    const r = await seg.segment(createRgbImage(8, 2));
    expect(Array.from(r.labelMap.subarray(0, 8))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(r.classesPresent)).toEqual([1, 2]);
    await expect(seg.segment(createRgbImage(8, 2), { classes: [1] })).rejects.toThrow(
      /options.classes: the model outputs labels/,
    );
    labels[5] = 7n;
    await expect(seg.segment(createRgbImage(8, 2))).rejects.toThrow(
      /label 7 at flat index 5 is not one of 0..2/,
    );
  });

  it('probabilities output: no softmax applied again', async () => {
    const p = new Float32Array(48);
    for (let i = 0; i < 16; i++) {
      p[i] = 0.2;
      p[16 + i] = 0.5;
      p[32 + i] = 0.3;
    }
    const seg = await build({ values: 'probabilities' }, { out: f32(p, [1, 3, 4, 4]) });
    const r = await seg.segment(createRgbImage(4, 4), { probabilities: true });
    expect(r.labelMap.every((v) => v === 1)).toBe(true);
    expect(r.probabilities!.maps[2]![7]).toBeCloseTo(0.3, 6);
  });

  it('a binary U-Net: one sigmoid channel, the threshold, labels [background, foreground]', async () => {
    const logit = new Float32Array(16);
    for (let i = 0; i < 16; i++) logit[i] = (i % 4) - 1.5; // columns -1.5, -0.5, 0.5, 1.5
    const registry2 = registerBuiltins(createSegmenterRegistry());
    const unetCard = parseModelCard({
      id: 'unet',
      task: 'segment',
      architecture: { type: 'unet' },
      files: { model: { path: 'x.onnx' } },
      input: { width: 4, height: 4, resize: 'stretch' },
      labels: ['background', 'cell'],
    });
    const seg = (await buildSegmenter(
      registry2,
      unetCard,
      contextOf(fakeSession({ outputs: { mask: f32(logit, [1, 1, 4, 4]) } })),
    )) as SemanticSegmenter;
    const r = await seg.segment(createRgbImage(4, 4), { probabilities: true });
    expect(Array.from(r.labelMap.subarray(0, 4))).toEqual([0, 0, 1, 1]);
    expect(r.probabilities!.maps[1]![3]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
    expect(r.probabilities!.maps[0]![3]).toBeCloseTo(1 - 1 / (1 + Math.exp(-1.5)), 6);
    const strict = await seg.segment(createRgbImage(4, 4), { threshold: 0.7 });
    expect(Array.from(strict.labelMap.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    const onlyBg = await seg.segment(createRgbImage(4, 4), { classes: ['background'] });
    expect(onlyBg.labelMap.every((v) => v === 0)).toBe(true);
    expect(Array.from(onlyBg.classesPresent)).toEqual([0]);
  });

  it('card errors name the field; the session is disposed when the card does not fit', async () => {
    const session = fakeSession({ outputs: { out: f32(halves(), [1, 3, 4, 4]) } });
    await expect(
      buildSegmenter(registry, card({ layout: 'chw' }), contextOf(session)),
    ).rejects.toThrow(/tiny: architecture.layout: expected one of "nchw", "nhwc", got "chw"/);
    await expect(
      buildSegmenter(registry, card({ outptu: 'x' }), contextOf(session)),
    ).rejects.toThrow(/architecture.outptu: unknown field/);
    await expect(
      buildSegmenter(
        registry,
        card({ values: 'labels', activation: 'sigmoid' }),
        contextOf(session),
      ),
    ).rejects.toThrow(ModelCardError);
    await expect(
      buildSegmenter(registry, card({}, { task: 'detect' }), contextOf(session)),
    ).rejects.toThrow(/task: architecture "fcn" performs "segment", the card says "detect"/);
    await expect(
      buildSegmenter(registry, card({}, { defaults: { threshold: 3 } }), contextOf(session)),
    ).rejects.toThrow(/tiny: defaults.threshold: expected a number in \[0, 1\], got 3/);
    expect(session.disposed).toBe(true);
    const inputs = fakeSession({
      outputs: {},
      inputs: [{ name: 'images', type: 'float32', dims: [1, 3, 4, 4] }],
    });
    await expect(
      buildSegmenter(
        registry,
        card({}, { input: { name: 'pixels', width: 4, height: 4, resize: 'stretch' } }),
        contextOf(inputs),
      ),
    ).rejects.toThrow(/input.name: the model has no input "pixels"; its inputs are images/);
    await expect(
      buildSegmenter(registry, card({ type: 'segformer' }), contextOf(session)),
    ).rejects.toThrow(/unknown type "segformer"/);
  });

  it('bad images are refused before the model runs', async () => {
    const session = fakeSession({ outputs: { out: f32(halves(), [1, 3, 4, 4]) } });
    const seg = (await buildSegmenter(registry, card({}), contextOf(session))) as SemanticSegmenter;
    await expect(
      seg.segment({ width: 2, height: 2, data: new Uint8Array(5) } as unknown as RgbImage),
    ).rejects.toThrow(/image.data/);
    expect(session.runs).toBe(0);
  });
});
