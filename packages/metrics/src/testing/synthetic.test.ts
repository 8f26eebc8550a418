import { describe, expect, it } from 'vitest';
import { evaluateCoco } from '../coco/evaluate.js';
import { generateSyntheticCoco } from './synthetic.js';

describe('generateSyntheticCoco', () => {
  const opts = { seed: 5, numImages: 40, detectionsPerImage: 30 };
  const a = generateSyntheticCoco(opts);

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateSyntheticCoco(opts)).toEqual(a);
    expect(generateSyntheticCoco({ ...opts, seed: 6 }).detectionsBbox).not.toEqual(
      a.detectionsBbox,
    );
  });
  it('has the requested shape', () => {
    expect(a.groundTruth.images.length).toBe(40);
    expect(a.groundTruth.categories.length).toBe(80);
    expect(a.detectionsBbox.length).toBe(40 * 30);
    expect(a.detectionsSegm.length).toBe(40 * 30);
    const anns = a.groundTruth.annotations!;
    expect(anns.length).toBeGreaterThan(40 * 3);
    expect(new Set(anns.map((x) => x.id)).size).toBe(anns.length);
    expect(generateSyntheticCoco({ ...opts, segm: false }).detectionsSegm.length).toBe(0);
  });
  it('evaluates to sensible, non-trivial numbers for boxes and masks', () => {
    for (const iouType of ['bbox', 'segm'] as const) {
      const dt = iouType === 'bbox' ? a.detectionsBbox : a.detectionsSegm;
      const r = evaluateCoco(a.groundTruth, dt, { iouType });
      expect(r.stats[0]).toBeGreaterThan(0.1);
      expect(r.stats[0]).toBeLessThan(0.95);
      expect(r.stats[1]).toBeGreaterThan(r.stats[2]!); // AP50 > AP75
    }
  });
});
