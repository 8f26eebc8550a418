import { describe, expect, it } from 'vitest';
import { boxIou } from '../boxes/index.js';
import { maxAbsDiff, readFixture } from './__fixtures__/read-fixture.js';
import { Matcher, SSDMatcher } from './matcher.js';

interface BoxMatcherCase {
  kind: 'matcher' | 'ssd';
  name: string;
  highThreshold?: number;
  lowThreshold?: number;
  allowLowQualityMatches?: boolean;
  threshold?: number;
  dims: [number, number];
  quality: Float32Array;
  matches: Int32Array;
  gtBoxes?: Float32Array;
  anchors?: Float32Array;
}

const fixture = readFixture<{ matcher: BoxMatcherCase[] }>(
  new URL('./__fixtures__/', import.meta.url),
  'training',
);
const fromBoxes = fixture.matcher.filter((c) => c.gtBoxes && c.anchors);

describe('boxIou → Matcher end to end (torchvision box_iou + Matcher)', () => {
  it('has box-based cases', () => {
    expect(fromBoxes.length).toBeGreaterThanOrEqual(15);
  });
  for (const c of fromBoxes) {
    it(c.name, () => {
      const iou = boxIou(c.gtBoxes!, c.anchors!);
      expect(maxAbsDiff(iou, c.quality)).toBeLessThanOrEqual(1e-6);
      const q = { data: iou, dims: c.dims };
      const m =
        c.kind === 'ssd'
          ? new SSDMatcher(c.threshold!).match(q)
          : new Matcher(c.highThreshold!, c.lowThreshold!, c.allowLowQualityMatches!).match(q);
      expect(Array.from(m)).toEqual(Array.from(c.matches));
    });
  }
});
