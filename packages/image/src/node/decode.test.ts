import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, OcelotError } from '@ocelot/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  ImageDecodeError,
  ImageEncodeError,
  ImageNotFoundError,
  ImageTooLargeError,
  UnsupportedImageFormatError,
} from '../errors.js';
import { letterbox } from '../letterbox.js';
import { noiseImage } from '../test-utils/fixtures.js';
import { decodeImage, encodeJpeg, encodePng, readImageInfo, sniffFormat } from './decode.js';

const FIX = new URL('./__fixtures__/', import.meta.url);
const fixturePath = (name: string) => new URL(name, FIX).pathname;
interface Slice {
  offset: number;
  length: number;
  width: number;
  height: number;
}
const meta = JSON.parse(readFileSync(new URL('decode.json', FIX), 'utf8')) as {
  generator: string;
  files: Record<string, Record<string, Slice>>;
};
const bin = new Uint8Array(readFileSync(new URL('decode.bin', FIX)));
const ref = (s: Slice) => ({
  data: bin.subarray(s.offset, s.offset + s.length),
  width: s.width,
  height: s.height,
});

function diff(a: Uint8Array, b: Uint8Array): { count: number; max: number } {
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d) count++;
    if (d > max) max = d;
  }
  return { count, max };
}

const tmp = mkdtempSync(join(tmpdir(), 'ocelot-image-'));

describe('decodeImage parity with cv2.imread', () => {
  it('fixture names its generator', () => {
    expect(meta.generator).toBe('tooling/python/fixtures/image_decode.py');
  });

  for (const name of ['photo.jpg', 'progressive.jpg', 'rotated.jpg', 'alpha.png', 'gray.png']) {
    it(`${name}: identical pixels`, async () => {
      const img = await decodeImage(fixturePath(name));
      const expected = ref(meta.files[name]!.imread!);
      expect([img.width, img.height]).toEqual([expected.width, expected.height]);
      expect(diff(img.data, expected.data)).toEqual({ count: 0, max: 0 });
    });
  }

  it('rotated.jpg: EXIF orientation 6 is applied (stored 96×64, decoded 64×96); autoOrient: false keeps it', async () => {
    expect(await readImageInfo(fixturePath('rotated.jpg'))).toMatchObject({
      width: 64,
      height: 96,
      orientation: 6,
    });
    const raw = await decodeImage(fixturePath('rotated.jpg'), { autoOrient: false });
    expect([raw.width, raw.height]).toEqual([96, 64]);
  });

  it('deep.png (16-bit): within 1 level of cv2 (which truncates, libvips rounds)', async () => {
    const img = await decodeImage(fixturePath('deep.png'));
    const expected = ref(meta.files['deep.png']!.imread!);
    expect(img.data.length).toBe(expected.data.length);
    expect(diff(img.data, expected.data).max).toBeLessThanOrEqual(1);
  });

  it('sharp decode + pure letterbox = cv2.imread + Ultralytics letterbox, bit for bit', async () => {
    const img = await decodeImage(fixturePath('photo.jpg'));
    for (const size of [64, 48]) {
      const expected = ref(meta.files['photo.jpg']![`letterbox${size}`]!);
      const { image } = letterbox(img, { size });
      expect(diff(image.data, expected.data)).toEqual({ count: 0, max: 0 });
    }
  });

  it('alpha: dropped by default, composited over background on request', async () => {
    const plain = await decodeImage(fixturePath('alpha.png'));
    const over = await decodeImage(fixturePath('alpha.png'), { background: [255, 0, 0] });
    // column 0 has alpha 0: pure background; last column alpha 255: unchanged
    expect(Array.from(over.data.subarray(0, 3))).toEqual([255, 0, 0]);
    const last = (96 - 1) * 3;
    expect(Array.from(over.data.subarray(last, last + 3))).toEqual(
      Array.from(plain.data.subarray(last, last + 3)),
    );
    // every pixel: round((c·a + bg·(255 − a)) / 255)
    const rgba = await sharp(fixturePath('alpha.png')).raw().toBuffer();
    for (let i = 0, j = 0; j < over.data.length; i += 4, j += 3) {
      const a = rgba[i + 3]!;
      const bg = [255, 0, 0];
      for (let c = 0; c < 3; c++) {
        expect(over.data[j + c]).toBe(Math.round((rgba[i + c]! * a + bg[c]! * (255 - a)) / 255));
      }
    }
  });
});

describe('decodeImage inputs and formats', () => {
  const img = noiseImage(40, 30, 5);
  const rawSharp = () =>
    sharp(Buffer.from(img.data), { raw: { width: 40, height: 30, channels: 3 } });

  it('reads bytes, ArrayBuffers, paths and file URLs alike', async () => {
    const png = await encodePng(img);
    const path = join(tmp, 'a.png');
    writeFileSync(path, png);
    const ab = png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer;
    for (const input of [png, ab, path, pathToFileURL(path)]) {
      const out = await decodeImage(input);
      expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
      expect(out.data).toBeInstanceOf(Uint8Array);
    }
  });

  it('lossless WebP, TIFF, AVIF (lossless) and GIF decode; JPEG round-trips closely', async () => {
    const webp = await rawSharp().webp({ lossless: true }).toBuffer();
    const tiff = await rawSharp().tiff({ compression: 'lzw' }).toBuffer();
    for (const buf of [webp, tiff]) {
      expect(Buffer.from((await decodeImage(buf)).data).equals(Buffer.from(img.data))).toBe(true);
    }
    const avif = await rawSharp().avif({ lossless: true }).toBuffer();
    const a = await decodeImage(avif);
    expect([a.width, a.height]).toEqual([40, 30]);
    expect((await readImageInfo(avif)).format).toBe('heif');
    const gif = await rawSharp().gif().toBuffer();
    expect((await decodeImage(gif)).width).toBe(40);
    const jpg = await encodeJpeg(img, { quality: 100 });
    const j = await decodeImage(jpg);
    expect([j.width, j.height]).toEqual([40, 30]);
  });
});

describe('decodeImage errors', () => {
  const img = noiseImage(64, 48, 9);

  async function rejects(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a rejection');
  }

  it('missing file and directories → ImageNotFoundError naming the path', async () => {
    const e = await rejects(decodeImage(join(tmp, 'nope.jpg')));
    expect(e).toBeInstanceOf(ImageNotFoundError);
    expect(e).toBeInstanceOf(ImageDecodeError);
    expect(e).toBeInstanceOf(OcelotError);
    expect((e as ImageNotFoundError).code).toBe('E_IMAGE_NOT_FOUND');
    expect(e.message).toContain('nope.jpg');
    expect(await rejects(decodeImage(tmp))).toBeInstanceOf(ImageNotFoundError);
  });

  it('truncated JPEG and PNG → CorruptImageError', async () => {
    const jpg = await encodeJpeg(img);
    const png = await encodePng(img);
    for (const bytes of [jpg.subarray(0, jpg.length >> 1), png.subarray(0, png.length >> 1)]) {
      const e = await rejects(decodeImage(bytes));
      expect(e).toBeInstanceOf(CorruptImageError);
      expect((e as CorruptImageError).reason).toBe('corrupt');
      expect(e.message).toMatch(/<buffer of \d+ bytes>/);
    }
    const path = join(tmp, 'truncated.jpg');
    writeFileSync(path, jpg.subarray(0, 200));
    const e = await rejects(decodeImage(path));
    expect(e).toBeInstanceOf(ImageDecodeError);
    expect(e.message).toContain('truncated.jpg');
  });

  it('empty input → CorruptImageError; not an image → UnsupportedImageFormatError', async () => {
    expect(await rejects(decodeImage(new Uint8Array(0)))).toBeInstanceOf(CorruptImageError);
    const path = join(tmp, 'notes.txt');
    writeFileSync(path, 'hello, not an image');
    const e = await rejects(decodeImage(path));
    expect(e).toBeInstanceOf(UnsupportedImageFormatError);
    expect(e.message).toContain('notes.txt');
  });

  it('bytes of a known signature skip the header read but keep every check', async () => {
    const jpg = await encodeJpeg(img);
    const png = await encodePng(img);
    expect(sniffFormat(jpg)).toBe('jpeg');
    expect(sniffFormat(png)).toBe('png');
    expect(
      sniffFormat(new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50])),
    ).toBe('webp');
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
    // the format list still applies to sniffed bytes
    const e = await rejects(decodeImage(jpg, { formats: ['png'] }));
    expect(e).toBeInstanceOf(UnsupportedImageFormatError);
    // same pixels as the path that reads the header first
    const path = join(tmp, 'same.jpg');
    writeFileSync(path, jpg);
    const a = await decodeImage(jpg);
    const b = await decodeImage(path);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('SVG is refused unless allowed', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3" fill="red"/></svg>',
    );
    const e = await rejects(decodeImage(svg));
    expect(e).toBeInstanceOf(UnsupportedImageFormatError);
    expect((e as UnsupportedImageFormatError).format).toBe('svg');
    const ok = await decodeImage(svg, { formats: ['svg'] });
    expect([ok.width, ok.height]).toEqual([4, 3]);
    expect(Array.from(ok.data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('too many pixels → ImageTooLargeError before decoding (decompression-bomb guard)', async () => {
    const png = await encodePng(img);
    const e = await rejects(decodeImage(png, { limitInputPixels: 1000 }));
    expect(e).toBeInstanceOf(ImageTooLargeError);
    expect((e as ImageTooLargeError).limitInputPixels).toBe(1000);
    // A hand-made PNG header claiming 30000×30000 (900 MP) with no real pixel data: refused by
    // the default limit from the header alone.
    const bomb = pngHeaderOnly(30000, 30000);
    const e2 = await rejects(decodeImage(bomb));
    expect(e2).toBeInstanceOf(ImageTooLargeError);
    expect(e2.message).toMatch(/limitInputPixels=100000000/);
    // with the limit lifted, the missing pixel data is reported as corruption instead
    expect(await rejects(decodeImage(bomb, { limitInputPixels: false }))).toBeInstanceOf(
      CorruptImageError,
    );
  });

  it('bad arguments → InvalidArgumentError', async () => {
    await expect(decodeImage(42 as unknown as string)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(decodeImage(new URL('https://example.com/a.jpg'))).rejects.toThrow(/file: URLs/);
    await expect(decodeImage(new Uint8Array(3), { limitInputPixels: -1 })).rejects.toThrow(
      /limitInputPixels/,
    );
    await expect(
      decodeImage(new Uint8Array(3), { background: [1, 2] as unknown as [number, number, number] }),
    ).rejects.toThrow(/background/);
  });
});

describe('encodePng / encodeJpeg', () => {
  it('encode and reject bad options', async () => {
    const img = noiseImage(5, 4);
    const png = await encodePng(img, { compressionLevel: 9 });
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const jpg = await encodeJpeg(img, { quality: 50 });
    expect(Array.from(jpg.subarray(0, 2))).toEqual([0xff, 0xd8]);
    await expect(encodePng(img, { compressionLevel: 10 })).rejects.toThrow(InvalidArgumentError);
    await expect(encodeJpeg(img, { quality: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(encodePng({ data: new Uint8Array(2), width: 5, height: 4 })).rejects.toThrow(
      /image.data/,
    );
    // a JPEG larger than libjpeg's 65535 limit cannot be written
    await expect(
      encodeJpeg({ data: new Uint8Array(70000 * 3), width: 70000, height: 1 }),
    ).rejects.toBeInstanceOf(ImageEncodeError);
  });
});

/** A PNG with a valid IHDR for width×height and an empty IDAT. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const crcTable = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(Buffer.from(type, 'ascii'), 4);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(0)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
