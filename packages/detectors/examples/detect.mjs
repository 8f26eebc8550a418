// Detect objects in an image with a model card:
//   node packages/detectors/examples/detect.mjs <model.json> <image> [scoreThreshold]
// (build first: pnpm --filter @ocelot/detectors build)
import { loadDetector } from '@ocelot/detectors/node';
import { decodeImage } from '@ocelot/image';

const [cardPath, imagePath, threshold = '0.5'] = process.argv.slice(2);
if (!cardPath || !imagePath) {
  console.error('usage: node detect.mjs <model.json> <image> [scoreThreshold]');
  process.exit(2);
}
const detector = await loadDetector(cardPath, { session: { executionProviders: ['cpu'] } });
try {
  const image = await decodeImage(imagePath);
  const detections = await detector.detect(image, {
    scoreThreshold: Number(threshold),
    maxDetections: 10,
  });
  console.log(
    `${detections.scores.length} detections in ${image.width}×${image.height} (${detector.card.id})`,
  );
  for (let i = 0; i < detections.scores.length; i++) {
    const [x1, y1, x2, y2] = detections.boxes.subarray(4 * i, 4 * i + 4);
    console.log(
      `${detections.labelNames[i].padEnd(10)} ${detections.scores[i].toFixed(3)}  [${[x1, y1, x2, y2].map((v) => v.toFixed(1)).join(', ')}]`,
    );
  }
} finally {
  await detector.dispose();
}
