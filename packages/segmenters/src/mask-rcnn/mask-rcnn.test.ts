import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Rle, rleDecode } from '@ocelot/core';
import { ModelCardError, ModelOutputError, parseModelCard } from '@ocelot/detectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import { fixtureDir, type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { compareMasks, fixtureRle } from '../test-utils/masks.js';
import { recipeImage } from '../test-utils/recipe-image.js';
import { parseMaskRcnnConfig } from './config.js';
import { maskProbabilities, pasteInstanceMasks } from './decode.js';
import { type MaskHeadRunner, MaskRcnnSegmenter } from './index.js';

interface MaskRcnnFixture {
  generator: string;
  graphs: string;
  images: {
    width: number;
    height: number;
    seed: number;
    detections: { boxes: Loaded; scores: Loaded; labels: number[] };
    masks: Loaded<Int32Array>[];
    maskAreas: number[];
    nearThreshold: number[];
  }[];
  decode: { inputBoxes: Loaded; labels: number[]; maskLogits: Loaded };
}

const fx = loadFixture<MaskRcnnFixture>('mask-rcnn', 'mask_rcnn_tiny');
const graphDir = join(fixtureDir('mask-rcnn'), fx.graphs);
const cardJson = JSON.parse(readFileSync(join(graphDir, 'model.json'), 'utf8'));
const registry = registerBuiltins(createSegmenterRegistry());

describe('mask-rcnn: torchvision 0.14 MaskRCNN parity', () => {
  it('names its generator and the exporter wrote a mask-rcnn card', () => {
    expect(fx.generator).toBe('tooling/python/fixtures/segmenters_mask_rcnn.py');
    expect(cardJson.architecture.type).toBe('mask-rcnn');
    expect(cardJson.task).toBe('instance-segment');
    const config = parseMaskRcnnConfig(parseModelCard(cardJson));
    expect(config.mask.outputSize).toEqual([14, 14]);
    expect(config.mask.samplingRatio).toBe(2);
  });

  it("decode-only: torch's mask logits → sigmoid of the predicted class → pasted, identical masks but for paste rounding", () => {
    const img = fx.images[0]!;
    const d = fx.decode;
    const n = d.labels.length;
    const probs = maskProbabilities('m', d.maskLogits, Int32Array.from(d.labels), 4);
    expect(probs.dims).toEqual([n, 28, 28]);
    const boxes = img.detections.boxes.data.subarray(0, 4 * n);
    const masks = pasteInstanceMasks(
      probs,
      boxes,
      { width: img.width, height: img.height },
      0.5,
      'rle',
    ) as Rle[];
    // @ocelot/core's pasteMasksInImage agrees with torch's interpolation to ~1 ulp, not bit for
    // bit, so a pixel whose probability is a hair from 0.5 may land on the other side
    let differing = 0;
    let worst = 1;
    masks.forEach((m, i) => {
      const c = compareMasks(m, fixtureRle(img.masks[i]!, img.height, img.width));
      differing += c.diff;
      if (img.maskAreas[i]! >= 100) worst = Math.min(worst, c.iou);
    });
    expect(differing).toBeLessThanOrEqual(3);
    expect(worst).toBeGreaterThanOrEqual(0.99);
    // the binary format is the same masks
    const bin = pasteInstanceMasks(
      probs,
      boxes,
      { width: img.width, height: img.height },
      0.5,
      'binary',
    ) as Uint8Array[];
    bin.forEach((b, i) => {
      expect(Buffer.compare(Buffer.from(b), Buffer.from(rleDecode(masks[i]!)))).toBe(0);
    });
  });

  describe('end to end through onnxruntime (the exporter’s four graphs)', () => {
    let seg: MaskRcnnSegmenter;
    beforeAll(async () => {
      seg = (await buildSegmenter(registry, parseModelCard(cardJson), {
        base: graphDir,
        session: { executionProviders: ['cpu'], threads: 1 },
      })) as MaskRcnnSegmenter;
    });
    afterAll(async () => {
      await seg?.dispose();
    });

    for (const [i, img] of fx.images.entries()) {
      it(`image ${i} (${img.width}×${img.height}): boxes within 1e-2 px, scores within 1e-4, masks IoU ≥ 0.99 (pixel flips only where torch's probability is within 1e-4 of 0.5)`, async () => {
        const r = await seg.segment(recipeImage(img.width, img.height, img.seed));
        const want = img.detections;
        expect(Array.from(r.labels)).toEqual(want.labels);
        let box = 0;
        let score = 0;
        for (let k = 0; k < r.boxes.length; k++)
          box = Math.max(box, Math.abs(r.boxes[k]! - want.boxes.data[k]!));
        for (let k = 0; k < r.scores.length; k++)
          score = Math.max(score, Math.abs(r.scores[k]! - want.scores.data[k]!));
        expect(box).toBeLessThanOrEqual(1e-2);
        expect(score).toBeLessThanOrEqual(1e-4);
        expect(r.masks.length).toBe(want.labels.length);
        // onnxruntime's logits differ from torch's in the last digits: only pixels torch itself
        // puts within 1e-4 of the threshold may flip (plus one for the paste's rounding); masks of
        // 100 pixels or more keep IoU ≥ 0.99 (one flipped pixel of a 48-pixel mask is 2 %)
        let worst = 1;
        let flips = 0;
        r.masks.forEach((m, k) => {
          const c = compareMasks(m, fixtureRle(img.masks[k]!, img.height, img.width));
          expect(c.diff).toBeLessThanOrEqual(img.nearThreshold[k]! + 1);
          flips += c.diff;
          if (img.maskAreas[k]! >= 100) worst = Math.min(worst, c.iou);
        });
        expect(worst).toBeGreaterThanOrEqual(0.99);
        expect(flips).toBeLessThanOrEqual(10);
        expect(r.imageSize).toEqual({ width: img.width, height: img.height });
      });
    }

    it('no detections: empty columns, no masks, the mask head never runs', async () => {
      let runs = 0;
      const head: MaskHeadRunner = {
        async run(f) {
          runs++;
          return f;
        },
      };
      const s = new MaskRcnnSegmenter(
        seg.card,
        seg.model,
        head,
        parseMaskRcnnConfig(parseModelCard(cardJson)),
      );
      const r = await s.segment(recipeImage(64, 48, 3), { scoreThreshold: 0.999 });
      expect(r.boxes.length).toBe(0);
      expect(r.masks).toEqual([]);
      expect(runs).toBe(0);
    });

    it('class allow-list and binary masks', async () => {
      const img = fx.images[0]!;
      const r = await seg.segment(recipeImage(img.width, img.height, img.seed), {
        classes: ['square'],
        maskFormat: 'binary',
        maxDetections: 5,
      });
      expect(r.labels.length).toBeGreaterThan(0);
      expect(r.labels.length).toBeLessThanOrEqual(5);
      expect(r.labelNames.every((n) => n === 'square')).toBe(true);
      expect(r.masks[0]!.length).toBe(img.width * img.height);
    });

    it('mask head errors: NaN logits and wrong shapes name the graph, expected and given', async () => {
      const config = parseMaskRcnnConfig(parseModelCard(cardJson));
      const nan: MaskHeadRunner = {
        async run(f) {
          const k = f.dims[0]!;
          const data = new Float32Array(k * 5 * 28 * 28);
          data[123] = Number.NaN;
          return { data, dims: [k, 5, 28, 28] };
        },
      };
      const img = recipeImage(256, 256, 5);
      await expect(
        new MaskRcnnSegmenter(seg.card, seg.model, nan, config).segment(img),
      ).rejects.toThrow(
        /model "mask_rcnn_tiny\/maskHead", output "mask_logits": non-finite value NaN at flat index 123/,
      );
      const wrong: MaskHeadRunner = {
        async run(f) {
          return {
            data: new Float32Array(f.dims[0]! * 4 * 28 * 28),
            dims: [f.dims[0]!, 4, 28, 28],
          };
        },
      };
      await expect(
        new MaskRcnnSegmenter(seg.card, seg.model, wrong, config).segment(img),
      ).rejects.toThrow(ModelOutputError);
      await expect(
        new MaskRcnnSegmenter(seg.card, seg.model, wrong, config).segment(img),
      ).rejects.toThrow(
        /expected shape \[D=\d+, 5, M, M\] \(4 classes \+ background, one row per detection\), got \[\d+, 4, 28, 28\]/,
      );
    });

    it('card errors: a missing mask head file, a mask level the backbone lacks, bad defaults', async () => {
      const { maskHead: _, ...files } = cardJson.files;
      await expect(
        buildSegmenter(registry, parseModelCard({ ...cardJson, files }), { base: graphDir }),
      ).rejects.toThrow(
        /files.maskHead: missing; mask-rcnn needs backbone, rpnHead, boxHead, maskHead/,
      );
      const badLevel = structuredClone(cardJson);
      badLevel.architecture.roiHeads.mask.featureNames = ['0', 'p9'];
      await expect(
        buildSegmenter(registry, parseModelCard(badLevel), { base: graphDir }),
      ).rejects.toThrow(/architecture.roiHeads.mask.featureNames: "p9" is not a backbone output/);
      await expect(
        buildSegmenter(registry, parseModelCard({ ...cardJson, defaults: { maskThreshold: 2 } }), {
          base: graphDir,
        }),
      ).rejects.toThrow(ModelCardError);
    });
  });
});
