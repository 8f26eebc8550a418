/**
 * @ocelot/detectors/node — file loading for Node: read a model card from disk and build its
 * detector with the card's files resolved relative to the card. The main entry stays free of
 * Node built-ins (it runs in browsers).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CreateSessionOptions } from '@ocelot/runtime';
import { registerBuiltins } from './builtins.js';
import type { Detector } from './detector.js';
import { ModelCardError } from './errors.js';
import { type ModelCard, parseModelCard } from './model-card.js';
import { buildDetector, createDetectorRegistry, type DetectorRegistry } from './registry.js';

/**
 * Reads and validates a model card (`model.json`).
 * @param path file path of the card
 * @throws ModelCardError naming the path: missing or unreadable file, invalid JSON, or a bad
 *   field (named)
 */
export async function loadModelCard(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelCardError(
      path,
      '(file)',
      code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelCardError(path, '(root)', `not valid JSON: ${(error as Error).message}`);
  }
  return parseModelCard(json, path);
}

/** Options of {@link loadDetector}. */
export interface LoadDetectorOptions {
  /** The registry to build with; default: a new registry with `registerBuiltins`. */
  readonly registry?: DetectorRegistry;
  /** Passed to every `createSession` (execution providers, threads, …). */
  readonly session?: CreateSessionOptions;
}

/**
 * Loads a model card from disk and builds its detector; the card's file paths are resolved
 * relative to the card's folder.
 * @example
 * const detector = await loadDetector('models/yolov8n/model.json');
 * const detections = await detector.detect(image);
 * @throws ModelCardError for the card, UnknownRegistryEntryError for an unknown architecture,
 *   the runtime's ModelLoadError / ChecksumMismatchError for the model files
 */
export async function loadDetector(
  cardPath: string,
  options: LoadDetectorOptions = {},
): Promise<Detector> {
  const card = await loadModelCard(cardPath);
  const registry = options.registry ?? registerBuiltins(createDetectorRegistry());
  return buildDetector(registry, card, {
    base: dirname(resolve(cardPath)),
    ...(options.session !== undefined && { session: options.session }),
  });
}
