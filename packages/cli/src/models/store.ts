/**
 * Where the CLI finds model cards. A models folder holds one sub-folder per model
 * (`<dir>/<id>/model.json` plus its files); the model id is the folder name. Folders are
 * searched in order — `--models-dir`, then `OCELOT_MODELS_DIR` (one or more folders separated
 * by the platform's path delimiter), then the user's folder (`~/.local/share/ocelot/models`),
 * then the repository's own `models/` — and the first
 * folder holding an id wins. `models/defaults.json` names the default detector, segmenter and
 * sample images (`ocelot demo`, `ocelot detect` without `--model`).
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OcelotError } from '@ocelot/core';
import { type ModelCard, type ModelFile, resolveModelPath } from '@ocelot/detectors';
import { loadModelCard } from '@ocelot/detectors/node';

/** The repository's `models/` folder, when the CLI runs from a checkout (src/ or dist/). */
export function bundledModelsDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../../../models/', import.meta.url));
  return isDirectory(dir) ? dir.replace(/[\\/]+$/, '') : undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The user's own models folder: `$XDG_DATA_HOME/ocelot/models`, else
 * `~/.local/share/ocelot/models` (undefined without HOME). `ocelot models import` writes there
 * by default.
 */
export function userModelsDir(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'ocelot', 'models');
  if (env.HOME) return join(env.HOME, '.local', 'share', 'ocelot', 'models');
  return undefined;
}

/** A model could not be found or a models folder is unusable (exit 1). */
export class ModelNotFoundError extends OcelotError {
  constructor(message: string) {
    super('E_MODEL_NOT_FOUND', message);
  }
}

/** One card found in a models folder. */
export interface ModelEntry {
  /** The folder name. */
  readonly id: string;
  /** The models folder it was found in. */
  readonly root: string;
  /** `<root>/<id>`. */
  readonly dir: string;
  /** `<root>/<id>/model.json`. */
  readonly cardPath: string;
  /** The validated card, or the error that stopped it from loading. */
  readonly card: ModelCard | undefined;
  readonly error: Error | undefined;
}

/** `models/defaults.json`: the models and images `ocelot demo` uses. */
export interface ModelDefaults {
  /** Model id of the default detector. */
  readonly detect?: string;
  /** Model id of the default segmenter. */
  readonly segment?: string;
  /** Sample images, relative to the models folder. */
  readonly samples?: readonly string[];
}

/** Options of {@link ModelStore}. */
export interface ModelStoreOptions {
  /** `--models-dir` values (searched first). */
  readonly dirs?: readonly string[];
  /** Environment (for `OCELOT_MODELS_DIR`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Search the repository's own models/ folder too. Default true. */
  readonly bundled?: boolean;
  /** Resolves relative paths (default: against the process's working directory). */
  readonly resolvePath?: (path: string) => string;
}

/** The ordered list of models folders and the cards in them. */
export class ModelStore {
  /** Existing folders, in search order, without duplicates. */
  readonly roots: readonly string[];
  /** Folders that were asked for (flag or env) but do not exist. */
  readonly missingRoots: readonly string[];

  constructor(options: ModelStoreOptions = {}) {
    const resolvePath = options.resolvePath ?? ((p: string) => resolve(p));
    const asked = [
      ...(options.dirs ?? []),
      ...(options.env?.OCELOT_MODELS_DIR ?? '').split(delimiter).filter((d) => d !== ''),
    ].map(resolvePath);
    const bundled = options.bundled === false ? undefined : bundledModelsDir();
    const roots: string[] = [];
    const missing: string[] = [];
    for (const dir of asked) {
      if (!isDirectory(dir)) missing.push(dir);
      else if (!roots.includes(dir)) roots.push(dir);
    }
    const user = options.env ? userModelsDir(options.env) : undefined;
    if (user !== undefined && isDirectory(user) && !roots.includes(user)) roots.push(user);
    if (bundled !== undefined && !roots.includes(bundled)) roots.push(bundled);
    this.roots = roots;
    this.missingRoots = missing;
  }

  /**
   * Every card in every folder, sorted by id. Cards may sit in sub-folders
   * (`models/zoo/<id>/model.json`); the first folder (and, within one, the first path in sorted
   * order) wins for an id.
   */
  async list(): Promise<ModelEntry[]> {
    const seen = new Map<string, ModelEntry>();
    for (const root of this.roots) {
      for (const cardPath of await findCards(root, 3)) {
        const id = basename(dirname(cardPath));
        if (seen.has(id)) continue;
        seen.set(id, await loadEntry(id, root, cardPath));
      }
    }
    return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The entry of model `id`, or undefined. */
  async find(id: string): Promise<ModelEntry | undefined> {
    if (!/^[^/\\]+$/.test(id) || id === '.' || id === '..') return undefined;
    for (const root of this.roots) {
      const direct = join(root, id, 'model.json');
      if (existsSync(direct)) return loadEntry(id, root, direct);
      for (const cardPath of await findCards(root, 3)) {
        if (basename(dirname(cardPath)) === id) return loadEntry(id, root, cardPath);
      }
    }
    return undefined;
  }

  /**
   * Resolves a `--model` value: a card file (`…/model.json` or any `.json`), a model folder,
   * or a model id.
   * @returns the card path
   * @throws ModelNotFoundError naming what was looked for and the known ids
   */
  async resolveCardPath(spec: string, resolvePath: (p: string) => string): Promise<string> {
    const path = resolvePath(spec);
    const looksLikePath = /[/\\]/.test(spec) || spec.endsWith('.json') || spec.startsWith('.');
    if (existsSync(path)) {
      if (isDirectory(path)) {
        const card = join(path, 'model.json');
        if (existsSync(card)) return card;
        if (looksLikePath) {
          throw new ModelNotFoundError(`${spec}: a folder without model.json (not a model folder)`);
        }
      } else {
        return path;
      }
    }
    if (looksLikePath) throw new ModelNotFoundError(`${spec}: no such model card`);
    const entry = await this.find(spec);
    if (entry) return entry.cardPath;
    const ids = (await this.list()).map((e) => e.id);
    const close = ids.filter((id) => id.includes(spec) || spec.includes(id));
    const known =
      ids.length === 0
        ? `no models found in ${this.describeRoots()}`
        : `known models: ${ids.join(', ')}`;
    throw new ModelNotFoundError(
      `unknown model '${spec}'${close.length > 0 ? ` (did you mean ${close.map((c) => `'${c}'`).join(' or ')}?)` : ''}; ${known}`,
    );
  }

  /** `models/defaults.json` from the first folder that has one (undefined when none does). */
  async defaults(): Promise<{ defaults: ModelDefaults; root: string } | undefined> {
    for (const root of this.roots) {
      const path = join(root, 'defaults.json');
      if (!existsSync(path)) continue;
      let json: unknown;
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        throw new OcelotError(
          'E_BAD_DEFAULTS',
          `${path}: not valid JSON: ${(error as Error).message}`,
        );
      }
      return { defaults: parseDefaults(json, path), root };
    }
    return undefined;
  }

  /**
   * The default model for `task`: `defaults.json`'s choice when that card loads and its files
   * are present, else the first such card (by id) of that task.
   */
  async defaultModel(task: 'detect' | 'segment'): Promise<ModelEntry | undefined> {
    const found = await this.defaults();
    const wanted = found?.defaults[task];
    if (wanted !== undefined) {
      const entry = await this.find(wanted);
      if (entry?.card && filesPresent(entry)) return entry;
    }
    const fits = (card: ModelCard) =>
      task === 'detect'
        ? card.task === 'detect'
        : card.task === 'segment' || card.task === 'instance-segment';
    return (await this.list()).find((e) => e.card !== undefined && fits(e.card) && filesPresent(e));
  }

  /** The folders searched, for messages. */
  describeRoots(): string {
    return this.roots.length > 0
      ? this.roots.join(', ')
      : '(no models folder: pass --models-dir or set OCELOT_MODELS_DIR)';
  }
}

/** `model.json` files under `root`, at most `depth` folders down, in sorted path order. */
async function findCards(root: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, level: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const folders = entries
      .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
      .map((d) => d.name)
      .filter((name) => name !== 'node_modules')
      .sort();
    for (const name of folders) {
      const sub = join(dir, name);
      const card = join(sub, 'model.json');
      if (existsSync(card)) out.push(card);
      else if (level < depth) await visit(sub, level + 1);
    }
  };
  await visit(root, 1);
  return out;
}

/**
 * True when a card says its file is supplied by the user (not shipped): `"userSupplied": true`
 * on the file or the card, or a `reproduce` text starting with "User-supplied".
 */
export function isUserSupplied(card: ModelCard, file?: ModelFile): boolean {
  const f = file as (ModelFile & { userSupplied?: unknown }) | undefined;
  const c = card as ModelCard & { userSupplied?: unknown };
  return (
    f?.userSupplied === true ||
    c.userSupplied === true ||
    (typeof card.reproduce === 'string' && /^\s*user[- ]supplied/i.test(card.reproduce))
  );
}

/** True when every file of the entry's card exists (URLs count as present). */
export function filesPresent(entry: ModelEntry): boolean {
  if (!entry.card) return false;
  return Object.values(entry.card.files).every(
    (f) =>
      /^[a-z][a-z0-9+.-]*:\/\//i.test(f.path) || existsSync(resolveModelPath(entry.dir, f.path)),
  );
}

async function loadEntry(id: string, root: string, cardPath: string): Promise<ModelEntry> {
  try {
    const card = await loadModelCard(cardPath);
    return { id, root, dir: dirname(cardPath), cardPath, card, error: undefined };
  } catch (error) {
    return { id, root, dir: dirname(cardPath), cardPath, card: undefined, error: error as Error };
  }
}

function parseDefaults(json: unknown, path: string): ModelDefaults {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OcelotError('E_BAD_DEFAULTS', `${path}: expected a JSON object`);
  }
  const record = json as Record<string, unknown>;
  for (const key of ['detect', 'segment'] as const) {
    const v = record[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new OcelotError('E_BAD_DEFAULTS', `${path}: ${key}: expected a model id`);
    }
  }
  const samples = record.samples;
  if (
    samples !== undefined &&
    (!Array.isArray(samples) || !samples.every((s) => typeof s === 'string' && s !== ''))
  ) {
    throw new OcelotError('E_BAD_DEFAULTS', `${path}: samples: expected a list of image paths`);
  }
  return record as ModelDefaults;
}
