import { type Rle, rleEncode } from '@ocelot/core';
import { colorFor, createRgbImage, decodeImage, vocPalette } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { drawInstanceMasks, drawSemantic } from './draw.js';
import { renderInstancesPng, renderSemanticPng } from './node.js';
import type { InstanceSegmentation, SemanticSegmentation } from './types.js';

const W = 40;
const H = 30;
const GREY = 100;
const blend = (p: number, c: number, a = 0.5) => Math.round((1 - a) * p + a * c);
const px = (img: { data: Uint8Array; width: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

/** Class 1 in the rectangle [10, 30) × [5, 20), class 15 ("person" in VOC) in [0, 5) × [25, 30). */
function semantic(): SemanticSegmentation {
  const labelMap = new Uint8Array(W * H);
  for (let y = 5; y < 20; y++) for (let x = 10; x < 30; x++) labelMap[y * W + x] = 1;
  for (let y = 25; y < 30; y++) for (let x = 0; x < 5; x++) labelMap[y * W + x] = 15;
  return {
    labelMap,
    imageSize: { width: W, height: H },
    classesPresent: Int32Array.of(0, 1, 15),
    classNames: [],
  };
}

function instances(): InstanceSegmentation<Rle> {
  const a = new Uint8Array(W * H);
  for (let y = 4; y < 16; y++) for (let x = 4; x < 20; x++) a[y * W + x] = 1;
  const b = new Uint8Array(W * H);
  for (let y = 10; y < 26; y++) for (let x = 24; x < 36; x++) b[y * W + x] = 1;
  return {
    boxes: Float32Array.of(4, 4, 20, 16, 24, 10, 36, 26),
    scores: Float32Array.of(0.9, 0.8),
    labels: Int32Array.of(2, 7),
    labelNames: ['a', 'b'],
    imageSize: { width: W, height: H },
    masks: [rleEncode(a, H, W), rleEncode(b, H, W)],
  };
}

describe('drawing segmentations', () => {
  const image = createRgbImage(W, H, [GREY, GREY, GREY]);
  const voc = vocPalette(256);

  it('label map overlay: palette blend at known pixels, background untouched, contours in full colour', () => {
    const out = drawSemantic(image, semantic(), { contour: true });
    expect(px(out, 0, 0)).toEqual([GREY, GREY, GREY]);
    // class 1 (128, 0, 0), interior
    expect(px(out, 15, 10)).toEqual([blend(GREY, 128), blend(GREY, 0), blend(GREY, 0)]);
    // class 15 (192, 128, 128) touches the image border: its region is all outline (5×5 ≥ thickness)
    expect(px(out, 2, 27)).toEqual([blend(GREY, 192), blend(GREY, 128), blend(GREY, 128)]);
    expect(px(out, 0, 29)).toEqual([voc[45], voc[46], voc[47]]);
    // class 1's outline: its edge pixels
    expect(px(out, 10, 5)).toEqual([128, 0, 0]);
    expect(px(out, 29, 12)).toEqual([128, 0, 0]);
    expect(px(out, 30, 12)).toEqual([GREY, GREY, GREY]);
    const opaque = drawSemantic(image, semantic(), { alpha: 1, ignore: [] });
    expect(px(opaque, 0, 0)).toEqual([0, 0, 0]);
    expect(() => drawSemantic(createRgbImage(W + 1, H), semantic())).toThrow(
      /is 41×30 but the segmentation is 40×30/,
    );
  });

  it('instance overlay: class colours blended inside, outlines, nothing outside', () => {
    const seg = instances();
    const out = drawInstanceMasks(image, seg);
    const ca = colorFor(2);
    const cb = colorFor(7);
    expect(px(out, 10, 10)).toEqual(ca.map((c) => blend(GREY, c)));
    expect(px(out, 4, 4)).toEqual([...ca]);
    expect(px(out, 30, 20)).toEqual(cb.map((c) => blend(GREY, c)));
    expect(px(out, 35, 25)).toEqual([...cb]);
    expect(px(out, 22, 2)).toEqual([GREY, GREY, GREY]);
    const flat = drawInstanceMasks(image, seg, { contour: false, alpha: 0.25 });
    expect(px(flat, 4, 4)).toEqual(ca.map((c) => blend(GREY, c, 0.25)));
  });

  it('PNG overlays decode to the same pixels', async () => {
    const semPng = await renderSemanticPng(image, semantic(), { contour: { thickness: 2 } });
    expect(Array.from(semPng.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    const back = await decodeImage(semPng);
    expect(
      Buffer.compare(
        Buffer.from(back.data),
        Buffer.from(drawSemantic(image, semantic(), { contour: { thickness: 2 } }).data),
      ),
    ).toBe(0);
    // a larger canvas, so the label text sits above the box, not over the mask
    const big = createRgbImage(200, 150, [GREY, GREY, GREY]);
    const m = new Uint8Array(200 * 150);
    for (let y = 60; y < 140; y++) for (let x = 50; x < 150; x++) m[y * 200 + x] = 1;
    const one: InstanceSegmentation<Rle> = {
      boxes: Float32Array.of(50, 60, 150, 140),
      scores: Float32Array.of(0.9),
      labels: Int32Array.of(3),
      labelNames: ['thing'],
      imageSize: { width: 200, height: 150 },
      masks: [rleEncode(m, 150, 200)],
    };
    const inst = await decodeImage(await renderInstancesPng(big, one));
    expect(inst.width).toBe(200);
    expect(px(inst, 120, 120)).toEqual(colorFor(3).map((c) => blend(GREY, c)));
    expect(px(inst, 10, 140)).toEqual([GREY, GREY, GREY]);
    // the box outline is drawn in the class colour (anti-aliased edges aside, its middle is solid)
    expect(px(inst, 100, 60)).toEqual([...colorFor(3)]);
  });
});
