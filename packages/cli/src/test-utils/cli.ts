/** Helpers for the CLI's in-process tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { CommandRegistry } from '../command.js';
import type { CliIO } from '../io.js';
import { main } from '../main.js';

/** The fixture models folder (const-detector, rgb-segmenter). */
export const FIXTURE_MODELS = fileURLToPath(
  new URL('../__fixtures__/models/', import.meta.url),
).replace(/\/$/, '');
/** ONNX files with the output layouts `models import` recognises. */
export const FIXTURE_ONNX = fileURLToPath(new URL('../__fixtures__/onnx/', import.meta.url));
export const CONST_DETECTOR = join(FIXTURE_MODELS, 'const-detector');
export const RGB_SEGMENTER = join(FIXTURE_MODELS, 'rgb-segmenter');
export const CONST_YOLOSEG = join(FIXTURE_MODELS, 'const-yoloseg');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ocelot argv` in-process. */
export async function ocelot(
  argv: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    tty?: boolean;
    registry?: CommandRegistry;
  } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(argv, io, options.registry);
  return { code, stdout, stderr };
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(
  prefix = 'ocelot-cli-',
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a PNG whose pixel (x, y) is `color(x, y)`. */
export async function writeImage(
  path: string,
  width: number,
  height: number,
  color: (x: number, y: number) => [number, number, number] = () => [90, 90, 90],
): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = color(x, y);
      const o = 3 * (y * width + x);
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
    }
  }
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  await (path.endsWith('.jpg') ? image.jpeg({ quality: 95 }) : image.png()).toFile(path);
}

/** Reads a single-channel PNG's bytes. */
export async function readGray(
  path: string,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const meta = await sharp(path).metadata();
  if (meta.channels !== 1 || meta.depth !== 'uchar') {
    throw new Error(`${path}: ${meta.channels} channels of ${meta.depth}, expected 8-bit grey`);
  }
  const { data, info } = await sharp(path)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`${path}: ${info.channels} channels`);
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}
