/**
 * @ocelot/image quickstart (Node). From the repository root:
 *   node --conditions=@ocelot/source --import tsx packages/image/examples/quickstart.ts [image]
 * Writes overlay.png to the current directory.
 */
import { writeFile } from 'node:fs/promises';
import {
  decodeImage,
  drawDetections,
  encodePng,
  imageToTensor,
  letterboxGeometry,
} from '@ocelot/image';

const path =
  process.argv[2] ?? new URL('../src/node/__fixtures__/photo.jpg', import.meta.url).pathname;

// 1. Decode (EXIF orientation applied) to RGB bytes: { data: Uint8Array [H,W,3], width, height }.
const image = await decodeImage(path);

// 2. Letterbox to 640×640 and normalise to [1,3,640,640] float32 in 0–1 (YOLO-style input).
const { tensor, transform } = await imageToTensor(image, { size: 640 });
console.log('input', tensor.dims, 'from', `${image.width}×${image.height}`, transform.toJSON());

// 3. A model would run here (see @ocelot/runtime). Pretend it found one box, in model pixels:
const modelBoxes = Float32Array.of(160, 200, 480, 440);

// 4. Back to original-image pixels (padding removed, scale undone, clipped to the image).
const boxes = transform.toImage(modelBoxes);
console.log('box in image pixels', Array.from(boxes));

// 5. Draw and save.
const overlay = await drawDetections(image, {
  boxes,
  scores: Float32Array.of(0.87),
  labels: Int32Array.of(0),
  labelNames: ['person'],
});
await writeFile('overlay.png', await encodePng(overlay));
console.log(
  'wrote overlay.png; letterbox geometry:',
  letterboxGeometry(image.width, image.height, { size: 640 }),
);
