// Segment an image with a model card and write an overlay PNG:
//   node packages/segmenters/examples/segment.mjs <model.json> <image> [overlay.png]
// (build first: pnpm --filter @ocelot/segmenters build)
import { writeFile } from 'node:fs/promises';
import { decodeImage } from '@ocelot/image';
import { loadSegmenter, renderInstancesPng, renderSemanticPng } from '@ocelot/segmenters/node';

const [cardPath, imagePath, outPath = 'overlay.png'] = process.argv.slice(2);
if (!cardPath || !imagePath) {
  console.error('usage: node segment.mjs <model.json> <image> [overlay.png]');
  process.exit(2);
}
const segmenter = await loadSegmenter(cardPath, { session: { executionProviders: ['cpu'] } });
try {
  const image = await decodeImage(imagePath);
  if (segmenter.kind === 'semantic') {
    const seg = await segmenter.segment(image);
    const counts = new Map();
    for (const label of seg.labelMap) counts.set(label, (counts.get(label) ?? 0) + 1);
    console.log(`${image.width}×${image.height} (${segmenter.card.id}):`);
    for (const c of seg.classesPresent) {
      const share = (100 * counts.get(c)) / seg.labelMap.length;
      console.log(`  ${seg.classNames[c].padEnd(12)} ${share.toFixed(1)} %`);
    }
    await writeFile(outPath, await renderSemanticPng(image, seg, { contour: true }));
  } else {
    const inst = await segmenter.segment(image, { maskFormat: 'binary' });
    console.log(
      `${inst.scores.length} instances in ${image.width}×${image.height} (${segmenter.card.id})`,
    );
    for (let i = 0; i < inst.scores.length; i++) {
      const area = inst.masks[i].reduce((a, b) => a + b, 0);
      console.log(
        `  ${inst.labelNames[i].padEnd(10)} ${inst.scores[i].toFixed(3)}  mask ${area} px`,
      );
    }
    await writeFile(outPath, await renderInstancesPng(image, inst));
  }
  console.log(`overlay: ${outPath}`);
} finally {
  await segmenter.dispose();
}
