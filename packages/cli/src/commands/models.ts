/**
 * `ocelot models list | info | verify | import`: the model cards in the models folders.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, delimiter, extname, join, relative } from 'node:path';
import { OcelotError } from '@ocelot/core';
import { readYoloNames } from '@ocelot/datasets/node';
import {
  type ModelCard,
  type ModelFile,
  parseModelCard,
  resolveModelPath,
} from '@ocelot/detectors';
import { loadModelCard } from '@ocelot/detectors/node';
import { createRgbImage } from '@ocelot/image';
import { parseOnnxModel } from '@ocelot/runtime';
import { type CommandContext, defineCommand, UsageError } from '../command.js';
import { openModel } from '../inference/model.js';
import { numberOption } from '../inference/options.js';
import {
  IMPORT_ARCHITECTURES,
  type ImportArchitecture,
  inferModelCard,
  ModelImportError,
} from '../models/import.js';
import { isUserSupplied, type ModelEntry, ModelStore, userModelsDir } from '../models/store.js';

const MODELS_DIR_OPTION = {
  'models-dir': {
    type: 'string',
    valueName: 'DIR',
    description: 'a models folder searched first (also: OCELOT_MODELS_DIR)',
  },
} as const;

function storeOf(context: CommandContext, dir: string | undefined): ModelStore {
  const store = new ModelStore({
    ...(dir !== undefined && { dirs: [dir] }),
    env: context.io.env ?? process.env,
    resolvePath: context.resolvePath,
  });
  for (const missing of store.missingRoots)
    context.note(`note: models folder ${missing} does not exist`);
  return store;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const userSupplied = isUserSupplied;

function filePath(entry: ModelEntry, file: ModelFile): string {
  return resolveModelPath(entry.dir, file.path);
}

function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function displayPath(context: CommandContext, path: string): string {
  const r = relative(context.io.cwd ?? process.cwd(), path);
  return r === '' || r.startsWith('..') ? path : r;
}

function inputSize(card: ModelCard): string {
  const { width, height } = card.input;
  return width !== undefined && height !== undefined ? `${width}×${height}` : '(model)';
}

export const modelsListCommand = defineCommand({
  path: ['models', 'list'],
  summary: 'list the model cards in the models folders',
  description: [
    'Lists every model.json under the models folders — --models-dir, OCELOT_MODELS_DIR,',
    "~/.local/share/ocelot/models (or $XDG_DATA_HOME/ocelot/models) and the repository's",
    'models/ — with its task, architecture, input size, classes and whether its files are',
    'present. The model id is the folder name.',
  ].join('\n'),
  options: { ...MODELS_DIR_OPTION },
  examples: ['ocelot models list', 'ocelot models list --models-dir ~/my-models --json'],
  async run(context) {
    const store = storeOf(context, context.values['models-dir']);
    const entries = await store.list();
    const rows = entries.map((e) => {
      if (!e.card) return { entry: e, status: `invalid card: ${e.error?.message ?? '?'}` };
      const files = Object.values(e.card.files);
      const missing = files.filter((f) => !existsSync(filePath(e, f)));
      const status =
        missing.length === 0
          ? 'ok'
          : missing.every((f) => userSupplied(e.card!, f))
            ? 'missing (user-supplied)'
            : `missing ${missing.map((f) => f.path).join(', ')}`;
      return { entry: e, status };
    });
    if (context.json) {
      context.printJson({
        roots: store.roots,
        models: rows.map(({ entry: e, status }) => ({
          id: e.id,
          dir: e.dir,
          status,
          ...(e.card && {
            name: e.card.name,
            task: e.card.task,
            architecture: e.card.architecture.type,
            input: { width: e.card.input.width, height: e.card.input.height },
            classes: e.card.labels?.length,
          }),
        })),
      });
      return 0;
    }
    if (entries.length === 0) {
      context.print(`no models found in ${store.describeRoots()}\n`);
      return 0;
    }
    const body = rows.map(({ entry: e, status }) =>
      e.card
        ? [
            e.id,
            e.card.task,
            e.card.architecture.type,
            inputSize(e.card),
            e.card.labels ? String(e.card.labels.length) : '(model)',
            status,
          ]
        : [e.id, '?', '?', '?', '?', status],
    );
    context.print(
      `${table(body, ['id', 'task', 'architecture', 'input', 'classes', 'files'])}\n\n${context.style.dim(`models folders: ${store.roots.join(', ')}`)}\n`,
    );
    return 0;
  },
});

export const modelsInfoCommand = defineCommand({
  path: ['models', 'info'],
  summary: 'show one model card, its files and its ONNX signature',
  positionals: [
    { name: 'id', description: 'model id, model folder or model.json path', required: true },
  ],
  options: { ...MODELS_DIR_OPTION },
  examples: ['ocelot models info ocelot-shapes-yolo', 'ocelot models info models/yolov8n --json'],
  async run(context) {
    const store = storeOf(context, context.values['models-dir']);
    const spec = context.positionals[0]!;
    const cardPath = await store.resolveCardPath(spec, context.resolvePath);
    const card = await loadModelCard(cardPath);
    const entry: ModelEntry = {
      id: basename(join(cardPath, '..')),
      root: join(cardPath, '..', '..'),
      dir: join(cardPath, '..'),
      cardPath,
      card,
      error: undefined,
    };
    const files = await Promise.all(
      Object.entries(card.files).map(async ([role, file]) => {
        const path = filePath(entry, file);
        const present = existsSync(path);
        let signature: ReturnType<typeof parseOnnxModel> | undefined;
        let problem: string | undefined;
        if (present && path.endsWith('.onnx')) {
          try {
            signature = parseOnnxModel(new Uint8Array(await readFile(path)));
          } catch (error) {
            problem = (error as Error).message;
          }
        }
        return { role, file, path, present, signature, problem };
      }),
    );
    if (context.json) {
      context.printJson({
        ...card,
        id: entry.id,
        cardId: card.id,
        cardPath,
        filesPresent: Object.fromEntries(files.map((f) => [f.role, f.present])),
        signatures: Object.fromEntries(
          files
            .filter((f) => f.signature)
            .map((f) => [
              f.role,
              {
                inputs: f.signature!.inputs,
                outputs: f.signature!.outputs,
                opsets: f.signature!.opsets,
                producer: `${f.signature!.producerName} ${f.signature!.producerVersion}`.trim(),
                metadata: f.signature!.metadata,
              },
            ]),
        ),
      });
      return 0;
    }
    const b = context.style.bold;
    const dims = (d: readonly (number | string | null)[] | undefined) =>
      d ? `[${d.map((x) => (x === null ? '?' : x)).join(', ')}]` : '(no shape)';
    const lines = [
      `${b(entry.id)}${card.name ? ` — ${card.name}` : ''}`,
      `card:          ${displayPath(context, cardPath)}`,
      `task:          ${card.task}`,
      `architecture:  ${JSON.stringify(card.architecture)}`,
      `input:         ${inputSize(card)} ${card.input.resize}${card.input.name ? ` (${card.input.name})` : ''}`,
      `classes:       ${card.labels ? `${card.labels.length}: ${card.labels.slice(0, 12).join(', ')}${card.labels.length > 12 ? ', …' : ''}` : 'from the model'}`,
    ];
    if (card.labelIds)
      lines.push(
        `labelIds:      ${card.labelIds.slice(0, 12).join(', ')}${card.labelIds.length > 12 ? ', …' : ''}`,
      );
    if (card.defaults) lines.push(`defaults:      ${JSON.stringify(card.defaults)}`);
    if (card.license) lines.push(`license:       ${card.license}`);
    if (card.description) lines.push(`description:   ${card.description}`);
    if (card.metrics) lines.push(`metrics:       ${JSON.stringify(card.metrics)}`);
    if (card.reproduce) lines.push(`reproduce:     ${card.reproduce}`);
    lines.push('files:');
    for (const f of files) {
      const state = f.present
        ? formatBytes(statSync(f.path).size)
        : userSupplied(card, f.file)
          ? 'missing (user-supplied)'
          : 'MISSING';
      lines.push(
        `  ${f.role}: ${f.file.path} (${state})${f.file.sha256 ? ` sha256 ${f.file.sha256.slice(0, 16)}…` : ''}`,
      );
      if (f.problem) lines.push(`    cannot read the ONNX file: ${f.problem}`);
      if (f.signature) {
        const s = f.signature;
        lines.push(
          `    onnx: ir ${s.irVersion}, opset ${s.opsets[''] ?? '?'}, ${s.nodeCount} nodes${s.producerName ? `, from ${s.producerName} ${s.producerVersion}`.trimEnd() : ''}`,
        );
        for (const i of s.inputs)
          lines.push(`    input  ${i.name} ${i.type ?? ''} ${dims(i.dims)}`);
        for (const o of s.outputs)
          lines.push(`    output ${o.name} ${o.type ?? ''} ${dims(o.dims)}`);
        const keys = Object.keys(s.metadata);
        if (keys.length > 0) lines.push(`    metadata: ${keys.join(', ')}`);
      }
    }
    context.print(`${lines.join('\n')}\n`);
    return 0;
  },
});

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The verdict on one file of a card. */
export interface FileCheck {
  readonly model: string;
  readonly role: string;
  readonly path: string;
  readonly status:
    | 'ok'
    | 'mismatch'
    | 'missing'
    | 'missing (user-supplied)'
    | 'unchecked'
    | 'invalid card';
  readonly message: string;
}

export const modelsVerifyCommand = defineCommand({
  path: ['models', 'verify'],
  summary: 'check model files against the sha256 (and size) in their cards',
  description: [
    'Hashes every file of the given models (default: all) and compares it with the card.',
    'Exit 1 when a file differs, is missing, or a card is invalid — each named. Files a card',
    'marks "userSupplied": true (weights you export or download yourself) are reported as',
    '"missing (user-supplied)" when absent, which is not an error.',
  ].join('\n'),
  positionals: [{ name: 'ids', description: 'model ids (default: every model)', variadic: true }],
  options: { ...MODELS_DIR_OPTION },
  examples: ['ocelot models verify', 'ocelot models verify ocelot-shapes-yolo --json'],
  async run(context) {
    const store = storeOf(context, context.values['models-dir']);
    let entries: ModelEntry[];
    if (context.positionals.length === 0) {
      entries = await store.list();
    } else {
      entries = [];
      for (const id of context.positionals) {
        const cardPath = await store.resolveCardPath(id, context.resolvePath);
        const found = await store.find(id);
        entries.push(
          found ?? {
            id,
            root: join(cardPath, '..', '..'),
            dir: join(cardPath, '..'),
            cardPath,
            ...(await (async () => {
              try {
                return { card: await loadModelCard(cardPath), error: undefined };
              } catch (error) {
                return { card: undefined, error: error as Error };
              }
            })()),
          },
        );
      }
    }
    const shown = (p: string) => displayPath(context, p);
    const checks: FileCheck[] = [];
    for (const e of entries) {
      if (!e.card) {
        checks.push({
          model: e.id,
          role: '(card)',
          path: shown(e.cardPath),
          status: 'invalid card',
          message: e.error?.message ?? 'invalid',
        });
        continue;
      }
      for (const [role, file] of Object.entries(e.card.files)) {
        const path = filePath(e, file);
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
          checks.push({
            model: e.id,
            role,
            path,
            status: 'unchecked',
            message: 'a URL (checked when loaded)',
          });
          continue;
        }
        if (!existsSync(path)) {
          const supplied = userSupplied(e.card, file);
          checks.push({
            model: e.id,
            role,
            path: shown(path),
            status: supplied ? 'missing (user-supplied)' : 'missing',
            message: supplied
              ? `not present; supply it yourself (see 'ocelot models info ${e.id}')`
              : 'no such file',
          });
          continue;
        }
        const size = statSync(path).size;
        if (file.bytes !== undefined && file.bytes !== size) {
          checks.push({
            model: e.id,
            role,
            path: shown(path),
            status: 'mismatch',
            message: `size ${size} bytes, the card says ${file.bytes}`,
          });
          continue;
        }
        if (file.sha256 === undefined) {
          checks.push({
            model: e.id,
            role,
            path: shown(path),
            status: 'unchecked',
            message: 'no sha256 in the card',
          });
          continue;
        }
        const digest = await sha256File(path);
        checks.push(
          digest === file.sha256
            ? {
                model: e.id,
                role,
                path: shown(path),
                status: 'ok',
                message: `sha256 ${digest.slice(0, 16)}…, ${formatBytes(size)}`,
              }
            : {
                model: e.id,
                role,
                path: shown(path),
                status: 'mismatch',
                message: `sha256 ${digest}, the card says ${file.sha256}`,
              },
        );
      }
    }
    const bad = checks.filter(
      (c) => c.status === 'mismatch' || c.status === 'missing' || c.status === 'invalid card',
    );
    if (context.json) {
      context.printJson({ ok: bad.length === 0, files: checks });
    } else if (checks.length === 0) {
      context.print(`no models found in ${store.describeRoots()}\n`);
    } else {
      const s = context.style;
      for (const c of checks) {
        const tag =
          c.status === 'ok'
            ? s.green('ok')
            : c.status === 'unchecked' || c.status === 'missing (user-supplied)'
              ? s.yellow(c.status)
              : s.red(c.status.toUpperCase());
        context.print(`${c.model}  ${c.path}  ${tag}  ${s.dim(c.message)}\n`);
      }
    }
    if (bad.length > 0) {
      for (const c of bad) {
        context.io.stderr.write(`ocelot: error: ${c.path}: ${c.status}: ${c.message}\n`);
      }
      return 1;
    }
    return 0;
  },
});

async function readLabels(path: string, shown: string): Promise<string[]> {
  const names = await readYoloNames(path);
  if (Array.isArray(names)) return names;
  const out: string[] = [];
  for (let i = 0; i < names.size; i++) {
    const n = names.get(i);
    if (n === undefined) {
      throw new OcelotError(
        'E_LABELS',
        `${shown}: class ids must be 0…${names.size - 1}; ${i} is missing`,
      );
    }
    out.push(n);
  }
  return out;
}

export const modelsImportCommand = defineCommand({
  path: ['models', 'import'],
  summary: 'make a model card for your own ONNX file (architecture inferred from its outputs)',
  description: [
    'Copies the ONNX file into <models folder>/<id>/ and writes model.json beside it. The',
    'architecture is inferred from the output shapes — Ultralytics detect [1,4+N,A], segment',
    '(with prototypes), v5 / YOLOX [1,A,5+N], end-to-end [1,K,6], torchvision-style semantic',
    '[1,C,H,W] — and class names, input size and stride from Ultralytics metadata; every',
    'assumption is printed. When the outputs fit no known layout the command says so and',
    'writes nothing (use --arch). The new card is then test-run on a blank image.',
    'The models folder is --models-dir, else the first OCELOT_MODELS_DIR entry, else',
    '~/.local/share/ocelot/models.',
  ].join('\n'),
  positionals: [{ name: 'model.onnx', description: 'the ONNX file to import', required: true }],
  options: {
    ...MODELS_DIR_OPTION,
    id: { type: 'string', valueName: 'ID', description: 'model id (default: the file name)' },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description: 'class names: one per line, or a data YAML with names:',
    },
    arch: {
      type: 'string',
      choices: IMPORT_ARCHITECTURES,
      description: 'skip the inference and use this architecture',
    },
    imgsz: { type: 'string', valueName: 'N', description: 'input size of a dynamic-size model' },
    force: { type: 'boolean', description: 'replace an existing model with the same id' },
  },
  examples: [
    'ocelot models import yolov8n.onnx',
    'ocelot models import my_seg.onnx --id my-seg --labels classes.txt --models-dir ./models',
  ],
  async run(context) {
    const { values } = context;
    const source = context.positionals[0]!;
    const sourcePath = context.resolvePath(source);
    if (!existsSync(sourcePath))
      throw new OcelotError('E_FILE_NOT_FOUND', `${source}: no such file`);
    const id =
      values.id ??
      basename(sourcePath, extname(sourcePath))
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      throw new UsageError(`--id must be letters, digits, '.', '_' or '-'; got '${id}'`);
    }
    const env = context.io.env ?? process.env;
    const root =
      values['models-dir'] !== undefined
        ? context.resolvePath(values['models-dir'])
        : (env.OCELOT_MODELS_DIR?.split(delimiter).find((d) => d !== '') ?? userModelsDir(env));
    if (root === undefined) {
      throw new UsageError('no models folder: pass --models-dir DIR or set OCELOT_MODELS_DIR');
    }
    const imgsz = numberOption('imgsz', values.imgsz, { integer: true, min: 1 });
    const labels =
      values.labels !== undefined
        ? await readLabels(context.resolvePath(values.labels), values.labels)
        : undefined;

    const bytes = new Uint8Array(await readFile(sourcePath));
    let info: ReturnType<typeof parseOnnxModel>;
    try {
      info = parseOnnxModel(bytes);
    } catch (error) {
      throw new ModelImportError(
        `${source}: not a readable ONNX model: ${(error as Error).message}`,
      );
    }
    const fileName = 'model.onnx';
    const inferred = inferModelCard(info, {
      id,
      source,
      file: {
        path: fileName,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
      },
      ...(labels !== undefined && { labels }),
      ...(values.arch !== undefined && { architecture: values.arch as ImportArchitecture }),
      ...(imgsz !== undefined && { imgsz }),
    });
    parseModelCard(inferred.card, `${id}/model.json`);

    const dir = join(root, id);
    if (existsSync(dir)) {
      if (!values.force) {
        throw new OcelotError(
          'E_MODEL_EXISTS',
          `${dir}: a model with id '${id}' exists; pass --force to replace it or --id to choose another`,
        );
      }
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    await copyFile(sourcePath, join(dir, fileName));
    const cardPath = join(dir, 'model.json');
    await writeFile(cardPath, `${JSON.stringify(inferred.card, null, 2)}\n`);

    // Test run on a blank image of the input size.
    let check: { ok: boolean; message: string };
    try {
      const model = await openModel(cardPath, { providers: ['cpu'], threads: 1 });
      try {
        const { width, height } = model.card.input;
        const prediction = await model.predict(createRgbImage(width, height, [114, 114, 114]));
        check = {
          ok: true,
          message: `test run ok (${prediction.timing.totalMs.toFixed(0)} ms on a blank ${width}×${height} image)`,
        };
      } finally {
        await model.dispose();
      }
    } catch (error) {
      check = { ok: false, message: (error as Error).message };
    }
    if (context.json) {
      context.printJson({
        id,
        dir,
        card: inferred.card,
        inferred: inferred.reason,
        notes: inferred.notes,
        check,
      });
    } else {
      const lines = [
        `imported ${source} as ${context.style.bold(id)} → ${displayPath(context, dir)}`,
        `architecture: ${inferred.reason}`,
        ...inferred.notes.map((n) => `note: ${n}`),
        check.ok ? check.message : `test run FAILED: ${check.message}`,
      ];
      context.print(`${lines.join('\n')}\n`);
    }
    if (!check.ok) {
      context.io.stderr.write(
        `ocelot: error: ${cardPath}: the imported model does not run: ${check.message} (the card was written; fix it or import again with --arch)\n`,
      );
      return 1;
    }
    return 0;
  },
});
