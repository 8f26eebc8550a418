/**
 * Detections to draw, the shared box / label styling, and an SVG rendering of boxes with
 * their label text (Node composites it with sharp; a page can put it over an image).
 */
import { assertBoxes, InvalidArgumentError, ShapeMismatchError } from '@ocelot/core';
import { assertImageSide, assertRgb } from '../image.js';
import type { Rgb } from '../types.js';
import { colorFor } from './palette.js';
import type { MaskDrawOptions, MaskInput } from './raster.js';

/** What the draw functions take. Structurally compatible with a column-store detection result. */
export interface DrawableDetections {
  /** [N,4] xyxy in image pixels. */
  readonly boxes: Float32Array;
  /** [N] confidence, printed after the label. */
  readonly scores?: ArrayLike<number>;
  /** [N] class index: picks the colour and, with `classNames`, the text. */
  readonly labels?: ArrayLike<number>;
  /**
   * [N] name of each detection, as `Detections.labelNames` from @ocelot/detectors has it, so a
   * detector's result can be drawn as it is. Takes precedence over `classNames`.
   */
  readonly labelNames?: readonly string[];
  /** Class index → name (the model's label table), used with `labels` when `labelNames` is absent. */
  readonly classNames?: readonly string[];
  /** N instance masks at image size (binary, or floats compared with `maskThreshold`). */
  readonly masks?: readonly MaskInput[];
}

/** Box and label styling shared by Node and browser drawing. */
export interface BoxStyleOptions {
  /** Colour per class (by label) — or per box when there are no labels. Default Ultralytics' palette. */
  readonly colors?: readonly Rgb[];
  /** Box outline width in pixels. Default `max(2, round((W + H) / 2 · 0.003))` (Ultralytics). */
  readonly lineWidth?: number;
  /** Label font size in pixels. Default `max(11, 5·lineWidth)`. */
  readonly fontSize?: number;
  /** Font family list (SVG / canvas). Default `'DejaVu Sans, Liberation Sans, Arial, sans-serif'`. */
  readonly fontFamily?: string;
  /** Print `label score` above each box. Default `true`. */
  readonly showLabels?: boolean;
  /** Digits of the score. Default 2. */
  readonly scoreDigits?: number;
}

/** Options of `drawDetections` (Node and browser): box / label styling plus mask blending. */
export interface DrawDetectionsOptions
  extends BoxStyleOptions,
    Omit<MaskDrawOptions, 'colors' | 'labels'> {
  /** Draw boxes (and their labels). Default `true`; `false` draws only masks. */
  readonly boxes?: boolean;
}

/** Resolved styling for one image size. */
export interface BoxStyle {
  readonly lineWidth: number;
  readonly fontSize: number;
  readonly fontFamily: string;
  readonly showLabels: boolean;
  readonly scoreDigits: number;
}

export function resolveBoxStyle(width: number, height: number, options: BoxStyleOptions): BoxStyle {
  const lineWidth = options.lineWidth ?? Math.max(2, Math.round(((width + height) / 2) * 0.003));
  if (!(Number.isFinite(lineWidth) && lineWidth > 0)) {
    throw new InvalidArgumentError(
      'options.lineWidth',
      `expected a positive number, got ${lineWidth}`,
    );
  }
  const fontSize = options.fontSize ?? Math.max(11, 5 * lineWidth);
  if (!(Number.isFinite(fontSize) && fontSize > 0)) {
    throw new InvalidArgumentError(
      'options.fontSize',
      `expected a positive number, got ${fontSize}`,
    );
  }
  const scoreDigits = options.scoreDigits ?? 2;
  if (!Number.isInteger(scoreDigits) || scoreDigits < 0 || scoreDigits > 10) {
    throw new InvalidArgumentError(
      'options.scoreDigits',
      `expected an integer 0–10, got ${scoreDigits}`,
    );
  }
  return {
    lineWidth,
    fontSize,
    fontFamily: options.fontFamily ?? 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
    showLabels: options.showLabels ?? true,
    scoreDigits,
  };
}

/** Checks a detections object; returns N. */
export function checkDetections(detections: DrawableDetections): number {
  if (typeof detections !== 'object' || detections === null) {
    throw new InvalidArgumentError(
      'detections',
      'expected {boxes, scores?, labels?, labelNames?, classNames?, masks?}',
    );
  }
  const n = assertBoxes('detections.boxes', detections.boxes, { allowNegativeSize: true });
  for (const key of ['scores', 'labels'] as const) {
    const v = detections[key];
    if (v !== undefined && v.length !== n) {
      throw new ShapeMismatchError(`detections.${key}`, `[N=${n}]`, `[${v.length}]`);
    }
  }
  if (detections.masks !== undefined && detections.masks.length !== n) {
    throw new ShapeMismatchError(
      'detections.masks',
      `${n} masks (one per box)`,
      `${detections.masks.length}`,
    );
  }
  return n;
}

/** Colour of box i: by its label when there are labels, else by its index. */
export function boxColor(detections: DrawableDetections, i: number, colors?: readonly Rgb[]): Rgb {
  const key = detections.labels ? detections.labels[i]! : i;
  const c = colors ? colorFor(key, colors) : colorFor(key);
  assertRgb('options.colors', c);
  return c;
}

/** `"person 0.93"`, `"3 0.93"`, `"person"` or `""`. */
export function boxLabel(detections: DrawableDetections, i: number, scoreDigits: number): string {
  const parts: string[] = [];
  const name = detections.labelNames?.[i];
  if (name !== undefined) {
    parts.push(name);
  } else if (detections.labels) {
    const l = detections.labels[i]!;
    parts.push(detections.classNames?.[l] ?? String(l));
  }
  if (detections.scores) parts.push(detections.scores[i]!.toFixed(scoreDigits));
  return parts.join(' ');
}

/** Black or white, whichever reads better on `c` (ITU-R BT.601 luma). */
export function textColorOn(c: Rgb): Rgb {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 150 ? [0, 0, 0] : [255, 255, 255];
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const rgb = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

/**
 * Boxes and labels as an SVG document of `width × height`, transparent elsewhere. Box outlines
 * are centred on the box edges (`shape-rendering="crispEdges"`); each label sits on a filled
 * tab above its box (inside when the box touches the top). Label text is XML-escaped.
 */
export function detectionsSvg(
  width: number,
  height: number,
  detections: DrawableDetections,
  options: BoxStyleOptions = {},
): string {
  assertImageSide('width', width);
  assertImageSide('height', height);
  const n = checkDetections(detections);
  const style = resolveBoxStyle(width, height, options);
  const { lineWidth: lw, fontSize: fs } = style;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  const b = detections.boxes;
  for (let i = 0; i < n; i++) {
    const [x1, y1, x2, y2] = [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!];
    const color = boxColor(detections, i, options.colors);
    parts.push(
      `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${rgb(color)}" stroke-width="${lw}" shape-rendering="crispEdges"/>`,
    );
    const text = style.showLabels ? boxLabel(detections, i, style.scoreDigits) : '';
    if (text) {
      const tabH = Math.round(fs * 1.3);
      const tabW = Math.round(fs * 0.62 * text.length + fs * 0.6);
      const outside = y1 - lw / 2 - tabH >= 0;
      const tx = Math.min(Math.max(0, x1 - lw / 2), Math.max(0, width - tabW));
      const ty = outside ? y1 - lw / 2 - tabH : Math.max(0, y1 - lw / 2);
      parts.push(
        `<rect x="${tx}" y="${ty}" width="${tabW}" height="${tabH}" fill="${rgb(color)}" shape-rendering="crispEdges"/>`,
        `<text x="${tx + fs * 0.3}" y="${ty + tabH * 0.78}" font-family="${escapeXml(style.fontFamily)}" font-size="${fs}" fill="${rgb(textColorOn(color))}">${escapeXml(text)}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
