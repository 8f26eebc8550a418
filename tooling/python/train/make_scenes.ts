/**
 * Writes the synthetic training / validation / test splits the recipes in this folder train
 * on. Training data is never committed: only this script, its seeds and its command.
 *
 *   pnpm scenes -- --out /tmp/ocelot-scenes [--train 4000] [--val 200] [--test 200] [--size 256]
 *
 * Splits use independent dataset seeds (train 1, val 2, test 3), so no scene repeats across
 * splits. Every split folder holds images/, masks/, labels/, voc/, annotations.json.
 */
import { parseArgs } from 'node:util';
import { writeSyntheticDataset } from '../../../packages/datasets/src/node/index.js';

export const SPLIT_SEEDS = { train: 1, val: 2, test: 3 } as const;

const { values } = parseArgs({
  // `pnpm scenes -- --out …` passes the `--` through
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    out: { type: 'string', default: '/tmp/ocelot-scenes' },
    train: { type: 'string', default: '4000' },
    val: { type: 'string', default: '200' },
    test: { type: 'string', default: '200' },
    size: { type: 'string', default: '256' },
  },
});

const size = Number(values.size);
for (const split of ['train', 'val', 'test'] as const) {
  const count = Number(values[split]);
  if (count === 0) continue;
  const started = Date.now();
  const dir = `${values.out}/${split}`;
  const result = await writeSyntheticDataset(dir, {
    seed: SPLIT_SEEDS[split],
    count,
    width: size,
    height: size,
    onProgress(done, total) {
      if (done % 500 === 0 || done === total) process.stderr.write(`${split}: ${done}/${total}\n`);
    },
  });
  console.log(
    `${split}: ${result.images} scenes, ${result.annotations} objects -> ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
