/**
 * PASCAL VOC annotation files (one XML file per image), read and written.
 *
 * Coordinates: the VOC devkit stores `bndbox` as **1-based, inclusive pixel indices** — a box
 * covering a whole W×H image is `xmin=1 ymin=1 xmax=W ymax=H`. That is the default
 * convention (`'devkit'`) here, for validation and for conversion. Files written by tools that
 * store continuous 0-based coordinates (`xmin=0 … xmax=W`) can be read with
 * `convention: 'continuous'`.
 */
import {
  DatasetValidationError,
  describeValue,
  IssueCollector,
  type ValidationModeOptions,
  type ValidationReport,
} from '../errors.js';
import { parseXml, type XmlElement, type XmlNode, writeXml } from './xml.js';

/** How `bndbox` numbers map to pixels; see the module comment. */
export type VocCoordinateConvention = 'devkit' | 'continuous';

export interface VocBndBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface VocObject {
  name: string;
  bndbox: VocBndBox;
  pose?: string;
  truncated?: boolean;
  /** Objects marked difficult are ignored by VOC evaluation. */
  difficult?: boolean;
  occluded?: boolean;
}

export interface VocSize {
  width: number;
  height: number;
  depth?: number;
}

export interface VocSource {
  database?: string;
  annotation?: string;
  image?: string;
}

/** One VOC annotation file. */
export interface VocAnnotation {
  folder?: string;
  filename: string;
  path?: string;
  source?: VocSource;
  size: VocSize;
  segmented?: boolean;
  objects: VocObject[];
}

/** Options of `validateVoc` and `parseVoc`. */
export interface VocValidationOptions extends ValidationModeOptions {
  /** How `bndbox` numbers map to pixels (default `'devkit'`: 1-based inclusive). */
  readonly convention?: VocCoordinateConvention;
  /** Pixels a box may reach past the image border before it is reported (default 1). */
  readonly boxTolerance?: number;
}

/** Options of `parseVoc`. */
export interface ParseVocOptions extends VocValidationOptions {
  /** Run `validateVoc` after reading (default `true`). */
  readonly validate?: boolean;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

function objectRecord(index: number, name: string | undefined): string {
  return `object[${index}]${name ? ` (${name})` : ''}`;
}

/**
 * Parses a VOC annotation XML file, then validates it (unless `validate: false`).
 *
 * @param xml the file's text
 * @returns the annotation; throws `DatasetParseError` (`file:line:column`) on malformed XML and
 *   `DatasetValidationError` naming `object[i] (name)` and the field (e.g. `bndbox.xmax`) on
 *   missing or malformed content
 */
export function parseVoc(xml: string, options: ParseVocOptions = {}): VocAnnotation {
  const root = parseXml(xml, options.file);
  const issues = new IssueCollector({ ...options, mode: options.mode ?? 'throw' });
  if (root.name !== 'annotation') {
    issues.add('E_TYPE', '', '', `root element is <${root.name}>, expected <annotation>`);
    issues.throwIfAny();
  }
  const text = (element: XmlElement | undefined): string | undefined => element?.text.trim();
  const number = (
    parent: XmlElement,
    name: string,
    record: string,
    field: string,
    required: boolean,
  ): number => {
    const element = child(parent, name);
    if (!element) {
      if (required) issues.add('E_MISSING_FIELD', record, field, `missing <${name}>`);
      return Number.NaN;
    }
    const raw = element.text.trim();
    const value = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) {
      issues.add(
        'E_TYPE',
        record,
        field,
        `expected a number, got ${describeValue(raw)} (line ${element.line})`,
      );
    }
    return value;
  };
  const flag = (parent: XmlElement, name: string, record: string): boolean | undefined => {
    const element = child(parent, name);
    if (!element) return undefined;
    const raw = element.text.trim();
    if (raw === '0' || raw === 'false') return false;
    if (raw === '1' || raw === 'true') return true;
    issues.add(
      'E_TYPE',
      record,
      name,
      `expected 0 or 1, got ${describeValue(raw)} (line ${element.line})`,
    );
    return undefined;
  };

  const annotation: VocAnnotation = {
    filename: '',
    size: { width: Number.NaN, height: Number.NaN },
    objects: [],
  };
  const folder = text(child(root, 'folder'));
  if (folder !== undefined) annotation.folder = folder;
  const filename = text(child(root, 'filename'));
  if (filename === undefined || filename === '')
    issues.add('E_MISSING_FIELD', 'annotation', 'filename', 'missing <filename>');
  else annotation.filename = filename;
  const path = text(child(root, 'path'));
  if (path !== undefined) annotation.path = path;
  const sourceElement = child(root, 'source');
  if (sourceElement) {
    const source: VocSource = {};
    for (const key of ['database', 'annotation', 'image'] as const) {
      const value = text(child(sourceElement, key));
      if (value !== undefined) source[key] = value;
    }
    annotation.source = source;
  }
  const sizeElement = child(root, 'size');
  if (!sizeElement) issues.add('E_MISSING_FIELD', 'annotation', 'size', 'missing <size>');
  else {
    annotation.size.width = number(sizeElement, 'width', 'annotation', 'size.width', true);
    annotation.size.height = number(sizeElement, 'height', 'annotation', 'size.height', true);
    if (child(sizeElement, 'depth'))
      annotation.size.depth = number(sizeElement, 'depth', 'annotation', 'size.depth', false);
  }
  const segmented = flag(root, 'segmented', 'annotation');
  if (segmented !== undefined) annotation.segmented = segmented;

  let index = 0;
  for (const element of root.children) {
    if (element.name !== 'object') continue;
    const name = text(child(element, 'name'));
    const record = objectRecord(index++, name);
    if (name === undefined || name === '')
      issues.add('E_MISSING_FIELD', record, 'name', `missing <name> (line ${element.line})`);
    const object: VocObject = {
      name: name ?? '',
      bndbox: { xmin: Number.NaN, ymin: Number.NaN, xmax: Number.NaN, ymax: Number.NaN },
    };
    const pose = text(child(element, 'pose'));
    if (pose !== undefined) object.pose = pose;
    for (const key of ['truncated', 'difficult', 'occluded'] as const) {
      const value = flag(element, key, record);
      if (value !== undefined) object[key] = value;
    }
    const box = child(element, 'bndbox');
    if (!box)
      issues.add('E_MISSING_FIELD', record, 'bndbox', `missing <bndbox> (line ${element.line})`);
    else {
      for (const key of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
        object.bndbox[key] = number(box, key, record, `bndbox.${key}`, true);
      }
    }
    annotation.objects.push(object);
  }
  issues.throwIfAny();
  if (options.validate !== false) {
    const report = validateVoc(annotation, { ...options, mode: options.mode ?? 'throw' });
    if (!report.ok) throw new DatasetValidationError(report.issues);
  }
  return annotation;
}

/**
 * Validates a VOC annotation: positive integer image size, a name and finite `bndbox` for
 * every object, `xmin ≤ xmax` and `ymin ≤ ymax` (strictly less in the `continuous`
 * convention), and boxes inside the image within `boxTolerance` pixels.
 */
export function validateVoc(
  annotation: VocAnnotation,
  options: VocValidationOptions = {},
): ValidationReport {
  const issues = new IssueCollector(options);
  const tolerance = options.boxTolerance ?? 1;
  const devkit = (options.convention ?? 'devkit') === 'devkit';
  const { width, height } = annotation.size ?? {};
  let sizeOk = true;
  for (const [key, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      issues.add(
        'E_NON_POSITIVE_SIZE',
        'annotation',
        `size.${key}`,
        `expected a positive integer, got ${describeValue(value)}`,
      );
      sizeOk = false;
    }
  }
  if (typeof annotation.filename !== 'string' || annotation.filename === '') {
    issues.add('E_MISSING_FIELD', 'annotation', 'filename', 'missing filename');
  }
  (annotation.objects ?? []).forEach((object, i) => {
    const record = objectRecord(i, object.name);
    if (typeof object.name !== 'string' || object.name === '')
      issues.add('E_MISSING_FIELD', record, 'name', 'missing name');
    const b = object.bndbox;
    for (const key of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
      if (typeof b?.[key] !== 'number' || !Number.isFinite(b[key])) {
        issues.add(
          'E_TYPE',
          record,
          `bndbox.${key}`,
          `expected a finite number, got ${describeValue(b?.[key])}`,
        );
        return;
      }
    }
    const bad = devkit ? b.xmax < b.xmin || b.ymax < b.ymin : b.xmax <= b.xmin || b.ymax <= b.ymin;
    if (bad) {
      issues.add(
        'E_NON_POSITIVE_SIZE',
        record,
        'bndbox',
        `(${b.xmin}, ${b.ymin}, ${b.xmax}, ${b.ymax}) has non-positive width or height (${devkit ? 'devkit convention: xmax >= xmin' : 'continuous convention: xmax > xmin'})`,
      );
      return;
    }
    if (sizeOk) {
      const low = devkit ? 1 : 0;
      const over = Math.max(low - b.xmin, low - b.ymin, b.xmax - width!, b.ymax - height!);
      if (over > tolerance) {
        issues.add(
          'E_BOX_OUTSIDE_IMAGE',
          record,
          'bndbox',
          `(${b.xmin}, ${b.ymin}, ${b.xmax}, ${b.ymax}) reaches ${over} px outside the ${width}x${height} image (${devkit ? 'devkit convention: 1..width' : 'continuous convention: 0..width'}, tolerance ${tolerance} px)`,
        );
      }
    }
  });
  return issues.report();
}

/**
 * Writes a VOC annotation as XML in the devkit's layout (tab-indented, flags as 0 / 1).
 * Numbers are written as given; convert with `cocoToVoc` to get devkit integers.
 */
export function stringifyVoc(annotation: VocAnnotation): string {
  const leaf = (name: string, value: string | number | boolean): XmlNode => ({
    name,
    text: typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
  });
  const children: XmlNode[] = [];
  if (annotation.folder !== undefined) children.push(leaf('folder', annotation.folder));
  children.push(leaf('filename', annotation.filename));
  if (annotation.path !== undefined) children.push(leaf('path', annotation.path));
  if (annotation.source) {
    const source = annotation.source;
    const parts = (['database', 'annotation', 'image'] as const)
      .filter((k) => source[k] !== undefined)
      .map((k) => leaf(k, source[k]!));
    if (parts.length > 0) children.push({ name: 'source', children: parts });
  }
  const size = [leaf('width', annotation.size.width), leaf('height', annotation.size.height)];
  if (annotation.size.depth !== undefined) size.push(leaf('depth', annotation.size.depth));
  children.push({ name: 'size', children: size });
  if (annotation.segmented !== undefined) children.push(leaf('segmented', annotation.segmented));
  for (const object of annotation.objects) {
    const parts: XmlNode[] = [leaf('name', object.name)];
    if (object.pose !== undefined) parts.push(leaf('pose', object.pose));
    if (object.truncated !== undefined) parts.push(leaf('truncated', object.truncated));
    if (object.difficult !== undefined) parts.push(leaf('difficult', object.difficult));
    if (object.occluded !== undefined) parts.push(leaf('occluded', object.occluded));
    const b = object.bndbox;
    parts.push({
      name: 'bndbox',
      children: [
        leaf('xmin', b.xmin),
        leaf('ymin', b.ymin),
        leaf('xmax', b.xmax),
        leaf('ymax', b.ymax),
      ],
    });
    children.push({ name: 'object', children: parts });
  }
  return writeXml({ name: 'annotation', children });
}
