/**
 * Test helpers for the classic-road models committed under models/classic-shapes-* (trained by
 * tooling/python/train/classic_*.py): build a detector from its card, and held-out synthetic
 * scenes (the classic_scenes.ts test split, seed 103) with their ground truth.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveSeed, generateScene, type SyntheticScene } from '@ocelot/datasets';
import type { Detector } from '../../detector.js';
import { parseModelCard } from '../../model-card.js';
import { buildDetector, createDetectorRegistry } from '../../registry.js';
import { registerBuiltins } from '../../builtins.js';
import type { Detections } from '../../types.js';

export const MODELS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', 'models');

export function modelDir(kind: string): string {
  return join(MODELS, `classic-shapes-${kind}`);
}

export async function loadClassic<D extends Detector = Detector>(
  kind: string,
  architecture: Record<string, unknown> = {},
): Promise<D> {
  const dir = modelDir(kind);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  json.architecture = { ...json.architecture, ...architecture };
  const card = parseModelCard(json, dir);
  return (await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
    base: dir,
    session: { executionProviders: ['cpu'], threads: 1 },
  })) as D;
}

/** Scene i of the held-out test split. */
export function testScene(i: number): SyntheticScene {
  return generateScene(deriveSeed(103, i), { width: 256, height: 256 });
}

/** Objects found: same class and IoU ≥ 0.5 with some detection. */
export function objectsFound(scene: SyntheticScene, d: Detections): number {
  let found = 0;
  for (const o of scene.objects) {
    const [x, y, w, h] = o.bbox;
    for (let k = 0; k < d.labels.length; k++) {
      if (d.labels[k] !== o.categoryId - 1) continue;
      const b = d.boxes.subarray(4 * k, 4 * k + 4);
      const iw = Math.min(x! + w!, b[2]!) - Math.max(x!, b[0]!);
      const ih = Math.min(y! + h!, b[3]!) - Math.max(y!, b[1]!);
      if (iw <= 0 || ih <= 0) continue;
      const inter = iw * ih;
      if (inter / (w! * h! + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter) >= 0.5) {
        found++;
        break;
      }
    }
  }
  return found;
}
