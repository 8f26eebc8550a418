/**
 * `ocelot detect`: object detection over images, folders and globs with any detector card.
 */
import { defineCommand } from '../command.js';
import { runBatch } from '../inference/batch.js';
import {
  classList,
  DETECT_OPTIONS,
  MODEL_OPTIONS,
  modelStore,
  numberOption,
  providersFor,
  RUNTIME_OPTIONS,
  runtimeValues,
} from '../inference/options.js';

/** Options shared by `detect` and `segment` for batches. */
export const BATCH_OPTIONS = {
  out: {
    type: 'string',
    short: 'o',
    valueName: 'DIR',
    description: 'write annotated PNGs, results.json (COCO results) and summary.json to DIR',
  },
  concurrency: {
    type: 'string',
    short: 'j',
    valueName: 'N',
    description:
      'worker threads, each with its own session (default: the CPU count, at most one per image)',
  },
} as const;

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
  positionals: [
    {
      name: 'images',
      description: 'image files, folders or glob patterns',
      required: true,
      variadic: true,
    },
  ],
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
    const { values } = context;
    const { threads, imgsz } = runtimeValues(values);
    const score = numberOption('score', values.score, { min: 0, max: 1 });
    const iou = numberOption('iou', values.iou, { min: 0, max: 1 });
    const maxDet = numberOption('max-det', values['max-det'], { integer: true, min: 1 });
    const concurrency = numberOption('concurrency', values.concurrency, { integer: true, min: 1 });
    return runBatch(context, {
      command: 'detect',
      inputs: context.positionals,
      model: values.model,
      store: modelStore(context, values['models-dir']),
      predict: {
        ...(score !== undefined && { scoreThreshold: score }),
        ...(iou !== undefined && { iouThreshold: iou }),
        ...(maxDet !== undefined && { maxDetections: maxDet }),
        ...(values.agnostic && { classAgnostic: true }),
      },
      classes: classList(values.classes),
      outDir: values.out !== undefined ? context.resolvePath(values.out) : undefined,
      providers: providersFor(values.provider),
      threads,
      imgsz,
      concurrency,
    });
  },
});
