/**
 * `ocelot segment`: semantic or instance segmentation over images, folders and globs.
 */
import { defineCommand } from '../command.js';
import { batchRequest, runBatch } from '../inference/batch.js';
import {
  BATCH_OPTIONS,
  DETECT_OPTIONS,
  IMAGES_POSITIONAL,
  MODEL_OPTIONS,
  numberOption,
  RUNTIME_OPTIONS,
} from '../inference/options.js';

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
  positionals: [IMAGES_POSITIONAL],
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
    'ocelot segment scene.png --model ocelot-shapes-unet --out segments/',
    'ocelot segment "scenes/*.png" --model models/yolov8n-seg/model.json --score 0.4 --json',
  ],
  run(context) {
    const { values } = context;
    const maskThreshold = numberOption('mask-threshold', values['mask-threshold'], {
      min: 0,
      max: 1,
    });
    const alpha = numberOption('alpha', values.alpha, { min: 0, max: 1 })!;
    const predict = {
      ...(maskThreshold !== undefined && { maskThreshold }),
      ...(values.tile && { tile: true }),
    };
    return runBatch(context, batchRequest(context, 'segment', { predict, alpha }));
  },
});
