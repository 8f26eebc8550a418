/**
 * Option specs and value parsing shared by the commands that run models (`detect`, `segment`,
 * `eval detect`, `bench`, `demo`).
 */
import {
  type CommandContext,
  type OptionSpecs,
  type OptionValues,
  type PositionalSpec,
  UsageError,
} from '../command.js';
import { ModelStore } from '../models/store.js';
import type { PredictOptions } from './model.js';

/** `--model` and `--models-dir`. */
export const MODEL_OPTIONS = {
  model: {
    type: 'string',
    short: 'm',
    valueName: 'ID|CARD',
    description:
      'model id (a folder of the models dirs), a model folder, or a model.json path (default: models/defaults.json)',
  },
  'models-dir': {
    type: 'string',
    valueName: 'DIR',
    description:
      'also look for model ids here (before OCELOT_MODELS_DIR and the repository models/)',
  },
} as const satisfies OptionSpecs;

/** Execution options every model-running command takes. */
export const RUNTIME_OPTIONS = {
  provider: {
    type: 'string',
    choices: ['cpu', 'webgpu', 'cuda'],
    default: 'cpu',
    description: 'onnxruntime execution provider (falls back to cpu when unavailable)',
  },
  threads: {
    type: 'string',
    valueName: 'N',
    default: '1',
    description: 'intra-op threads per session',
  },
  imgsz: {
    type: 'string',
    valueName: 'N',
    description: 'square network input size instead of the card’s (models with dynamic input)',
  },
} as const satisfies OptionSpecs;

/** Detection post-processing options. */
export const DETECT_OPTIONS = {
  score: {
    type: 'string',
    valueName: 'T',
    description: 'keep detections scoring at least T (default: the card’s, else 0.25)',
  },
  iou: {
    type: 'string',
    valueName: 'T',
    description: 'NMS IoU threshold (default: the card’s, else the architecture’s)',
  },
  'max-det': {
    type: 'string',
    valueName: 'N',
    description: 'at most N detections per image (default: the card’s, else 300)',
  },
  classes: {
    type: 'string',
    valueName: 'A,B',
    description: 'only these classes (names or 0-based indices, comma-separated)',
  },
  agnostic: { type: 'boolean', description: 'class-agnostic NMS' },
} as const satisfies OptionSpecs;

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
} as const satisfies OptionSpecs;

/** The `images…` positional of `detect` and `segment`. */
export const IMAGES_POSITIONAL: PositionalSpec = {
  name: 'images',
  description: 'image files, folders or glob patterns',
  required: true,
  variadic: true,
};

/** Parses a number option; `undefined` when absent. */
export function numberOption(
  name: string,
  value: string | undefined,
  rule: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.max === undefined || v <= rule.max);
  if (!ok) {
    const what = rule.integer ? 'an integer' : 'a number';
    const range =
      rule.min !== undefined && rule.max !== undefined
        ? ` in [${rule.min}, ${rule.max}]`
        : rule.min !== undefined
          ? ` >= ${rule.min}`
          : '';
    throw new UsageError(`--${name} must be ${what}${range}; got '${value}'`);
  }
  return v;
}

/** `--score`, `--iou`, `--max-det` and `--agnostic` as prediction options (absent: the card's). */
export function detectPredictOptions(
  values: Omit<OptionValues<typeof DETECT_OPTIONS>, 'classes'>,
): PredictOptions {
  const score = numberOption('score', values.score, { min: 0, max: 1 });
  const iou = numberOption('iou', values.iou, { min: 0, max: 1 });
  const maxDet = numberOption('max-det', values['max-det'], { integer: true, min: 1 });
  return {
    ...(score !== undefined && { scoreThreshold: score }),
    ...(iou !== undefined && { iouThreshold: iou }),
    ...(maxDet !== undefined && { maxDetections: maxDet }),
    ...(values.agnostic && { classAgnostic: true }),
  };
}

/** `--classes a,b,2` → `['a', 'b', '2']`. */
export function classList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError('--classes needs at least one class name');
  return items;
}

/**
 * Resolves class names or indices against the model's classes.
 * @throws UsageError naming an unknown class and listing the model's
 */
export function resolveClasses(
  items: readonly string[] | undefined,
  classNames: readonly string[],
): (number | string)[] | undefined {
  if (items === undefined) return undefined;
  return items.map((item) => {
    if (classNames.includes(item)) return item;
    if (/^\d+$/.test(item) && Number(item) < classNames.length) return Number(item);
    const shown = classNames.slice(0, 20).join(', ') + (classNames.length > 20 ? ', …' : '');
    throw new UsageError(`--classes: unknown class '${item}'; the model's classes are ${shown}`);
  });
}

/** The model store of a command (`--models-dir`, `OCELOT_MODELS_DIR`, repository models/). */
export function modelStore(
  context: Pick<CommandContext, 'io' | 'resolvePath'>,
  dir: string | undefined,
): ModelStore {
  return new ModelStore({
    ...(dir !== undefined && { dirs: [dir] }),
    env: context.io.env ?? process.env,
    resolvePath: context.resolvePath,
  });
}

/** Execution providers for `--provider` (always ending in cpu). */
export function providersFor(provider: string): string[] {
  return provider === 'cpu' ? ['cpu'] : [provider, 'cpu'];
}

/** `--threads` and `--imgsz` as numbers. */
export function runtimeValues(values: { threads: string; imgsz: string | undefined }): {
  threads: number;
  imgsz: number | undefined;
} {
  return {
    threads: numberOption('threads', values.threads, { integer: true, min: 1 })!,
    imgsz: numberOption('imgsz', values.imgsz, { integer: true, min: 1 }),
  };
}
