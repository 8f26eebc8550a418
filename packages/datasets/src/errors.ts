/**
 * Errors and validation reports for dataset files. Every problem names the file (when known),
 * the record (`annotations[12] (id 345)`, `object[2] (dog)`, `line 7`) and the field
 * (`bbox`, `segmentation.counts`, `bndbox.xmax`), so a message can be acted on without a
 * debugger.
 */
import { OcelotError } from '@ocelot/core';

/** One problem found while validating a dataset. */
export interface ValidationIssue {
  /** Stable machine-readable code, e.g. `E_DUPLICATE_ID`, `E_BOX_OUTSIDE_IMAGE`. */
  readonly code: string;
  /** The file the record came from, or `undefined` when the data was given as an object. */
  readonly file: string | undefined;
  /** The offending record, e.g. `annotations[12] (id 345)`; `''` for the whole document. */
  readonly record: string;
  /** The offending field inside the record, e.g. `bbox` or `segmentation.counts`. */
  readonly field: string;
  /** What is wrong, in words, with the value found. */
  readonly message: string;
}

/** The result of a validation in `collect` mode. */
export interface ValidationReport {
  /** `true` when no issue was found. */
  readonly ok: boolean;
  /** Every issue found, in document order (up to `maxIssues`). */
  readonly issues: readonly ValidationIssue[];
  /** `true` when more issues existed than `maxIssues` allowed to keep. */
  readonly truncated: boolean;
}

/** Options every validator accepts. */
export interface ValidationModeOptions {
  /** File name used in messages. */
  readonly file?: string;
  /**
   * `'throw'` (default) throws a `DatasetValidationError` at the first issue; `'collect'`
   * returns a report of all of them.
   */
  readonly mode?: 'throw' | 'collect';
  /** Most issues kept in `collect` mode (default 1000); the rest only set `truncated`. */
  readonly maxIssues?: number;
}

/** Formats an issue as `file: record: field: message`, leaving out the empty parts. */
export function formatIssue(issue: ValidationIssue): string {
  const where = [issue.file, issue.record, issue.field].filter((part) => part).join(': ');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/**
 * A dataset file or object breaks the format's rules. `file`, `record` and `field` are those of
 * the first issue; `issues` holds all of them when the validator collected more than one.
 */
export class DatasetValidationError extends OcelotError {
  readonly file: string | undefined;
  readonly record: string;
  readonly field: string;
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    const first = issues[0];
    if (!first) throw new RangeError('DatasetValidationError needs at least one issue');
    const more =
      issues.length > 1
        ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})`
        : '';
    super(first.code, `${formatIssue(first)}${more}`);
    this.file = first.file;
    this.record = first.record;
    this.field = first.field;
    this.issues = issues;
  }
}

/** A file is not well-formed JSON / XML / text; `line` and `column` are 1-based. */
export class DatasetParseError extends OcelotError {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  constructor(file: string | undefined, line: number, column: number, message: string) {
    super('E_PARSE', `${file ?? '<input>'}:${line}:${column}: ${message}`);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** A dataset file cannot be read or written (missing, a directory, no permission). */
export class DatasetFileError extends OcelotError {
  readonly file: string;
  constructor(file: string, message: string, code = 'E_FILE', options?: ErrorOptions) {
    super(code, `${file}: ${message}`, options);
    this.file = file;
  }
}

/**
 * Gathers issues for one validation run: throws at the first in `throw` mode, otherwise keeps
 * up to `maxIssues`. Internal helper shared by the COCO, VOC and YOLO validators.
 */
export class IssueCollector {
  readonly file: string | undefined;
  readonly #throwFirst: boolean;
  readonly #maxIssues: number;
  readonly #issues: ValidationIssue[] = [];
  #truncated = false;

  constructor(options: ValidationModeOptions = {}) {
    this.file = options.file;
    this.#throwFirst = (options.mode ?? 'throw') === 'throw';
    this.#maxIssues = options.maxIssues ?? 1000;
  }

  add(code: string, record: string, field: string, message: string): void {
    const issue: ValidationIssue = { code, file: this.file, record, field, message };
    if (this.#throwFirst) throw new DatasetValidationError([issue]);
    if (this.#issues.length < this.#maxIssues) this.#issues.push(issue);
    else this.#truncated = true;
  }

  get count(): number {
    return this.#issues.length;
  }

  report(): ValidationReport {
    return { ok: this.#issues.length === 0, issues: this.#issues, truncated: this.#truncated };
  }

  /** Throws a `DatasetValidationError` holding every issue, if there is any. */
  throwIfAny(): void {
    if (this.#issues.length > 0) throw new DatasetValidationError(this.#issues);
  }
}

/** Renders a value for an error message, short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (Array.isArray(value)) {
    if (value.length <= 6) {
      let text: string;
      try {
        text = JSON.stringify(value);
      } catch {
        text = `an array of ${value.length}`;
      }
      if (text.length <= 60) return text;
    }
    return `an array of ${value.length}`;
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}
