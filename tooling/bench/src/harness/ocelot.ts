/**
 * Loads the Ocelot packages the way a user gets them: the built `dist/` JavaScript (this
 * package's tsconfig and the plain `tsx` run have no `@ocelot/source` condition). A row asks
 * for one export by name; until another engineer's function has landed (or while a package is
 * not built) the row prints "not yet available" with the reason instead of failing.
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const OCELOT_PACKAGES = ['@ocelot/core', '@ocelot/metrics', '@ocelot/image'] as const;
export type OcelotPackage = (typeof OCELOT_PACKAGES)[number];

export type CoreModule = typeof import('@ocelot/core');
export type MetricsModule = typeof import('@ocelot/metrics');

/**
 * The type of export `K` of a module when it exists, else `Fallback`: rows are typed against the
 * real signature as soon as it lands, and against the briefed one until then.
 */
export type ExportOr<M, K extends string, Fallback> = K extends keyof M ? M[K] : Fallback;

interface LoadedPackage {
  readonly name: OcelotPackage;
  readonly module?: Record<string, unknown>;
  readonly error?: string;
  /** Where it resolved from and whether dist is older than src. */
  readonly origin: string;
  readonly stale?: string;
}

const require = createRequire(import.meta.url);
const loaded = new Map<OcelotPackage, Promise<LoadedPackage>>();

function newestMtime(dir: string, skip: (name: string) => boolean): number {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (skip(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestMtime(path, skip) : statSync(path).mtimeMs,
    );
  }
  return newest;
}

async function load(name: OcelotPackage): Promise<LoadedPackage> {
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve(`${name}/package.json`));
  } catch (error) {
    return { name, origin: '?', error: `${name} is not installed: ${(error as Error).message}` };
  }
  const srcNewest = newestMtime(
    join(pkgDir, 'src'),
    (f) => f.includes('.test.') || f === '__fixtures__',
  );
  const distNewest = newestMtime(join(pkgDir, 'dist'), () => false);
  const origin = `${pkgDir}/dist`;
  if (distNewest === 0) {
    return {
      name,
      origin,
      error: `${name} has no dist/ (run the root \`pnpm bench\`, which builds first, or \`pnpm --filter ${name} build\`)`,
    };
  }
  const stale =
    srcNewest > distNewest
      ? `${name}: dist/ is older than src/ — the bench measures the old build (the root \`pnpm bench\` rebuilds first)`
      : undefined;
  try {
    const module = (await import(name)) as Record<string, unknown>;
    return stale ? { name, origin, module, stale } : { name, origin, module };
  } catch (error) {
    return { name, origin, error: `${name} failed to load: ${(error as Error).message}` };
  }
}

export function loadOcelotPackage(name: OcelotPackage): Promise<LoadedPackage> {
  let p = loaded.get(name);
  if (!p) {
    p = load(name);
    loaded.set(name, p);
  }
  return p;
}

/** An Ocelot export that is a function, or the reason it cannot be benchmarked yet. */
export type Lookup<F> = { readonly fn: F } | { readonly reason: string };

/** Finds function `exportName` in `pkg`'s built dist. */
export async function ocelotFunction<F>(
  pkg: OcelotPackage,
  exportName: string,
): Promise<Lookup<F>> {
  const p = await loadOcelotPackage(pkg);
  if (!p.module) return { reason: p.error ?? `${pkg} did not load` };
  const value = p.module[exportName];
  if (typeof value !== 'function') {
    const stale = p.stale
      ? ' (its dist/ is older than src/: rebuild, or run the root `pnpm bench`)'
      : '';
    return { reason: `${pkg} does not export ${exportName}() yet${stale} — not yet available` };
  }
  return { fn: value as F };
}

/** Warnings about stale builds, for the console and RESULTS.md. */
export async function ocelotBuildNotes(): Promise<string[]> {
  const notes: string[] = [];
  for (const name of OCELOT_PACKAGES) {
    const p = await loadOcelotPackage(name);
    if (p.stale) notes.push(p.stale);
    else if (p.error) notes.push(p.error);
  }
  return notes;
}
