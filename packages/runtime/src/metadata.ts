/**
 * ONNX custom metadata helpers. Ultralytics' exporter stores `str(value)` of Python objects in
 * `metadata_props` — e.g. `names` is `"{0: 'person', 1: 'bicycle'}"` and `imgsz` is
 * `"[640, 640]"` — so reading them needs a parser for Python literals, not JSON.
 */
import { type ImageSize, InvalidArgumentError } from '@ocelot/core';

/** A parsed Python literal. Dicts become `Map`s (keys keep their Python types), tuples arrays. */
export type PythonValue = null | boolean | number | string | PythonValue[] | PythonDict;
/** A Python dict with its keys in insertion order. */
export type PythonDict = Map<string | number | boolean | null, PythonValue>;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

class LiteralParser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly argument: string,
  ) {}

  fail(what: string): never {
    throw new InvalidArgumentError(
      this.argument,
      `cannot parse Python literal ${JSON.stringify(this.text.length > 80 ? `${this.text.slice(0, 80)}…` : this.text)}: ${what} at offset ${this.pos}`,
      'E_INVALID_METADATA',
    );
  }

  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  eat(ch: string): boolean {
    this.ws();
    if (this.text[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  value(): PythonValue {
    this.ws();
    const ch = this.text[this.pos];
    if (ch === undefined) this.fail('unexpected end');
    if (ch === '{') return this.dict();
    if (ch === '[') return this.sequence('[', ']');
    if (ch === '(') return this.sequence('(', ')');
    if (ch === "'" || ch === '"') return this.string(ch);
    const word =
      /^(True|False|None|[-+]?(?:inf|nan)\b|[-+]?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))/.exec(
        this.text.slice(this.pos),
      );
    if (!word) this.fail(`unexpected character ${JSON.stringify(ch)}`);
    this.pos += word[0].length;
    const w = word[0];
    if (w === 'True') return true;
    if (w === 'False') return false;
    if (w === 'None') return null;
    if (/inf$/.test(w))
      return w.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (/nan$/.test(w)) return Number.NaN;
    return Number(w.replaceAll('_', ''));
  }

  dict(): PythonDict {
    this.pos++; // {
    const map: PythonDict = new Map();
    if (this.eat('}')) return map;
    for (;;) {
      const key = this.value();
      if (key !== null && typeof key === 'object') this.fail('unhashable dict key');
      if (!this.eat(':')) this.fail("expected ':'");
      map.set(key, this.value());
      if (this.eat(',')) {
        if (this.eat('}')) return map;
        continue;
      }
      if (this.eat('}')) return map;
      this.fail("expected ',' or '}'");
    }
  }

  sequence(open: string, close: string): PythonValue[] {
    this.pos++; // open
    const items: PythonValue[] = [];
    if (this.eat(close)) return items;
    for (;;) {
      items.push(this.value());
      if (this.eat(',')) {
        if (this.eat(close)) return items;
        continue;
      }
      if (this.eat(close)) return items;
      this.fail(`expected ',' or '${close}' after item ${items.length - 1} of '${open}'`);
    }
  }

  string(quote: string): string {
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.text[this.pos++];
      if (esc === undefined) this.fail('unterminated escape');
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) out += simple;
      else if (esc === 'x') out += this.hex(2);
      else if (esc === 'u') out += this.hex(4);
      else if (esc === 'U') out += this.hex(8);
      else if (/[0-7]/.test(esc)) {
        let digits = esc;
        while (digits.length < 3 && /[0-7]/.test(this.text[this.pos] ?? ''))
          digits += this.text[this.pos++];
        out += String.fromCodePoint(Number.parseInt(digits, 8));
      } else out += `\\${esc}`; // Python keeps unknown escapes verbatim.
    }
  }

  hex(n: number): string {
    const digits = this.text.slice(this.pos, this.pos + n);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== n) this.fail(`bad \\x/\\u escape`);
    this.pos += n;
    return String.fromCodePoint(Number.parseInt(digits, 16));
  }
}

/**
 * Parses the `str()`/`repr()` of a Python literal: dicts, lists, tuples, strings (single or
 * double quoted, with escapes), ints, floats, `True`/`False`/`None`.
 *
 * @param text e.g. `"{0: 'person', 1: 'bicycle'}"`
 * @param argument name used in errors, e.g. `"metadata.names"`
 * @returns dicts as `Map` (insertion order kept), lists and tuples as arrays
 * @throws InvalidArgumentError (code `E_INVALID_METADATA`) on anything else
 */
export function parsePythonLiteral(text: string, argument = 'text'): PythonValue {
  const p = new LiteralParser(text, argument);
  const v = p.value();
  p.ws();
  if (p.pos !== text.length) p.fail('trailing characters');
  return v;
}

/** Ultralytics' metadata, typed. Fields are absent when the model does not store them. */
export interface UltralyticsMetadata {
  /** Class names indexed by class id (Ultralytics ids are always 0…N-1). */
  readonly names?: readonly string[];
  /** Input size the model was exported for (`imgsz` is `[height, width]` or one int). */
  readonly imgsz?: ImageSize;
  /** Largest stride of the detection heads, in pixels. */
  readonly stride?: number;
  /** `'detect'`, `'segment'`, `'classify'`, `'pose'` or `'obb'`. */
  readonly task?: string;
  readonly batch?: number;
  /** Input channels (newer exports). */
  readonly channels?: number;
  /** Keypoint shape for pose models, e.g. `[17, 3]`. */
  readonly kptShape?: readonly number[];
  readonly description?: string;
  readonly author?: string;
  readonly version?: string;
  readonly date?: string;
  readonly license?: string;
}

function asInteger(argument: string, v: PythonValue): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InvalidArgumentError(
      argument,
      `expected an integer, got ${String(v)}`,
      'E_INVALID_METADATA',
    );
  }
  return v;
}

function parseNames(text: string): string[] {
  const v = parsePythonLiteral(text, 'metadata.names');
  if (Array.isArray(v)) {
    return v.map((name, i) => {
      if (typeof name !== 'string') {
        throw new InvalidArgumentError(
          'metadata.names',
          `entry ${i} is not a string`,
          'E_INVALID_METADATA',
        );
      }
      return name;
    });
  }
  if (!(v instanceof Map)) {
    throw new InvalidArgumentError(
      'metadata.names',
      'expected a dict of id: name',
      'E_INVALID_METADATA',
    );
  }
  const names: string[] = new Array(v.size);
  for (const [key, name] of v) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= v.size) {
      throw new InvalidArgumentError(
        'metadata.names',
        `class ids must be 0..${v.size - 1}, got key ${String(key)}`,
        'E_INVALID_METADATA',
      );
    }
    if (typeof name !== 'string') {
      throw new InvalidArgumentError(
        'metadata.names',
        `name of class ${key} is not a string`,
        'E_INVALID_METADATA',
      );
    }
    names[key] = name;
  }
  return names;
}

/**
 * Reads the values Ultralytics' ONNX exporter writes into `metadata_props`.
 *
 * @param metadata `session.metadata` (or `parseOnnxModel(bytes).metadata`)
 * @returns the typed subset present; unknown keys are ignored (they stay in `metadata`)
 * @throws InvalidArgumentError (code `E_INVALID_METADATA`) naming the key when a present value
 *   cannot be parsed — e.g. non-contiguous class ids or an `imgsz` that is not 1 or 2 ints
 */
export function parseUltralyticsMetadata(
  metadata: Readonly<Record<string, string>>,
): UltralyticsMetadata {
  const out: {
    -readonly [K in keyof UltralyticsMetadata]: UltralyticsMetadata[K];
  } = {};
  const text = (key: string): string | undefined =>
    Object.hasOwn(metadata, key) ? metadata[key] : undefined;
  const names = text('names');
  if (names !== undefined) out.names = parseNames(names);
  const imgsz = text('imgsz');
  if (imgsz !== undefined) {
    const v = parsePythonLiteral(imgsz, 'metadata.imgsz');
    const sides = Array.isArray(v) ? v : [v, v];
    if (sides.length === 1) sides.push(sides[0]!);
    if (sides.length !== 2) {
      throw new InvalidArgumentError(
        'metadata.imgsz',
        `expected [height, width], got ${imgsz}`,
        'E_INVALID_METADATA',
      );
    }
    out.imgsz = {
      height: asInteger('metadata.imgsz', sides[0]!),
      width: asInteger('metadata.imgsz', sides[1]!),
    };
  }
  const stride = text('stride');
  if (stride !== undefined)
    out.stride = asInteger('metadata.stride', parsePythonLiteral(stride, 'metadata.stride'));
  const batch = text('batch');
  if (batch !== undefined)
    out.batch = asInteger('metadata.batch', parsePythonLiteral(batch, 'metadata.batch'));
  const channels = text('channels');
  if (channels !== undefined) {
    out.channels = asInteger(
      'metadata.channels',
      parsePythonLiteral(channels, 'metadata.channels'),
    );
  }
  const kpt = text('kpt_shape');
  if (kpt !== undefined) {
    const v = parsePythonLiteral(kpt, 'metadata.kpt_shape');
    if (!Array.isArray(v)) {
      throw new InvalidArgumentError(
        'metadata.kpt_shape',
        `expected a list, got ${kpt}`,
        'E_INVALID_METADATA',
      );
    }
    out.kptShape = v.map((d) => asInteger('metadata.kpt_shape', d));
  }
  for (const key of ['task', 'description', 'author', 'version', 'date', 'license'] as const) {
    const v = text(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
