/**
 * `ocelot detect`: object detection over images, folders and globs with any detector card.
 */
import { defineCommand } from '../command.js';
import { batchRequest, runBatch } from '../inference/batch.js';
import {
  BATCH_OPTIONS,
  DETECT_OPTIONS,
  IMAGES_POSITIONAL,
  MODEL_OPTIONS,
  RUNTIME_OPTIONS,
} from '../inference/options.js';

export const detectCommand = defineCommand({
  path: ['detect'],
  summary: 'detect objects in images with a detector model',
  description: [
    'Runs a detector (or an instance segmenter) over image files, folders (their images) and',
    'glob patterns (quote them: "photos/**/*.jpg"). Prints one line per image in input order;',
    'with --out, writes DIR/<image>.png with boxes and labels, DIR/results.json (COCO results:',
    "category ids from the card's labelIds, else 1-based class indices; image ids 1, 2, … in",
    'input order, listed in summary.json) and DIR/summary.json. Several images run on a pool of',
    'worker threads. An image that fails is reported (naming it) and the others go on; the exit',
    'code is then 1.',
  ].join('\n'),
  positionals: [IMAGES_POSITIONAL],
  options: {
    ...MODEL_OPTIONS,
    ...DETECT_OPTIONS,
    ...BATCH_OPTIONS,
    ...RUNTIME_OPTIONS,
  },
  examples: [
    'ocelot detect street.jpg --model ocelot-shapes-yolo',
    'ocelot detect photos/ --model models/yolov8n/model.json --score 0.4 --out detections/',
    'ocelot detect "scenes/**/*.png" --classes circle,star --json > detections.json',
  ],
  run(context) {
    return runBatch(context, batchRequest(context, 'detect'));
  },
});
