/**
 * Every model card under models/ (trained models and the zoo's user-supplied ones) parses with
 * parseModelCard, names an architecture Ocelot registers for its task, and passes that
 * architecture's own config validation: the factory is run with a context whose file loading
 * rejects with a marker, so reaching the files means the config was accepted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BuildContext,
  createDetectorRegistry,
  type ModelCard,
  parseModelCard,
  registerBuiltins as registerDetectors,
} from '@ocelot/detectors';
import { describe, expect, it } from 'vitest';
import { registerBuiltins as registerSegmenters } from './builtins.js';
import { createSegmenterRegistry } from './registry.js';

const models = fileURLToPath(new URL('../../../models/', import.meta.url));

async function findCards(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findCards(path)));
    else if (entry.name === 'model.json') out.push(path);
  }
  return out.sort();
}

class FilesReached extends Error {}

const context: BuildContext = {
  loadSession: async () => {
    throw new FilesReached();
  },
};

const detectors = registerDetectors(createDetectorRegistry());
const segmenters = registerSegmenters(createSegmenterRegistry());

const cards = await findCards(models);

describe('model cards in models/', () => {
  it('finds the zoo cards', () => {
    const ids = cards.map((c) => c.slice(models.length));
    for (const id of [
      'zoo/yolov8n-coco/model.json',
      'zoo/yolo11n-seg-coco/model.json',
      'zoo/faster-rcnn-r50-fpn-coco/model.json',
      'zoo/mask-rcnn-r50-fpn-coco/model.json',
      'zoo/detr-r50-coco/model.json',
    ]) {
      expect(ids).toContain(id);
    }
  });

  for (const path of cards) {
    const name = path.slice(models.length);
    it(`${name}: parses, its architecture is registered and accepts the config`, async () => {
      const card: ModelCard = parseModelCard(JSON.parse(await readFile(path, 'utf8')), name);
      expect(card.id).toBe(name.split('/').at(-2));
      const registry = card.task === 'detect' ? detectors : segmenters;
      expect(registry.has(card.architecture.type), card.architecture.type).toBe(true);
      const factory = registry.get(card.architecture.type) as (
        c: ModelCard,
        ctx: BuildContext,
      ) => Promise<unknown>;
      await expect(factory(card, context)).rejects.toBeInstanceOf(FilesReached);
      // labelIds, when given, map each label; every file says where it comes from
      if (card.labelIds) expect(card.labelIds).toHaveLength(card.labels?.length ?? -1);
      for (const file of Object.values(card.files) as {
        userSupplied?: boolean;
        sha256?: string;
      }[]) {
        expect(file.userSupplied === true || file.sha256 !== undefined).toBe(true);
      }
      // zoo cards list the graph outputs they expect
      if (name.startsWith('zoo/') && (card as { outputs?: unknown }).outputs !== undefined) {
        const outputs = (card as unknown as { outputs: { name: string; dims: unknown[] }[] })
          .outputs;
        expect(outputs.length).toBeGreaterThan(0);
        for (const o of outputs) expect(o.dims.length).toBeGreaterThan(0);
      }
    });
  }
});
