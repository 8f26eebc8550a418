/**
 * `ocelot demo` (root `pnpm demo`): the default detector and segmenter on the bundled sample
 * scenes, offline, writing annotated PNGs and JSON to ./ocelot-out/ and printing a summary.
 * Which models and images: `models/defaults.json` (`detect`, `segment`, `samples`), falling
 * back to the first detector / segmenter card whose files are present and to the images in
 * `models/samples/`; without any sample, a synthetic scene is generated.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OcelotError } from '@ocelot/core';
import { generateScene } from '@ocelot/datasets';
import { encodePng } from '@ocelot/image';
import { defineCommand } from '../command.js';
import { stylesFor } from '../io.js';
import { summaryLine } from '../inference/batch.js';
import { modelStore, providersFor, RUNTIME_OPTIONS, runtimeValues } from '../inference/options.js';
import type { ImageResult } from '../inference/process.js';
import { startRunner } from '../inference/runner.js';
import { expandInputs, IMAGE_EXTENSIONS } from '../inference/sources.js';
import { type ModelEntry, ModelStore } from '../models/store.js';

/**
 * The sample images: `samples` of defaults.json (relative to its folder) when they exist,
 * else the images in `<models folder>/samples/images/` or `<models folder>/samples/`.
 */
export async function sampleImages(store: ModelStore): Promise<string[]> {
  const found = await store.defaults();
  if (found?.defaults.samples) {
    const paths = found.defaults.samples
      .map((s) => join(found.root, s))
      .filter((p) => existsSync(p));
    if (paths.length > 0) return paths;
  }
  for (const root of store.roots) {
    for (const dir of [join(root, 'samples', 'images'), join(root, 'samples')]) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      const images = names
        .filter((n) => IMAGE_EXTENSIONS.some((e) => n.toLowerCase().endsWith(e)))
        .sort()
        .map((n) => join(dir, n));
      if (images.length > 0) return images;
    }
  }
  return [];
}

interface DemoPart {
  readonly task: 'detect' | 'segment';
  entry: ModelEntry | undefined;
  /** The entry is one of the CLI's test fixtures (no real model available). */
  fixture?: boolean;
}

/** The CLI's test fixture models, when running from a checkout (src/ or dist/). */
function fixtureStore(): ModelStore | undefined {
  const dir = fileURLToPath(new URL('../../src/__fixtures__/models/', import.meta.url));
  if (!existsSync(dir)) return undefined;
  return new ModelStore({ dirs: [dir], bundled: false });
}

export const demoCommand = defineCommand({
  path: ['demo'],
  summary: 'run the default detector and segmenter on the sample scenes (offline)',
  description: [
    'The main job of `pnpm demo`: runs the default detector and the default segmenter',
    '(models/defaults.json, else the first card of each task whose files are present) on the',
    'sample scenes (defaults.json "samples", else models/samples/), writes annotated PNGs,',
    'results.json and summary.json to OUT/detect and OUT/segment, and prints what was found.',
    'Give images to use your own. Nothing is downloaded.',
  ].join('\n'),
  positionals: [{ name: 'images', description: 'images instead of the samples', variadic: true }],
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'DIR',
      default: 'ocelot-out',
      description: 'output folder',
    },
    'models-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'a models folder searched first (also: OCELOT_MODELS_DIR)',
    },
    ...RUNTIME_OPTIONS,
  },
  examples: ['pnpm demo', 'ocelot demo my-photo.jpg --out demo-out'],
  async run(context) {
    const { values } = context;
    const { threads, imgsz } = runtimeValues(values);
    const cwd = context.io.cwd ?? process.cwd();
    const out = context.resolvePath(values.out);
    const store = modelStore(context, values['models-dir']);
    const shown = (p: string) => {
      const r = relative(cwd, p);
      return r === '' ? '.' : r.startsWith('..') ? p : r;
    };
    const started = performance.now();

    let images: string[];
    let generated = false;
    if (context.positionals.length > 0) {
      images = expandInputs(context.positionals, context.resolvePath, cwd).map((s) => s.path);
    } else {
      images = await sampleImages(store);
    }
    if (images.length === 0) {
      // No samples anywhere: draw one synthetic scene (deterministic).
      const scene = generateScene(20240607, { width: 320, height: 240 });
      const path = join(out, 'scene.png');
      await mkdir(out, { recursive: true });
      await writeFile(path, await encodePng(scene.image));
      images = [path];
      generated = true;
    }

    const parts: DemoPart[] = [
      { task: 'detect', entry: await store.defaultModel('detect') },
      { task: 'segment', entry: await store.defaultModel('segment') },
    ];
    const wanted = (await store.defaults())?.defaults;
    const fixtures = parts.some((p) => p.entry === undefined) ? fixtureStore() : undefined;
    for (const part of parts) {
      if (part.entry !== undefined || fixtures === undefined) continue;
      // No trained model yet (a fresh checkout before the model cards land): show the
      // pipeline with the CLI's test fixtures, and say plainly what they are.
      part.entry = await fixtures.find(part.task === 'detect' ? 'const-detector' : 'rgb-segmenter');
      if (part.entry) {
        part.fixture = true;
        context.note(
          `note: no ${part.task === 'detect' ? 'detector' : 'segmenter'} with its files in ${store.describeRoots()}${wanted?.[part.task] ? ` (models/defaults.json names '${wanted[part.task]}')` : ''}; using the CLI's test fixture '${part.entry.id}' — ${part.task === 'detect' ? 'its boxes are constants, not detections' : 'it labels pixels by their strongest colour channel'}`,
        );
      }
    }
    if (parts.every((p) => p.entry === undefined)) {
      throw new OcelotError(
        'E_NO_MODELS',
        `no detector or segmenter card with its files present in ${store.describeRoots()}; train or import one (ocelot models import model.onnx) and list it in models/defaults.json`,
      );
    }
    const b = context.style.bold;
    const errStyle = stylesFor(context.io.stderr, context.io.env);
    const report: Record<string, unknown> = {
      images: images.map(shown),
      out: shown(out),
    };
    if (!context.json) {
      context.print(
        `${b('Ocelot demo')} — ${images.length} ${generated ? 'generated' : 'sample'} image${images.length === 1 ? '' : 's'}, offline, on ${values.provider}\n`,
      );
    }
    let failed = 0;
    for (const part of parts) {
      if (!part.entry) {
        context.note(
          `note: no ${part.task === 'detect' ? 'detector' : 'segmenter'} card with its files present; skipping ${part.task}`,
        );
        continue;
      }
      const dir = join(out, part.task);
      try {
        const runner = await startRunner(part.entry.cardPath, {
          providers: providersFor(values.provider),
          threads,
          ...(imgsz !== undefined && { imgsz }),
          concurrency: 1,
          images: images.length,
        });
        let results: ImageResult[];
        let errors: string[];
        try {
          const semantic = runner.info.kind === 'semantic';
          const outcomes = await runner.run(
            images.map((path, index) => {
              const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
              return {
                index,
                path,
                display: shown(path),
                imageId: index + 1,
                annotatedPath: join(dir, `${stem}.png`),
                ...(semantic && { labelMapPath: join(dir, `${stem}.labels.png`) }),
              };
            }),
            { predict: {}, categoryIds: runner.info.categoryIds },
          );
          results = outcomes.flatMap((o) => (o.ok ? [o.result] : []));
          errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error.message]));
        } finally {
          await runner.close();
        }
        await mkdir(dir, { recursive: true });
        await writeFile(
          join(dir, 'results.json'),
          `${JSON.stringify(results.flatMap((r) => r.records))}\n`,
        );
        const summary = {
          model: {
            id: runner.info.id,
            architecture: runner.info.architecture,
            kind: runner.info.kind,
            card: runner.info.cardPath,
            ...(part.fixture && { fixture: true }),
          },
          images: results.map(({ records: _r, index: _i, ...rest }) => rest),
          errors,
        };
        await writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
        report[part.task] = summary;
        if (!context.json) {
          context.print(
            `\n${b(part.task)}  ${runner.info.id} (${runner.info.architecture}, ${runner.info.classNames.length} classes${part.fixture ? ', test fixture' : ''}) → ${shown(dir)}/\n`,
          );
          for (const r of results) context.print(`  ${summaryLine(r, runner.info.kind)}\n`);
        }
        for (const message of errors) {
          context.io.stderr.write(`ocelot: ${errStyle.red(errStyle.bold('error:'))} ${message}\n`);
        }
        if (errors.length > 0) failed++;
      } catch (error) {
        failed++;
        context.io.stderr.write(
          `ocelot: ${errStyle.red(errStyle.bold('error:'))} ${part.task} with ${part.entry.id} failed: ${(error as Error).message}\n`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (context.json) {
      context.printJson({ ...report, seconds });
    } else {
      context.print(
        `\ndone in ${seconds.toFixed(1)} s; open ${shown(out)}/detect/*.png and ${shown(out)}/segment/*.png\n`,
      );
    }
    return failed > 0 ? 1 : 0;
  },
});
