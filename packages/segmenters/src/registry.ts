/**
 * The segmenter registry: architecture `type` → factory building a `Segmenter` from a model card.
 *
 * Contract (see `Registry` in @ocelot/core): names are unique, nothing registers on import,
 * `registerBuiltins(registry)` adds Ocelot's architectures (`fcn`, `deeplabv3`, `lraspp`,
 * `unet`, `yolo-seg`, `mask-rcnn`), a plugin exports `register(registry)`. A factory validates
 * its own config and throws `ModelCardError` naming the field. Cards, `BuildContext` and
 * `BuildOptions` are @ocelot/detectors' — one card format for every model.
 *
 * Typing: `SegmenterConfigs` maps each `type` to its config. A plugin adds its type with
 * declaration merging:
 *
 * ```ts
 * declare module '@ocelot/segmenters' {
 *   interface SegmenterConfigs { segformer: SegFormerConfig }
 * }
 * ```
 */
import { Registry } from '@ocelot/core';
import {
  type BuildContext,
  type BuildOptions,
  createBuildContext,
  ModelCardError,
  type ModelCard,
} from '@ocelot/detectors';
import type { Segmenter } from './segmenter.js';

/** Architecture configs by `type`; extended by each architecture and by plugins. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface SegmenterConfigs {}

/** The serialisable config of any registered segmentation architecture. */
export type SegmenterConfig = {
  [K in keyof SegmenterConfigs & string]: { readonly type: K } & SegmenterConfigs[K];
}[keyof SegmenterConfigs & string];

/** Builds a segmenter for one architecture from a card whose `architecture.type` matches. */
export type SegmenterFactory<C = unknown, S extends Segmenter = Segmenter> = (
  card: ModelCard<{ readonly type: string } & C>,
  context: BuildContext,
) => Promise<S>;

type FactoryEntries = {
  [K in keyof SegmenterConfigs & string]: SegmenterFactory<SegmenterConfigs[K]>;
} & Record<string, SegmenterFactory<never>>;

/** A registry of segmenter factories. */
export type SegmenterRegistry = Registry<FactoryEntries>;

/** An empty segmenter registry; add Ocelot's architectures with `registerBuiltins`. */
export function createSegmenterRegistry(): SegmenterRegistry {
  return new Registry<FactoryEntries>('segmenter');
}

/**
 * Builds the segmenter a card describes with the factory registered for its architecture.
 * Every failure — an unknown `type`, a bad config, a missing file — rejects the promise.
 * @param context a `BuildContext`, or `BuildOptions` (`base` folder/URL of the card, session
 *   options) for the default one
 * @throws UnknownRegistryEntryError when no factory has that `type`; ModelCardError for a bad
 *   card; the runtime's ModelLoadError / ChecksumMismatchError for files
 */
export async function buildSegmenter(
  registry: SegmenterRegistry,
  card: ModelCard,
  context: BuildContext | BuildOptions = {},
): Promise<Segmenter> {
  const factory = registry.get(card.architecture.type) as SegmenterFactory<unknown>;
  const ctx = 'loadSession' in context ? context : createBuildContext(card, context);
  return await factory(card, ctx);
}

/**
 * Throws `ModelCardError` unless the card's `task` is the one the architecture performs
 * (`segment` for semantic, `instance-segment` for instance models).
 */
export function assertCardTask(card: ModelCard, task: 'segment' | 'instance-segment'): void {
  if (card.task !== task) {
    throw new ModelCardError(
      card.id,
      'task',
      `architecture "${card.architecture.type}" performs "${task}", the card says "${card.task}"`,
    );
  }
}
