import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectModels,
  defaultModelsDirs,
  FIXTURE_CARDS,
  REPO_MODELS_DIR,
  REPO_ROOT,
} from './models.js';

let root: string;
let first: string;
let second: string;

async function put(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
}

const card = (id: string, task: string, files: Record<string, unknown>, extra = {}) =>
  JSON.stringify({
    id,
    task,
    architecture: { type: 'x' },
    files,
    input: { resize: 'stretch' },
    ...extra,
  });

const bytesA = new Uint8Array([1, 2, 3, 4]);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ocelot-web-demo-models-'));
  first = join(root, 'first');
  second = join(root, 'second');
  // usable detector, card without sha256 → filled in
  await put(join(first, 'det-a', 'model.onnx'), bytesA);
  await put(
    join(first, 'det-a', 'model.json'),
    card(
      'det-a',
      'detect',
      { model: { path: 'model.onnx' } },
      { name: 'Detector A', labels: ['x'], defaults: { scoreThreshold: 0.4 } },
    ),
  );
  // file missing → skipped
  await put(
    join(first, 'det-b', 'model.json'),
    card('det-b', 'detect', { model: { path: 'gone.onnx' } }),
  );
  // not JSON → skipped
  await put(join(first, 'broken', 'model.json'), '{ nope');
  // remote file → skipped
  await put(
    join(first, 'remote', 'model.json'),
    card('remote', 'detect', { model: { path: 'https://example.com/m.onnx' } }),
  );
  // bad task → skipped
  await put(
    join(first, 'weird', 'model.json'),
    card('weird', 'classify', { model: { path: 'm.onnx' } }),
  );
  // three folders down, two roles whose files share a base name, one sha256 given
  await put(join(first, 'zoo', 'two', 'rcnn', 'a', 'head.onnx'), Uint8Array.of(9));
  await put(join(first, 'zoo', 'two', 'rcnn', 'b', 'head.onnx'), Uint8Array.of(8, 8));
  await put(
    join(first, 'zoo', 'two', 'rcnn', 'model.json'),
    card('rcnn', 'segment', {
      backbone: { path: 'a/head.onnx', sha256: 'f'.repeat(64) },
      boxHead: { path: 'b/head.onnx' },
    }),
  );
  // four folders down: not found (as `ocelot` does)
  await put(
    join(first, 'a', 'b', 'c', 'deep', 'model.json'),
    card('deep', 'detect', { model: { path: 'x' } }),
  );
  await put(join(first, 'samples', 'one.png'), Uint8Array.of(137, 80, 78, 71));
  await put(
    join(first, 'defaults.json'),
    JSON.stringify({
      detect: 'det-a',
      segment: 'not-here',
      samples: ['samples/one.png', 'samples/missing.png', 'defaults.json'],
    }),
  );
  // the same id in a later folder loses
  await put(join(second, 'det-a', 'other.onnx'), Uint8Array.of(7));
  await put(
    join(second, 'det-a', 'model.json'),
    card('det-a', 'detect', { model: { path: 'other.onnx' } }),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('collectModels', () => {
  it('serves usable cards with their files, rewriting paths and filling in sha256', async () => {
    const { manifest, files, origins } = await collectModels({
      modelsDirs: [first, second],
      fixtures: false,
    });
    expect(manifest.models.map((m) => m.id)).toEqual(['det-a', 'rcnn']);
    const a = manifest.models[0]!;
    expect(a).toMatchObject({
      name: 'Detector A',
      task: 'detect',
      cardUrl: 'models/det-a/model.json',
      bytes: 4,
      labels: ['x'],
      scoreThreshold: 0.4,
      fixture: false,
    });
    expect(files.get('models/det-a/model.onnx')).toEqual({
      kind: 'file',
      path: join(first, 'det-a', 'model.onnx'),
    });
    const served = files.get('models/det-a/model.json');
    expect(served?.kind).toBe('json');
    const rewritten = JSON.parse((served as { body: string }).body);
    expect(rewritten.files.model).toEqual({ path: 'model.onnx', sha256: sha(bytesA), bytes: 4 });
    expect(rewritten.labels).toEqual(['x']);
    expect(origins.get('det-a')?.baseDir).toBe(join(first, 'det-a'));

    const rcnn = JSON.parse((files.get('models/rcnn/model.json') as { body: string }).body);
    expect(rcnn.files.backbone).toMatchObject({
      path: 'backbone-head.onnx',
      sha256: 'f'.repeat(64),
    });
    expect(rcnn.files.boxHead).toMatchObject({ path: 'boxHead-head.onnx', bytes: 2 });
    expect(files.get('models/rcnn/boxHead-head.onnx')).toEqual({
      kind: 'file',
      path: join(first, 'zoo', 'two', 'rcnn', 'b', 'head.onnx'),
    });
  });

  it('says why cards were skipped', async () => {
    const { manifest } = await collectModels({ modelsDirs: [first], fixtures: false });
    const reasons = Object.fromEntries(
      manifest.skipped.map((s) => [s.source.split('/').slice(-2).join('/'), s.reason]),
    );
    expect(reasons['det-b/model.json']).toMatch(/files\.model: .*gone\.onnx is missing/);
    expect(reasons['broken/model.json']).toMatch(/cannot be read as JSON/);
    expect(reasons['remote/model.json']).toMatch(/is a URL; the demo serves local files only/);
    expect(reasons['weird/model.json']).toMatch(/task: expected one of/);
    expect(reasons['samples/missing.png']).toMatch(/missing/);
    expect(reasons['first/defaults.json']).toMatch(/not an image/);
    expect(manifest.models.some((m) => m.id === 'deep')).toBe(false);
  });

  it('lists the sample scenes and resolves the defaults', async () => {
    const { manifest, files } = await collectModels({ modelsDirs: [first], fixtures: false });
    expect(manifest.samples).toEqual([{ name: 'one.png', url: 'samples/one.png' }]);
    expect(files.get('samples/one.png')).toEqual({
      kind: 'file',
      path: join(first, 'samples', 'one.png'),
    });
    // defaults.json wants 'not-here' for segment: the first segment model stands in
    expect(manifest.defaults).toEqual({ detect: 'det-a', segment: 'rcnn' });
    const index = files.get('models/index.json') as { body: string };
    expect(JSON.parse(index.body)).toEqual(JSON.parse(JSON.stringify(manifest)));
  });

  it('adds a fixture for each task without a usable model', async () => {
    const { manifest, files } = await collectModels({ modelsDirs: [first] });
    const fixtures = manifest.models.filter((m) => m.fixture);
    // det-a covers detect, rcnn covers segment: only instance segmentation needs a stand-in
    expect(fixtures.map((m) => m.task)).toEqual(['instance-segment']);
    expect(fixtures[0]!.source).toBe(FIXTURE_CARDS['instance-segment'].path);
    expect(files.has(`models/${fixtures[0]!.id}/model.json`)).toBe(true);

    const empty = await collectModels({ modelsDirs: [join(root, 'nothing')] });
    expect(empty.manifest.models.map((m) => [m.task, m.fixture])).toEqual([
      ['detect', true],
      ['segment', true],
      ['instance-segment', true],
    ]);
    expect(empty.manifest.defaults).toEqual({
      detect: empty.manifest.models[0]!.id,
      segment: empty.manifest.models[1]!.id,
    });
    expect(empty.manifest.samples).toEqual([]);
    for (const m of empty.manifest.models) {
      const served = JSON.parse((empty.files.get(m.cardUrl) as { body: string }).body);
      for (const f of Object.values(served.files) as { path: string; sha256: string }[]) {
        expect(empty.files.get(`models/${m.id}/${f.path}`)?.kind).toBe('file');
        expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });
});

describe('defaultModelsDirs', () => {
  it('puts OCELOT_MODELS_DIR folders before the repository models/', () => {
    expect(defaultModelsDirs({})).toEqual([REPO_MODELS_DIR]);
    expect(defaultModelsDirs({ OCELOT_MODELS_DIR: ['/x', '', '/y'].join(delimiter) })).toEqual([
      '/x',
      '/y',
      REPO_MODELS_DIR,
    ]);
    expect(REPO_MODELS_DIR).toBe(join(REPO_ROOT, 'models'));
  });
});
