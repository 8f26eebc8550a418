/**
 * Speed check of evaluateCoco against pycocotools on a val2017-sized synthetic set.
 *
 *   node --conditions=@ocelot/source --import tsx packages/metrics/scripts/coco-speed.ts [dir] [runs]
 *
 * Writes the set to `dir` (default /tmp/ocelot-coco-synth) once, then times evaluateCoco
 * (from parsed JSON to stats) and runs scripts/pycocotools_time.py on the same files
 * (COCOeval evaluate + accumulate, loading excluded), checking the stats agree. Prints wall
 * and CPU time (process CPU, which a busy shared machine distorts less) and their ratios.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateCoco, generateSyntheticCoco } from '../src/index.js';

const dir = process.argv[2] ?? '/tmp/ocelot-coco-synth';
const runs = Number(process.argv[3] ?? 3);
mkdirSync(dir, { recursive: true });
if (!existsSync(join(dir, 'dt_segm.json'))) {
  const t0 = performance.now();
  const s = generateSyntheticCoco({ seed: 2017 });
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(s.groundTruth));
  writeFileSync(join(dir, 'dt_bbox.json'), JSON.stringify(s.detectionsBbox));
  writeFileSync(join(dir, 'dt_segm.json'), JSON.stringify(s.detectionsSegm));
  console.log(
    `generated in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${s.groundTruth.images.length} images, ${s.groundTruth.annotations!.length} objects, ${s.detectionsBbox.length} detections`,
  );
}
const gt = JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8'));
for (const iouType of ['bbox', 'segm'] as const) {
  const dt = JSON.parse(readFileSync(join(dir, `dt_${iouType}.json`), 'utf8'));
  const times: number[] = [];
  const cpu: number[] = [];
  let stats: readonly number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    stats = evaluateCoco(gt, dt, { iouType }).stats;
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]! / 1000;
  const ours = median(times);
  const oursCpu = median(cpu);
  const py = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [join(import.meta.dirname, 'pycocotools_time.py'), dir, iouType],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    )
      .trim()
      .split('\n')
      .pop()!,
  ) as {
    stats: number[];
    evaluate: number;
    accumulate: number;
    evaluateCpu: number;
    accumulateCpu: number;
  };
  const maxDiff = Math.max(...stats.map((v, i) => Math.abs(v - py.stats[i]!)));
  const pyTime = py.evaluate + py.accumulate;
  const pyCpu = py.evaluateCpu + py.accumulateCpu;
  console.log(
    `${iouType}: ocelot wall ${ours.toFixed(2)} s, cpu ${oursCpu.toFixed(2)} s (median of ${runs}) | ` +
      `pycocotools evaluate+accumulate wall ${pyTime.toFixed(2)} s, cpu ${pyCpu.toFixed(2)} s | ` +
      `ratio wall ${(pyTime / ours).toFixed(1)}x, cpu ${(pyCpu / oursCpu).toFixed(1)}x | max |stats diff| ${maxDiff}`,
  );
}
