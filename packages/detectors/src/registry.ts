/**
 * The detector registry: architecture `type` → factory building a `Detector` from a model card.
 *
 * Contract (see `Registry` in @ocelot/core): names are unique, nothing registers on import,
 * `registerBuiltins(registry)` adds Ocelot's architectures, a plugin exports
 * `register(registry)`. A factory validates its own config and throws `ModelCardError` naming
 * the field.
 *
 * Typing: `DetectorConfigs` maps each `type` to its config. A plugin adds its type with
 * declaration merging:
 *
 * ```ts
 * declare module '@ocelot/detectors' {
 *   interface DetectorConfigs { nanodet: NanoDetConfig }
 * }
 * ```
 */
import { Registry } from '@ocelot/core';
import type { CreateSessionOptions, Session } from '@ocelot/runtime';
import { createSession } from '@ocelot/runtime';
import type { Detector } from './detector.js';
import { ModelCardError } from './errors.js';
import type { ModelCard } from './model-card.js';

/** Architecture configs by `type`; extended by each architecture and by plugins. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface DetectorConfigs {}

/** The serialisable config of any registered architecture. */
export type DetectorConfig = {
  [K in keyof DetectorConfigs & string]: { readonly type: K } & DetectorConfigs[K];
}[keyof DetectorConfigs & string];

/** What a factory gets to open the card's files. */
export interface BuildContext {
  /** Opens the card's file with this role as a session (sha256 checked). */
  loadSession(role: string): Promise<Session>;
}

/** Builds a detector for one architecture from a card whose `architecture.type` matches. */
export type DetectorFactory<C = unknown> = (
  card: ModelCard<{ readonly type: string } & C>,
  context: BuildContext,
) => Promise<Detector>;

type FactoryEntries = {
  [K in keyof DetectorConfigs & string]: DetectorFactory<DetectorConfigs[K]>;
} & Record<string, DetectorFactory<never>>;

/** A registry of detector factories. */
export type DetectorRegistry = Registry<FactoryEntries>;

/** An empty detector registry; add Ocelot's architectures with `registerBuiltins`. */
export function createDetectorRegistry(): DetectorRegistry {
  return new Registry<FactoryEntries>('detector');
}

/** Where a card's relative file paths are resolved from. */
export interface BuildOptions {
  /** Folder path or URL of the card; file paths in the card are relative to it. */
  readonly base?: string;
  /** Passed to every `createSession` (execution providers, threads, cache …). */
  readonly session?: CreateSessionOptions;
}

/** Resolves a card-relative file path against a folder path or URL. */
export function resolveModelPath(base: string | undefined, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || base === undefined) return path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) {
    return new URL(path, base.endsWith('/') ? base : `${base}/`).href;
  }
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** The default `BuildContext`: sessions through @ocelot/runtime's `createSession`. */
export function createBuildContext(card: ModelCard, options: BuildOptions = {}): BuildContext {
  return {
    loadSession(role) {
      const file = card.files[role];
      if (!file) {
        throw new ModelCardError(
          card.id,
          `files.${role}`,
          `missing; the architecture needs it (card has ${Object.keys(card.files).join(', ')})`,
        );
      }
      return createSession(resolveModelPath(options.base, file.path), {
        name: `${card.id}/${role}`,
        ...(file.sha256 !== undefined && { sha256: file.sha256 }),
        ...options.session,
      });
    },
  };
}

/**
 * Builds the detector a card describes with the factory registered for its architecture.
 * Every failure — an unknown `type`, a bad config, a missing file — rejects the promise.
 * @throws UnknownRegistryEntryError when no factory has that `type`; ModelCardError for a bad
 *   config; the runtime's ModelLoadError / ChecksumMismatchError for files
 */
export async function buildDetector(
  registry: DetectorRegistry,
  card: ModelCard,
  context: BuildContext | BuildOptions = {},
): Promise<Detector> {
  const factory = registry.get(card.architecture.type) as DetectorFactory<unknown>;
  const ctx = 'loadSession' in context ? context : createBuildContext(card, context);
  return await factory(card, ctx);
}
