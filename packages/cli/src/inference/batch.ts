/**
 * `ocelot detect` / `ocelot segment`: images (files, folders, globs) through one model, with a
 * progress bar, a summary line per image in input order, and — with `--out` — annotated PNGs,
 * COCO results JSON and a summary JSON.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { OcelotError } from '@ocelot/core';
import { loadModelCard } from '@ocelot/detectors/node';
import { type CommandContext, type OptionValues, UsageError } from '../command.js';
import { stylesFor } from '../io.js';
import type { ModelStore } from '../models/store.js';
import type { ImageFailedError, PredictOptions } from './model.js';
import {
  type BATCH_OPTIONS,
  classList,
  type DETECT_OPTIONS,
  detectPredictOptions,
  type MODEL_OPTIONS,
  modelStore,
  numberOption,
  providersFor,
  type RUNTIME_OPTIONS,
  resolveClasses,
  runtimeValues,
} from './options.js';
import type { CocoResultRecord } from './output.js';
import type { ImageResult, ImageTask } from './process.js';
import { createBatchProgress } from './progress.js';
import { type ModelInfo, startRunner, type TaskOutcome } from './runner.js';
import { expandInputs, type ImageSource } from './sources.js';

/** Which command is running. */
export type BatchCommand = 'detect' | 'segment';

/** Everything a batch run needs, already parsed. */
export interface BatchRequest {
  readonly command: BatchCommand;
  readonly inputs: readonly string[];
  /** `--model` value, or undefined for the default of `command`. */
  readonly model: string | undefined;
  readonly store: ModelStore;
  readonly predict: PredictOptions;
  /** Class names / indices from `--classes`, checked once the model is loaded. */
  readonly classes: readonly string[] | undefined;
  readonly outDir: string | undefined;
  readonly providers: readonly string[];
  readonly threads: number;
  readonly imgsz: number | undefined;
  readonly concurrency: number | undefined;
  readonly alpha?: number;
}

/** The parsed options `detect` and `segment` share. */
export type BatchValues = OptionValues<
  typeof MODEL_OPTIONS & typeof DETECT_OPTIONS & typeof BATCH_OPTIONS & typeof RUNTIME_OPTIONS
>;

/**
 * The batch request of `detect` / `segment` from their shared options.
 * @param own the command's own prediction options (added to `--score` & co.) and `alpha`
 */
export function batchRequest(
  context: Pick<CommandContext, 'io' | 'positionals' | 'resolvePath'> & {
    readonly values: BatchValues;
  },
  command: BatchCommand,
  own: { readonly predict?: PredictOptions; readonly alpha?: number } = {},
): BatchRequest {
  const { values } = context;
  const { threads, imgsz } = runtimeValues(values);
  const predict = { ...detectPredictOptions(values), ...own.predict };
  const concurrency = numberOption('concurrency', values.concurrency, { integer: true, min: 1 });
  return {
    command,
    inputs: context.positionals,
    model: values.model,
    store: modelStore(context, values['models-dir']),
    predict,
    classes: classList(values.classes),
    outDir: values.out !== undefined ? context.resolvePath(values.out) : undefined,
    providers: providersFor(values.provider),
    threads,
    imgsz,
    concurrency,
    ...(own.alpha !== undefined && { alpha: own.alpha }),
  };
}

/** The JSON summary of a run (`--json` on stdout, `summary.json` in `--out`). */
export interface BatchSummary {
  readonly model: ModelInfo & { readonly card: string };
  readonly images: Omit<ImageResult, 'records' | 'index'>[];
  readonly errors: { readonly file: string; readonly message: string }[];
  readonly totals: {
    readonly images: number;
    readonly failed: number;
    readonly seconds: number;
    readonly imagesPerSecond: number;
    readonly workers: number;
    /** Objects (detect) or pixels (semantic) per class over all images. */
    readonly counts: Record<string, number>;
  };
}

/** Resolves `--model` (or the task's default model) to a card path. */
export async function resolveModelOption(
  context: Pick<CommandContext, 'resolvePath'>,
  store: ModelStore,
  spec: string | undefined,
  task: 'detect' | 'segment',
): Promise<string> {
  if (spec !== undefined) return store.resolveCardPath(spec, context.resolvePath);
  const entry = await store.defaultModel(task);
  if (!entry) {
    throw new UsageError(
      `no --model given and no default ${task === 'detect' ? 'detector' : 'segmenter'} found in ${store.describeRoots()}`,
    );
  }
  return entry.cardPath;
}

/** Checks that the card's task fits the command before any worker starts. */
async function checkTask(cardPath: string, command: BatchCommand, display: string) {
  const card = await loadModelCard(cardPath);
  if (command === 'detect' && card.task === 'segment') {
    throw new UsageError(
      `model '${display}' is a semantic segmenter (task "segment"); use 'ocelot segment'`,
    );
  }
  if (command === 'segment' && card.task === 'detect') {
    throw new UsageError(`model '${display}' is a detector (task "detect"); use 'ocelot detect'`);
  }
  return card;
}

/** Output file names: `<stem>.png` (`-2`, `-3` … on clashes), never an input's own path. */
function outputNames(
  sources: readonly ImageSource[],
  outDir: string,
  semantic: boolean,
): { annotated: string; labels: string | undefined }[] {
  const used = new Set<string>(['results', 'summary']);
  const inputs = new Set(sources.map((s) => s.path));
  return sources.map((source) => {
    const stem0 = basename(source.path, extname(source.path));
    let stem = stem0;
    for (let k = 2; used.has(stem) || inputs.has(join(outDir, `${stem}.png`)); k++) {
      stem = `${stem0}-${k}`;
    }
    used.add(stem);
    return {
      annotated: join(outDir, `${stem}.png`),
      labels: semantic ? join(outDir, `${stem}.labels.png`) : undefined,
    };
  });
}

function describeCounts(result: ImageResult, kind: ModelInfo['kind']): string {
  const entries = Object.entries(result.counts);
  if (kind === 'semantic') {
    const total = result.width * result.height;
    const text = entries
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${((100 * n) / total).toFixed(1)}%`)
      .join(', ');
    return `${result.found} class${result.found === 1 ? '' : 'es'}: ${text}`;
  }
  const noun = kind === 'instance' ? 'instance' : 'object';
  const text = entries.map(([name, n]) => `${name} ${n}`).join(', ');
  return `${result.found} ${noun}${result.found === 1 ? '' : 's'}${text ? `: ${text}` : ''}`;
}

/** A path relative to the working directory when inside it, else absolute. */
function displayPath(cwd: string, path: string): string {
  const r = relative(cwd, path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
}

/** One line of the per-image summary. */
export function summaryLine(result: ImageResult, kind: ModelInfo['kind']): string {
  return `${result.file}  ${result.width}×${result.height}  ${describeCounts(result, kind)}  (${result.timing.imageMs.toFixed(0)} ms)`;
}

/**
 * Runs the batch and prints / writes its outputs.
 * @returns the exit code: 0, or 1 when some image failed
 */
export async function runBatch(context: CommandContext, request: BatchRequest): Promise<number> {
  const cwd = context.io.cwd ?? process.cwd();
  const sources = expandInputs(request.inputs, context.resolvePath, cwd);
  const cardPath = await resolveModelOption(context, request.store, request.model, request.command);
  const modelName = request.model ?? displayPath(cwd, cardPath);
  await checkTask(cardPath, request.command, modelName);

  const runner = await startRunner(cardPath, {
    providers: request.providers,
    threads: request.threads,
    ...(request.imgsz !== undefined && { imgsz: request.imgsz }),
    ...(request.concurrency !== undefined && { concurrency: request.concurrency }),
    images: sources.length,
  });
  try {
    const info = runner.info;
    const classes = resolveClasses(request.classes, info.classNames);
    if (context.verbose) {
      context.note(
        `model ${info.id} (${info.architecture}, ${info.kind}, ${info.classNames.length} classes, input ${info.inputWidth}×${info.inputHeight}) on ${info.executionProvider}; ${runner.workers > 0 ? `${runner.workers} workers` : 'in this thread'}; loaded in ${info.loadMs.toFixed(0)} ms`,
      );
    }
    const names =
      request.outDir !== undefined
        ? outputNames(sources, request.outDir, info.kind === 'semantic')
        : undefined;
    const tasks: ImageTask[] = sources.map((source, index) => ({
      index,
      path: source.path,
      display: source.display,
      imageId: index + 1,
      ...(names && { annotatedPath: names[index]!.annotated }),
      ...(names?.[index]?.labels !== undefined && { labelMapPath: names[index].labels }),
    }));

    const label = request.command === 'detect' ? 'detecting' : 'segmenting';
    const progress = createBatchProgress(context.io, label, tasks.length, !context.quiet);
    const stderrStyle = stylesFor(context.io.stderr, context.io.env);
    let done = 0;
    let printed = 0;
    const pending = new Map<number, TaskOutcome>();
    const start = performance.now();
    const onOutcome = (outcome: TaskOutcome) => {
      done++;
      const index = outcome.ok ? outcome.result.index : outcome.index;
      pending.set(index, outcome);
      progress.interrupt(() => {
        // print in input order as soon as the next one is available
        while (pending.has(printed)) {
          const next = pending.get(printed)!;
          pending.delete(printed);
          printed++;
          if (!next.ok) {
            context.io.stderr.write(
              `ocelot: ${stderrStyle.red(stderrStyle.bold('error:'))} ${next.error.message}\n`,
            );
          } else if (!context.json) {
            context.print(`${summaryLine(next.result, info.kind)}\n`);
          }
        }
      });
      progress.update(done);
    };
    const outcomes = await runner.run(
      tasks,
      {
        predict: { ...request.predict, ...(classes !== undefined && { classes }) },
        categoryIds: info.categoryIds,
        ...(request.alpha !== undefined && { alpha: request.alpha }),
      },
      onOutcome,
    );
    progress.done();
    const seconds = (performance.now() - start) / 1000;

    const results = outcomes.filter((o) => o.ok).map((o) => o.result);
    const errors = outcomes
      .filter((o): o is { ok: false; error: ImageFailedError; index: number } => !o.ok)
      .map((o) => ({ file: o.error.file, message: o.error.message }));
    const records: CocoResultRecord[] = results.flatMap((r) => r.records);
    const counts: Record<string, number> = {};
    for (const name of info.classNames) {
      let total = 0;
      for (const r of results) total += r.counts[name] ?? 0;
      if (total > 0) counts[name] = total;
    }
    const summary: BatchSummary = {
      model: { ...info, card: cardPath },
      images: results.map(({ records: _r, index: _i, ...rest }) => rest),
      errors,
      totals: {
        images: sources.length,
        failed: errors.length,
        seconds,
        imagesPerSecond: results.length / seconds,
        workers: runner.workers,
        counts,
      },
    };
    if (request.outDir !== undefined) {
      try {
        await mkdir(request.outDir, { recursive: true });
        await writeFile(join(request.outDir, 'results.json'), `${JSON.stringify(records)}\n`);
        await writeFile(
          join(request.outDir, 'summary.json'),
          `${JSON.stringify(summary, null, 2)}\n`,
        );
      } catch (error) {
        throw new OcelotError(
          'E_WRITE',
          `${request.outDir}: cannot write results: ${(error as Error).message}`,
        );
      }
    }
    if (context.json) {
      context.printJson({ ...summary, results: records });
    } else {
      const rate = results.length / seconds;
      const where =
        request.outDir !== undefined
          ? `; wrote ${results.length} annotated image${results.length === 1 ? '' : 's'}, results.json and summary.json to ${displayPath(cwd, request.outDir)}`
          : '';
      const failed = errors.length > 0 ? `, ${errors.length} failed` : '';
      context.print(
        `${context.style.bold(`${results.length} image${results.length === 1 ? '' : 's'}`)}${failed} in ${seconds.toFixed(2)} s (${rate.toFixed(1)} img/s, ${runner.workers > 0 ? `${runner.workers} workers` : '1 thread'})${where}\n`,
      );
    }
    if (errors.length > 0) {
      context.io.stderr.write(
        `ocelot: ${errors.length} of ${sources.length} image${sources.length === 1 ? '' : 's'} failed\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    await runner.close();
  }
}
