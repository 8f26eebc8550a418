import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { maskIou, rleIou } from './iou.js';
import { pasteMasksBinary, pasteMasksInImage, pasteMasksToRle } from './paste.js';
import { rleArea, rleDecode, rleEncode, rleFromString, rleToString } from './rle.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const F = JSON.parse(readFileSync(new URL('paste.json', dir), 'utf8')) as {
  generator: string;
  cases: {
    imageSize: { height: number; width: number };
    padding: number;
    maskDims: [number, number, number];
    boxes: number[];
    masks: [number, number];
    output: [number, number];
  }[];
  large: {
    imageSize: { height: number; width: number };
    padding: number;
    maskDims: [number, number, number];
    boxes: number[];
    masks: [number, number];
    rle: string[];
    sum: number;
  };
};
const bytes = readFileSync(new URL('paste.bin', dir));
const bin = new Float32Array(
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
);
const view = ([offset, length]: [number, number]) => bin.subarray(offset, offset + length);

describe('pasteMasksInImage vs torchvision paste_masks_in_image', () => {
  it('names its generator', () =>
    expect(F.generator).toBe('tooling/python/fixtures/core_masks_roi.py'));

  it.each(F.cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const masks = { data: view(c.masks), dims: c.maskDims };
    const boxes = Float32Array.from(c.boxes);
    const expected = view(c.output);
    const out = pasteMasksInImage(masks, boxes, c.imageSize, { padding: c.padding });
    expect(out.length).toBe(expected.length);
    let maxDiff = 0;
    for (let k = 0; k < out.length; k++)
      maxDiff = Math.max(maxDiff, Math.abs(out[k]! - expected[k]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    // [N,1,M,M] input is accepted too
    const out4 = pasteMasksInImage(
      { data: masks.data, dims: [c.maskDims[0], 1, c.maskDims[1], c.maskDims[2]] },
      boxes,
      c.imageSize,
      { padding: c.padding },
    );
    expect(Buffer.compare(new Uint8Array(out4.buffer), new Uint8Array(out.buffer))).toBe(0);
    // the thresholded variants agree with thresholding the probabilities
    const bin = pasteMasksBinary(masks, boxes, c.imageSize, { padding: c.padding });
    let wrong = 0;
    for (let k = 0; k < out.length; k++) if (bin[k] !== (out[k]! > 0.5 ? 1 : 0)) wrong++;
    expect(wrong).toBe(0);
    const { height: H, width: W } = c.imageSize;
    const rles = pasteMasksToRle(masks, boxes, c.imageSize, { padding: c.padding });
    rles.forEach((r, i) => {
      expect(r.counts).toEqual(rleEncode(bin.subarray(i * H * W, (i + 1) * H * W), H, W).counts);
    });
  });

  it('bench-sized image: RLEs of (pasted > 0.5) equal pycocotools on torchvision output', () => {
    const c = F.large;
    const masks = { data: view(c.masks), dims: c.maskDims };
    const boxes = Float32Array.from(c.boxes);
    const rles = pasteMasksToRle(masks, boxes, c.imageSize, { padding: c.padding });
    const { height: H, width: W } = c.imageSize;
    // Probabilities agree to ~1 ulp (PyTorch's float rounding order is not reproduced
    // bit for bit), so a pixel within ~1e-6 of the threshold may flip: allow a handful.
    let identical = 0;
    let flipped = 0;
    rles.forEach((r, i) => {
      const expected = rleFromString(c.rle[i]!, H, W);
      if (rleToString(r) === c.rle[i]) identical++;
      const iou = rleIou([r], [expected])[0]!;
      if (rleArea(expected) > 0) expect(iou).toBeGreaterThan(0.999);
      const a = rleDecode(r);
      const b = rleDecode(expected);
      for (let k = 0; k < a.length; k++) flipped += a[k]! ^ b[k]!;
    });
    expect(identical).toBeGreaterThanOrEqual(c.rle.length - 2);
    expect(flipped).toBeLessThanOrEqual(5);
    const out = pasteMasksInImage(masks, boxes, c.imageSize);
    let sum = 0;
    for (let k = 0; k < out.length; k++) sum += out[k]!;
    expect(Math.abs(sum - c.sum) / c.sum).toBeLessThan(1e-6);
  });

  it('a box entirely outside the image gives an empty mask', () => {
    const masks = { data: new Float32Array(4 * 4).fill(1), dims: [1, 4, 4] };
    // boxes stay outside after expand_boxes' (M + 2) / M growth
    for (const b of [
      [-30, -20, -20, -10],
      [100, 5, 120, 8],
      [5, 60, 8, 70],
    ]) {
      const out = pasteMasksInImage(masks, Float32Array.from(b), { height: 50, width: 60 });
      expect(out.every((v) => v === 0)).toBe(true);
      const rle = pasteMasksToRle(masks, Float32Array.from(b), { height: 50, width: 60 })[0]!;
      expect(Array.from(rle.counts)).toEqual([3000]);
    }
  });

  it('a full-image mask of ones covers the box and becomes an RLE starting with 0', () => {
    const masks = { data: new Float32Array(28 * 28).fill(1), dims: [1, 28, 28] };
    // the box overhangs the image, so the zero padding's ramp falls outside it
    const boxes = Float32Array.of(-3, -3, 22, 12);
    const bin = pasteMasksBinary(masks, boxes, { height: 10, width: 20 });
    expect(bin.every((v) => v === 1)).toBe(true);
    const rle = pasteMasksToRle(masks, boxes, { height: 10, width: 20 })[0]!;
    expect(Array.from(rle.counts)).toEqual([0, 200]);
    expect(rleDecode(rle)).toEqual(bin);
  });

  it('no masks give empty outputs', () => {
    const empty = { data: new Float32Array(0), dims: [0, 28, 28] };
    expect(pasteMasksInImage(empty, new Float32Array(0), { height: 5, width: 5 }).length).toBe(0);
    expect(pasteMasksToRle(empty, new Float32Array(0), { height: 5, width: 5 })).toEqual([]);
  });

  it('bad input throws typed errors naming the argument', () => {
    const masks = { data: new Float32Array(2 * 4 * 4), dims: [2, 4, 4] };
    const boxes = Float32Array.of(0, 0, 3, 3, 1, 1, 2, 2);
    const size = { height: 8, width: 8 };
    expect(() => pasteMasksInImage({ data: masks.data, dims: [2, 16] }, boxes, size)).toThrow(
      ShapeMismatchError,
    );
    expect(() => pasteMasksInImage({ data: masks.data, dims: [2, 4, 5] }, boxes, size)).toThrow(
      /masks/,
    );
    expect(() => pasteMasksInImage(masks, boxes.subarray(0, 4), size)).toThrow(/boxes/);
    expect(() =>
      pasteMasksInImage(masks, Float32Array.of(0, 0, 3, 3, 1, 1, Number.NaN, 2), size),
    ).toThrow(NonFiniteValueError);
    const nanMasks = { data: new Float32Array(32).fill(Number.NaN), dims: [2, 4, 4] };
    expect(() => pasteMasksInImage(nanMasks, boxes, size)).toThrow(/masks/);
    expect(() => pasteMasksInImage(masks, boxes, { height: -1, width: 8 })).toThrow(
      /imageSize.height/,
    );
    expect(() => pasteMasksInImage(masks, boxes, size, { padding: -1 })).toThrow(/options.padding/);
    expect(() => pasteMasksBinary(masks, boxes, size, { threshold: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('maskIou', () => {
  it('matches pixel counting, is symmetric, and is 0 for an empty union', () => {
    const H = 7;
    const W = 9;
    let seed = 3;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const a = Uint8Array.from({ length: 3 * H * W }, () => (rand() < 0.4 ? 1 : 0));
    const b = Uint8Array.from({ length: 2 * H * W }, () => (rand() < 0.5 ? 1 : 0));
    b.fill(0, H * W); // second mask of b is empty
    const iou = maskIou(a, b, H, W);
    const iouT = maskIou(b, a, H, W);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        let inter = 0;
        let union = 0;
        for (let k = 0; k < H * W; k++) {
          inter += a[i * H * W + k]! & b[j * H * W + k]!;
          union += a[i * H * W + k]! | b[j * H * W + k]!;
        }
        expect(iou[i * 2 + j]).toBe(inter === 0 ? 0 : inter / union);
        expect(iouT[j * 3 + i]).toBe(iou[i * 2 + j]);
      }
    }
    expect(Array.from(maskIou(new Uint8Array(4), new Uint8Array(4), 2, 2))).toEqual([0]);
    expect(() => maskIou(new Uint8Array(5), new Uint8Array(4), 2, 2)).toThrow(/^a:/);
  });
});
