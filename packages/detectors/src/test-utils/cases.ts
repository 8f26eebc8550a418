/**
 * Runs the synthetic parity cases written by tooling/python/fixtures/detectors_synthetic.py:
 * each case's raw outputs are served by a fake session to a detector built from the case's
 * card through the registry, and the detections must equal the Python reference's.
 */
import { createRgbImage } from '@ocelot/image';
import type { Tensor } from '@ocelot/runtime';
import { expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { parseModelCard } from '../model-card.js';
import { buildDetector, createDetectorRegistry } from '../registry.js';
import type { DetectOptions } from '../types.js';
import { expectSameDetections } from './compare.js';
import { fakeSession } from './fake-session.js';
import { type Loaded, loadFixture } from './fixtures.js';

export interface SyntheticCase {
  name: string;
  card: Record<string, unknown>;
  image: { width: number; height: number };
  options: DetectOptions;
  metadata?: Record<string, string>;
  outputs: Record<string, Loaded>;
  expected: { boxes: Loaded; scores: Loaded; labels: number[] };
}

/** Declares one vitest case per fixture case. */
export function runSyntheticCases(
  arch: string,
  file: string,
  tolerance = { box: 1e-3, score: 1e-6 },
): void {
  const fx = loadFixture<{ cases: SyntheticCase[] }>(arch, file);
  for (const c of fx.cases) {
    it(`matches the reference decode: ${c.name}`, async () => {
      const outputs: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.outputs))
        outputs[k] = { type: 'float32', data: v.data, dims: v.dims };
      const session = fakeSession({ outputs, metadata: c.metadata ?? {} });
      const detector = await buildDetector(
        registerBuiltins(createDetectorRegistry()),
        parseModelCard(c.card, c.name),
        {
          loadSession: async () => session,
        },
      );
      const image = createRgbImage(c.image.width, c.image.height);
      const det = await detector.detect(image, c.options);
      expect(det.imageSize).toEqual(c.image);
      expectSameDetections(det, c.expected, tolerance.box, tolerance.score);
      expect(det.labelNames).toEqual(
        c.expected.labels.map((l) => (detector.classNames as string[])[l]),
      );
    });
  }
}
