/**
 * Turns command-line inputs — image files, folders and glob patterns — into a list of image
 * files, without a glob dependency. Globs support `*`, `?`, `[abc]` / `[!abc]`, `{a,b}` and
 * `**` (any depth); like a shell, `*` does not match a leading dot.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { OcelotError } from '@ocelot/core';

/** File extensions taken from folders and globs (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.avif',
  '.tif',
  '.tiff',
  '.gif',
];

/** An input path, folder or pattern matched no image (exit 1). */
export class InputNotFoundError extends OcelotError {
  readonly input: string;
  constructor(input: string, message: string) {
    super('E_INPUT_NOT_FOUND', `${input}: ${message}`);
    this.input = input;
  }
}

/** One image to process. */
export interface ImageSource {
  /** Absolute path. */
  readonly path: string;
  /** How messages name it: as given, or relative to the working directory. */
  readonly display: string;
}

function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

function hasMagic(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** Regex source of one glob path segment. */
function segmentRegex(segment: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '\\' && i + 1 < segment.length) {
      out += segment[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (ch === '*') {
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '{') {
      braces++;
      out += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (ch === ',' && braces > 0) {
      out += '|';
    } else {
      out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

function listDir(dir: string): { name: string; isDir: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => {
      let isDir = d.isDirectory();
      if (d.isSymbolicLink()) {
        try {
          isDir = statSync(join(dir, d.name)).isDirectory();
        } catch {
          isDir = false;
        }
      }
      return { name: d.name, isDir };
    });
  } catch {
    return [];
  }
}

/** Files under `dir` matching the glob `segments`. */
function walk(dir: string, segments: readonly string[], out: string[]): void {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**') {
    if (rest.length === 0) {
      // a trailing ** matches every file below (hidden ones aside)
      for (const entry of listDir(dir)) {
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        if (entry.isDir) walk(path, segments, out);
        else out.push(path);
      }
      return;
    }
    // zero directories …
    walk(dir, rest, out);
    // … or one more, keeping the ** (hidden folders are skipped, as shells do)
    for (const entry of listDir(dir)) {
      if (entry.isDir && !entry.name.startsWith('.')) walk(join(dir, entry.name), segments, out);
    }
    return;
  }
  if (!hasMagic(head)) {
    const next = join(dir, head.replace(/\\(.)/g, '$1'));
    if (rest.length === 0) {
      if (isFile(next)) out.push(next);
    } else {
      walk(next, rest, out);
    }
    return;
  }
  const re = segmentRegex(head);
  for (const entry of listDir(dir)) {
    if (entry.name.startsWith('.') && !head.startsWith('.')) continue;
    if (!re.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (rest.length === 0) {
      if (!entry.isDir) out.push(path);
    } else if (entry.isDir) {
      walk(path, rest, out);
    }
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Files matching a glob pattern, sorted.
 * @param pattern e.g. `photos/**\/*.{jpg,png}`; relative patterns are resolved against `cwd`
 */
export function globFiles(pattern: string, cwd: string): string[] {
  const normalised = pattern.split(sep).join('/');
  const absolute = isAbsolute(pattern);
  const segments = normalised.split('/').filter((s, i) => s !== '' || (i === 0 && absolute));
  let base = absolute ? '/' : cwd;
  if (absolute && segments[0] === '') segments.shift();
  while (segments.length > 1 && !hasMagic(segments[0]!)) base = join(base, segments.shift()!);
  const out: string[] = [];
  walk(base, segments, out);
  return [...new Set(out)].sort();
}

/** Image files directly inside `dir`, sorted by name. */
function imagesInDir(dir: string): string[] {
  return listDir(dir)
    .filter((e) => !e.isDir && !e.name.startsWith('.') && isImageName(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * Expands the command line's inputs to image files, in the order given (folder contents and
 * glob matches sorted by name), without duplicates.
 * @param inputs files, folders (their images, not recursive) and glob patterns
 * @param resolvePath resolves a relative path against the working directory
 * @param cwd the working directory (for globs and display names)
 * @throws InputNotFoundError naming the input that is missing, is a folder without images, or
 *   is a pattern that matched no image
 */
export function expandInputs(
  inputs: readonly string[],
  resolvePath: (path: string) => string,
  cwd: string,
): ImageSource[] {
  const seen = new Set<string>();
  const out: ImageSource[] = [];
  const add = (path: string, display: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, display });
  };
  const displayOf = (path: string) => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  for (const input of inputs) {
    const path = resolvePath(input);
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(path);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const files = imagesInDir(path);
      if (files.length === 0) {
        throw new InputNotFoundError(
          input,
          `folder has no images (looked for ${IMAGE_EXTENSIONS.join(' ')})`,
        );
      }
      for (const f of files) add(f, displayOf(f));
    } else if (stat) {
      add(path, input);
    } else if (hasMagic(input)) {
      const files = globFiles(input, cwd).filter(isImageName);
      if (files.length === 0) throw new InputNotFoundError(input, 'pattern matched no images');
      for (const f of files) add(f, displayOf(f));
    } else {
      throw new InputNotFoundError(input, 'no such file or folder');
    }
  }
  return out;
}
