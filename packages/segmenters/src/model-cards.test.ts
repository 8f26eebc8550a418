/**
 * Every model card under models/ (trained models and the zoo's user-supplied ones) parses with
 * parseModelCard, names an architecture Ocelot registers for its task, and passes that
 * architecture's own config validation: the factory is run with a context whose file loading
 * rejects with a marker, so reaching the files means the config was accepted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultBoxes } from '@ocelot/core';
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

interface Output {
  readonly name: string;
  readonly dims: readonly (number | string)[];
  readonly file?: string;
}

type ZooCard = ModelCard & { readonly outputs: readonly Output[] };

async function zooCard(id: string): Promise<ZooCard> {
  const path = join(models, 'zoo', id, 'model.json');
  return parseModelCard(JSON.parse(await readFile(path, 'utf8')), id) as ZooCard;
}

function dims(card: ZooCard, name: string): readonly (number | string)[] {
  const o = card.outputs.find((x) => x.name === name);
  if (!o) throw new Error(`${card.id}: no output ${name}`);
  return o.dims;
}

/** Anchor points of an Ultralytics head at this input size (strides 8, 16, 32). */
const yoloAnchors = (w: number, h: number) =>
  [8, 16, 32].reduce((n, s) => n + Math.ceil(w / s) * Math.ceil(h / s), 0);

describe('zoo cards: expected outputs agree with labels, priors and input size', () => {
  for (const id of ['yolov8n-coco', 'yolo11n-coco', 'yolov8n-seg-coco', 'yolo11n-seg-coco']) {
    it(`${id}: output0 [1, 4 + 80 (+ 32), 8400]`, async () => {
      const c = await zooCard(id);
      const seg = c.architecture.type === 'yolo-seg';
      const { width, height } = c.input as { width: number; height: number };
      expect(c.labels).toHaveLength(80);
      expect(dims(c, 'output0')).toEqual([
        1,
        4 + c.labels!.length + (seg ? 32 : 0),
        yoloAnchors(width, height),
      ]);
      if (seg) expect(dims(c, 'output1')).toEqual([1, 32, height / 4, width / 4]);
    });
  }

  it('ssdlite320-mnv3-coco: one default box per regression row, background + labels columns', async () => {
    const c = await zooCard('ssdlite320-mnv3-coco');
    const priors = (
      c.architecture as unknown as {
        priors: {
          featureMapSizes: [number, number][];
          aspectRatios: number[][];
          minRatio: number;
          maxRatio: number;
        };
      }
    ).priors;
    const boxes = defaultBoxes(
      priors.featureMapSizes.map(([height, width]) => ({ height, width })),
      { width: c.input.width!, height: c.input.height! },
      {
        aspectRatios: priors.aspectRatios,
        minRatio: priors.minRatio,
        maxRatio: priors.maxRatio,
      },
    );
    expect(dims(c, 'bbox_regression')).toEqual([1, boxes.length / 4, 4]);
    expect(dims(c, 'cls_logits')).toEqual([1, boxes.length / 4, c.labels!.length + 1]);
    expect(c.labelIds).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
  });

  it('retinanet-r50-fpn-coco: five levels, sigmoid column per label', async () => {
    const c = await zooCard('retinanet-r50-fpn-coco');
    for (let l = 0; l < 5; l++) {
      expect(dims(c, `cls_logits_${l}`).at(-1)).toBe(c.labels!.length);
      expect(dims(c, `bbox_regression_${l}`).at(-1)).toBe(4);
    }
  });

  for (const id of ['faster-rcnn-r50-fpn-coco', 'mask-rcnn-r50-fpn-coco']) {
    it(`${id}: box head columns = labels + background, one output set per feature level`, async () => {
      const c = await zooCard(id);
      const k = c.labels!.length + 1;
      expect(dims(c, 'class_logits')).toEqual(['K', k]);
      expect(dims(c, 'box_regression')).toEqual(['K', 4 * k]);
      const levels = (c.architecture as unknown as { featureNames: string[] }).featureNames;
      for (const n of levels) {
        expect(dims(c, n)[0]).toBe(1);
        expect(dims(c, `objectness_${n}`)[1]).toBe(3);
        expect(dims(c, `bbox_deltas_${n}`)[1]).toBe(12);
      }
      if (c.architecture.type === 'mask-rcnn') {
        expect(dims(c, 'mask_logits')).toEqual(['K', k, 28, 28]);
        expect(Object.keys(c.files)).toContain('maskHead');
      }
    });
  }

  for (const id of ['fcn-r50-voc', 'deeplabv3-r50-voc', 'lraspp-mnv3-voc']) {
    it(`${id}: out [1, 21, H, W] for the 21 VOC labels`, async () => {
      const c = await zooCard(id);
      expect(c.labels).toHaveLength(21);
      expect(dims(c, 'out')).toEqual([1, 21, c.input.height, c.input.width]);
    });
  }

  it('detr-r50-coco: logits = labels + no-object, 100 queries', async () => {
    const c = await zooCard('detr-r50-coco');
    expect(dims(c, 'pred_logits')).toEqual([1, 100, c.labels!.length + 1]);
    expect(dims(c, 'pred_boxes')).toEqual([1, 100, 4]);
  });

  it('rtdetr-r18-coco: post-processed labels / boxes / scores', async () => {
    const c = await zooCard('rtdetr-r18-coco');
    expect(dims(c, 'boxes')).toEqual([1, 300, 4]);
    expect(c.labels).toHaveLength(80);
  });
});
