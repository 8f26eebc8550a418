import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelCardError } from '@ocelot/detectors';
import { decodeImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { loadSegmenter, renderSemanticPng } from './node.js';
import { recipeImage } from './test-utils/recipe-image.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const session = { executionProviders: ['cpu'], threads: 1 };

describe('@ocelot/segmenters/node', () => {
  it('the README’s example cards load (sha256 checked) and segment', async () => {
    const fcn = await loadSegmenter(join(examples, 'tiny-fcn', 'model.json'), { session });
    try {
      expect(fcn.kind).toBe('semantic');
      if (fcn.kind !== 'semantic') return;
      const image = recipeImage(320, 240, 3);
      const seg = await fcn.segment(image);
      expect(seg.imageSize).toEqual({ width: 320, height: 240 });
      expect(seg.classesPresent.length).toBeGreaterThan(1);
      const png = await renderSemanticPng(image, seg);
      expect((await decodeImage(png)).width).toBe(320);
    } finally {
      await fcn.dispose();
    }
    const yolo = await loadSegmenter(join(examples, 'tiny-yolo-seg', 'model.json'), { session });
    try {
      expect(yolo.kind).toBe('instance');
      expect(yolo.classNames).toEqual(['person', 'car', 'dog']);
      if (yolo.kind !== 'instance') return;
      const r = await yolo.segment(recipeImage(320, 240, 3));
      expect(r.masks.length).toBe(r.scores.length);
      expect(r.scores.length).toBeGreaterThan(0);
    } finally {
      await yolo.dispose();
    }
  });

  it('a missing card names the path', async () => {
    await expect(loadSegmenter(join(examples, 'nope', 'model.json'))).rejects.toThrow(
      ModelCardError,
    );
    await expect(loadSegmenter(join(examples, 'nope', 'model.json'))).rejects.toThrow(
      /model.json: \(file\): not found/,
    );
  });
});
