/**
 * Test helpers around the committed fixtures made by
 * tooling/python/fixtures/runtime_tiny_model.py. Pure (no Node built-ins) so browser page
 * scripts can use them too.
 */

/** File names in `src/__fixtures__/`. */
export const FIXTURES = {
  tiny: 'tiny.onnx',
  tinyDynamic: 'tiny_dynamic.onnx',
  unsupported: 'unsupported_op.onnx',
  reference: 'tiny_reference.json',
  features: 'tiny_features.bin',
  logits: 'tiny_logits.bin',
  metadataCases: 'ultralytics_metadata_cases.json',
} as const;

/** The reference input recipe: x[i] = fround(((i * 37) % 101) / 101 - 0.5). */
export function recipeInput(dims: readonly number[]): Float32Array {
  let n = 1;
  for (const d of dims) n *= d;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 37) % 101) / 101 - 0.5;
  return x;
}

/** Largest |a[i] - b[i]|; Infinity when the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Little-endian float32 file contents as a Float32Array (copying to align). */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  const copy = bytes.slice();
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

export interface TinyReference {
  generator: string;
  input: { name: string; dims: number[] };
  outputs: Record<string, { dims: number[]; file: string }>;
  dynamic: { inputDims: number[]; featuresDims: number[]; logits: number[] };
  metadata: Record<string, string>;
  opset: number;
}
