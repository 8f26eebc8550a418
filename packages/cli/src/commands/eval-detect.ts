/**
 * `ocelot eval detect`: runs a detector (or instance segmenter) over every image of a COCO
 * dataset and evaluates the results with `evaluateCoco` (pycocotools' numbers), writing the
 * results, the metrics and precision–recall curves (SVG and PNG) per class.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { OcelotError } from '@ocelot/core';
import type { CocoDataset } from '@ocelot/datasets';
import { readCoco } from '@ocelot/datasets/node';
import { loadModelCard } from '@ocelot/detectors/node';
import { evaluateCoco, formatCocoSummary } from '@ocelot/metrics';
import sharp from 'sharp';
import { defineCommand, UsageError } from '../command.js';
import { resolveModelOption } from '../inference/batch.js';
import { backgroundIndex } from '../inference/model.js';
import {
  classList,
  MODEL_OPTIONS,
  modelStore,
  numberOption,
  providersFor,
  RUNTIME_OPTIONS,
  resolveClasses,
  runtimeValues,
} from '../inference/options.js';
import type { CocoResultRecord } from '../inference/output.js';
import { prCurveSvg, prCurves } from '../inference/pr-curves.js';
import type { ImageTask } from '../inference/process.js';
import { createBatchProgress } from '../inference/progress.js';
import { type ModelInfo, startRunner } from '../inference/runner.js';
import { perCategoryTable } from './eval-coco.js';

/** How the model's classes map onto the dataset's category ids. */
export interface CategoryMapping {
  /** Category id per class index; -1 where the class has no category in the dataset. */
  readonly ids: number[];
  readonly how: 'labelIds' | 'names' | 'order';
}

/**
 * Maps model classes to dataset categories: by the card's `labelIds` when present, else by
 * name (every dataset category must be a model class, background aside), else by order (as
 * many classes as categories, ids sorted).
 * @throws OcelotError when none of these fits, naming the unmatched categories
 */
export function mapCategories(
  info: Pick<ModelInfo, 'classNames'> & { readonly labelIds?: readonly number[] | undefined },
  dataset: Pick<CocoDataset, 'categories'>,
  datasetName: string,
): CategoryMapping {
  const cats = dataset.categories;
  const known = new Set(cats.map((c) => c.id));
  if (info.labelIds !== undefined) {
    const ids = info.labelIds.map((id) => (known.has(id) ? id : -1));
    if (ids.some((id) => id >= 0)) return { ids, how: 'labelIds' };
    throw new OcelotError(
      'E_CATEGORY_MAPPING',
      `${datasetName}: none of the model's labelIds (${info.labelIds.slice(0, 10).join(', ')}) is a category id of the dataset`,
    );
  }
  const bg = backgroundIndex(info.classNames);
  const byName = new Map(cats.map((c) => [c.name, c.id]));
  const ids = info.classNames.map((name, i) => (i === bg ? -1 : (byName.get(name) ?? -1)));
  const matched = new Set(ids.filter((id) => id >= 0));
  if (matched.size === cats.length) return { ids, how: 'names' };
  const foreground = info.classNames.filter((_, i) => i !== bg);
  if (matched.size === 0 && foreground.length === cats.length) {
    const sorted = [...cats].map((c) => c.id).sort((a, b) => a - b);
    let k = 0;
    return { ids: info.classNames.map((_, i) => (i === bg ? -1 : sorted[k++]!)), how: 'order' };
  }
  const missing = cats.filter((c) => !matched.has(c.id)).map((c) => c.name);
  throw new OcelotError(
    'E_CATEGORY_MAPPING',
    `${datasetName}: cannot match the dataset's categories to the model's classes (no labelIds in the card; categories without a class of the same name: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}; model classes: ${info.classNames.slice(0, 10).join(', ')}${info.classNames.length > 10 ? ', …' : ''})`,
  );
}

/** `images/` next to the dataset file when it holds the first image, else the file's folder. */
function defaultImagesDir(datasetPath: string, dataset: CocoDataset): string {
  const base = dirname(datasetPath);
  const first = dataset.images[0]?.file_name;
  if (typeof first === 'string' && existsSync(join(base, 'images', first)))
    return join(base, 'images');
  return base;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'class';
}

export const evalDetectCommand = defineCommand({
  path: ['eval', 'detect'],
  summary: 'run a detector over a COCO dataset and evaluate it (pycocotools numbers, PR curves)',
  description: [
    'Runs the model over every image of the dataset (on a pool of worker threads), then',
    'evaluates the detections with COCO evaluation and prints the 12-line summary COCOeval',
    "prints (--per-category adds AP per class). Classes map to the dataset's categories by the",
    "card's labelIds, else by name, else by order. Detection defaults are COCO's: score >= 0.001,",
    'at most 100 per image. With --out: results.json (COCO results), metrics.json, and',
    'pr/<id>-<class>.svg / .png precision–recall curves (IoU 0.50, 0.75 and 0.50:0.95; all.svg',
    'for the mean over classes).',
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    dataset: {
      type: 'string',
      valueName: 'FILE',
      required: true,
      description: 'ground truth: a COCO instances JSON file',
    },
    images: {
      type: 'string',
      valueName: 'DIR',
      description:
        'folder the file_name of each image is relative to (default: images/ beside the dataset file if it holds them, else the file’s folder)',
    },
    'iou-type': {
      type: 'string',
      choices: ['bbox', 'segm'],
      default: 'bbox',
      description: 'evaluate boxes, or masks (instance segmentation models)',
    },
    score: { type: 'string', valueName: 'T', default: '0.001', description: 'score threshold' },
    iou: { type: 'string', valueName: 'T', description: 'NMS IoU threshold (default: the card’s)' },
    'max-det': {
      type: 'string',
      valueName: 'N',
      default: '100',
      description: 'detections kept per image',
    },
    classes: {
      type: 'string',
      valueName: 'A,B',
      description: 'only these classes (names or indices)',
    },
    'per-category': { type: 'boolean', description: 'also print AP / AP50 / AR100 per class' },
    out: {
      type: 'string',
      short: 'o',
      valueName: 'DIR',
      description: 'write results.json, metrics.json and PR curves (pr/*.svg, pr/*.png) here',
    },
    concurrency: {
      type: 'string',
      short: 'j',
      valueName: 'N',
      description: 'worker threads (default: the CPU count)',
    },
    ...RUNTIME_OPTIONS,
  },
  examples: [
    'ocelot eval detect --model ocelot-shapes-yolo --dataset scenes/val/annotations.json',
    'ocelot eval detect -m yolov8n --dataset instances_val2017.json --images val2017/ --out eval/ --per-category',
  ],
  async run(context) {
    const { values } = context;
    const { threads, imgsz } = runtimeValues(values);
    const score = numberOption('score', values.score, { min: 0, max: 1 })!;
    const iou = numberOption('iou', values.iou, { min: 0, max: 1 });
    const maxDet = numberOption('max-det', values['max-det'], { integer: true, min: 1 })!;
    const concurrency = numberOption('concurrency', values.concurrency, { integer: true, min: 1 });
    const iouType = values['iou-type'];
    const cwd = context.io.cwd ?? process.cwd();

    const datasetPath = context.resolvePath(values.dataset);
    const dataset = await readCoco(datasetPath, {
      file: values.dataset,
      mode: 'collect',
      maxIssues: 100,
      requireSegmentation: iouType === 'segm',
    });
    if (dataset.images.length === 0) {
      throw new OcelotError('E_EMPTY_DATASET', `${values.dataset}: the dataset has no images`);
    }
    const imagesDir =
      values.images !== undefined
        ? context.resolvePath(values.images)
        : defaultImagesDir(datasetPath, dataset);
    const missing = dataset.images.filter(
      (im) => typeof im.file_name !== 'string' || !existsSync(join(imagesDir, im.file_name)),
    );
    if (missing.length > 0) {
      const first = missing[0]!;
      throw new OcelotError(
        'E_IMAGE_NOT_FOUND',
        `${relative(cwd, join(imagesDir, String(first.file_name))) || first.file_name}: image ${first.id} of ${values.dataset} not found${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; pass --images DIR`,
      );
    }

    const store = modelStore(context, values['models-dir']);
    const cardPath = await resolveModelOption(context, store, values.model, 'detect');
    const card = await loadModelCard(cardPath);
    if (card.task === 'segment') {
      throw new UsageError(
        `model '${values.model}' is a semantic segmenter; eval detect needs a detector or an instance segmenter`,
      );
    }
    if (iouType === 'segm' && card.task !== 'instance-segment') {
      throw new UsageError('--iou-type segm needs an instance segmentation model');
    }

    const runner = await startRunner(cardPath, {
      providers: providersFor(values.provider),
      threads,
      ...(imgsz !== undefined && { imgsz }),
      ...(concurrency !== undefined && { concurrency }),
      images: dataset.images.length,
    });
    let records: CocoResultRecord[];
    let failures: string[];
    let mapping: CategoryMapping;
    let seconds: number;
    try {
      mapping = mapCategories(
        { classNames: runner.info.classNames, labelIds: card.labelIds },
        dataset,
        values.dataset,
      );
      const dropped = runner.info.classNames.filter(
        (_, i) => mapping.ids[i]! < 0 && i !== backgroundIndex(runner.info.classNames),
      );
      if (dropped.length > 0) {
        context.note(
          `note: ${dropped.length} model class${dropped.length === 1 ? '' : 'es'} not in the dataset, ignored: ${dropped.slice(0, 10).join(', ')}`,
        );
      }
      if (mapping.how === 'order') {
        context.note(
          'note: classes matched to categories by order (no labelIds in the card and no common names)',
        );
      }
      const classes = resolveClasses(classList(values.classes), runner.info.classNames);
      const tasks: ImageTask[] = dataset.images.map((im, index) => ({
        index,
        path: join(imagesDir, String(im.file_name)),
        display: relative(cwd, join(imagesDir, String(im.file_name))),
        imageId: im.id,
      }));
      const progress = createBatchProgress(context.io, 'detecting', tasks.length, !context.quiet);
      let done = 0;
      const start = performance.now();
      const outcomes = await runner.run(
        tasks,
        {
          predict: {
            scoreThreshold: score,
            maxDetections: maxDet,
            ...(iou !== undefined && { iouThreshold: iou }),
            ...(classes !== undefined && { classes }),
          },
          categoryIds: mapping.ids,
        },
        () => progress.update(++done),
      );
      progress.done();
      seconds = (performance.now() - start) / 1000;
      failures = outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.error.message));
      records = outcomes
        .flatMap((o) => (o.ok ? o.result.records : []))
        .filter((r) => r.category_id >= 0)
        .map((r) => {
          if (iouType === 'segm') return r;
          const { segmentation: _mask, ...box } = r;
          return box;
        });
    } finally {
      await runner.close();
    }
    if (failures.length > 0) {
      for (const message of failures.slice(0, 20))
        context.io.stderr.write(`ocelot: error: ${message}\n`);
      throw new OcelotError(
        'E_IMAGES_FAILED',
        `${failures.length} of ${dataset.images.length} images failed; no evaluation`,
      );
    }
    if (context.verbose) {
      context.note(
        `${dataset.images.length} images in ${seconds.toFixed(2)} s (${(dataset.images.length / seconds).toFixed(1)} img/s); ${records.length} detections; classes mapped by ${mapping.how}`,
      );
    }

    const evalProgress = context.progress(`evaluating ${iouType}`);
    const result = evaluateCoco(
      dataset,
      records.map((r) => ({ ...r, score: r.score ?? 1 })),
      {
        iouType,
        onProgress: (d, t) => evalProgress.update(d, t),
      },
    );
    evalProgress.done();

    const summary = {
      model: runner.info.id,
      iouType,
      images: dataset.images.length,
      detections: records.length,
      stats: result.stats,
      perCategory: result.perCategory,
      categoryMapping: mapping.how,
      seconds,
    };
    const written: string[] = [];
    if (values.out !== undefined) {
      const out = context.resolvePath(values.out);
      try {
        await mkdir(join(out, 'pr'), { recursive: true });
        await writeFile(join(out, 'results.json'), `${JSON.stringify(records)}\n`);
        const { model, ...rest } = summary;
        const metrics = { model, dataset: values.dataset, ...rest };
        await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
        written.push('results.json', 'metrics.json');
        for (const curves of prCurves(result)) {
          const stem =
            curves.categoryId === -1 ? 'all' : `${curves.categoryId}-${safeName(curves.name)}`;
          const title = `${runner.info.id} — ${curves.name} (AP ${curves.ap < 0 ? 'n/a' : curves.ap.toFixed(3)})`;
          const svg = prCurveSvg(curves, title);
          await writeFile(join(out, 'pr', `${stem}.svg`), svg);
          await sharp(Buffer.from(svg))
            .png()
            .toFile(join(out, 'pr', `${stem}.png`));
          written.push(`pr/${stem}.svg`, `pr/${stem}.png`);
        }
      } catch (error) {
        if (error instanceof OcelotError) throw error;
        throw new OcelotError(
          'E_WRITE',
          `${values.out}: cannot write: ${(error as Error).message}`,
        );
      }
    }

    if (context.json) {
      context.printJson({
        ...summary,
        ...(values.out !== undefined && { out: context.resolvePath(values.out), files: written }),
      });
      return 0;
    }
    context.print(`${formatCocoSummary(result.stats, iouType, result.params)}\n`);
    if (values['per-category']) {
      context.print(`\n${perCategoryTable(result.perCategory, context.style.bold, true)}`);
    }
    context.print(
      `\n${dataset.images.length} images, ${records.length} detections in ${seconds.toFixed(2)} s (${(dataset.images.length / seconds).toFixed(1)} img/s)${values.out !== undefined ? `; wrote ${written.length} files to ${values.out}` : ''}\n`,
    );
    return 0;
  },
});
