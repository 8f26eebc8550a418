import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildDetector,
  createDetectorRegistry,
  type DecodeContext,
  type DetectorConfig,
  ModelCardError,
  parseModelCard,
  registerBuiltins,
  resolveDetectOptions,
} from '@ocelot/detectors';
import { createRgbImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { CENTERNET_DEFAULTS, parseCenterNetConfig } from './config.js';
import { decodeCenterNet } from './decode.js';
import { register } from './index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');

interface Ref {
  $bin: number;
  length: number;
}
const doc = JSON.parse(readFileSync(join(fixtures, 'centernet_tiny.json'), 'utf8'));
const bin = readFileSync(join(fixtures, doc.bin));
const floats = (r: Ref) =>
  new Float32Array(
    bin.buffer.slice(bin.byteOffset + r.$bin, bin.byteOffset + r.$bin + 4 * r.length),
  );

describe('the plugin, registered from outside @ocelot/detectors', () => {
  it('register() adds centernet beside the built-ins; the config type is part of DetectorConfig', () => {
    const registry = register(registerBuiltins(createDetectorRegistry()));
    expect(registry.names()).toContain('centernet');
    expect(() => register(registry)).toThrow(/already registered/);
    // compile-time: the augmentation makes this a valid DetectorConfig
    const config: DetectorConfig = { type: 'centernet', stride: 4, topK: 50 };
    expect(config.type).toBe('centernet');
    // @ts-expect-error — the augmentation types the fields: stride is a number
    const wrong: DetectorConfig = { type: 'centernet', stride: 'four' };
    expect(wrong.type).toBe('centernet');
  });

  it('detects like CenterNet’s ctdet_decode through onnxruntime', async () => {
    const registry = register(registerBuiltins(createDetectorRegistry()));
    const detector = await buildDetector(registry, parseModelCard(doc.card), {
      base: fixtures,
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      const { width, height, fill } = doc.image;
      const image = createRgbImage(width, height, [fill, fill, fill]);
      for (const run of doc.runs) {
        const det = await detector.detect(image, run.options);
        expect(Array.from(det.labels)).toEqual(run.expected.labels);
        const boxes = floats(run.expected.boxes);
        const scores = floats(run.expected.scores);
        for (let i = 0; i < boxes.length; i++)
          expect(Math.abs(det.boxes[i]! - boxes[i]!)).toBeLessThan(1e-3);
        for (let i = 0; i < scores.length; i++)
          expect(Math.abs(det.scores[i]! - scores[i]!)).toBeLessThan(1e-5);
      }
    } finally {
      await detector.dispose();
    }
  });
});

describe('decodeCenterNet on hand-made maps', () => {
  // 1 class, 3×3 map, stride 2; heatmap given as probabilities
  const config = {
    ...parseCenterNetConfig(
      parseModelCard({
        ...doc.card,
        architecture: { type: 'centernet', stride: 2, logits: false },
      }),
    ),
  };
  const ctx = (o = {}): DecodeContext => ({
    model: 'm',
    options: resolveDetectOptions(['a'], o, CENTERNET_DEFAULTS),
    inputSize: { width: 6, height: 6 },
    numClasses: 1,
    metadata: {},
  });
  const t = (data: number[], dims: number[]) => ({
    type: 'float32' as const,
    data: Float32Array.from(data),
    dims,
  });
  const outputs = (heat: number[]) => ({
    heatmap: t(heat, [1, 1, 3, 3]),
    wh: t([...new Array(9).fill(2), ...new Array(9).fill(1)], [1, 2, 3, 3]),
    offset: t(new Array(18).fill(0.5), [1, 2, 3, 3]),
  });

  it('keeps 3×3 maxima only and builds boxes from size and offset maps', () => {
    const c = decodeCenterNet(
      outputs([0.9, 0.5, 0.1, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8]),
      ctx({ scoreThreshold: 0.05 }),
      config,
    );
    expect(Array.from(c.scores)).toEqual([0.9, 0.8].map(Math.fround));
    // peak (0, 0): centre (0.5, 0.5), w 2, h 1 → [-0.5, 0, 1.5, 1] · 2
    expect(Array.from(c.boxes.subarray(0, 4))).toEqual([-1, 0, 3, 2]);
  });

  it('nothing above the threshold → empty; NaN and shapes name the output', () => {
    expect(decodeCenterNet(outputs(new Array(9).fill(0.01)), ctx(), config).scores.length).toBe(0);
    expect(() =>
      decodeCenterNet(outputs([Number.NaN, ...new Array(8).fill(0)]), ctx(), config),
    ).toThrow(/"heatmap": non-finite value NaN/);
    expect(() =>
      decodeCenterNet(
        { ...outputs(new Array(9).fill(0)), wh: t(new Array(8).fill(1), [1, 2, 2, 2]) },
        ctx(),
        config,
      ),
    ).toThrow(/"wh": expected shape \[1, 2, 3, 3\], got \[1, 2, 2, 2\]/);
  });

  it('config errors name the field', () => {
    expect(() =>
      parseCenterNetConfig(
        parseModelCard({ ...doc.card, architecture: { type: 'centernet', stride: 0 } }),
      ),
    ).toThrow(ModelCardError);
    expect(() =>
      parseCenterNetConfig(
        parseModelCard({ ...doc.card, architecture: { type: 'centernet', strdie: 4 } }),
      ),
    ).toThrow(/architecture.strdie: unknown field/);
  });
});
