/**
 * Writes a synthetic dataset folder, streaming scene by scene (a 4 000-scene training set
 * never sits in memory):
 *
 * ```
 * <dir>/images/000000.png      RGB picture
 * <dir>/masks/000000.png       8-bit label map: 0 background, category id elsewhere
 * <dir>/annotations.json       COCO instances (bbox, area, polygon / RLE segmentation)
 * <dir>/labels/000000.txt      YOLO boxes (class = category id − 1), `classes.txt` beside
 * <dir>/voc/000000.xml         PASCAL VOC annotation
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { InvalidArgumentError } from '@ocelot/core';
import type { CocoDataset } from '../coco/types.js';
import { cocoToVoc } from '../convert/coco-voc.js';
import { cocoToYolo } from '../convert/coco-yolo.js';
import { DatasetFileError } from '../errors.js';
import { deriveSeed } from '../synthetic/random.js';
import { generateResolvedScene } from '../synthetic/scene.js';
import {
  resolveDatasetOptions,
  type SyntheticDatasetOptions,
  scenesToCoco,
  syntheticFileName,
} from '../synthetic/dataset.js';
import { stringifyVoc } from '../voc/voc.js';
import { stringifyYoloLabels, stringifyYoloNames } from '../yolo/yolo.js';

/** The outputs `writeSyntheticDataset` can write. */
export type SyntheticOutput = 'images' | 'masks' | 'coco' | 'yolo' | 'voc';

/** Options of `writeSyntheticDataset`. */
export interface WriteSyntheticOptions extends SyntheticDatasetOptions {
  /** What to write; default all. */
  readonly outputs?: readonly SyntheticOutput[];
  /** Called after each scene with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What `writeSyntheticDataset` wrote. */
export interface WriteSyntheticResult {
  readonly dir: string;
  readonly images: number;
  readonly annotations: number;
  /** The COCO ground truth (also in `annotations.json` when `coco` was asked for). */
  readonly coco: CocoDataset;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

function pngChunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  view.setUint32(
    8 + payload.length,
    (crc32(out.subarray(4, 8 + payload.length)) ^ 0xffffffff) >>> 0,
  );
  return out;
}

/**
 * Encodes 8-bit pixels as PNG (no filtering, zlib level 6). Used for label maps, which must
 * stay single-channel with their exact byte values, and for the RGB pictures.
 * @param data [H,W,channels] bytes
 * @param channels 1 (grey / label map) or 3 (RGB)
 */
export function encodePng8(
  data: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new InvalidArgumentError(
      'data',
      `expected ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${data.length}`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type: grey / truecolour
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function write(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new DatasetFileError(path, `cannot write: ${(error as Error).message}`, 'E_FILE_WRITE', {
      cause: error,
    });
  }
}

/**
 * Generates a synthetic dataset (see `generateDataset`) and writes it to `dir` (created if
 * needed): PNG images and label maps, COCO JSON, YOLO labels and VOC XML. Scene i is
 * `generateScene(deriveSeed(seed, start + i), options)`; file names are `start + i`
 * zero-padded to six digits.
 * @throws InvalidArgumentError on bad options, DatasetFileError when a file cannot be written
 */
export async function writeSyntheticDataset(
  dir: string,
  options: WriteSyntheticOptions,
): Promise<WriteSyntheticResult> {
  const [seed, count, start, sceneOptions] = resolveDatasetOptions(options);
  const outputs = new Set<SyntheticOutput>(
    options.outputs ?? ['images', 'masks', 'coco', 'yolo', 'voc'],
  );
  for (const o of outputs) {
    if (!['images', 'masks', 'coco', 'yolo', 'voc'].includes(o)) {
      throw new InvalidArgumentError('options.outputs', `unknown output ${JSON.stringify(o)}`);
    }
  }
  for (const sub of ['images', 'masks', 'yolo', 'voc'] as const) {
    if (!outputs.has(sub)) continue;
    const folder = join(dir, sub === 'yolo' ? 'labels' : sub);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new DatasetFileError(
        folder,
        `cannot create: ${(error as Error).message}`,
        'E_FILE_WRITE',
        {
          cause: error,
        },
      );
    }
  }
  await mkdir(dir, { recursive: true });

  // Annotations are kept per scene (small); pixels are written and dropped.
  const parts: CocoDataset[] = [];
  let annotationCount = 0;
  for (let i = 0; i < count; i++) {
    const index = start + i;
    const scene = generateResolvedScene(deriveSeed(seed, index), sceneOptions);
    const name = syntheticFileName(index);
    const stem = name.slice(0, -4);
    if (outputs.has('images')) {
      await write(
        join(dir, 'images', name),
        encodePng8(scene.image.data, scene.width, scene.height, 3),
      );
    }
    if (outputs.has('masks')) {
      await write(
        join(dir, 'masks', name),
        encodePng8(scene.labelMap, scene.width, scene.height, 1),
      );
    }
    const coco = scenesToCoco([scene], {
      firstImageId: index + 1,
      firstAnnotationId: annotationCount + 1,
    });
    annotationCount += coco.annotations.length;
    parts.push(coco);
    if (outputs.has('yolo')) {
      const yolo = cocoToYolo(coco);
      const labels = yolo.images[0]?.labels ?? [];
      await write(join(dir, 'labels', `${stem}.txt`), stringifyYoloLabels(labels));
    }
    if (outputs.has('voc')) {
      const voc = cocoToVoc(coco, { folder: 'images' })[0]!;
      await write(join(dir, 'voc', `${stem}.xml`), stringifyVoc(voc));
    }
    options.onProgress?.(i + 1, count);
  }
  const categories = parts[0]?.categories ?? scenesToCoco([]).categories;
  const coco: CocoDataset = {
    info: { description: 'Ocelot synthetic shapes', seed, start, count },
    images: parts.flatMap((p) => p.images),
    annotations: parts.flatMap((p) => p.annotations),
    categories,
  };
  if (outputs.has('coco')) await write(join(dir, 'annotations.json'), JSON.stringify(coco));
  if (outputs.has('yolo')) {
    await write(join(dir, 'classes.txt'), stringifyYoloNames(categories.map((c) => c.name)));
  }
  return { dir, images: count, annotations: annotationCount, coco };
}
