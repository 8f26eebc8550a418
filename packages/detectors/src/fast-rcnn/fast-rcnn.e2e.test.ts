/** Fast R-CNN with its committed graphs (models/classic-shapes-fast-rcnn). */
import { describe, expect, it } from 'vitest';
import {
  loadClassic,
  objectsFound,
  testScene,
} from '../sliding-window/__fixtures__/classic-models.js';
import type { FastRcnnDetector } from './detector.js';

const FLOOR = 0.4;

describe('FastRcnnDetector end to end', () => {
  it('finds the shapes of held-out scenes; given proposals skip selective search', async () => {
    const detector = await loadClassic<FastRcnnDetector>('fast-rcnn');
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1, 2]) {
        const scene = testScene(i);
        const r = await detector.run(scene.image);
        expect(r.features.dims.slice(1)).toEqual([48, 4, 4]);
        found += objectsFound(scene, r.detections);
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR);
      // ground-truth boxes as proposals: every object is found
      const scene = testScene(0);
      const proposals = Float32Array.from(
        scene.objects.flatMap((o) => [
          o.bbox[0],
          o.bbox[1],
          o.bbox[0] + o.bbox[2],
          o.bbox[1] + o.bbox[3],
        ]),
      );
      const given = await detector.run(scene.image, { proposals });
      expect(given.proposals.source).toBe('external');
      expect(objectsFound(scene, given.detections)).toBeGreaterThanOrEqual(
        scene.objects.length - 1,
      );
    } finally {
      await detector.dispose();
    }
  });
});
