import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRegistry, defineCommand, UsageError } from './command.js';
import { builtinCommands } from './main.js';
import { ocelot, type Run } from './test-utils/cli.js';

const seed1 = fileURLToPath(
  new URL('../../metrics/src/__fixtures__/coco-eval/seed1/', import.meta.url),
);
const expected = JSON.parse(
  await readFile(new URL('./__fixtures__/eval-coco-seed1.json', import.meta.url), 'utf8'),
) as Record<'bbox' | 'segm', { stats: number[]; summary: string }>;

/** `ocelot argv` in-process, by default in the seed1 fixture folder. */
function run(argv: string[], options: Parameters<typeof ocelot>[1] = {}): Promise<Run> {
  return ocelot(argv, { cwd: seed1, ...options });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocelot-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('prints the program help with --help (exit 0) and lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ocelot \S+ — object detection and segmentation tools/);
    expect(r.stdout).toContain('Usage: ocelot <command> [options]');
    expect(r.stdout).toMatch(/\n {2}eval +evaluate predictions against ground truth \(…\)\n/);
    expect(r.stdout).toContain('--version');
    expect((await run(['-h'])).stdout).toBe(r.stdout);
  });

  it('prints group help for `eval --help` and command help for `eval coco --help`', async () => {
    const group = await run(['eval', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Usage: ocelot eval <command> [options]');
    expect(group.stdout).toMatch(/\n {2}coco +evaluate COCO results/);
    const command = await run(['eval', 'coco', '--help']);
    expect(command.code).toBe(0);
    expect(command.stdout).toMatch(/^Usage: ocelot eval coco --gt FILE --dt FILE \[options\]\n/);
    expect(command.stdout).toMatch(
      /--iou-type bbox\|segm +compare boxes or masks \(default: bbox\)/,
    );
    expect(command.stdout).toMatch(
      /--gt FILE +ground truth: a COCO instances JSON file \(required\)/,
    );
    expect(command.stdout).toContain('Global options:');
    expect(command.stdout).toContain('-h, --help');
    expect(command.stdout).toContain('Examples:\n  ocelot eval coco --gt instances_val2017.json');
    // help wins over otherwise bad arguments
    expect((await run(['eval', 'coco', '--bogus', '-h'])).code).toBe(0);
  });

  it('prints the version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [[], /missing command: bench, demo, detect, eval, models, segment/],
    [['eval'], /^ocelot eval: error: missing command: coco/m],
    [['evl'], /^ocelot: error: unknown command 'evl'\. Did you mean 'eval'\?/m],
    [['eval', 'cocoa'], /^ocelot eval: error: unknown command 'cocoa'\. Did you mean 'coco'\?/m],
    [
      ['eval', 'coco', '--gt', 'gt.json'],
      /^ocelot eval coco: error: missing required option --dt FILE$/m,
    ],
    [
      ['eval', 'coco', '--gt', 'gt.json', '--dt', 'x', '--iou', 'segm'],
      /unknown option '--iou'\. Did you mean '--iou-type'\?/,
    ],
    [
      ['eval', 'coco', '--gt', 'gt.json', '--dt', 'x', '--iou-type', 'mask'],
      /--iou-type must be one of bbox, segm; got 'mask'/,
    ],
    [['eval', 'coco', '--gt', 'gt.json', '--dt'], /--dt <value>' argument missing/],
    [['eval', 'coco', '--gt', 'gt.json', '--dt', 'x', 'extra'], /unexpected argument 'extra'/],
    [['eval', 'coco', '--gt', '', '--dt', 'x'], /--gt needs a non-empty value/],
    [
      ['eval', 'coco', '--gt', 'gt.json', '--dt', 'dt_bbox.json', '--box-tolerance', 'x'],
      /--box-tolerance must be a non-negative number/,
    ],
    [['--bogus'], /unknown option '--bogus'/],
  ])('%j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Run 'ocelot( eval( coco)?)? --help' for usage\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('file errors exit 1 and name the file', () => {
  it('reports a missing file', async () => {
    const r = await run(['eval', 'coco', '--gt', 'nope.json', '--dt', 'dt_bbox.json']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ocelot: error: nope.json: cannot read: no such file\n',
    });
  });

  it('reports malformed JSON with line and column', async () => {
    await writeFile(join(dir, 'bad.json'), '{"images": [\n  {"id": 1,}\n]}');
    const r = await run(['eval', 'coco', '--gt', 'bad.json', '--dt', 'x.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'ocelot: error: bad.json:2:12: invalid JSON: Expected double-quoted property name\n',
    );
  });

  it('reports invalid ground truth naming the record and field, listing every problem', async () => {
    const gt = JSON.parse(await readFile(join(seed1, 'gt.json'), 'utf8'));
    gt.annotations[3].category_id = 999;
    await writeFile(join(dir, 'gt-one.json'), JSON.stringify(gt));
    const one = await run(
      ['eval', 'coco', '--gt', 'gt-one.json', '--dt', join(seed1, 'dt_bbox.json')],
      { cwd: dir },
    );
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(
      `ocelot: error: gt-one.json: annotations[3] (id ${gt.annotations[3].id}): category_id: category id 999 is not in "categories"\n`,
    );
    gt.images[0].width = 0;
    await writeFile(join(dir, 'gt-two.json'), JSON.stringify(gt));
    const two = await run(
      ['eval', 'coco', '--gt', 'gt-two.json', '--dt', join(seed1, 'dt_bbox.json')],
      { cwd: dir },
    );
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(
      /^ocelot: error: \d+ problems found:\n {2}gt-two\.json: images\[0\] \(id \d+\): width: width must be positive, got 0\n/,
    );
    expect(two.stderr).toContain('category id 999 is not in "categories"');
  });

  it('reports detections of unknown images', async () => {
    const dt = JSON.parse(await readFile(join(seed1, 'dt_bbox.json'), 'utf8'));
    dt[5].image_id = 123456;
    await writeFile(join(dir, 'dt.json'), JSON.stringify(dt));
    const r = await run(['eval', 'coco', '--gt', join(seed1, 'gt.json'), '--dt', 'dt.json'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'ocelot: error: dt.json: [5] (image_id 123456): image_id: image id 123456 is not in the ground truth\n',
    );
  });

  it('--verbose adds the stack trace', async () => {
    const r = await run(['eval', 'coco', '--gt', 'nope.json', '--dt', 'x.json', '--verbose']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ocelot: error: nope\.json: cannot read: no such file\nDatasetFileError: .*\n\s+at /,
    );
  });
});

describe('eval coco on the seed1 fixtures (pycocotools reference)', () => {
  /** `ocelot eval coco --gt gt.json --dt <dt> …args` in the seed1 folder. */
  const evalSeed1 = (dt: string, ...args: string[]) =>
    run(['eval', 'coco', '--gt', 'gt.json', '--dt', dt, ...args]);

  for (const iouType of ['bbox', 'segm'] as const) {
    it(`${iouType}: prints pycocotools' summary text exactly`, async () => {
      const r = await evalSeed1(`dt_${iouType}.json`, '--iou-type', iouType);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected[iouType].summary);
      expect(r.stderr).toBe(`evaluating ${iouType}...\n`);
    });

    it(`${iouType}: --json gives the 12 stats equal to pycocotools to 1e-9`, async () => {
      const r = await evalSeed1(`dt_${iouType}.json`, '--iou-type', iouType, '--json', '-q');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.endsWith('\n')).toBe(true);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out)).toEqual(['stats', 'iouType', 'perCategory']);
      expect(out.iouType).toBe(iouType);
      expect(out.stats).toHaveLength(12);
      out.stats.forEach((v: number, k: number) => {
        expect(Math.abs(v - expected[iouType].stats[k]!)).toBeLessThanOrEqual(1e-9);
      });
      expect(out.perCategory.map((c: { categoryId: number }) => c.categoryId)).toEqual([
        4, 41, 45, 67, 85,
      ]);
    });
  }

  it('--per-category adds a table after the summary', async () => {
    const r = await evalSeed1('dt_bbox.json', '--per-category', '-q');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(expected.bbox.summary)).toBe(true);
    const table = r.stdout.slice(expected.bbox.summary.length).trim().split('\n');
    expect(table[0]).toMatch(/^id +category +AP +AP50 +AR100 +objects$/);
    expect(table).toHaveLength(6);
  });
});

describe('terminal behaviour', () => {
  it('colours errors only on a TTY without NO_COLOR', async () => {
    const argv = ['eval', 'coco', '--gt', 'nope.json', '--dt', 'x.json'];
    expect((await run(argv, { tty: true })).stderr).toContain('\u001b[31m');
    expect((await run(argv, { tty: true, env: { NO_COLOR: '1' } })).stderr).not.toContain(
      '\u001b[',
    );
    expect((await run(argv, { tty: false })).stderr).not.toContain('\u001b[');
  });

  it('draws live progress on a TTY stderr, nothing with --quiet', async () => {
    const argv = ['eval', 'coco', '--gt', 'gt.json', '--dt', 'dt_bbox.json', '--json'];
    const tty = await run(argv, { tty: true, env: { NO_COLOR: '1' } });
    // the live line is redrawn after "\r" + "ESC[K" (erase line)
    const stderr = tty.stderr.replaceAll('\r\u001b[K', '|');
    expect(stderr).toMatch(
      /^evaluating bbox\.\.\.(\|evaluating bbox \d+%)*\|evaluating bbox done in \d+\.\d\d s\n$/,
    );
    expect((await run([...argv, '--quiet'], { tty: true })).stderr).toBe('');
  });
});

describe('command registry', () => {
  const hello = defineCommand({
    path: ['say', 'hello'],
    summary: 'greets',
    options: {
      name: { type: 'string', valueName: 'NAME', default: 'world', description: 'who' },
      shout: { type: 'boolean', description: 'loudly' },
    },
    positionals: [{ name: 'extra', description: 'more names', variadic: true }],
    run(context) {
      const { name, shout } = context.values; // typed: string, boolean
      const text = `hello ${[name, ...context.positionals].join(', ')}`;
      if (context.json) context.printJson({ text });
      else context.print(`${shout ? text.toUpperCase() : text}\n`);
      if (name === 'usage') throw new UsageError('bad name');
      if (name === 'bug') throw new TypeError('undefined is not a function');
      return name === 'fail' ? 1 : 0;
    },
  });
  const registry = () => new CommandRegistry().add(hello).describeGroup(['say'], 'say things');

  it('dispatches to added commands with typed values, defaults and positionals', async () => {
    expect(await run(['say', 'hello'], { registry: registry() })).toMatchObject({
      code: 0,
      stdout: 'hello world\n',
    });
    expect(
      await run(['say', 'hello', '--name', 'cat', '--shout', 'dog'], { registry: registry() }),
    ).toMatchObject({
      code: 0,
      stdout: 'HELLO CAT, DOG\n',
    });
    expect((await run(['--json', 'say', 'hello'], { registry: registry() })).stdout).toBe(
      '{"text":"hello world"}\n',
    );
    expect((await run(['say', '--json', 'hello'], { registry: registry() })).stdout).toBe(
      '{"text":"hello world"}\n',
    );
    expect((await run(['eval', '--help', 'coco'])).stdout).toMatch(/^Usage: ocelot eval coco /);
    expect((await run(['say', 'hello', '--name', 'fail'], { registry: registry() })).code).toBe(1);
    expect((await run(['say', 'hello', '--name', 'usage'], { registry: registry() })).code).toBe(2);
  });

  it('reports unexpected exceptions as internal errors without a stack unless --verbose', async () => {
    const r = await run(['say', 'hello', '--name', 'bug'], { registry: registry() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'ocelot: error: internal error: undefined is not a function\nocelot: this is a bug in ocelot; run with --verbose for the stack trace\n',
    );
    expect(
      (await run(['say', 'hello', '--name', 'bug', '--verbose'], { registry: registry() })).stderr,
    ).toMatch(/\n\s+at /);
  });

  it('rejects duplicate and clashing paths', () => {
    expect(() => registry().add(hello)).toThrow('command "say hello" is already registered');
    expect(() => registry().add({ ...hello, path: ['say'] })).toThrow(
      '"say" is already a group of commands',
    );
    expect(() => registry().add({ ...hello, path: ['say', 'hello', 'again'] })).toThrow(
      'would be under the command "say hello"',
    );
    expect(() => registry().add({ ...hello, path: ['Say'] })).toThrow(/lower-case words/);
  });

  it('lists the built-in commands', () => {
    expect(
      builtinCommands()
        .all()
        .map((c) => c.path.join(' ')),
    ).toEqual([
      'bench',
      'demo',
      'detect',
      'eval coco',
      'eval detect',
      'models import',
      'models info',
      'models list',
      'models verify',
      'segment',
    ]);
  });
});
