import { createRgbImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import type { DecodeContext } from '../detector.js';
import { ModelCardError, ModelOutputError } from '../errors.js';
import { parseModelCard } from '../model-card.js';
import { resolveDetectOptions } from '../postprocess.js';
import { buildDetector, createDetectorRegistry } from '../registry.js';
import { runSyntheticCases } from '../test-utils/cases.js';
import { expectSameDetections } from '../test-utils/compare.js';
import { f32, fakeSession } from '../test-utils/fake-session.js';
import { fixtureDir, type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { ULTRALYTICS_V8_DEFAULTS } from './config.js';
import { decodeUltralytics, type UltralyticsDecodeParams } from './decode.js';

describe('ultralytics parity with a reference decode (Ultralytics non_max_suppression + torchvision NMS)', () => {
  runSyntheticCases('ultralytics', 'ultralytics_cases');
});

describe('ultralytics end to end through onnxruntime, labels and input size from the model metadata', () => {
  const fx = loadFixture<{
    onnx: {
      file: string;
      names: string[];
      imgsz: [number, number];
      image: { width: number; height: number };
      fill: number;
      expected: { boxes: Loaded; scores: Loaded; labels: number[] };
    };
  }>('ultralytics', 'ultralytics_cases');
  const card = {
    id: 'yolov8-tiny',
    task: 'detect',
    architecture: { type: 'ultralytics' },
    files: { model: { path: fx.onnx.file } },
    input: { resize: 'letterbox' },
  };

  it('reads names / imgsz / stride and detects like the reference', async () => {
    const detector = await buildDetector(
      registerBuiltins(createDetectorRegistry()),
      parseModelCard(card),
      {
        base: fixtureDir('ultralytics'),
        session: { executionProviders: ['cpu'], threads: 1 },
      },
    );
    try {
      expect(detector.classNames).toEqual(fx.onnx.names);
      expect(detector.card.input.width).toBe(fx.onnx.imgsz[1]);
      expect(detector.card.input.height).toBe(fx.onnx.imgsz[0]);
      const { width, height } = fx.onnx.image;
      const f = fx.onnx.fill;
      const det = await detector.detect(createRgbImage(width, height, [f, f, f]));
      expectSameDetections(det, fx.onnx.expected, 1e-3, 1e-5);
    } finally {
      await detector.dispose();
    }
  });

  it('refuses a card whose labels disagree with the metadata, and a stride that does not divide the input', async () => {
    const registry = registerBuiltins(createDetectorRegistry());
    const opts = {
      base: fixtureDir('ultralytics'),
      session: { executionProviders: ['cpu'], threads: 1 },
    };
    await expect(
      buildDetector(registry, parseModelCard({ ...card, labels: ['a', 'b'] }), opts),
    ).rejects.toThrow(/labels: the card lists 2 labels but the model's names metadata has 3/);
    await expect(
      buildDetector(
        registry,
        parseModelCard({ ...card, input: { resize: 'letterbox', width: 100, height: 128 } }),
        opts,
      ),
    ).rejects.toThrow(/not a multiple of the model's stride 32/);
  });
});

describe('decodeUltralytics on hand-made tensors', () => {
  const labels = ['a', 'b', 'c'];
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(labels, o, ULTRALYTICS_V8_DEFAULTS),
    inputSize: { width: 64, height: 64 },
    numClasses: 3,
    metadata: {},
  });
  const v8: UltralyticsDecodeParams = { head: 'v8', output: ['output0', 0] };
  // 4 anchors, channels first: rows cx, cy, w, h, a, b, c
  const rows = [
    [10, 30, 50, 10],
    [10, 30, 50, 10],
    [4, 4, 4, 4],
    [4, 4, 4, 4],
    [0.9, 0.1, 0.3, 0.2],
    [0.5, 0.8, 0.1, 0.2],
    [0.1, 0.7, 0.05, 0.6],
  ];
  const cf = (r: number[][]) => ({ output0: f32(r.flat(), [1, r.length, r[0]!.length]) });
  const af = (r: number[][]) => {
    const t = r[0]!.map((_, a) => r.map((row) => row[a]!));
    return { output0: f32(t.flat(), [1, t.length, r.length]) };
  };

  it('no candidates → empty', () => {
    expect(decodeUltralytics(cf(rows), ctx({ scoreThreshold: 0.95 }), v8).scores.length).toBe(0);
  });

  it('best class per anchor, strict threshold, both layouts agree', () => {
    const a = decodeUltralytics(cf(rows), ctx({ scoreThreshold: 0.5 }), v8);
    expect(Array.from(a.labels)).toEqual([0, 1, 2]);
    expect(Array.from(a.scores)).toEqual([0.9, 0.8, 0.6].map(Math.fround));
    expect(Array.from(a.boxes.subarray(0, 4))).toEqual([8, 8, 12, 12]);
    const b = decodeUltralytics(af(rows), ctx({ scoreThreshold: 0.5 }), v8);
    expect(b).toEqual(a);
  });

  it('every anchor above threshold, preNmsTopK keeps the best', () => {
    const all = decodeUltralytics(cf(rows), ctx({ scoreThreshold: 0 }), v8);
    expect(all.scores.length).toBe(4);
    const top = decodeUltralytics(cf(rows), ctx({ scoreThreshold: 0, preNmsTopK: 2 }), v8);
    expect(Array.from(top.scores)).toEqual([0.9, 0.8].map(Math.fround));
  });

  it('allow-list picks the best allowed class, not the best class', () => {
    const c = decodeUltralytics(cf(rows), ctx({ scoreThreshold: 0.4, classes: ['b'] }), v8);
    expect(Array.from(c.labels)).toEqual([1, 1]);
    expect(Array.from(c.scores)).toEqual([0.5, 0.8].map(Math.fround));
  });

  it('more candidates than maxDetections: the detector caps after NMS', async () => {
    const session = fakeSession({ outputs: cf(rows) });
    const card = parseModelCard({
      id: 'm',
      task: 'detect',
      architecture: { type: 'ultralytics' },
      files: { model: { path: 'x' } },
      input: { width: 64, height: 64, resize: 'letterbox' },
      labels,
    });
    const detector = await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      loadSession: async () => session,
    });
    const det = await detector.detect(createRgbImage(64, 64), {
      scoreThreshold: 0,
      maxDetections: 2,
    });
    expect(det.scores.length).toBe(2);
    expect(Array.from(det.scores)).toEqual([0.9, 0.8].map(Math.fround));
  });

  it('names the output with a NaN and its flat index', () => {
    const bad = rows.map((r) => [...r]);
    bad[5]![2] = Number.NaN;
    expect(() => decodeUltralytics(cf(bad), ctx(), v8)).toThrow(
      /"output0": non-finite value NaN at flat index 22/,
    );
    const badBox = rows.map((r) => [...r]);
    badBox[2]![0] = Number.POSITIVE_INFINITY;
    expect(() => decodeUltralytics(cf(badBox), ctx(), v8)).toThrow(
      /"output0": non-finite value Infinity at flat index 8/,
    );
    expect(() => decodeUltralytics(af(bad), ctx(), v8)).toThrow(ModelOutputError);
  });

  it('says which shape it expected', () => {
    expect(() => decodeUltralytics(cf(rows.slice(0, 6)), ctx(), v8)).toThrow(
      /"output0": expected shape \[1, 4\+nc=7, A\] \(channels first\) or \[1, A, 4\+nc=7\] \(anchors first\) for 3 classes, got \[1, 6, 4\]/,
    );
    expect(() =>
      decodeUltralytics(cf(rows.slice(0, 6)), ctx(), { ...v8, layout: 'channels-first' }),
    ).toThrow(
      /expected shape \[1, 4\+nc=7, A\] \(channels first\) for 3 classes, got \[1, 6, 4\] \(1 channels too few; do the card's labels match the model\?\)/,
    );
    expect(() =>
      decodeUltralytics({ output0: f32(new Float32Array(8), [1, 8]) }, ctx(), v8),
    ).toThrow(/expected shape/);
    // the default falls back to the first output; a named output must exist
    expect(() => decodeUltralytics({ other: f32([1], [1]) }, ctx(), v8)).toThrow(
      /output "other": expected shape/,
    );
    expect(() =>
      decodeUltralytics({ other: f32([1], [1]) }, ctx(), { ...v8, output: ['boxes'] }),
    ).toThrow(/output "boxes": missing; the model returned other/);
  });

  it('v5: score = objectness · class, anchors with objectness at or below the threshold skipped', () => {
    const r = [
      [10, 10, 4, 4, 0.9, 0.5, 0.9, 0.1],
      [30, 30, 4, 4, 0.2, 1.0, 1.0, 1.0],
    ];
    const c = decodeUltralytics(
      { output0: f32(r.flat(), [1, 2, 8]) },
      ctx({ scoreThreshold: 0.25 }),
      { head: 'v5', output: ['output0'] },
    );
    expect(Array.from(c.labels)).toEqual([1]);
    expect(c.scores[0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.9)));
  });

  it('end2end: filters by score and class, checks the class column', () => {
    const r = [
      [1, 1, 5, 5, 0.9, 0],
      [2, 2, 6, 6, 0.2, 1],
      [3, 3, 7, 7, 0.8, 2],
    ];
    const e2e: UltralyticsDecodeParams = { head: 'end2end', output: ['output0'] };
    const c = decodeUltralytics({ output0: f32(r.flat(), [1, 3, 6]) }, ctx({ classes: [2] }), e2e);
    expect(Array.from(c.boxes)).toEqual([3, 3, 7, 7]);
    const bad = [[1, 1, 5, 5, 0.9, 7]];
    expect(() => decodeUltralytics({ output0: f32(bad.flat(), [1, 1, 6]) }, ctx(), e2e)).toThrow(
      /class 7 at row 0 is not one of 0..2/,
    );
    expect(() =>
      decodeUltralytics({ output0: f32(new Float32Array(10), [1, 2, 5]) }, ctx(), e2e),
    ).toThrow(/expected shape \[1, N, 6\]/);
  });

  it('config errors name the field', async () => {
    const registry = registerBuiltins(createDetectorRegistry());
    const card = (arch: Record<string, unknown>) =>
      parseModelCard({
        id: 'm',
        task: 'detect',
        architecture: { type: 'ultralytics', ...arch },
        files: { model: { path: 'x' } },
        input: { width: 64, height: 64, resize: 'letterbox' },
        labels,
      });
    const ctxLoad = { loadSession: async () => fakeSession({ outputs: cf(rows) }) };
    await expect(buildDetector(registry, card({ head: 'v9' }), ctxLoad)).rejects.toThrow(
      /architecture.head: expected one of "v8", "v5", "end2end", got "v9"/,
    );
    await expect(
      buildDetector(registry, card({ head: 'end2end', layout: 'anchors-first' }), ctxLoad),
    ).rejects.toThrow(ModelCardError);
    const noLabels = parseModelCard({
      id: 'm',
      task: 'detect',
      architecture: { type: 'ultralytics' },
      files: { model: { path: 'x' } },
      input: { width: 64, height: 64, resize: 'letterbox' },
    });
    await expect(buildDetector(registry, noLabels, ctxLoad)).rejects.toThrow(
      /labels: missing, and the model does not name its classes/,
    );
    const classify = {
      loadSession: async () => fakeSession({ outputs: cf(rows), metadata: { task: 'classify' } }),
    };
    await expect(buildDetector(registry, card({}), classify)).rejects.toThrow(/task is "classify"/);
  });
});

describe('the unrolled channels-first scan', () => {
  const labels = ['a', 'b', 'c'];
  const ctx = (o: Parameters<typeof resolveDetectOptions>[1] = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(labels, o, ULTRALYTICS_V8_DEFAULTS),
    inputSize: { width: 64, height: 64 },
    numClasses: 3,
    metadata: {},
  });
  const v8: UltralyticsDecodeParams = { head: 'v8', output: ['output0'] };
  /** A pseudo-random [1, 7, A] output (deterministic LCG). */
  const random = (A: number, seed: number) => {
    let s = seed;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const data = new Float32Array(7 * A);
    for (let i = 0; i < 4 * A; i++) data[i] = 10 + 40 * next();
    for (let i = 4 * A; i < 7 * A; i++) data[i] = next() ** 3;
    return data;
  };
  /** Best class per anchor, one score at a time. */
  const reference = (data: Float32Array, A: number, threshold: number, allowed?: number[]) => {
    const out: [number, number, number][] = [];
    for (let a = 0; a < A; a++) {
      let best = threshold;
      let cls = -1;
      for (let c = 0; c < 3; c++) {
        if (allowed && !allowed.includes(c)) continue;
        const v = data[(4 + c) * A + a]!;
        if (v > best) {
          best = v;
          cls = c;
        }
      }
      if (cls >= 0) out.push([a, cls, best]);
    }
    return out;
  };

  it('equals a one-score-at-a-time scan for anchor counts around multiples of 8', () => {
    for (const A of [1, 7, 8, 9, 15, 16, 17, 64, 101]) {
      for (const [threshold, allowed] of [
        [0.25, undefined],
        [0.05, [0, 2]],
        [0, undefined],
      ] as const) {
        const data = random(A, A * 31 + 7);
        const c = decodeUltralytics(
          { output0: f32(data, [1, 7, A]) },
          ctx({ scoreThreshold: threshold, ...(allowed && { classes: [...allowed] }) }),
          v8,
        );
        const want = reference(data, A, threshold, allowed && [...allowed]);
        expect(Array.from(c.labels)).toEqual(want.map((w) => w[1]));
        expect(Array.from(c.scores)).toEqual(want.map((w) => w[2]));
        expect(c.boxes[0]).toBe(
          want.length
            ? Math.fround(data[want[0]![0]]! - data[2 * A + want[0]![0]]! / 2)
            : undefined,
        );
      }
    }
  });

  it('finds a NaN in the unrolled part; the largest finite scores are not mistaken for one', () => {
    const A = 40;
    const data = random(A, 5);
    data[5 * A + 17] = Number.NaN;
    expect(() => decodeUltralytics({ output0: f32(data, [1, 7, A]) }, ctx(), v8)).toThrow(
      new RegExp(`non-finite value NaN at flat index ${5 * A + 17}`),
    );
    const huge = random(A, 6);
    // eight float32 maxima summed in float64 stay finite, so the poison term stays 0
    for (let a = 0; a < 8; a++) huge[4 * A + a] = 3e38;
    huge.fill(3.4e38, 6 * A, 6 * A + 8);
    const c = decodeUltralytics({ output0: f32(huge, [1, 7, A]) }, ctx(), v8);
    expect(c.scores.length).toBeGreaterThanOrEqual(8);
  });
});
