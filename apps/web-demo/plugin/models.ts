/**
 * Which model cards and sample scenes the demo serves, and under which URLs. Runs in Node (the
 * Vite plugin, at dev/preview time and at build time) and deliberately imports no workspace
 * package: Vite loads its config with Node's default conditions, which would need every
 * package built. The browser validates each card fully with `parseModelCard` when it loads it.
 *
 * Layout of the served tree (relative to the app's base URL):
 *
 * ```
 * models/index.json            the manifest (src/shared/manifest.ts)
 * models/<id>/model.json       the card, file paths rewritten to sit next to it, sha256 filled in
 * models/<id>/<file>           the card's files
 * samples/<file>               the sample scenes of models/defaults.json
 * ```
 *
 * Cards are found the way `ocelot` finds them: `<dir>/<id>/model.json` up to three folders
 * deep in each models folder (`OCELOT_MODELS_DIR` folders first, then the repository's
 * `models/`), the first folder holding an id wins, and a card is served only when all its
 * files exist. When no usable model of a task (detection, semantic or instance segmentation)
 * exists, a package test fixture with random weights stands in, marked `fixture: true`, so
 * every path of the app works (and is tested) before trained models land.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import {
  basename,
  delimiter,
  dirname,
  extname,
  isAbsolute,
  join,
  relative,
  resolve,
} from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Manifest,
  type ManifestModel,
  type ManifestSample,
  type ModelTask,
  resolveDefaults,
} from '../src/shared/manifest.js';

/** The repository root (this file is apps/web-demo/plugin/models.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

/** The repository's models folder. */
export const REPO_MODELS_DIR = join(REPO_ROOT, 'models');

/**
 * Stand-ins used when models/ has no usable model of a task: the random-weight test models of
 * packages/detectors and packages/segmenters, with their cards.
 */
export const FIXTURE_CARDS: Readonly<
  Record<ModelTask, { readonly path: string; readonly key?: string }>
> = {
  // The runnable example's card for the tiny torchvision SSD300 (packages/detectors/examples).
  detect: { path: 'packages/detectors/examples/tiny-ssd/model.json' },
  // The torchvision FCN parity fixture carries its card in its "card" field.
  segment: { path: 'packages/segmenters/src/fcn/__fixtures__/fcn_tiny.json', key: 'card' },
  // The Ultralytics-layout YOLO-seg stub (names and imgsz come from its ONNX metadata).
  'instance-segment': {
    path: 'packages/segmenters/src/yolo-seg/__fixtures__/yolo_seg_tiny.json',
    key: 'card',
  },
};

/** A file the server sends: from disk, or generated JSON. */
export type ServedFile =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'json'; readonly body: string };

/** The manifest plus every URL path (relative to the base, no leading slash) it refers to. */
export interface CollectedModels {
  readonly manifest: Manifest;
  readonly files: ReadonlyMap<string, ServedFile>;
  /**
   * Per served model id: where its card came from, the card as written there and the folder
   * its file paths are relative to (what a Node pipeline needs to load the same model).
   */
  readonly origins: ReadonlyMap<string, ModelOrigin>;
}

/** Where a served model came from. */
export interface ModelOrigin {
  readonly cardPath: string;
  readonly baseDir: string;
  readonly card: Readonly<Record<string, unknown>>;
}

export interface CollectOptions {
  /** Models folders in search order. Default: `OCELOT_MODELS_DIR` folders, then the repository's. */
  readonly modelsDirs?: readonly string[];
  /** Add fixture stand-ins for tasks without a usable model. Default true. */
  readonly fixtures?: boolean;
}

/** The default models folders: `OCELOT_MODELS_DIR` (path-delimiter separated), then models/. */
export function defaultModelsDirs(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  const fromEnv = (env.OCELOT_MODELS_DIR ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .map((d) => resolve(d));
  return [...new Set([...fromEnv, REPO_MODELS_DIR])];
}

const TASKS: readonly ModelTask[] = ['detect', 'segment', 'instance-segment'];

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `model.json` files under `root`, at most `depth` folders down, sorted (as `ocelot` does). */
async function findCards(root: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, level: number): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true }))
        .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
        .map((d) => d.name)
        .filter((n) => n !== 'node_modules')
        .sort();
    } catch {
      return;
    }
    for (const name of names) {
      const sub = join(dir, name);
      const card = join(sub, 'model.json');
      if (existsSync(card)) out.push(card);
      else if (level < depth) await visit(sub, level + 1);
    }
  };
  await visit(root, 1);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const digestCache = new Map<string, { key: string; digest: string }>();

/** sha256 of a file, cached by path, size and mtime (dev servers re-collect on every request). */
async function sha256File(path: string): Promise<string> {
  const s = statSync(path);
  const key = `${s.size}:${s.mtimeMs}`;
  const hit = digestCache.get(path);
  if (hit?.key === key) return hit.digest;
  const hash = createHash('sha256');
  await new Promise<void>((ok, fail) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => ok())
      .on('error', fail);
  });
  const digest = hash.digest('hex');
  digestCache.set(path, { key, digest });
  return digest;
}

/** The part of a card the server checks; the browser validates the rest. */
interface CardHead {
  readonly task: ModelTask;
  readonly files: Record<string, { path: string } & Record<string, unknown>>;
}

function checkCardHead(card: unknown): CardHead | string {
  if (!isRecord(card)) return 'not a JSON object';
  if (!TASKS.includes(card.task as ModelTask)) {
    return `task: expected one of ${TASKS.join(', ')}, got ${JSON.stringify(card.task)}`;
  }
  if (!isRecord(card.files) || Object.keys(card.files).length === 0) return 'files: missing';
  for (const [role, f] of Object.entries(card.files)) {
    if (!isRecord(f) || typeof f.path !== 'string' || f.path === '') {
      return `files.${role}.path: missing`;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(f.path)) {
      return `files.${role}.path: ${f.path} is a URL; the demo serves local files only`;
    }
  }
  return card as unknown as CardHead;
}

interface Candidate {
  readonly id: string;
  readonly cardPath: string;
  /** Folder the card's file paths are relative to. */
  readonly baseDir: string;
  readonly card: Record<string, unknown>;
  readonly fixture: boolean;
}

async function readCard(path: string, key?: string): Promise<Record<string, unknown> | string> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    return `cannot be read as JSON (${(error as Error).message})`;
  }
  if (key !== undefined) json = isRecord(json) ? json[key] : undefined;
  return isRecord(json) ? json : 'not a JSON object';
}

function repoRelative(path: string): string {
  const r = relative(REPO_ROOT, path);
  return r.startsWith('..') || isAbsolute(r) ? path : r;
}

/**
 * Turns one card into a manifest entry and its served files, or a reason to skip it.
 * File names are the card's base names (prefixed with the role when two collide).
 */
async function serveCard(
  c: Candidate,
  files: Map<string, ServedFile>,
): Promise<ManifestModel | string> {
  const head = checkCardHead(c.card);
  if (typeof head === 'string') return head;
  const dir = `models/${c.id}`;
  const names = Object.values(head.files).map((f) => basename(f.path));
  const rewritten: Record<string, unknown> = {};
  const local: [string, string][] = [];
  let bytes = 0;
  for (const [role, f] of Object.entries(head.files)) {
    const path = resolve(c.baseDir, f.path);
    if (!existsSync(path)) return `files.${role}: ${repoRelative(path)} is missing`;
    const base = basename(f.path);
    const name = names.filter((n) => n === base).length > 1 ? `${role}-${base}` : base;
    const size = statSync(path).size;
    bytes += size;
    const sha256 = typeof f.sha256 === 'string' ? f.sha256 : await sha256File(path);
    rewritten[role] = { ...f, path: name, sha256, bytes: size };
    local.push([`${dir}/${name}`, path]);
  }
  const card = { ...c.card, files: rewritten };
  for (const [url, path] of local) files.set(url, { kind: 'file', path });
  files.set(`${dir}/model.json`, { kind: 'json', body: `${JSON.stringify(card, null, 2)}\n` });
  const defaults = isRecord(c.card.defaults) ? c.card.defaults : {};
  const labels = c.card.labels;
  return {
    id: c.id,
    name: typeof c.card.name === 'string' ? c.card.name : c.id,
    task: head.task,
    cardUrl: `${dir}/model.json`,
    bytes,
    ...(Array.isArray(labels) && labels.every((l) => typeof l === 'string')
      ? { labels: labels as string[] }
      : {}),
    ...(typeof defaults.scoreThreshold === 'number'
      ? { scoreThreshold: defaults.scoreThreshold }
      : {}),
    fixture: c.fixture,
    source: repoRelative(c.cardPath),
  };
}

async function readDefaults(
  dirs: readonly string[],
): Promise<{ detect?: string; segment?: string; samples: string[] }> {
  for (const dir of dirs) {
    const path = join(dir, 'defaults.json');
    if (!existsSync(path)) continue;
    const json = await readCard(path);
    if (typeof json === 'string') return { samples: [] };
    const out: { detect?: string; segment?: string; samples: string[] } = { samples: [] };
    if (typeof json.detect === 'string') out.detect = json.detect;
    if (typeof json.segment === 'string') out.segment = json.segment;
    if (Array.isArray(json.samples)) {
      out.samples = json.samples
        .filter((s): s is string => typeof s === 'string')
        .map((s) => resolve(dir, s));
    }
    return out;
  }
  return { samples: [] };
}

const SAMPLE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/**
 * Scans the models folders and returns the manifest and the files to serve.
 * Re-run it to pick up models that appeared since (the dev server does, per manifest request).
 */
export async function collectModels(options: CollectOptions = {}): Promise<CollectedModels> {
  const dirs = (options.modelsDirs ?? defaultModelsDirs()).filter(isDirectory);
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const skipped: { source: string; reason: string }[] = [];
  for (const root of dirs) {
    for (const cardPath of await findCards(root, 3)) {
      const id = basename(dirname(cardPath));
      if (seen.has(id)) continue;
      seen.add(id);
      const card = await readCard(cardPath);
      if (typeof card === 'string') skipped.push({ source: repoRelative(cardPath), reason: card });
      else candidates.push({ id, cardPath, baseDir: dirname(cardPath), card, fixture: false });
    }
  }

  const files = new Map<string, ServedFile>();
  const origins = new Map<string, ModelOrigin>();
  const models: ManifestModel[] = [];
  const add = async (c: Candidate): Promise<void> => {
    const entry = await serveCard(c, files);
    if (typeof entry === 'string') {
      skipped.push({ source: repoRelative(c.cardPath), reason: entry });
      return;
    }
    models.push(entry);
    origins.set(c.id, { cardPath: c.cardPath, baseDir: c.baseDir, card: c.card });
  };
  for (const c of candidates) await add(c);

  if (options.fixtures ?? true) {
    for (const task of TASKS) {
      if (models.some((m) => m.task === task)) continue;
      const spec = FIXTURE_CARDS[task];
      const cardPath = join(REPO_ROOT, spec.path);
      const card = await readCard(cardPath, spec.key);
      if (typeof card === 'string') {
        skipped.push({ source: spec.path, reason: card });
        continue;
      }
      const id = typeof card.id === 'string' && !seen.has(card.id) ? card.id : `fixture-${task}`;
      await add({ id, cardPath, baseDir: dirname(cardPath), card, fixture: true });
    }
  }

  const wanted = await readDefaults(dirs);
  const samples: ManifestSample[] = [];
  for (const path of wanted.samples) {
    if (!existsSync(path) || !SAMPLE_TYPES.has(extname(path).toLowerCase())) {
      skipped.push({ source: repoRelative(path), reason: 'sample image missing or not an image' });
      continue;
    }
    const name = basename(path);
    const url = `samples/${name}`;
    if (files.has(url)) continue;
    files.set(url, { kind: 'file', path });
    samples.push({ name, url });
  }

  const manifest: Manifest = {
    models,
    defaults: resolveDefaults(models, wanted),
    samples,
    skipped,
  };
  files.set('models/index.json', {
    kind: 'json',
    body: `${JSON.stringify(manifest, null, 2)}\n`,
  });
  return { manifest, files, origins };
}
