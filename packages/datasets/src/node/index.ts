/**
 * @ocelot/datasets/node — file I/O on top of the platform-neutral parsers. Errors name the
 * file: a missing or unreadable file throws `DatasetFileError`, malformed text
 * `DatasetParseError` (`file:line:column`), bad content `DatasetValidationError`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type ParseCocoOptions,
  type ParseCocoResultsOptions,
  parseCoco,
  parseCocoResults,
  type StringifyOptions,
  stringifyCoco,
  stringifyCocoResults,
} from '../coco/parse.js';
import type { CocoDataset, CocoResults } from '../coco/types.js';
import { DatasetFileError } from '../errors.js';
import { type ParseVocOptions, parseVoc, stringifyVoc, type VocAnnotation } from '../voc/voc.js';
import {
  type ParseYoloLabelsOptions,
  parseYoloLabels,
  parseYoloNames,
  parseYoloNamesYaml,
  type StringifyYoloOptions,
  stringifyYoloLabels,
  type YoloLabel,
} from '../yolo/yolo.js';

function describeFsError(error: unknown): { message: string; code: string } {
  const code = (error as { code?: string })?.code;
  switch (code) {
    case 'ENOENT':
      return { message: 'no such file', code: 'E_FILE_NOT_FOUND' };
    case 'EISDIR':
      return { message: 'is a directory, expected a file', code: 'E_FILE_READ' };
    case 'EACCES':
    case 'EPERM':
      return { message: 'permission denied', code: 'E_FILE_READ' };
    default:
      return {
        message: error instanceof Error ? error.message : String(error),
        code: 'E_FILE_READ',
      };
  }
}

/**
 * Reads a text file; a missing / unreadable file becomes a `DatasetFileError` naming it.
 * @param path file path
 * @param displayName how messages name the file (default `path`)
 */
export async function readTextFile(path: string, displayName = path): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const { message, code } = describeFsError(error);
    throw new DatasetFileError(displayName, `cannot read: ${message}`, code, { cause: error });
  }
}

/** Writes a text file, creating parent folders; failures become a `DatasetFileError`. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
  } catch (error) {
    const { message } = describeFsError(error);
    throw new DatasetFileError(path, `cannot write: ${message}`, 'E_FILE_WRITE', { cause: error });
  }
}

/**
 * Reads and validates a COCO instances file. `options.file` names the file in messages
 * (default: the path).
 * @param pathOrObject a file path, or an already-parsed object (validated the same way)
 */
export async function readCoco(
  pathOrObject: string | object,
  options: ParseCocoOptions = {},
): Promise<CocoDataset> {
  if (typeof pathOrObject !== 'string') return parseCoco(pathOrObject, options);
  const text = await readTextFile(pathOrObject, options.file);
  return parseCoco(text, { ...options, file: options.file ?? pathOrObject });
}

/** Writes COCO instances JSON (compact unless `indent` is given). */
export async function writeCoco(
  path: string,
  dataset: CocoDataset,
  options: StringifyOptions = {},
): Promise<void> {
  await writeTextFile(path, stringifyCoco(dataset, options));
}

/**
 * Reads and validates a COCO results file (a JSON array of detections).
 * @param pathOrArray a file path, or an already-parsed array
 */
export async function readCocoResults(
  pathOrArray: string | object,
  options: ParseCocoResultsOptions = {},
): Promise<CocoResults> {
  if (typeof pathOrArray !== 'string') return parseCocoResults(pathOrArray, options);
  const text = await readTextFile(pathOrArray, options.file);
  return parseCocoResults(text, { ...options, file: options.file ?? pathOrArray });
}

/** Writes a COCO results file. */
export async function writeCocoResults(
  path: string,
  results: CocoResults,
  options: StringifyOptions = {},
): Promise<void> {
  await writeTextFile(path, stringifyCocoResults(results, options));
}

/** Reads and validates one VOC annotation XML file. */
export async function readVoc(path: string, options: ParseVocOptions = {}): Promise<VocAnnotation> {
  return parseVoc(await readTextFile(path, options.file), {
    ...options,
    file: options.file ?? path,
  });
}

/** Writes one VOC annotation XML file. */
export async function writeVoc(path: string, annotation: VocAnnotation): Promise<void> {
  await writeTextFile(path, stringifyVoc(annotation));
}

/** Reads and validates one YOLO label file. */
export async function readYoloLabels(
  path: string,
  options: ParseYoloLabelsOptions = {},
): Promise<YoloLabel[]> {
  return parseYoloLabels(await readTextFile(path, options.file), {
    ...options,
    file: options.file ?? path,
  });
}

/** Writes one YOLO label file. */
export async function writeYoloLabels(
  path: string,
  labels: readonly YoloLabel[],
  options: StringifyYoloOptions = {},
): Promise<void> {
  await writeTextFile(path, stringifyYoloLabels(labels, options));
}

/**
 * Reads class names: a data YAML (`.yaml` / `.yml`, its `names:`) or a names file (one per
 * line).
 * @returns names by class id (a list for names files, a Map for YAML since ids may be sparse)
 */
export async function readYoloNames(path: string): Promise<string[] | Map<number, string>> {
  const text = await readTextFile(path);
  return /\.ya?ml$/i.test(path) ? parseYoloNamesYaml(text, path) : parseYoloNames(text, path);
}

export { encodePng8, writeSyntheticDataset } from './synthetic.js';
export type { SyntheticOutput, WriteSyntheticOptions, WriteSyntheticResult } from './synthetic.js';
