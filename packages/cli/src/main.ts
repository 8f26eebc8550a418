/**
 * The dispatcher: finds the command named by the leading words of argv, parses its options
 * with `node:util` parseArgs, prints help, and turns errors into messages and exit codes
 * (0 ok, 1 failure, 2 usage). Expected errors (`OcelotError`) print one message without a
 * stack trace; `--verbose` adds it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { OcelotError } from '@ocelot/core';
import {
  type Command,
  type CommandContext,
  CommandRegistry,
  ExitCode,
  type OptionSpec,
  type OptionSpecs,
  UsageError,
} from './command.js';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { detectCommand } from './commands/detect.js';
import { evalCocoCommand } from './commands/eval-coco.js';
import { evalDetectCommand } from './commands/eval-detect.js';
import {
  modelsImportCommand,
  modelsInfoCommand,
  modelsListCommand,
  modelsVerifyCommand,
} from './commands/models.js';
import { segmentCommand } from './commands/segment.js';
import { type CliIO, createProgress, stylesFor } from './io.js';

const PROGRAM = 'ocelot';

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h', description: 'show help for the command and exit' },
  json: { type: 'boolean', description: 'print one JSON document on stdout (machine output)' },
  verbose: { type: 'boolean', description: 'more detail on stderr, with stack traces on errors' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr' },
} as const satisfies OptionSpecs;

/** A registry holding every built-in command. */
export function builtinCommands(): CommandRegistry {
  return new CommandRegistry()
    .describeGroup(['eval'], 'evaluate predictions against ground truth')
    .add(evalCocoCommand)
    .add(evalDetectCommand)
    .add(detectCommand)
    .add(segmentCommand)
    .describeGroup(['models'], 'list, inspect, verify and import model cards')
    .add(modelsListCommand)
    .add(modelsInfoCommand)
    .add(modelsVerifyCommand)
    .add(modelsImportCommand)
    .add(benchCommand)
    .add(demoCommand);
}

/** The CLI's version, from its package.json. */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggest(word: string, candidates: readonly string[]): string {
  const close = candidates.filter(
    (c) => editDistance(word, c) <= Math.max(1, Math.floor(c.length / 3)) || c.startsWith(word),
  );
  return close.length > 0 ? ` Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '';
}

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}`;
  if (spec.type === 'boolean') return flag;
  return `${flag} ${spec.choices ? spec.choices.join('|') : (spec.valueName ?? 'VALUE')}`;
}

function optionTable(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const notes: string[] = [];
    if (spec.required) notes.push('required');
    if (spec.default !== undefined) notes.push(`default: ${spec.default}`);
    return [
      optionLabel(name, spec),
      `${spec.description}${notes.length ? ` (${notes.join(', ')})` : ''}`,
    ] as const;
  });
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`).join('\n');
}

function usageLine(command: Command): string {
  const required = Object.entries(command.options)
    .filter(([, spec]) => spec.required)
    .map(
      ([name, spec]) =>
        `--${name} ${spec.choices ? spec.choices.join('|') : (spec.valueName ?? 'VALUE')}`,
    );
  const positionals = (command.positionals ?? []).map((p) => {
    const name = `${p.name}${p.variadic ? '...' : ''}`;
    return p.required ? name : `[${name}]`;
  });
  return [PROGRAM, ...command.path, ...required, '[options]', ...positionals].join(' ');
}

/** The `--help` text of a command. */
export function commandHelp(command: Command): string {
  const parts = [`Usage: ${usageLine(command)}`, '', command.summary];
  if (command.description) parts.push('', command.description);
  if (command.positionals?.length) {
    const width = Math.max(...command.positionals.map((p) => p.name.length));
    parts.push(
      '',
      'Arguments:',
      ...command.positionals.map((p) => `  ${p.name.padEnd(width)}  ${p.description}`),
    );
  }
  if (Object.keys(command.options).length > 0)
    parts.push('', 'Options:', optionTable(command.options));
  parts.push('', 'Global options:', optionTable(GLOBAL_OPTIONS));
  if (command.examples?.length)
    parts.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${parts.join('\n')}\n`;
}

/** The `--help` text of the program (`path` empty) or of a group such as `ocelot eval`. */
export function groupHelp(registry: CommandRegistry, path: readonly string[]): string {
  const children = registry.children(path);
  const width = Math.max(0, ...children.map((c) => c.word.length));
  const name = [PROGRAM, ...path].join(' ');
  const header =
    path.length === 0
      ? `ocelot ${cliVersion()} — object detection and segmentation tools (Ocelot)`
      : `${name} — ${registry.groupSummary(path) ?? ''}`;
  const lines = [
    header,
    '',
    `Usage: ${name} <command> [options]`,
    '',
    'Commands:',
    ...children.map((c) => `  ${c.word.padEnd(width)}  ${c.summary}${c.command ? '' : ' (…)'}`),
    '',
    'Global options:',
    optionTable(
      path.length === 0
        ? {
            ...GLOBAL_OPTIONS,
            version: { type: 'boolean', description: 'print the version and exit' },
          }
        : GLOBAL_OPTIONS,
    ),
    '',
    `Run '${name} <command> --help' for a command's options.`,
  ];
  return `${lines.join('\n')}\n`;
}

function parseError(error: unknown, command: Command): UsageError | undefined {
  const code = (error as { code?: string })?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (error as Error).message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? '?';
    const names = Object.keys({ ...command.options, ...GLOBAL_OPTIONS }).map((n) => `--${n}`);
    return new UsageError(`unknown option '${option}'.${suggest(option, names)}`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']+)'/.exec(message)?.[1] ?? '?';
    return new UsageError(
      `unexpected argument '${argument}' (this command takes no positional arguments)`,
    );
  }
  return new UsageError(message.replace(/\.$/, ''));
}

/** Parses a command's arguments; throws `UsageError` on anything wrong. */
function parseCommandArgs(command: Command, args: string[]) {
  const specs = { ...GLOBAL_OPTIONS, ...command.options } as OptionSpecs;
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw parseError(error, command) ?? error;
  }
  const values = { ...parsed.values };
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    if (value === undefined) {
      if (spec.default !== undefined) values[name] = spec.default;
      else if (spec.required)
        throw new UsageError(
          `missing required option --${name} ${spec.valueName ?? spec.choices?.join('|') ?? ''}`.trim(),
        );
      else if (spec.type === 'boolean') values[name] = false;
    } else if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}; got '${value}'`);
    } else if (typeof value === 'string' && value === '') {
      throw new UsageError(`--${name} needs a non-empty value`);
    }
  }
  const declared = command.positionals ?? [];
  const variadic = declared.at(-1)?.variadic === true;
  if (!variadic && parsed.positionals.length > declared.length) {
    const extra = parsed.positionals[declared.length]!;
    throw new UsageError(
      declared.length === 0
        ? `unexpected argument '${extra}' (this command takes no positional arguments)`
        : `unexpected extra argument '${extra}'`,
    );
  }
  const missing = declared.filter((p) => p.required).slice(parsed.positionals.length)[0];
  if (missing) throw new UsageError(`missing argument ${missing.name}`);
  return { values, positionals: parsed.positionals };
}

function printError(io: CliIO, error: unknown, verbose: boolean): void {
  const style = stylesFor(io.stderr, io.env);
  const label = style.red(style.bold('error:'));
  if (error instanceof OcelotError) {
    const issues = (error as { issues?: unknown }).issues;
    if (Array.isArray(issues) && issues.length > 1) {
      const shown = issues.slice(0, 20) as {
        file?: string;
        record: string;
        field: string;
        message: string;
      }[];
      const lines = shown.map(
        (i) => `  ${[i.file, i.record, i.field].filter(Boolean).join(': ')}: ${i.message}`,
      );
      const more =
        issues.length > shown.length ? [`  … and ${issues.length - shown.length} more`] : [];
      io.stderr.write(
        `${PROGRAM}: ${label} ${issues.length} problems found:\n${[...lines, ...more].join('\n')}\n`,
      );
    } else {
      io.stderr.write(`${PROGRAM}: ${label} ${error.message}\n`);
    }
    if (verbose && error.stack) io.stderr.write(`${style.dim(error.stack)}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${PROGRAM}: ${label} internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack)
    io.stderr.write(`${style.dim(error.stack)}\n`);
  else
    io.stderr.write(
      `${PROGRAM}: this is a bug in ocelot; run with --verbose for the stack trace\n`,
    );
}

function usageFailure(io: CliIO, where: string, message: string): number {
  const style = stylesFor(io.stderr, io.env);
  io.stderr.write(
    `${where}: ${style.red(style.bold('error:'))} ${message}\nRun '${where} --help' for usage.\n`,
  );
  return ExitCode.usage;
}

/**
 * Runs the `ocelot` command line.
 *
 * @param argv arguments after the program name (`process.argv.slice(2)`)
 * @param io streams to write to, environment and working directory
 * @param registry the commands (default: the built-ins)
 * @returns the exit code: 0 ok, 1 runtime failure, 2 usage error
 */
export async function main(
  argv: readonly string[],
  io: CliIO,
  registry = builtinCommands(),
): Promise<number> {
  const args = [...argv];
  const flags = new Set(args.filter((a) => a.startsWith('-')));
  const verbose = flags.has('--verbose');
  const help = flags.has('--help') || flags.has('-h');

  // Leading words select the command; global flags may stand before them.
  const path: string[] = [];
  let index = 0;
  while (index < args.length) {
    const arg = args[index]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (
        !registry.get(path) &&
        ['--help', '-h', '--json', '--verbose', '--quiet', '-q', '--version'].includes(arg)
      ) {
        index++;
        continue;
      }
      break;
    }
    if (registry.get(path)) break; // a command's positional
    const next = [...path, arg];
    if (!registry.get(next) && !registry.isGroup(next)) {
      const where = [PROGRAM, ...path].join(' ');
      const words = registry.children(path).map((c) => c.word);
      return usageFailure(io, where, `unknown command '${arg}'.${suggest(arg, words)}`);
    }
    path.push(arg);
    args.splice(index, 1);
  }

  const command = registry.get(path);
  if (!command) {
    if (path.length === 0 && flags.has('--version') && !help) {
      io.stdout.write(`${cliVersion()}\n`);
      return ExitCode.ok;
    }
    if (help) {
      io.stdout.write(groupHelp(registry, path));
      return ExitCode.ok;
    }
    const where = [PROGRAM, ...path].join(' ');
    const stray = args.find(
      (a) => a.startsWith('-') && !['--json', '--verbose', '--quiet', '-q'].includes(a),
    );
    if (stray) return usageFailure(io, where, `unknown option '${stray}' (give a command first)`);
    io.stderr.write(groupHelp(registry, path));
    return usageFailure(
      io,
      where,
      `missing command: ${registry
        .children(path)
        .map((c) => c.word)
        .join(', ')}`,
    );
  }
  const where = [PROGRAM, ...command.path].join(' ');
  if (help) {
    io.stdout.write(commandHelp(command));
    return ExitCode.ok;
  }

  let parsed: ReturnType<typeof parseCommandArgs>;
  try {
    parsed = parseCommandArgs(command, args);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, where, error.message);
    printError(io, error, verbose);
    return ExitCode.failure;
  }
  const json = parsed.values.json === true;
  const quiet = parsed.values.quiet === true;
  const cwd = io.cwd ?? process.cwd();
  const context: CommandContext = {
    values: parsed.values as CommandContext['values'],
    positionals: parsed.positionals,
    io,
    json,
    verbose,
    quiet,
    style: stylesFor(io.stdout, io.env),
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(cwd, p)),
    print: (text) => {
      io.stdout.write(text);
    },
    printJson: (value) => {
      io.stdout.write(`${JSON.stringify(value)}\n`);
    },
    note: (text) => {
      if (!quiet) io.stderr.write(`${text}\n`);
    },
    progress: (label) => createProgress(io, label, !quiet),
  };
  try {
    return (await command.run(context)) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, where, error.message);
    printError(io, error, verbose);
    return ExitCode.failure;
  }
}
