import { ShapeMismatchError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { detectionsSvg } from '../draw/detections.js';
import { DETECTION_COLORS, vocPalette } from '../draw/palette.js';
import { drawLabelMap } from '../draw/raster.js';
import { createRgbImage } from '../image.js';
import { decodeImage, encodePng } from './decode.js';
import { drawDetections, renderDetectionsPng } from './draw.js';

const px = (img: { data: Uint8Array; width: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const blend = (p: number, c: number, a: number) => Math.round((1 - a) * p + a * c);

describe('drawDetections (sharp + SVG)', () => {
  const W = 320;
  const H = 240;
  const grey = createRgbImage(W, H, [50, 50, 50]);
  const mask = new Uint8Array(W * H);
  for (let y = 90; y < 110; y++) for (let x = 40; x < 60; x++) mask[y * W + x] = 1;
  const detections = {
    boxes: Float32Array.of(20, 60, 120, 140, 200, 0, 300, 80),
    scores: Float32Array.of(0.93, 0.5),
    labels: Int32Array.of(2, 7),
    classNames: ['a', 'b', 'cat', 'd', 'e', 'f', 'g', 'dog <&> "x"'],
    masks: [mask, new Uint8Array(W * H)],
  };

  it('box edges, label tabs and mask blends land on the expected pixels', async () => {
    const out = await drawDetections(grey, detections, { lineWidth: 4, alpha: 0.5 });
    const c2 = [...DETECTION_COLORS[2]!];
    const c7 = [...DETECTION_COLORS[7]!];
    // outline centred on x = 20 covers pixels 18..21 fully
    expect(px(out, 20, 100)).toEqual(c2);
    expect(px(out, 18, 100)).toEqual(c2);
    expect(px(out, 21, 100)).toEqual(c2);
    expect(px(out, 119, 100)).toEqual(c2); // right edge x = 120
    expect(px(out, 80, 60)).toEqual(c2); // top edge
    expect(px(out, 80, 139)).toEqual(c2); // bottom edge
    expect(px(out, 16, 100)).toEqual([50, 50, 50]); // outside
    expect(px(out, 30, 70)).toEqual([50, 50, 50]); // inside the box, outside the mask
    // mask interior: the alpha-blend formula
    expect(px(out, 50, 100)).toEqual(c2.map((c) => blend(50, c, 0.5)));
    // the label tab above box 0 (rows 32..57) is the box colour left of the text
    expect(px(out, 19, 55)).toEqual(c2);
    expect(px(out, 19, 31)).toEqual([50, 50, 50]);
    // box 1 touches the top: its tab goes inside; the outline shows on its right edge
    expect(px(out, 199, 20)).toEqual(c7);
    expect(px(out, 299, 60)).toEqual(c7);
    expect(out.data).not.toBe(grey.data);
    expect(px(grey, 20, 50)).toEqual([50, 50, 50]); // input untouched
  });

  it('text is rendered (the tab is not a flat colour) and names are XML-escaped', async () => {
    const svg = detectionsSvg(W, H, detections);
    expect(svg).toContain('cat 0.93');
    expect(svg).toContain('dog &#60;&#38;&#62; &#34;x&#34; 0.50');
    const out = await drawDetections(grey, detections, { lineWidth: 4, fontSize: 16 });
    const tabPixels = new Set<string>();
    for (let y = 38; y < 57; y++) {
      for (let x = 22; x < 100; x++) tabPixels.add(px(out, x, y).join(','));
    }
    expect(tabPixels.size).toBeGreaterThan(2); // glyph pixels and anti-aliasing, not just the fill
  });

  it('masks only, and the PNG renders decode to the same pixels', async () => {
    const masksOnly = await drawDetections(grey, detections, { boxes: false, alpha: 1 });
    expect(px(masksOnly, 20, 100)).toEqual([50, 50, 50]);
    expect(px(masksOnly, 50, 100)).toEqual([...DETECTION_COLORS[2]!]);
    const png = await renderDetectionsPng(grey, detections, { lineWidth: 4 });
    const back = await decodeImage(png);
    expect(back.data).toEqual((await drawDetections(grey, detections, { lineWidth: 4 })).data);
  });

  it('label map overlays survive PNG encoding with the palette values', async () => {
    const map = { data: new Uint8Array(W * H).fill(15), width: W, height: H };
    const png = await encodePng(drawLabelMap(grey, map, { alpha: 0.6 }));
    const back = await decodeImage(png);
    const p = vocPalette(16);
    expect(px(back, 5, 5)).toEqual([
      blend(50, p[45]!, 0.6),
      blend(50, p[46]!, 0.6),
      blend(50, p[47]!, 0.6),
    ]);
  });

  it('no detections: a copy; mismatched columns: ShapeMismatchError', async () => {
    const none = await drawDetections(grey, { boxes: new Float32Array(0) });
    expect(none.data).toEqual(grey.data);
    await expect(
      drawDetections(grey, { boxes: Float32Array.of(0, 0, 1, 1), scores: Float32Array.of(1, 2) }),
    ).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(
      drawDetections(grey, { boxes: Float32Array.of(0, 0, 1, 1), masks: [] }),
    ).rejects.toThrow(/masks/);
    await expect(
      drawDetections(grey, { boxes: Float32Array.of(0, 0, 1, Number.NaN) }),
    ).rejects.toThrow(/non-finite/);
  });
});
