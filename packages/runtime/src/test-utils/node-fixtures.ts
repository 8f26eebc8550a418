/** Node-side fixture loading for the runtime's tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, type TinyReference, float32FromBytes } from './fixtures.js';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__');

export function fixturePath(name: string): string {
  return join(FIXTURE_DIR, name);
}

export function fixtureBytes(name: string): Uint8Array {
  const b = readFileSync(fixturePath(name));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function tinyReference(): TinyReference & { features: Float32Array; logits: Float32Array } {
  const ref = JSON.parse(readFileSync(fixturePath(FIXTURES.reference), 'utf8')) as TinyReference;
  return {
    ...ref,
    features: float32FromBytes(fixtureBytes(FIXTURES.features)),
    logits: float32FromBytes(fixtureBytes(FIXTURES.logits)),
  };
}
