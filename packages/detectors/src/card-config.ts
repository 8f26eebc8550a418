/**
 * Validation of an architecture config (`card.architecture`). Each architecture's `config.ts`
 * reads its fields through a `ConfigReader`, so every mistake becomes a `ModelCardError`
 * naming the card and the field (`architecture.strides[1]`), and unknown fields — usually
 * typos — are refused instead of silently ignored.
 */
import { ModelCardError } from './errors.js';
import type { ModelCard } from './model-card.js';

/** Constraints on a number field. */
export interface NumberRule {
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly max?: number;
}

function describe(rule: NumberRule): string {
  const parts = [rule.integer ? 'an integer' : 'a number'];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  return parts.join(' ');
}

function fits(v: unknown, rule: NumberRule): v is number {
  return (
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.above === undefined || v > rule.above) &&
    (rule.max === undefined || v <= rule.max)
  );
}

/** Reads the fields of one config object; `path` prefixes field names in errors. */
export class ConfigReader {
  readonly source: string;
  readonly path: string;
  readonly raw: Readonly<Record<string, unknown>>;

  constructor(source: string, raw: unknown, path = 'architecture') {
    this.source = source;
    this.path = path;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ModelCardError(source, path, 'expected an object');
    }
    this.raw = raw as Record<string, unknown>;
  }

  /** A reader over `card.architecture`. */
  static of(card: ModelCard): ConfigReader {
    return new ConfigReader(card.id, card.architecture);
  }

  /** Throws `ModelCardError` for `field`. */
  fail(field: string, problem: string): never {
    throw new ModelCardError(this.source, this.field(field), problem);
  }

  field(name: string): string {
    return name === '' ? this.path : `${this.path}.${name}`;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  /** Refuses fields not in `known` (plus `type`). */
  only(known: readonly string[]): this {
    for (const key of Object.keys(this.raw)) {
      if (key !== 'type' && !known.includes(key)) {
        this.fail(key, `unknown field; known fields: ${known.join(', ') || '(none)'}`);
      }
    }
    return this;
  }

  number(name: string, fallback: number, rule: NumberRule = {}): number {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    if (!fits(v, rule)) this.fail(name, `expected ${describe(rule)}, got ${JSON.stringify(v)}`);
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(name, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: undefined): T | undefined;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      this.fail(
        name,
        `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`,
      );
    }
    return v as T;
  }

  string(name: string, fallback: string): string;
  string(name: string, fallback?: undefined): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '')
      this.fail(name, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An output reference: a name, a position, or a list of names to try. */
  outputRef(name: string): string | number | readonly string[] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) {
      return v as string[];
    }
    this.fail(
      name,
      `expected an output name, an output position, or a list of names, got ${JSON.stringify(v)}`,
    );
  }

  /** A list of output names (one per level), or undefined. */
  stringList(name: string): readonly string[] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) {
      this.fail(name, `expected a non-empty list of strings, got ${JSON.stringify(v)}`);
    }
    return v as string[];
  }

  numberList(name: string, rule: NumberRule = {}, length?: number): number[] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || (length !== undefined && v.length !== length)) {
      this.fail(
        name,
        `expected a list of ${length ?? 'one or more'} numbers, got ${JSON.stringify(v)}`,
      );
    }
    v.forEach((x, i) => {
      if (!fits(x, rule))
        this.fail(`${name}[${i}]`, `expected ${describe(rule)}, got ${JSON.stringify(x)}`);
    });
    return v as number[];
  }

  /** A list of number lists, e.g. anchor sizes per level. */
  numberLists(name: string, rule: NumberRule = {}, length?: number): number[][] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || (length !== undefined && v.length !== length)) {
      this.fail(
        name,
        `expected ${length ?? 'one or more'} lists of numbers, got ${JSON.stringify(v)}`,
      );
    }
    return v.map((inner, i) => {
      if (!Array.isArray(inner))
        this.fail(`${name}[${i}]`, `expected a list of numbers, got ${JSON.stringify(inner)}`);
      inner.forEach((x, j) => {
        if (!fits(x, rule))
          this.fail(`${name}[${i}][${j}]`, `expected ${describe(rule)}, got ${JSON.stringify(x)}`);
      });
      return inner as number[];
    });
  }

  /** `[[height, width], …]` feature-map sizes. */
  sizes(name: string): { height: number; width: number }[] | undefined {
    const lists = this.numberLists(name, { integer: true, min: 1 });
    return lists?.map((l, i) => {
      if (l.length !== 2)
        this.fail(`${name}[${i}]`, `expected [height, width], got ${JSON.stringify(l)}`);
      return { height: l[0]!, width: l[1]! };
    });
  }

  /** A nested object field, read with its own reader. */
  object(name: string): ConfigReader | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    return new ConfigReader(this.source, v, this.field(name));
  }
}
