/**
 * Runs every zoo model on the 16 annotated COCO photos and writes what a person checks by eye
 * plus the numbers the model cards quote:
 *
 *   pnpm --filter @ocelot/realworld-tests zoo [--out DIR] [--models-dir DIR]
 *
 * - `<out>/<model id>/<photo>.png`: boxes (detectors, drawn at `--draw-threshold`, default
 *   0.35, UltraFace at its card's 0.7) or the VOC label map over the photo (DeepLab);
 * - `<out>/results.json` and a Markdown table on stdout: COCO bbox AP / AP50 / AR100 of the
 *   COCO detectors (score ≥ 0.001, 100 per image, category ids from the card's `labelIds`),
 *   faces per photo, DeepLab's pixel accuracy / mIoU against the COCO panoptic masks mapped to
 *   VOC (see voc.ts), and mean milliseconds per photo (decode excluded).
 *
 * Default out: `<repo>/ocelot-out/zoo` (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Detections } from '@ocelot/detectors';
import { drawLabelMap, encodePng, type RgbImage, renderDetectionsPng } from '@ocelot/image';
import { SegmentationConfusionMatrix } from '@ocelot/metrics';
import { EVAL_OPTIONS, loadPhotos, scoreDetector } from './evaluate.js';
import {
  COCO_DETECTORS,
  loadGroundTruth,
  loadZooCard,
  MODELS_DIR,
  REPO_ROOT,
  realworldUnavailable,
  ZOO,
  zooDetector,
  zooSegmenter,
} from './realworld.js';
import { IGNORE, labelShares, vocTargetOf } from './voc.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'models-dir': { type: 'string' },
    'draw-threshold': { type: 'string' },
  },
});
const out = values.out ?? join(REPO_ROOT, 'ocelot-out', 'zoo');
const modelsDir = values['models-dir'] ?? MODELS_DIR;
const drawThreshold = Number(values['draw-threshold'] ?? 0.35);

const missing = realworldUnavailable();
if (missing !== undefined && values['models-dir'] === undefined) {
  console.error(`cannot run: ${missing}`);
  process.exit(1);
}

const gt = await loadGroundTruth();
const photos = await loadPhotos(gt);
const summary: Record<string, unknown> = {
  measured: new Date().toISOString().slice(0, 10),
  photos: photos.length,
};
const rows: string[] = [];
const ms = (t0: number) => (performance.now() - t0) / photos.length;
const fmt = (v: number) => v.toFixed(3);
const pngName = (fileName: string) => fileName.replace(/\.jpg$/, '.png');

/** Boxes drawn with their class names: a detector's `Detections` draws as it is. */
function drawn(image: RgbImage, d: Detections): Promise<Uint8Array> {
  return renderDetectionsPng(image, d);
}

for (const id of COCO_DETECTORS) {
  const card = await loadZooCard(id);
  const detector = await zooDetector(id, { modelsDir });
  const dir = join(out, id);
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const score = await scoreDetector(detector, photos, gt, card.labelIds ?? [], EVAL_OPTIONS);
  const perPhoto = ms(t0);
  for (const p of photos) {
    const d = await detector.detect(p.image, { scoreThreshold: drawThreshold });
    writeFileSync(join(dir, pngName(p.fileName)), await drawn(p.image, d));
  }
  const [ap, ap50, , , , , , , ar100] = score.stats as number[];
  summary[id] = {
    'coco16/AP': ap,
    'coco16/AP50': ap50,
    'coco16/AR100': ar100,
    msPerPhoto: perPhoto,
  };
  rows.push(`| ${id} | ${fmt(ap!)} | ${fmt(ap50!)} | ${fmt(ar100!)} | ${perPhoto.toFixed(0)} |`);
  await detector.dispose();
}

{
  const detector = await zooDetector(ZOO.ultraface, { modelsDir });
  const dir = join(out, ZOO.ultraface);
  mkdirSync(dir, { recursive: true });
  const faces: Record<string, number> = {};
  const t0 = performance.now();
  const all = [];
  for (const p of photos) all.push(await detector.detect(p.image));
  const perPhoto = ms(t0);
  for (const [i, p] of photos.entries()) {
    const d = all[i]!;
    faces[p.fileName] = d.scores.length;
    writeFileSync(join(dir, pngName(p.fileName)), await drawn(p.image, d));
  }
  summary[ZOO.ultraface] = { facesPerPhoto: faces, msPerPhoto: perPhoto };
  rows.push(
    `| ${ZOO.ultraface} | faces in ${Object.values(faces).filter((n) => n > 0).length} photos | | | ${perPhoto.toFixed(0)} |`,
  );
  await detector.dispose();
}

{
  const card = await loadZooCard(ZOO.deeplab);
  const segmenter = await zooSegmenter(ZOO.deeplab);
  const dir = join(out, ZOO.deeplab);
  mkdirSync(dir, { recursive: true });
  const cm = new SegmentationConfusionMatrix(card.labels!.length, { ignoreIndex: IGNORE });
  const dominant: Record<string, string[]> = {};
  let total = 0;
  for (const p of photos) {
    const t0 = performance.now();
    const s = await segmenter.segment(p.image);
    total += performance.now() - t0;
    const target = await vocTargetOf(p.fileName);
    cm.update(s.labelMap, target.data);
    dominant[p.fileName] = labelShares(s.labelMap, 0.02).map(
      (x) => `${card.labels![x.label]} ${(100 * x.share).toFixed(0)}%`,
    );
    const overlay = drawLabelMap(
      p.image,
      { data: s.labelMap, width: p.image.width, height: p.image.height },
      { alpha: 0.55, ignore: [0] },
    );
    writeFileSync(join(dir, pngName(p.fileName)), await encodePng(overlay));
  }
  const m = cm.compute();
  const perPhoto = total / photos.length;
  summary[ZOO.deeplab] = {
    'coco16-voc/pixelAccuracy': m.pixelAccuracy,
    'coco16-voc/mIoU': m.meanIoU,
    dominant,
    msPerPhoto: perPhoto,
  };
  rows.push(
    `| ${ZOO.deeplab} | pixel acc ${fmt(m.pixelAccuracy)} | mIoU ${fmt(m.meanIoU)} | | ${perPhoto.toFixed(0)} |`,
  );
  await segmenter.dispose();
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log('| model | AP | AP50 | AR100 | ms / photo |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nPNGs and results.json in ${out}`);
