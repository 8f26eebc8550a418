/**
 * One image through one model: decode → predict → annotate / write → records and summary.
 * The same function runs in the main thread (one image, `--concurrency 1`) and in each worker
 * of the pool, so both paths give identical results.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OcelotError } from '@ocelot/core';
import { decodeImage, ImageDecodeError } from '@ocelot/image';
import {
  ImageFailedError,
  type LoadedModel,
  type PredictOptions,
  type PredictTiming,
} from './model.js';
import {
  annotate,
  type CocoResultRecord,
  cocoRecords,
  countsByClass,
  labelMapPng,
} from './output.js';

/** One image to process. */
export interface ImageTask {
  /** Position in the input order. */
  readonly index: number;
  /** Absolute path. */
  readonly path: string;
  /** How messages and summaries name it. */
  readonly display: string;
  /** COCO image id of its records. */
  readonly imageId: number;
  /** Where to write the annotated PNG (none when undefined). */
  readonly annotatedPath?: string;
  /** Where to write the raw label map PNG (semantic models). */
  readonly labelMapPath?: string;
}

/** Options shared by every image of a run. */
export interface ProcessOptions {
  readonly predict: PredictOptions;
  /** COCO category id per class index. */
  readonly categoryIds: readonly number[];
  /** Opacity of masks / overlays in annotated images. */
  readonly alpha?: number;
}

/** Milliseconds spent on one image. */
export interface ImageTiming extends PredictTiming {
  readonly decodeMs: number;
  /** Drawing, encoding and writing outputs. */
  readonly writeMs: number;
  /** decode + predict + write. */
  readonly imageMs: number;
}

/** What one image gave. */
export interface ImageResult {
  readonly index: number;
  readonly file: string;
  readonly imageId: number;
  readonly width: number;
  readonly height: number;
  /** Objects (detect / instance) or pixels (semantic) per class name. */
  readonly counts: Record<string, number>;
  /** Detections / instances, or classes present (semantic, background included). */
  readonly found: number;
  readonly timing: ImageTiming;
  readonly records: CocoResultRecord[];
  /** Files written. */
  readonly outputs: string[];
}

/** Rewrites an error so its message starts with the image's display name. */
export function imageError(
  task: Pick<ImageTask, 'path' | 'display'>,
  error: unknown,
): ImageFailedError {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof OcelotError ? error.code : 'E_IMAGE_FAILED';
  if (error instanceof ImageDecodeError && message.startsWith(`${error.source}: `)) {
    return new ImageFailedError(
      task.display,
      `${task.display}: ${message.slice(error.source.length + 2)}`,
      code,
    );
  }
  const text = message.split(task.path).join(task.display);
  return new ImageFailedError(
    task.display,
    text.startsWith(task.display) ? text : `${task.display}: ${text}`,
    code,
  );
}

async function write(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/**
 * Processes one image.
 * @throws ImageFailedError naming the image (decode, inference or write failure)
 */
export async function processImage(
  model: LoadedModel,
  task: ImageTask,
  options: ProcessOptions,
): Promise<ImageResult> {
  try {
    const start = performance.now();
    const image = await decodeImage(task.path);
    const decoded = performance.now();
    const prediction = await model.predict(image, options.predict);
    const predicted = performance.now();
    const outputs: string[] = [];
    if (task.annotatedPath !== undefined) {
      await write(
        task.annotatedPath,
        await annotate(image, prediction, model.classNames, {
          ...(options.alpha !== undefined && { alpha: options.alpha }),
        }),
      );
      outputs.push(task.annotatedPath);
    }
    if (task.labelMapPath !== undefined && prediction.kind === 'semantic') {
      const s = prediction.segmentation;
      await write(
        task.labelMapPath,
        await labelMapPng(s.labelMap, s.imageSize.width, s.imageSize.height),
      );
      outputs.push(task.labelMapPath);
    }
    const end = performance.now();
    const found =
      prediction.kind === 'semantic'
        ? prediction.segmentation.classesPresent.length
        : prediction.kind === 'detect'
          ? prediction.detections.scores.length
          : prediction.segmentation.scores.length;
    return {
      index: task.index,
      file: task.display,
      imageId: task.imageId,
      width: image.width,
      height: image.height,
      counts: countsByClass(prediction, model.classNames),
      found,
      timing: {
        ...prediction.timing,
        decodeMs: decoded - start,
        writeMs: end - predicted,
        imageMs: end - start,
      },
      records: cocoRecords(prediction, task.imageId, options.categoryIds, model.classNames),
      outputs,
    };
  } catch (error) {
    throw imageError(task, error);
  }
}
