/** The sliding-window detector with its committed model (models/classic-shapes-sliding-window). */
import { InvalidArgumentError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { loadClassic, objectsFound, testScene } from './__fixtures__/classic-models.js';
import type { SlidingWindowDetector } from './detector.js';

// Measured on these scenes: 0.30 of the objects with the window as the box, 0.50 with the
// regression head moving it (the card's default keeps the plain windows, as the lecture does).
const FLOOR = 0.25;
const FLOOR_REGRESSED = 0.4;

describe('SlidingWindowDetector end to end', () => {
  it('finds the shapes of held-out scenes, classifying every window of the pyramid', async () => {
    const detector = await loadClassic<SlidingWindowDetector>('sliding-window');
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1]) {
        const scene = testScene(i);
        const r = await detector.run(scene.image);
        expect(r.windows).toBeGreaterThan(5000);
        expect(r.batches).toBeGreaterThanOrEqual(Math.ceil(r.windows / 256));
        found += objectsFound(scene, r.detections);
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR);
      await expect(
        detector.detect({ width: 0, height: 1, data: new Uint8Array(0) }),
      ).rejects.toThrow(InvalidArgumentError);
    } finally {
      await detector.dispose();
    }
  });

  it('localises better when the box-regression output moves the windows', async () => {
    const detector = await loadClassic<SlidingWindowDetector>('sliding-window', {
      regressBoxes: true,
    });
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1]) {
        const scene = testScene(i);
        found += objectsFound(scene, await detector.detect(scene.image));
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR_REGRESSED);
    } finally {
      await detector.dispose();
    }
  });
});
