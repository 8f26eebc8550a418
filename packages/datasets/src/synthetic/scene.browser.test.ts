import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  browserUnavailableReason,
  launchBrowserHarness,
} from '@ocelot/browser-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScene, type SceneOptions } from './scene.js';

const cases: { seed: number; options?: SceneOptions }[] = [
  { seed: 0 },
  { seed: 12345 },
  { seed: 7, options: { width: 96, height: 64, objects: [1, 3] } },
  { seed: 4242, options: { width: 200, height: 120, shapes: ['star', 'ring', 'hexagon'] } },
];

function nodeHash(seed: number, options?: SceneOptions): string {
  const scene = generateScene(seed, options);
  const h = createHash('sha256');
  h.update(scene.image.data);
  h.update(scene.labelMap);
  h.update(new Uint8Array(scene.instanceMap.buffer));
  h.update(JSON.stringify(scene.objects));
  return h.digest('hex');
}

const unavailable = browserUnavailableReason();

describe.skipIf(unavailable !== undefined)(
  `synthetic scenes in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let harness: BrowserHarness;
    beforeAll(async () => {
      harness = await launchBrowserHarness({
        modules: {
          scene: fileURLToPath(new URL('./__fixtures__/scene-hash.page.ts', import.meta.url)),
        },
      });
    }, 180_000);
    afterAll(async () => {
      await harness?.close();
    });

    it('a browser bundle generates byte-identical scenes to Node', async () => {
      const browser = await harness.run<string[]>('scene', { cases });
      expect(browser).toEqual(cases.map((c) => nodeHash(c.seed, c.options)));
      // and the same as the golden hashes pinned in scene.test.ts
      expect(browser[0]).toBe('0eebc7c18fe28d6afaf1799163b853efa214491427b6de9f195bf71ecb001428');
    }, 120_000);
  },
);
