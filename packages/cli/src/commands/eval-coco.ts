/**
 * `ocelot eval coco`: COCO evaluation of a results file against a ground-truth file, with the
 * numbers and the printed summary of pycocotools' COCOeval.
 */
import { readCoco, readCocoResults } from '@ocelot/datasets/node';
import { type CocoCategoryResult, evaluateCoco, formatCocoSummary } from '@ocelot/metrics';
import { defineCommand, UsageError } from '../command.js';

/**
 * The `--per-category` table: id, name, AP, AP50, AR100 and ground-truth objects per category
 * (and, `withDetections`, the detections), header styled with `bold`, ending in a newline.
 */
export function perCategoryTable(
  perCategory: readonly CocoCategoryResult[],
  bold: (text: string) => string,
  withDetections = false,
): string {
  const rows = perCategory.map((c) => [
    String(c.categoryId),
    c.name ?? '',
    c.ap.toFixed(3),
    c.ap50.toFixed(3),
    c.ar.toFixed(3),
    String(c.numGroundTruth),
    ...(withDetections ? [String(c.numDetections)] : []),
  ]);
  const header = [
    'id',
    'category',
    'AP',
    'AP50',
    'AR100',
    'objects',
    ...(withDetections ? ['detections'] : []),
  ];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, k) => (k === 1 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!)))
      .join('  ');
  return `${bold(line(header))}\n${rows.map(line).join('\n')}\n`;
}

export const evalCocoCommand = defineCommand({
  path: ['eval', 'coco'],
  summary: 'evaluate COCO results against COCO ground truth (pycocotools COCOeval numbers)',
  description: [
    'Reads and validates both files (errors name the file, the record and the field), runs',
    'COCO evaluation with default parameters, and prints the 12-line summary COCOeval prints',
    '(or, with --json, {"stats": [12 numbers], "iouType", "perCategory"}).',
    'Results must refer to images and categories of the ground truth.',
  ].join('\n'),
  options: {
    gt: {
      type: 'string',
      valueName: 'FILE',
      required: true,
      description: 'ground truth: a COCO instances JSON file',
    },
    dt: {
      type: 'string',
      valueName: 'FILE',
      required: true,
      description: 'detections: a COCO results JSON file (an array)',
    },
    'iou-type': {
      type: 'string',
      choices: ['bbox', 'segm'],
      default: 'bbox',
      description: 'compare boxes or masks',
    },
    'box-tolerance': {
      type: 'string',
      valueName: 'PX',
      default: '1',
      description: 'pixels a ground-truth box may reach outside its image before it is an error',
    },
    'per-category': { type: 'boolean', description: 'also print AP / AP50 / AR100 per category' },
  },
  examples: [
    'ocelot eval coco --gt instances_val2017.json --dt detections.json',
    'ocelot eval coco --gt gt.json --dt masks.json --iou-type segm --json',
  ],
  async run(context) {
    const { values } = context;
    const iouType = values['iou-type'];
    const tolerance = Number(values['box-tolerance']);
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      throw new UsageError(
        `--box-tolerance must be a non-negative number of pixels; got '${values['box-tolerance']}'`,
      );
    }
    const groundTruth = await readCoco(context.resolvePath(values.gt), {
      file: values.gt,
      mode: 'collect',
      maxIssues: 100,
      boxTolerance: tolerance,
      requireSegmentation: iouType === 'segm',
    });
    const detections = await readCocoResults(context.resolvePath(values.dt), {
      file: values.dt,
      mode: 'collect',
      maxIssues: 100,
      groundTruth,
    });
    if (context.verbose) {
      context.note(
        `${values.gt}: ${groundTruth.images.length} images, ${groundTruth.categories.length} categories, ${groundTruth.annotations.length} annotations; ${values.dt}: ${detections.length} detections`,
      );
    }
    const progress = context.progress(`evaluating ${iouType}`);
    const result = evaluateCoco(groundTruth, detections, {
      iouType,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.done();
    if (context.json) {
      context.printJson({ stats: result.stats, iouType, perCategory: result.perCategory });
      return 0;
    }
    context.print(`${formatCocoSummary(result.stats, iouType, result.params)}\n`);
    if (values['per-category']) {
      context.print(`\n${perCategoryTable(result.perCategory, context.style.bold)}`);
    }
    return 0;
  },
});
