/**
 * Writes the synthetic scenes the classic-pipeline recipes (classic_*.py) train and evaluate on,
 * in a compact form Python reads with one `np.fromfile`:
 *
 *   <out>/<split>.u8    N × H × W × 3 uint8 RGB, scene after scene
 *   <out>/<split>.json  { width, height, count, seed, categories, boxes: [[cls, x1, y1, x2, y2], …] per scene }
 *
 * Scene i of a split is `generateScene(deriveSeed(seed, i), { width, height })` from
 * @ocelot/datasets, so the TypeScript evaluation regenerates any scene without these files.
 *
 *   node --conditions=@ocelot/source --import tsx tooling/python/train/classic_scenes.ts \
 *     --out /tmp/classic-scenes [--train 1500] [--val 100] [--test 100]
 *
 * Split seeds: train 101, val 102, test 103 (`CLASSIC_SPLIT_SEEDS`).
 */
import { writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deriveSeed, generateScene } from '../../../packages/datasets/src/index.js';

export const CLASSIC_SPLIT_SEEDS = { train: 101, val: 102, test: 103 } as const;

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/classic-scenes' },
    train: { type: 'string', default: '1500' },
    val: { type: 'string', default: '100' },
    test: { type: 'string', default: '100' },
    size: { type: 'string', default: '256' },
  },
});

const size = Number(values.size);
mkdirSync(values.out, { recursive: true });
for (const split of ['train', 'val', 'test'] as const) {
  const count = Number(values[split]);
  if (count === 0) continue;
  const seed = CLASSIC_SPLIT_SEEDS[split];
  const pixels = new Uint8Array(count * size * size * 3);
  const boxes: number[][][] = [];
  let categories: readonly string[] = [];
  for (let i = 0; i < count; i++) {
    const scene = generateScene(deriveSeed(seed, i), { width: size, height: size });
    categories = scene.categories;
    pixels.set(scene.image.data, i * size * size * 3);
    boxes.push(
      scene.objects.map((o) => [
        o.categoryId - 1,
        o.bbox[0],
        o.bbox[1],
        o.bbox[0] + o.bbox[2],
        o.bbox[1] + o.bbox[3],
      ]),
    );
  }
  writeFileSync(`${values.out}/${split}.u8`, pixels);
  writeFileSync(
    `${values.out}/${split}.json`,
    JSON.stringify({ width: size, height: size, count, seed, categories, boxes }),
  );
  console.log(`${split}: ${count} scenes -> ${values.out}/${split}.u8`);
}
