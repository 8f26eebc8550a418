/**
 * The models manifest (`models/index.json`) the app reads at start-up: which model cards are
 * served, which is the default per task, and the sample scenes. Written by the Vite plugin
 * (`plugin/models.ts`) from the repository's `models/` folder; plain JSON.
 */

/** What a card does: boxes, a class per pixel, or boxes with masks. */
export type ModelTask = 'detect' | 'segment' | 'instance-segment';

/** The two groups the UI (and `models/defaults.json`) distinguishes. */
export type TaskGroup = 'detect' | 'segment';

/** One servable model card. */
export interface ManifestModel {
  /** The card's folder name (as `ocelot` uses it). */
  readonly id: string;
  /** Human-readable name (`card.name`, else the id). */
  readonly name: string;
  readonly task: ModelTask;
  /** The card's URL relative to the app's base (`models/<id>/model.json`). */
  readonly cardUrl: string;
  /** Total bytes of the card's files. */
  readonly bytes: number;
  /** Class names when the card lists them. */
  readonly labels?: readonly string[];
  /** Default score threshold of the card, when it has one. */
  readonly scoreThreshold?: number;
  /**
   * A package test fixture with random weights, served only because models/ has no usable
   * model of this task group yet: the pipeline is real, the detections mean nothing.
   */
  readonly fixture: boolean;
  /** Where the card came from, relative to the repository (for people, not for fetching). */
  readonly source: string;
}

/** A sample scene. */
export interface ManifestSample {
  readonly name: string;
  /** URL relative to the app's base (`samples/<file>`). */
  readonly url: string;
}

/** `models/index.json`. */
export interface Manifest {
  readonly models: readonly ManifestModel[];
  /** Model id per task group: `models/defaults.json`'s choice when it is served, else the first. */
  readonly defaults: { readonly detect?: string; readonly segment?: string };
  readonly samples: readonly ManifestSample[];
  /** Cards that were skipped and why (missing files, invalid card), for the page to show. */
  readonly skipped: readonly { readonly source: string; readonly reason: string }[];
}

/** The task group of a card task. */
export function taskGroup(task: ModelTask): TaskGroup {
  return task === 'detect' ? 'detect' : 'segment';
}

/**
 * The default model of a task group: the manifest's `defaults` entry when that model is listed,
 * else the first non-fixture model of the group, else the first fixture.
 */
export function defaultModel(manifest: Manifest, group: TaskGroup): ManifestModel | undefined {
  return pickDefault(manifest.models, group, manifest.defaults[group]);
}

function pickDefault(
  models: readonly ManifestModel[],
  group: TaskGroup,
  wanted: string | undefined,
): ManifestModel | undefined {
  const inGroup = models.filter((m) => taskGroup(m.task) === group);
  return inGroup.find((m) => m.id === wanted) ?? inGroup.find((m) => !m.fixture) ?? inGroup[0];
}

/**
 * Picks the models shown by default and the default per group from `defaults.json`'s choices
 * (which may name models that are not served yet).
 */
export function resolveDefaults(
  models: readonly ManifestModel[],
  wanted: { readonly detect?: string | undefined; readonly segment?: string | undefined },
): Manifest['defaults'] {
  const out: { detect?: string; segment?: string } = {};
  for (const group of ['detect', 'segment'] as const) {
    const m = pickDefault(models, group, wanted[group]);
    if (m) out[group] = m.id;
  }
  return out;
}
