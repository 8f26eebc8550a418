import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONST_DETECTOR,
  FIXTURE_MODELS,
  FIXTURE_ONNX,
  ocelot,
  tempDir,
  writeImage,
} from '../test-utils/cli.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
let models: string;
beforeAll(async () => {
  tmp = await tempDir();
  dir = tmp.dir;
  models = join(dir, 'models');
  await cp(FIXTURE_MODELS, models, { recursive: true });
  // a nested card whose file the user supplies (absent)
  await mkdir(join(models, 'zoo', 'big-one'), { recursive: true });
  await writeFile(
    join(models, 'zoo', 'big-one', 'model.json'),
    JSON.stringify({
      id: 'big-one',
      task: 'detect',
      architecture: { type: 'yolox' },
      files: { model: { path: 'big.onnx', sha256: 'a'.repeat(64) } },
      input: { width: 416, height: 416, resize: 'letterbox' },
      labels: ['x'],
      reproduce: 'User-supplied file: export it yourself with the official tools.',
    }),
  );
  await writeImage(join(dir, 'img.png'), 64, 64);
}, 60_000);
afterAll(async () => {
  await tmp.remove();
});

const run = (args: string[], env: Record<string, string> = {}) => ocelot(args, { cwd: dir, env });

describe('ocelot models list / info', () => {
  it('lists cards (nested ones too) with task, architecture, input, classes and file state', async () => {
    const r = await run(['models', 'list', '--models-dir', 'models']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // (the repository's own models/ is listed too, after --models-dir)
    expect(lines[0]).toMatch(/^id +task +architecture +input +classes +files$/);
    expect(r.stdout).toMatch(/\nbig-one +detect +yolox +416×416 +1 +missing \(user-supplied\)\n/);
    expect(r.stdout).toMatch(/\nconst-detector +detect +ultralytics +64×64 +3 +ok\n/);
    expect(r.stdout).toMatch(/\nrgb-segmenter +segment +fcn +32×32 +4 +ok\n/);
    expect(r.stdout).toContain(`models folders: ${models}`);
  });

  it('--json, and OCELOT_MODELS_DIR', async () => {
    const r = await run(['models', 'list', '--json'], { OCELOT_MODELS_DIR: models });
    const json = JSON.parse(r.stdout);
    expect(json.roots[0]).toBe(models);
    expect(json.models.filter((m: { dir: string }) => m.dir.startsWith(models))).toEqual([
      expect.objectContaining({
        id: 'big-one',
        status: 'missing (user-supplied)',
        task: 'detect',
        classes: 1,
      }),
      expect.objectContaining({ id: 'const-detector', status: 'ok', architecture: 'ultralytics' }),
      expect.objectContaining({ id: 'const-yoloseg', status: 'ok', task: 'instance-segment' }),
      expect.objectContaining({
        id: 'rgb-segmenter',
        status: 'ok',
        task: 'segment',
        input: { width: 32, height: 32 },
      }),
    ]);
  });

  it('a folder given but missing is noted', async () => {
    const r = await run(['models', 'list', '--models-dir', 'nowhere']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`note: models folder ${join(dir, 'nowhere')} does not exist`);
  });

  it('info shows the card, its files and the ONNX signature', async () => {
    const r = await run(['models', 'info', 'const-detector', '--models-dir', 'models']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('const-detector — Constant detector (CLI test fixture)');
    expect(r.stdout).toContain('labelIds:      10, 20, 30');
    expect(r.stdout).toMatch(/ {2}model: model\.onnx \(2\.7 kB\) sha256 cf4b951c82d206ad…\n/);
    expect(r.stdout).toContain('    input  images float32 [1, 3, 64, 64]\n');
    expect(r.stdout).toContain('    output output0 float32 [1, 7, 84]\n');
    const json = JSON.parse((await run(['models', 'info', CONST_DETECTOR, '--json'])).stdout);
    expect(json.signatures.model.outputs[0]).toMatchObject({ name: 'output0', dims: [1, 7, 84] });
    expect(json.filesPresent).toEqual({ model: true });
  });

  it('info of an unknown id exits 1 with the known ids', async () => {
    const r = await run(['models', 'info', 'rgb', '--models-dir', 'models']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ocelot: error: unknown model 'rgb' \(did you mean 'rgb-segmenter'\?\); known models: /,
    );
    for (const id of ['big-one', 'const-detector', 'const-yoloseg'])
      expect(r.stderr).toContain(`${id}, `);
    expect(r.stderr).toContain(', rgb-segmenter');
  });
});

describe('ocelot models verify', () => {
  it('checks every file against its sha256; user-supplied absent files are not errors', async () => {
    const r = await run(['models', 'verify', '--models-dir', 'models', '--json']);
    expect(r.code).toBe(0);
    const files = JSON.parse(r.stdout).files.filter((f: { path: string }) =>
      f.path.startsWith('models/'),
    );
    expect(files.map((f: { model: string; status: string }) => [f.model, f.status])).toEqual([
      ['big-one', 'missing (user-supplied)'],
      ['const-detector', 'ok'],
      ['const-yoloseg', 'ok'],
      ['rgb-segmenter', 'ok'],
    ]);
  });

  it('exits 1 on a changed file, naming it and both digests', async () => {
    const copy = join(dir, 'changed');
    await cp(join(models, 'rgb-segmenter'), join(copy, 'rgb-segmenter'), { recursive: true });
    const onnx = join(copy, 'rgb-segmenter', 'model.onnx');
    const bytes = await readFile(onnx);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(onnx, bytes);
    const r = await run(['models', 'verify', 'rgb-segmenter', '--models-dir', 'changed']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^rgb-segmenter {2}changed\/rgb-segmenter\/model\.onnx {2}MISMATCH {2}sha256 [0-9a-f]{64}, the card says c40e692e/,
    );
    expect(r.stderr).toMatch(
      /^ocelot: error: changed\/rgb-segmenter\/model\.onnx: mismatch: sha256 /,
    );
  });

  it('exits 1 on a missing file that is not user-supplied, and on a size mismatch', async () => {
    const copy = join(dir, 'gone');
    await cp(join(models, 'const-detector'), join(copy, 'const-detector'), { recursive: true });
    const card = JSON.parse(await readFile(join(copy, 'const-detector', 'model.json'), 'utf8'));
    card.files.model.path = 'elsewhere.onnx';
    card.files.extra = { path: 'model.onnx', sha256: card.files.model.sha256, bytes: 1 };
    await writeFile(join(copy, 'const-detector', 'model.json'), JSON.stringify(card));
    const r = await run(['models', 'verify', 'const-detector', '--models-dir', 'gone']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'ocelot: error: gone/const-detector/elsewhere.onnx: missing: no such file\n',
    );
    expect(r.stderr).toContain(
      'ocelot: error: gone/const-detector/model.onnx: mismatch: size 2788 bytes, the card says 1\n',
    );
  });

  it('reports an invalid card naming it', async () => {
    const copy = join(dir, 'broken', 'x');
    await mkdir(copy, { recursive: true });
    await writeFile(join(copy, 'model.json'), '{ "id": "x" ');
    const r = await run(['models', 'verify', '--models-dir', 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ocelot: error: broken\/x\/model\.json: invalid card: /m);
  });
});

describe('ocelot models import', () => {
  it('infers an Ultralytics detector from its outputs and metadata; the imported card detects the same', async () => {
    const r = await run([
      'models',
      'import',
      join(CONST_DETECTOR, 'model.onnx'),
      '--id',
      'imported-det',
      '--models-dir',
      'user-models',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'architecture: Ultralytics v8 / YOLO11 detect (cx, cy, w, h, 3 class scores): output0 [1,7,84]',
    );
    expect(r.stdout).toMatch(/test run ok \(\d+ ms on a blank 64×64 image\)/);
    const card = JSON.parse(
      await readFile(join(dir, 'user-models', 'imported-det', 'model.json'), 'utf8'),
    );
    expect(card).toMatchObject({
      id: 'imported-det',
      task: 'detect',
      architecture: { type: 'ultralytics', head: 'v8', output: 'output0' },
      input: { name: 'images', width: 64, height: 64, resize: 'letterbox' },
      labels: ['circle', 'square', 'triangle'],
      files: { model: { path: 'model.onnx', bytes: 2788 } },
    });
    const original = await run(['detect', 'img.png', '-m', CONST_DETECTOR, '--json', '-q']);
    const imported = await run(['detect', 'img.png', '-m', 'imported-det', '--json', '-q'], {
      OCELOT_MODELS_DIR: join(dir, 'user-models'),
    });
    const boxes = (s: string) =>
      JSON.parse(s).results.map((x: { bbox: number[]; score: number }) => [x.bbox, x.score]);
    expect(boxes(imported.stdout)).toEqual(boxes(original.stdout));
    expect(
      (await run(['models', 'verify', 'imported-det', '--models-dir', 'user-models'])).code,
    ).toBe(0);
  });

  it('refuses to replace a model unless --force', async () => {
    const args = [
      'models',
      'import',
      join(CONST_DETECTOR, 'model.onnx'),
      '--id',
      'twice',
      '--models-dir',
      'user-models',
    ];
    expect((await run(args)).code).toBe(0);
    const again = await run(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("a model with id 'twice' exists; pass --force");
    expect((await run([...args, '--force'])).code).toBe(0);
  });

  it.each([
    [
      'end2end.onnx',
      'end-to-end detections (x1, y1, x2, y2, score, class): output0 [1,300,6]',
      { type: 'ultralytics', head: 'end2end' },
      0,
    ],
    [
      'yolox.onnx',
      'YOLOX (x, y, w, h, objectness, class scores per anchor point): output [1,84,7]',
      { type: 'yolox' },
      0,
    ],
    [
      'yolo_seg.onnx',
      'Ultralytics segment: output0 [1,38,84] and prototypes output1 [1,32,16,16]',
      { type: 'yolo-seg' },
      0,
    ],
  ])('%s → %s', async (file, reason, architecture, code) => {
    const r = await run([
      'models',
      'import',
      join(FIXTURE_ONNX, file),
      '--models-dir',
      'user-models',
      '--json',
    ]);
    const json = JSON.parse(r.stdout);
    expect(json.inferred).toBe(reason);
    expect(json.card.architecture).toMatchObject(architecture);
    expect(r.code).toBe(code);
    expect(json.check.ok).toBe(true);
  });

  it('yolox without names gets placeholder labels and says so; --labels names the classes', async () => {
    const r = await run([
      'models',
      'import',
      join(FIXTURE_ONNX, 'yolox.onnx'),
      '--id',
      'yx',
      '--models-dir',
      'user-models',
    ]);
    expect(r.stdout).toContain(
      'note: no class names in the model: labels are placeholders (class0, class1); pass --labels FILE',
    );
    expect(r.stdout).toContain('--arch ultralytics-v5');
    await writeFile(join(dir, 'names.txt'), 'cat\ndog\n');
    const named = await run([
      'models',
      'import',
      join(FIXTURE_ONNX, 'yolox.onnx'),
      '--id',
      'yx2',
      '--labels',
      'names.txt',
      '--models-dir',
      'user-models',
      '--json',
    ]);
    expect(JSON.parse(named.stdout).card.labels).toEqual(['cat', 'dog']);
    await writeFile(join(dir, 'three.txt'), 'a\nb\nc\n');
    const wrong = await run([
      'models',
      'import',
      join(FIXTURE_ONNX, 'yolox.onnx'),
      '--id',
      'yx3',
      '--labels',
      'three.txt',
      '--models-dir',
      'user-models',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--labels gives 3 class names but the outputs have 2 classes');
  });

  it('a forced architecture that does not fit fails its test run: exit 1, the card kept to edit', async () => {
    await writeFile(join(dir, 'one.txt'), 'thing\n');
    const args = [
      'models',
      'import',
      join(FIXTURE_ONNX, 'end2end.onnx'),
      '--arch',
      'yolox',
      '--id',
      'wrong',
    ];
    const r = await run([...args, '--labels', 'one.txt', '--models-dir', 'user-models']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test run FAILED: ');
    expect(r.stderr).toMatch(
      /^ocelot: error: .*user-models\/wrong\/model\.json: the imported model does not run: .*\(the card was written; fix it or import again with --arch\)\n$/,
    );
    // without --labels the names metadata (2 classes) contradicts the forced layout (1 class)
    const names = await run([...args, '--models-dir', 'user-models', '--force']);
    expect(names.code).toBe(1);
    expect(names.stderr).toContain(
      'the names metadata gives 2 class names but the outputs have 1 classes',
    );
  });

  it('says clearly when it cannot infer the architecture, and writes nothing', async () => {
    const r = await run([
      'models',
      'import',
      join(FIXTURE_ONNX, 'classifier.onnx'),
      '--models-dir',
      'user-models',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /classifier\.onnx: cannot infer the architecture \(no \[1, C, A\] \/ \[1, A, C\] detection output; outputs: logits \[1,10\]\)\. Pass --arch ultralytics\|/,
    );
    const list = await run(['models', 'list', '--models-dir', 'user-models']);
    expect(list.stdout).not.toContain('classifier');
  });

  it('names a missing or non-ONNX file', async () => {
    const missing = await run(['models', 'import', 'nope.onnx', '--models-dir', 'user-models']);
    expect(missing).toMatchObject({ code: 1, stderr: 'ocelot: error: nope.onnx: no such file\n' });
    await writeFile(join(dir, 'junk.onnx'), 'hello');
    const junk = await run(['models', 'import', 'junk.onnx', '--models-dir', 'user-models']);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/^ocelot: error: junk\.onnx: not a readable ONNX model: /);
  });

  it('needs a models folder', async () => {
    const r = await run(['models', 'import', join(FIXTURE_ONNX, 'yolox.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no models folder: pass --models-dir DIR or set OCELOT_MODELS_DIR');
  });
});
