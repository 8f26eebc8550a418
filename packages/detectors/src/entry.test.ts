import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as detectors from './index.js';
import { loadDetector, loadModelCard } from './node.js';
import { fixturePath, loadFixture } from './test-utils/fixtures.js';
import { recipeImage } from './test-utils/recipe-image.js';

const srcDir = dirname(fileURLToPath(import.meta.url));

/** Every source file the main entry reaches through relative imports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '(\.\.?\/[^']+)\.js'/g))
      visit(resolve(dirname(file), `${m[1]}.ts`));
  };
  visit(entry);
  return [...seen];
}

describe('package entries', () => {
  it('the main entry reaches no Node built-ins (it runs in browsers); only node.ts does', () => {
    const files = reachable(join(srcDir, 'index.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .filter((f) => /from 'node:/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(srcDir, f));
    expect(offenders).toEqual([]);
    expect(files.map((f) => relative(srcDir, f))).not.toContain('node.ts');
  });

  it('registerBuiltins adds every architecture once', () => {
    const registry = detectors.registerBuiltins(detectors.createDetectorRegistry());
    const names = registry.names();
    expect(names).toEqual(
      expect.arrayContaining([
        'yolo-v1',
        'ultralytics',
        'yolox',
        'ssd',
        'ssdlite',
        'retinanet',
        'detr',
        'rt-detr',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(() => detectors.registerBuiltins(registry)).toThrow(/already registered/);
  });

  it('an unknown architecture rejects with the known names', async () => {
    const registry = detectors.registerBuiltins(detectors.createDetectorRegistry());
    const card = detectors.parseModelCard({
      id: 'x',
      task: 'detect',
      architecture: { type: 'yolo-v99' },
      files: { m: { path: 'm.onnx' } },
      input: { width: 8, height: 8, resize: 'stretch' },
      labels: ['a'],
    });
    await expect(detectors.buildDetector(registry, card)).rejects.toThrow(
      /unknown type "yolo-v99"; known: yolo-v1, ultralytics/,
    );
  });
});

describe('@ocelot/detectors/node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocelot-detectors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fx = loadFixture<{
    card: Record<string, unknown>;
    images: { width: number; height: number; seed: number; detections: { labels: number[] } }[];
  }>('ssd', 'ssd300_tiny');

  it('loadDetector reads model.json and resolves files next to it', async () => {
    const folder = join(dir, 'ssd-tiny');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    copyFileSync(fixturePath('ssd', 'ssd300_tiny.onnx'), join(folder, 'ssd300_tiny.onnx'));
    writeFileSync(join(folder, 'model.json'), JSON.stringify(fx.card));
    const detector = await loadDetector(join(folder, 'model.json'), {
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      const img = fx.images[0]!;
      const det = await detector.detect(recipeImage(img.width, img.height, img.seed));
      expect(Array.from(det.labels.subarray(0, 10))).toEqual(img.detections.labels.slice(0, 10));
    } finally {
      await detector.dispose();
    }
  });

  it('the README’s example card (examples/tiny-ssd) loads, its sha256 checked', async () => {
    const detector = await loadDetector(join(srcDir, '..', 'examples', 'tiny-ssd', 'model.json'), {
      session: { executionProviders: ['cpu'], threads: 1 },
    });
    try {
      const img = fx.images[0]!;
      const det = await detector.detect(recipeImage(img.width, img.height, img.seed), {
        maxDetections: 3,
      });
      expect(Array.from(det.labels)).toEqual(img.detections.labels.slice(0, 3));
    } finally {
      await detector.dispose();
    }
  });

  it('names the file on a missing card, bad JSON or a bad field', async () => {
    await expect(loadModelCard(join(dir, 'nope.json'))).rejects.toThrow(
      /nope.json: \(file\): not found/,
    );
    writeFileSync(join(dir, 'bad.json'), '{ "id": ');
    await expect(loadModelCard(join(dir, 'bad.json'))).rejects.toThrow(
      /bad.json: \(root\): not valid JSON/,
    );
    writeFileSync(
      join(dir, 'field.json'),
      JSON.stringify({ ...fx.card, input: { width: -3, height: 300, resize: 'stretch' } }),
    );
    await expect(loadModelCard(join(dir, 'field.json'))).rejects.toThrow(
      /field.json: input.width: expected a positive integer, got -3/,
    );
  });

  it('a missing model file rejects naming the file', async () => {
    writeFileSync(
      join(dir, 'missing-model.json'),
      JSON.stringify({ ...fx.card, files: { model: { path: 'gone.onnx' } } }),
    );
    await expect(loadDetector(join(dir, 'missing-model.json'))).rejects.toThrow(/gone.onnx/);
  });
});
