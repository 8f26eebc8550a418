/**
 * `ocelot segment`: semantic or instance segmentation over images, folders and globs.
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
import { BATCH_OPTIONS } from './detect.js';

export const segmentCommand = defineCommand({
  path: ['segment'],
  summary: 'segment images with a semantic or instance segmentation model',
  description: [
    'Runs a segmenter over image files, folders and glob patterns. A semantic model (task',
    '"segment") labels every pixel: the summary gives the share of each class, --out writes',
    'DIR/<image>.png (the label map blended over the image, background clear),',
    'DIR/<image>.labels.png (the raw class index per pixel) and results.json with one RLE',
    'region per class present (COCO-Stuff results form). An instance model (task',
    '"instance-segment") gives boxes with masks: --out draws both and results.json holds COCO',
    'results with RLE segmentations. --score, --iou, --max-det and --agnostic apply to',
    'instance models only.',
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
    'mask-threshold': {
      type: 'string',
      valueName: 'T',
      description:
        'instance masks: a pixel is inside when its probability is above T (default 0.5)',
    },
    tile: {
      type: 'boolean',
      description: 'semantic: sliding-window inference at the image’s own resolution',
    },
    alpha: {
      type: 'string',
      valueName: 'A',
      default: '0.5',
      description: 'opacity of masks and overlays in the annotated images',
    },
    ...BATCH_OPTIONS,
    ...RUNTIME_OPTIONS,
  },
  examples: [
    'ocelot segment scene.png --model ocelot-shapes-fcn --out segments/',
    'ocelot segment "scenes/*.png" --model models/yolov8n-seg/model.json --score 0.4 --json',
  ],
  run(context) {
    const { values } = context;
    const { threads, imgsz } = runtimeValues(values);
    const score = numberOption('score', values.score, { min: 0, max: 1 });
    const iou = numberOption('iou', values.iou, { min: 0, max: 1 });
    const maxDet = numberOption('max-det', values['max-det'], { integer: true, min: 1 });
    const maskThreshold = numberOption('mask-threshold', values['mask-threshold'], {
      min: 0,
      max: 1,
    });
    const alpha = numberOption('alpha', values.alpha, { min: 0, max: 1 })!;
    const concurrency = numberOption('concurrency', values.concurrency, { integer: true, min: 1 });
    return runBatch(context, {
      command: 'segment',
      inputs: context.positionals,
      model: values.model,
      store: modelStore(context, values['models-dir']),
      predict: {
        ...(score !== undefined && { scoreThreshold: score }),
        ...(iou !== undefined && { iouThreshold: iou }),
        ...(maxDet !== undefined && { maxDetections: maxDet }),
        ...(values.agnostic && { classAgnostic: true }),
        ...(maskThreshold !== undefined && { maskThreshold }),
        ...(values.tile && { tile: true }),
      },
      classes: classList(values.classes),
      outDir: values.out !== undefined ? context.resolvePath(values.out) : undefined,
      providers: providersFor(values.provider),
      threads,
      imgsz,
      concurrency,
      alpha,
    });
  },
});
