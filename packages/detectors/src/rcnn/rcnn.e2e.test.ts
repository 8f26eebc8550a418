/** R-CNN with its committed model (models/classic-shapes-rcnn) and selective search. */
import { describe, expect, it } from 'vitest';
import {
  loadClassic,
  objectsFound,
  testScene,
} from '../sliding-window/__fixtures__/classic-models.js';
import type { RcnnDetector } from './detector.js';

const FLOOR = 0.4;

describe('RcnnDetector end to end', () => {
  it('finds the shapes of held-out scenes from selective-search proposals', async () => {
    const detector = await loadClassic<RcnnDetector>('rcnn');
    try {
      let found = 0;
      let objects = 0;
      for (const i of [0, 1]) {
        const scene = testScene(i);
        const r = await detector.run(scene.image);
        expect(r.proposals.source).toBe('selective-search');
        expect(r.proposals.boxes.length / 4).toBeGreaterThan(50);
        found += objectsFound(scene, r.detections);
        objects += scene.objects.length;
      }
      expect(found / objects).toBeGreaterThanOrEqual(FLOOR);
    } finally {
      await detector.dispose();
    }
  });
});
