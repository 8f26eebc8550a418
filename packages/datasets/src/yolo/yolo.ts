/**
 * YOLO (Darknet / Ultralytics) txt labels: one file per image, one object per line, all
 * coordinates normalised by the image width / height.
 *
 * - box:     `class cx cy w h`
 * - polygon: `class x1 y1 x2 y2 … xn yn` (Ultralytics segmentation, n ≥ 3)
 *
 * Class names come from a names file (one per line, line k = class k) or a data YAML's
 * `names:` (list or `id: name` map; ids may be sparse).
 */
import {
  DatasetParseError,
  describeValue,
  IssueCollector,
  type ValidationModeOptions,
} from '../errors.js';

/** A box label, normalised to [0, 1]: centre x, centre y, width, height. */
export interface YoloBoxLabel {
  kind: 'box';
  classId: number;
  box: [cx: number, cy: number, width: number, height: number];
}

/** A polygon label (Ultralytics segmentation), normalised `[x1, y1, x2, y2, …]`. */
export interface YoloPolygonLabel {
  kind: 'polygon';
  classId: number;
  polygon: number[];
}

export type YoloLabel = YoloBoxLabel | YoloPolygonLabel;

/** Class names by class id: a list (index = id) or a map for sparse ids. */
export type YoloClassNames = readonly string[] | ReadonlyMap<number, string>;

/** Options of `parseYoloLabels`. */
export interface ParseYoloLabelsOptions extends ValidationModeOptions {
  /** `'auto'` (default): 5 numbers are a box, an odd count ≥ 7 a polygon. */
  readonly format?: 'auto' | 'box' | 'polygon';
  /** When given, every class id must be in it. */
  readonly classNames?: YoloClassNames;
  /**
   * How far (in normalised units) a coordinate may leave [0, 1] before it is reported
   * (default 1e-6, the rounding of 6-digit label files).
   */
  readonly tolerance?: number;
}

/** Options of `stringifyYoloLabels`. */
export interface StringifyYoloOptions {
  /**
   * Significant digits of each coordinate (default 6, as Ultralytics' `%g`); `'full'` writes
   * the shortest text that reads back to the same double.
   */
  readonly significantDigits?: number | 'full';
}

/** Looks a class id up in a names list or map. */
export function yoloClassName(names: YoloClassNames, classId: number): string | undefined {
  return names instanceof Map ? names.get(classId) : (names as readonly string[])[classId];
}

/** Every `[classId, name]` pair, in increasing class id order. */
export function yoloClassEntries(names: YoloClassNames): [number, string][] {
  if (names instanceof Map) return [...names.entries()].sort((a, b) => a[0] - b[0]);
  return (names as readonly string[]).map((name, id) => [id, name]);
}

const INTEGER = /^\d+$/;

/**
 * Parses one YOLO label file and validates every line: a non-negative integer class (known,
 * when `classNames` is given), finite coordinates within [0, 1] (± `tolerance`), positive box
 * sizes, boxes inside the image, polygons of at least three points. Blank lines are skipped.
 *
 * @param text the file's text
 * @returns labels in line order; issues name the record as `line N` and the field
 *   (`class`, `cx`, `polygon[3]`)
 */
export function parseYoloLabels(text: string, options: ParseYoloLabelsOptions = {}): YoloLabel[] {
  const issues = new IssueCollector(options);
  const tolerance = options.tolerance ?? 1e-6;
  const format = options.format ?? 'auto';
  const labels: YoloLabel[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const record = `line ${n + 1}`;
    const tokens = line.split(/\s+/);
    const classToken = tokens[0]!;
    if (!INTEGER.test(classToken)) {
      issues.add(
        'E_TYPE',
        record,
        'class',
        `expected a non-negative integer class id, got ${describeValue(classToken)}`,
      );
      continue;
    }
    const classId = Number(classToken);
    if (options.classNames && yoloClassName(options.classNames, classId) === undefined) {
      issues.add(
        'E_UNKNOWN_CATEGORY',
        record,
        'class',
        `class ${classId} is not in the class names`,
      );
    }
    const values = tokens.slice(1).map(Number);
    const count = values.length;
    const isBox = format === 'box' || (format === 'auto' && count === 4);
    if (isBox ? count !== 4 : count < 6 || count % 2 !== 0) {
      issues.add(
        'E_MALFORMED_LABEL',
        record,
        isBox ? 'box' : 'polygon',
        isBox
          ? `expected 'class cx cy w h' (4 numbers after the class), got ${count}`
          : `expected 'class x1 y1 ... xn yn' with n >= 3 points, got ${count} number(s)${count % 2 ? ' (odd)' : ''}`,
      );
      continue;
    }
    const names = isBox ? ['cx', 'cy', 'w', 'h'] : values.map((_, k) => `polygon[${k}]`);
    let ok = true;
    for (let k = 0; k < count; k++) {
      const v = values[k]!;
      if (!Number.isFinite(v)) {
        issues.add(
          'E_TYPE',
          record,
          names[k]!,
          `expected a finite number, got ${describeValue(tokens[k + 1])}`,
        );
        ok = false;
        break;
      }
      if (v < -tolerance || v > 1 + tolerance) {
        issues.add(
          'E_NOT_NORMALISED',
          record,
          names[k]!,
          `${v} is outside [0, 1]; YOLO coordinates are normalised by the image size`,
        );
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (isBox) {
      const [cx, cy, w, h] = values as [number, number, number, number];
      if (w <= 0 || h <= 0) {
        issues.add(
          'E_NON_POSITIVE_SIZE',
          record,
          w <= 0 ? 'w' : 'h',
          `box width and height must be positive, got w=${w} h=${h}`,
        );
        continue;
      }
      const over = Math.max(w / 2 - cx, h / 2 - cy, cx + w / 2 - 1, cy + h / 2 - 1);
      if (over > tolerance) {
        issues.add(
          'E_BOX_OUTSIDE_IMAGE',
          record,
          'box',
          `box (cx=${cx}, cy=${cy}, w=${w}, h=${h}) reaches ${over} outside the image (tolerance ${tolerance})`,
        );
        continue;
      }
      labels.push({ kind: 'box', classId, box: [cx, cy, w, h] });
    } else {
      labels.push({ kind: 'polygon', classId, polygon: values });
    }
  }
  issues.throwIfAny();
  return labels;
}

function formatNumber(v: number, digits: number | 'full'): string {
  if (digits === 'full') return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** Writes YOLO labels, one line per label (and a final newline when there is any). */
export function stringifyYoloLabels(
  labels: readonly YoloLabel[],
  options: StringifyYoloOptions = {},
): string {
  const digits = options.significantDigits ?? 6;
  const lines = labels.map((label) => {
    const values = label.kind === 'box' ? label.box : label.polygon;
    return [String(label.classId), ...values.map((v) => formatNumber(v, digits))].join(' ');
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/**
 * Parses a names file (`coco.names`, `classes.txt`): one name per line, line k is class k.
 * Trailing blank lines are ignored; a blank line in the middle is an error.
 */
export function parseYoloNames(text: string, file?: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  if (blank >= 0)
    throw new DatasetParseError(
      file,
      blank + 1,
      1,
      `blank line inside a class names file (class ${blank} would have no name)`,
    );
  return lines;
}

/** Writes a names file: one name per line. */
export function stringifyYoloNames(names: readonly string[]): string {
  return names.length > 0 ? `${names.join('\n')}\n` : '';
}

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"')))
    return v.slice(1, -1);
  return v;
}

/**
 * Reads the `names:` of an Ultralytics data YAML — the only key this needs, in the three
 * forms seen in practice: a block map (`  0: person`), a block list (`  - person`) or a flow
 * list (`names: ['person', 'bicycle']`). Anything else in the file is ignored. Not a YAML
 * parser: anchors, multi-line strings and nested flow collections are not understood.
 *
 * @returns class names by class id (a Map, since ids may be sparse)
 */
export function parseYoloNamesYaml(text: string, file?: string): Map<number, string> {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^names\s*:/.test(l));
  if (start < 0) throw new DatasetParseError(file, 1, 1, 'no top-level "names:" key');
  const names = new Map<number, string>();
  const inline = lines[start]!.replace(/^names\s*:/, '')
    .replace(/\s#.*$/, '')
    .trim();
  if (inline !== '') {
    const flow = /^\[(.*)\]$/.exec(inline);
    if (!flow)
      throw new DatasetParseError(
        file,
        start + 1,
        1,
        'expected "names:" followed by a list or map',
      );
    const items = flow[1]!.trim() === '' ? [] : flow[1]!.split(',');
    items.forEach((item, k) => {
      names.set(k, unquote(item));
    });
    return names;
  }
  let listIndex = 0;
  for (let n = start + 1; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    if (!/^\s/.test(raw)) break; // next top-level key
    const line = raw.replace(/\s#.*$/, '').trim();
    const mapEntry = /^(\d+)\s*:\s*(.*)$/.exec(line);
    const listEntry = /^-\s*(.*)$/.exec(line);
    if (mapEntry) {
      const id = Number(mapEntry[1]);
      if (names.has(id))
        throw new DatasetParseError(file, n + 1, 1, `class id ${id} appears twice in names`);
      names.set(id, unquote(mapEntry[2]!));
    } else if (listEntry) {
      names.set(listIndex++, unquote(listEntry[1]!));
    } else {
      throw new DatasetParseError(
        file,
        n + 1,
        1,
        `expected "  <id>: <name>" or "  - <name>" under names, got ${describeValue(line)}`,
      );
    }
  }
  return names;
}
