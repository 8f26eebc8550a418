/**
 * A typed registry: one per kind of pluggable part (detector, segmenter, backbone, box coder,
 * anchor generator …).
 *
 * Contract:
 * - `register(name, entry)` adds an entry and throws `DuplicateRegistrationError` if the name is
 *   taken — plugins never silently replace built-ins (use `replace` to do it on purpose).
 * - `get(name)` returns the entry or throws `UnknownRegistryEntryError` listing known names.
 * - Nothing registers itself on import (packages stay `"sideEffects": false`); built-ins are
 *   added by each package's explicit `registerBuiltins(registry)`, and a plugin is a module that
 *   exports `register(registry)`.
 *
 * The `Entries` type parameter maps each name to its entry type, so `get('ssd')` is typed when
 * the name is known statically; plugins widen it with declaration merging on the owning
 * package's entry map.
 */
import { OcelotError } from './errors.js';

/** Thrown when a name is registered twice in one registry. */
export class DuplicateRegistrationError extends OcelotError {
  readonly kind: string;
  readonly entryName: string;
  constructor(kind: string, entryName: string) {
    super(
      'E_DUPLICATE_REGISTRATION',
      `${kind} registry: "${entryName}" is already registered (use replace() to override on purpose)`,
    );
    this.kind = kind;
    this.entryName = entryName;
  }
}

/** Thrown when looking up a name nobody registered. */
export class UnknownRegistryEntryError extends OcelotError {
  readonly kind: string;
  readonly entryName: string;
  readonly known: readonly string[];
  constructor(kind: string, entryName: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(', ') : '(none — did you call registerBuiltins?)';
    super('E_UNKNOWN_REGISTRY_ENTRY', `${kind} registry: unknown type "${entryName}"; known: ${list}`);
    this.kind = kind;
    this.entryName = entryName;
    this.known = known;
  }
}

export class Registry<Entries extends Record<string, unknown> = Record<string, unknown>> {
  /** What this registry holds, used in error messages (e.g. `"detector"`). */
  readonly kind: string;
  readonly #entries = new Map<string, unknown>();

  constructor(kind: string) {
    this.kind = kind;
  }

  /** Adds `entry` under `name`; throws `DuplicateRegistrationError` if taken. */
  register<K extends keyof Entries & string>(name: K, entry: Entries[K]): this {
    if (this.#entries.has(name)) throw new DuplicateRegistrationError(this.kind, name);
    this.#entries.set(name, entry);
    return this;
  }

  /** Adds or overrides `name` deliberately. */
  replace<K extends keyof Entries & string>(name: K, entry: Entries[K]): this {
    this.#entries.set(name, entry);
    return this;
  }

  /** The entry under `name`; throws `UnknownRegistryEntryError` if absent. */
  get<K extends keyof Entries & string>(name: K): Entries[K] {
    if (!this.#entries.has(name)) {
      throw new UnknownRegistryEntryError(this.kind, name, this.names());
    }
    return this.#entries.get(name) as Entries[K];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }
}
