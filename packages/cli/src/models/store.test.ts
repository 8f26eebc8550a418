import { cp, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, tempDir } from '../test-utils/cli.js';
import {
  bundledModelsDir,
  filesPresent,
  isUserSupplied,
  ModelStore,
  userModelsDir,
} from './store.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let a: string;
let b: string;
beforeAll(async () => {
  tmp = await tempDir();
  a = join(tmp.dir, 'a');
  b = join(tmp.dir, 'b');
  await cp(FIXTURE_MODELS, a, { recursive: true });
  await mkdir(join(b, 'zoo', 'const-detector'), { recursive: true });
  await writeFile(
    join(b, 'zoo', 'const-detector', 'model.json'),
    JSON.stringify({
      id: 'shadowed',
      task: 'detect',
      architecture: { type: 'x' },
      files: { m: { path: 'm.onnx' } },
      input: { resize: 'stretch' },
    }),
  );
  await mkdir(join(b, 'zoo', 'deep', 'er', 'est'), { recursive: true });
  await writeFile(join(b, 'zoo', 'deep', 'er', 'est', 'model.json'), '{}'); // too deep: not listed
  await mkdir(join(b, 'broken'), { recursive: true });
  await writeFile(join(b, 'broken', 'model.json'), '{ nope');
});
afterAll(async () => {
  await tmp.remove();
});

describe('ModelStore', () => {
  it('searches --models-dir, then OCELOT_MODELS_DIR entries, then the repository models/', () => {
    const store = new ModelStore({
      dirs: [a],
      env: { OCELOT_MODELS_DIR: [b, join(tmp.dir, 'missing')].join(delimiter) },
    });
    expect(store.roots.slice(0, 2)).toEqual([a, b]);
    expect(store.missingRoots).toEqual([join(tmp.dir, 'missing')]);
    const bundled = bundledModelsDir();
    if (bundled) expect(store.roots.at(-1)).toBe(bundled);
  });

  it('lists nested cards, the first folder winning for an id; invalid cards carry their error', async () => {
    const store = new ModelStore({ dirs: [a, b], bundled: false });
    const list = await store.list();
    expect(
      list.map((e) => [
        e.id,
        e.root === a ? 'a' : 'b',
        e.card?.id ?? e.error?.message.slice(0, 40),
      ]),
    ).toEqual([
      ['broken', 'b', expect.stringContaining('broken')],
      ['const-detector', 'a', 'const-detector'],
      ['const-yoloseg', 'a', 'const-yoloseg'],
      ['rgb-segmenter', 'a', 'rgb-segmenter'],
    ]);
    expect((await store.find('const-detector'))?.root).toBe(a);
    expect(await store.find('../etc')).toBeUndefined();
  });

  it('resolves ids, folders and card paths, and names unknown ones', async () => {
    const store = new ModelStore({ dirs: [a], bundled: false });
    const resolvePath = (p: string) => (p.startsWith('/') ? p : join(tmp.dir, p));
    expect(await store.resolveCardPath('rgb-segmenter', resolvePath)).toBe(
      join(a, 'rgb-segmenter', 'model.json'),
    );
    expect(await store.resolveCardPath('a/rgb-segmenter', resolvePath)).toBe(
      join(a, 'rgb-segmenter', 'model.json'),
    );
    expect(await store.resolveCardPath('a/rgb-segmenter/model.json', resolvePath)).toBe(
      join(a, 'rgb-segmenter', 'model.json'),
    );
    await expect(store.resolveCardPath('a', resolvePath)).rejects.toThrow('unknown model');
    await expect(store.resolveCardPath('./a', resolvePath)).rejects.toThrow(
      './a: a folder without model.json (not a model folder)',
    );
    await expect(store.resolveCardPath('segmenter', resolvePath)).rejects.toThrow(
      "unknown model 'segmenter' (did you mean 'rgb-segmenter'?); known models: const-detector, const-yoloseg, rgb-segmenter",
    );
    const none = new ModelStore({ bundled: false });
    await expect(none.resolveCardPath('x', resolvePath)).rejects.toThrow(
      "unknown model 'x'; no models found in (no models folder: pass --models-dir or set OCELOT_MODELS_DIR)",
    );
  });

  it('defaults.json picks the default models when their files are present, else the first of the task', async () => {
    const c = join(tmp.dir, 'c');
    await cp(a, c, { recursive: true });
    const store = new ModelStore({ dirs: [c], bundled: false });
    expect(await store.defaults()).toBeUndefined();
    expect((await store.defaultModel('detect'))?.id).toBe('const-detector');
    // the first of the task by id: instance segmenters count as segmenters
    expect((await store.defaultModel('segment'))?.id).toBe('const-yoloseg');
    await writeFile(
      join(c, 'defaults.json'),
      JSON.stringify({ detect: 'not-trained-yet', samples: ['s.png'] }),
    );
    expect((await store.defaults())?.defaults).toEqual({
      detect: 'not-trained-yet',
      samples: ['s.png'],
    });
    expect((await store.defaultModel('detect'))?.id).toBe('const-detector');
    await writeFile(join(c, 'defaults.json'), '{"detect": 3}');
    await expect(store.defaults()).rejects.toThrow(
      `${join(c, 'defaults.json')}: detect: expected a model id`,
    );
    await writeFile(join(c, 'defaults.json'), '[');
    await expect(store.defaults()).rejects.toThrow(/defaults\.json: not valid JSON/);
  });

  it('tells user-supplied files and present files', async () => {
    const store = new ModelStore({ dirs: [a, b], bundled: false });
    const fixture = (await store.find('const-detector'))!;
    expect(filesPresent(fixture)).toBe(true);
    const card = fixture.card!;
    expect(isUserSupplied(card)).toBe(false);
    expect(isUserSupplied({ ...card, reproduce: 'User-supplied file: the official export' })).toBe(
      true,
    );
    expect(isUserSupplied(card, { path: 'x.onnx', userSupplied: true } as never)).toBe(true);
    expect(userModelsDir({ HOME: '/home/u' })).toBe('/home/u/.local/share/ocelot/models');
    expect(userModelsDir({ HOME: '/home/u', XDG_DATA_HOME: '/data' })).toBe('/data/ocelot/models');
    expect(userModelsDir({})).toBeUndefined();
  });
});
