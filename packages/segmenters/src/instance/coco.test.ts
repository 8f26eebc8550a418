import { type Rle, rleDecode, rleFromCoco } from '@ocelot/core';
import { parseModelCard } from '@ocelot/detectors';
import { createRgbImage } from '@ocelot/image';
import {
  type CocoAnnotation,
  type CocoGroundTruth,
  evaluateCoco,
  SegmentationConfusionMatrix,
} from '@ocelot/metrics';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import type { InstanceSegmenter } from '../segmenter.js';
import { decodeSemantic } from '../semantic/decode.js';
import { resolveSemanticOptions } from '../semantic/options.js';
import { contextOf, f32, fakeSession } from '../test-utils/fake-session.js';
import { type Loaded, loadFixture } from '../test-utils/fixtures.js';
import { toCocoResults } from './coco.js';
import { Transform } from '@ocelot/image';

const yolo = loadFixture<{
  card: Record<string, unknown>;
  decode: {
    image: { width: number; height: number };
    outputs: { output0: Loaded; output1: Loaded };
  };
}>('yolo-seg', 'yolo_seg_tiny');

async function yoloSegmenter(): Promise<InstanceSegmenter> {
  const o = yolo.decode.outputs;
  const session = fakeSession({
    outputs: {
      output0: f32(o.output0.data, o.output0.dims),
      output1: f32(o.output1.data, o.output1.dims),
    },
    metadata: {
      names: "{0: 'person', 1: 'car', 2: 'dog'}",
      imgsz: '[128, 160]',
      stride: '32',
      task: 'segment',
    },
  });
  return (await buildSegmenter(
    registerBuiltins(createSegmenterRegistry()),
    parseModelCard(yolo.card),
    contextOf(session),
  )) as InstanceSegmenter;
}

describe('instances → COCO results → evaluateCoco', () => {
  it('segm records (no bbox) and bbox records; RLE strings decode back to the masks', async () => {
    const seg = await yoloSegmenter();
    const { width, height } = yolo.decode.image;
    const r = await seg.segment(createRgbImage(width, height));
    const ids = [1, 3, 18];
    const segm = toCocoResults(r, { imageId: 7, categoryIds: ids });
    expect(segm.length).toBe(r.labels.length);
    segm.forEach((rec, i) => {
      expect(rec.image_id).toBe(7);
      expect(rec.category_id).toBe(ids[r.labels[i]!]);
      expect(rec.score).toBe(r.scores[i]);
      expect(rec.bbox).toBeUndefined();
      expect(rec.segmentation!.size).toEqual([height, width]);
      expect(
        Buffer.compare(
          Buffer.from(rleDecode(rleFromCoco(rec.segmentation!))),
          Buffer.from(rleDecode(r.masks[i]!)),
        ),
      ).toBe(0);
    });
    const bin = await seg.segment(createRgbImage(width, height), { maskFormat: 'binary' });
    expect(toCocoResults(bin, { imageId: 7, categoryIds: ids })).toEqual(segm);
    const boxes = toCocoResults(r, { imageId: 7, iouType: 'bbox' });
    expect(boxes[0]!.bbox).toEqual([
      r.boxes[0]!,
      r.boxes[1]!,
      r.boxes[2]! - r.boxes[0]!,
      r.boxes[3]! - r.boxes[1]!,
    ]);
    expect(boxes[0]!.category_id).toBe(r.labels[0]);
    expect(boxes[0]!.segmentation).toBeUndefined();
    expect(() => toCocoResults(r, { imageId: 7, categoryIds: [1] })).toThrow(
      /options.categoryIds: no category id for class/,
    );
  });

  it('evaluateCoco(segm): AP 1 against ground truth made of the same masks, lower when one is missing', async () => {
    const seg = await yoloSegmenter();
    const { width, height } = yolo.decode.image;
    const r = await seg.segment(createRgbImage(width, height));
    const annotations: CocoAnnotation[] = [];
    r.masks.forEach((m: Rle, i) => {
      const area = rleDecode(m).reduce((a, b) => a + b, 0);
      if (area === 0) return;
      const rec = toCocoResults(r, { imageId: 1 })[i]!;
      annotations.push({
        id: i + 1,
        image_id: 1,
        category_id: r.labels[i]!,
        segmentation: rec.segmentation!,
        area,
        iscrowd: 0,
      });
    });
    const gt: CocoGroundTruth = {
      images: [{ id: 1, width, height }],
      categories: [{ id: 0 }, { id: 1 }, { id: 2 }],
      annotations,
    };
    const results = toCocoResults(r, { imageId: 1 }).filter((_, i) =>
      rleDecode(r.masks[i]!).some((v) => v === 1),
    );
    const perfect = evaluateCoco(gt, results, { iouType: 'segm' });
    expect(perfect.stats[0]).toBe(1);
    expect(perfect.stats[1]).toBe(1);
    // without one ground-truth mask, its detection becomes a false positive
    const fewer = evaluateCoco({ ...gt, annotations: annotations.slice(1) }, results, {
      iouType: 'segm',
    });
    expect(fewer.stats[0]).toBeLessThan(1);
    expect(fewer.stats[0]).toBeGreaterThan(0.5);
    // bbox evaluation from the same detections
    const bboxGt: CocoGroundTruth = {
      ...gt,
      annotations: Array.from({ length: r.labels.length }, (_, i) => {
        const b = toCocoResults(r, { imageId: 1, iouType: 'bbox' })[i]!.bbox!;
        return {
          id: i + 1,
          image_id: 1,
          category_id: r.labels[i]!,
          bbox: b,
          area: b[2] * b[3],
          iscrowd: 0,
        };
      }),
    };
    expect(
      evaluateCoco(bboxGt, toCocoResults(r, { imageId: 1, iouType: 'bbox' }), { iouType: 'bbox' })
        .stats[0],
    ).toBe(1);
  });
});

describe('label maps → semantic metrics', () => {
  it('the label map feeds SegmentationConfusionMatrix directly', () => {
    const fx = loadFixture<{
      card: { labels: string[] };
      decode: {
        logits: Loaded;
        cases: {
          name: string;
          image: { width: number; height: number };
          labels: Loaded<Uint8Array>;
        }[];
      };
    }>('fcn', 'fcn_tiny');
    const c = fx.decode.cases[0]!;
    const { width, height } = c.image;
    const transform = new Transform({
      srcWidth: width,
      srcHeight: height,
      dstWidth: 96,
      dstHeight: 64,
      scaleX: 96 / width,
      scaleY: 64 / height,
      offsetX: 0,
      offsetY: 0,
    });
    const classNames = fx.card.labels;
    const seg = decodeSemantic(
      { out: { type: 'float32', data: fx.decode.logits.data, dims: fx.decode.logits.dims } },
      { model: 'fcn', classNames, transform, options: resolveSemanticOptions(classNames) },
      { output: 'out', layout: 'nchw', values: 'logits', activation: undefined },
    );
    const cm = new SegmentationConfusionMatrix(classNames.length);
    cm.update(seg.labelMap, c.labels.data);
    const m = cm.compute();
    expect(m.pixelAccuracy).toBe(1);
    expect(m.meanIoU).toBe(1);
    // a target that disagrees on a known number of pixels (and ignores a row with 255)
    const target = Uint8Array.from(c.labels.data);
    let changed = 0;
    for (let i = 0; i < target.length; i += 97) {
      target[i] = (target[i]! + 1) % classNames.length;
      changed++;
    }
    for (let x = 0; x < width; x++) target[x] = 255;
    const cm2 = new SegmentationConfusionMatrix(classNames.length, { ignoreIndex: 255 });
    cm2.update(seg.labelMap, target);
    const m2 = cm2.compute();
    const rowChanged = Math.ceil(width / 97);
    expect(cm2.ignoredPixels).toBe(width);
    expect(m2.pixelAccuracy).toBeCloseTo(1 - (changed - rowChanged) / (width * height - width), 12);
  });
});
