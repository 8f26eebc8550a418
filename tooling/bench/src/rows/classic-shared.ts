/**
 * Shared by the classic-* rows: the built Ocelot packages they need, loaded from the
 * packages' own `dist/` (so tooling/bench/package.json needs no new dependencies), and the
 * synthetic scenes both sides read.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext } from '../harness/context.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..', '..', '..');

export interface Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Scene {
  readonly image: Image;
  readonly objects: readonly { readonly categoryId: number; readonly bbox: readonly number[] }[];
}

/** The slice of @ocelot/datasets used here. */
export interface DatasetsModule {
  generateScene(seed: number, options: { width: number; height: number }): Scene;
  deriveSeed(seed: number, index: number): number;
}

/**
 * `packages/<name>/dist/index.js` imported, or the reason it cannot be (not built, or an export
 * missing), phrased for the "not yet available" line.
 */
export async function loadBuilt<T>(name: string, needs: readonly string[]): Promise<T | string> {
  const path = join(REPO, 'packages', name, 'dist', 'index.js');
  if (!existsSync(path)) {
    return `@ocelot/${name} is not built (the root \`pnpm bench\` builds it; or \`pnpm --filter @ocelot/${name} build\`)`;
  }
  try {
    const m = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const missing = needs.filter((k) => typeof m[k] !== 'function');
    if (missing.length > 0) {
      return `@ocelot/${name} (built) does not export ${missing.join(', ')} — rebuild it`;
    }
    return m as T;
  } catch (error) {
    return `@ocelot/${name} cannot be loaded: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * `count` synthetic shape scenes of `size`×`size` (scene i = generateScene(deriveSeed(seed, i))),
 * their pixels stored once as the run's input file `<name>` (uint8 [N,H,W,3]) that every side
 * reads, and their ground-truth boxes (xyxy) and labels (0-based).
 */
export function scenes(
  ctx: BenchContext,
  datasets: DatasetsModule,
  name: string,
  count: number,
  size: number,
): {
  images: Image[];
  spec: { path: string; dtype: 'uint8'; shape: number[] };
  gt: { boxes: Float32Array; labels: Int32Array }[];
} {
  const generated = Array.from({ length: count }, (_, i) =>
    datasets.generateScene(datasets.deriveSeed(ctx.seed >>> 0, i), { width: size, height: size }),
  );
  const stored = ctx.inputs.array(name, 'uint8', [count, size, size, 3], () => {
    const all = new Uint8Array(count * size * size * 3);
    generated.forEach((s, i) => {
      all.set(s.image.data, i * size * size * 3);
    });
    return all;
  });
  const plane = size * size * 3;
  const images = generated.map((_, i) => ({
    width: size,
    height: size,
    data: stored.data.subarray(i * plane, (i + 1) * plane),
  }));
  const gt = generated.map((s) => ({
    boxes: Float32Array.from(
      s.objects.flatMap((o) => [
        o.bbox[0]!,
        o.bbox[1]!,
        o.bbox[0]! + o.bbox[2]!,
        o.bbox[1]! + o.bbox[3]!,
      ]),
    ),
    labels: Int32Array.from(s.objects.map((o) => o.categoryId - 1)),
  }));
  return { images, spec: stored.spec as { path: string; dtype: 'uint8'; shape: number[] }, gt };
}

/** IoU of box i of `a` with box j of `b` (xyxy). */
export function iou(a: Float32Array, i: number, b: Float32Array, j: number): number {
  const x1 = Math.max(a[4 * i]!, b[4 * j]!);
  const y1 = Math.max(a[4 * i + 1]!, b[4 * j + 1]!);
  const x2 = Math.min(a[4 * i + 2]!, b[4 * j + 2]!);
  const y2 = Math.min(a[4 * i + 3]!, b[4 * j + 3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const areaA = (a[4 * i + 2]! - a[4 * i]!) * (a[4 * i + 3]! - a[4 * i + 1]!);
  const areaB = (b[4 * j + 2]! - b[4 * j]!) * (b[4 * j + 3]! - b[4 * j + 1]!);
  return inter / (areaA + areaB - inter);
}
