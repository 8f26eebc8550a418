/**
 * COCO JSON from and to text, validated on the way in. Works anywhere (no file system); the
 * Node entry `@ocelot/datasets/node` adds `readCoco` / `writeCoco` on top.
 */
import { DatasetValidationError, type ValidationIssue } from '../errors.js';
import { parseJson } from '../text.js';
import type { CocoDataset, CocoResults } from './types.js';
import {
  type CocoResultsValidationOptions,
  type CocoValidationOptions,
  validateCoco,
  validateCocoResults,
} from './validate.js';

/** Options of `parseCoco`: the validation options, plus `validate: false` to skip checks. */
export interface ParseCocoOptions extends CocoValidationOptions {
  /** Run `validateCoco` (default `true`). */
  readonly validate?: boolean;
}

/** Options of `parseCocoResults`. */
export interface ParseCocoResultsOptions extends CocoResultsValidationOptions {
  /** Run `validateCocoResults` (default `true`). */
  readonly validate?: boolean;
}

/** Options of the stringify functions. */
export interface StringifyOptions {
  /** Indentation passed to `JSON.stringify` (default none: COCO files are compact). */
  readonly indent?: number | string;
}

function toValue(input: unknown, file: string | undefined): unknown {
  return typeof input === 'string' ? parseJson(input, file) : input;
}

/**
 * Parses and validates a COCO instances file.
 *
 * @param input JSON text, or an already-parsed object
 * @returns the same data, typed; throws `DatasetParseError` on malformed JSON (with
 *   `file:line:column`) and `DatasetValidationError` on the first problem — or, in mode
 *   `'collect'`, one error listing every problem in `issues`
 */
export function parseCoco(input: unknown, options: ParseCocoOptions = {}): CocoDataset {
  const value = toValue(input, options.file);
  if (options.validate !== false) {
    const report = validateCoco(value, options);
    throwIfIssues(report.issues);
  }
  return value as CocoDataset;
}

/**
 * Parses and validates a COCO results file (an array of detections).
 *
 * @param input JSON text, or an already-parsed array
 */
export function parseCocoResults(
  input: unknown,
  options: ParseCocoResultsOptions = {},
): CocoResults {
  const value = toValue(input, options.file);
  if (options.validate !== false) {
    const report = validateCocoResults(value, options);
    throwIfIssues(report.issues);
  }
  return value as CocoResults;
}

function throwIfIssues(issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw new DatasetValidationError(issues);
}

/** COCO instances data as JSON text. */
export function stringifyCoco(dataset: CocoDataset, options: StringifyOptions = {}): string {
  return JSON.stringify(dataset, null, options.indent);
}

/** COCO results (detections) as JSON text. */
export function stringifyCocoResults(results: CocoResults, options: StringifyOptions = {}): string {
  return JSON.stringify(results, null, options.indent);
}
