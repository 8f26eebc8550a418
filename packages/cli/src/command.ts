/**
 * Commands and their registry. A command is a plain object — a path of words
 * (`['eval', 'coco']`), options in `node:util` `parseArgs` form plus descriptions, and a `run`
 * function — so adding one is: write the object, add it to `builtinCommands`. The dispatcher
 * (`main.ts`) does parsing, `--help`, usage errors and exit codes for every command alike.
 */
import { OcelotError } from '@ocelot/core';
import type { CliIO, Progress, Styles } from './io.js';

/** Exit codes of the `ocelot` command. */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** The command ran and failed: unreadable or invalid files, evaluation errors. */
  failure: 1,
  /** The command line is wrong: unknown command or option, missing or bad value. */
  usage: 2,
} as const;

/** The command line is wrong (exit code 2). */
export class UsageError extends OcelotError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** One option of a command, in `parseArgs` form plus what help needs. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Name of the value in help, e.g. `FILE` (string options). */
  readonly valueName?: string;
  /** A missing required option is a usage error. */
  readonly required?: boolean;
  /** Allowed values (string options); anything else is a usage error. */
  readonly choices?: readonly string[];
  /** Value when the option is not given. */
  readonly default?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['choices'] extends readonly (infer C extends string)[]
    ? S['required'] extends true
      ? C
      : S['default'] extends string
        ? C
        : C | undefined
    : S['required'] extends true
      ? string
      : S['default'] extends string
        ? string
        : string | undefined;

/** Parsed option values, typed from the specs (`--iou-type` becomes `values['iou-type']`). */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

/** A positional argument, for help and arity checks. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes all remaining positionals (last one only). */
  readonly variadic?: boolean;
}

/** Everything `run` gets. */
export interface CommandContext<O extends OptionSpecs = OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  readonly io: CliIO;
  /** `--json`: print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  /** `--verbose`: more detail on stderr, stack traces with errors. */
  readonly verbose: boolean;
  /** `--quiet`: no progress on stderr. */
  readonly quiet: boolean;
  /** Colours for stdout (plain when it is not a TTY or NO_COLOR is set). */
  readonly style: Styles;
  /** Resolves a path from the command line against the working directory. */
  resolvePath(path: string): string;
  /** Writes text to stdout. */
  print(text: string): void;
  /** Writes `JSON.stringify(value)` and a newline to stdout. */
  printJson(value: unknown): void;
  /** Writes a note to stderr (not in `--quiet` mode). */
  note(text: string): void;
  /** Starts a progress report on stderr. */
  progress(label: string): Progress;
}

/** A command of the `ocelot` CLI. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** Words that select the command, e.g. `['eval', 'coco']`. */
  readonly path: readonly string[];
  /** One line for lists of commands. */
  readonly summary: string;
  /** Paragraphs for `--help` (optional). */
  readonly description?: string;
  readonly options: O;
  /** Positional arguments; none are accepted when absent. */
  readonly positionals?: readonly PositionalSpec[];
  /** Example command lines for `--help`. */
  readonly examples?: readonly string[];
  /** Runs the command; returns the exit code (default 0). Throw `UsageError` for usage problems. */
  run(context: CommandContext<O>): number | undefined | Promise<number | undefined>;
}

/**
 * Defines a command with its option values typed from its option specs (an identity function
 * that exists for type inference).
 */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** Summaries of command groups (`ocelot eval`), for help. */
export interface CommandGroup {
  readonly path: readonly string[];
  readonly summary: string;
}

/**
 * The set of commands the dispatcher knows. Paths are unique; a path may not be both a
 * command and a prefix of another command.
 */
export class CommandRegistry {
  readonly #commands = new Map<string, Command>();
  readonly #groups = new Map<string, string>();

  /** Adds a command; throws on a duplicate path or a clash with a group. */
  add<O extends OptionSpecs>(command: Command<O>): this {
    const key = command.path.join(' ');
    if (command.path.length === 0 || command.path.some((w) => !/^[a-z][a-z0-9-]*$/.test(w))) {
      throw new OcelotError(
        'E_BAD_COMMAND',
        `command path ${JSON.stringify(command.path)} must be lower-case words`,
      );
    }
    if (this.#commands.has(key))
      throw new OcelotError('E_DUPLICATE_COMMAND', `command "${key}" is already registered`);
    for (let n = 1; n < command.path.length; n++) {
      if (this.#commands.has(command.path.slice(0, n).join(' '))) {
        throw new OcelotError(
          'E_DUPLICATE_COMMAND',
          `"${key}" would be under the command "${command.path.slice(0, n).join(' ')}"`,
        );
      }
    }
    if (this.isGroup(command.path)) {
      throw new OcelotError('E_DUPLICATE_COMMAND', `"${key}" is already a group of commands`);
    }
    this.#commands.set(key, command as unknown as Command);
    return this;
  }

  /** Names a group for help (`describeGroup(['eval'], 'evaluate predictions')`). */
  describeGroup(path: readonly string[], summary: string): this {
    this.#groups.set(path.join(' '), summary);
    return this;
  }

  get(path: readonly string[]): Command | undefined {
    return this.#commands.get(path.join(' '));
  }

  /** True when some command's path starts with `path` (and is longer). */
  isGroup(path: readonly string[]): boolean {
    const prefix = `${path.join(' ')} `;
    for (const key of this.#commands.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  groupSummary(path: readonly string[]): string | undefined {
    return this.#groups.get(path.join(' '));
  }

  /** The next words after `path`: each a command or a group, sorted. */
  children(
    path: readonly string[],
  ): { word: string; command: Command | undefined; summary: string }[] {
    const words = new Set<string>();
    for (const command of this.#commands.values()) {
      if (command.path.length > path.length && path.every((w, i) => command.path[i] === w)) {
        words.add(command.path[path.length]!);
      }
    }
    return [...words].sort().map((word) => {
      const full = [...path, word];
      const command = this.get(full);
      return { word, command, summary: command?.summary ?? this.groupSummary(full) ?? '' };
    });
  }

  /** Every command, sorted by path. */
  all(): Command[] {
    return [...this.#commands.values()].sort((a, b) =>
      a.path.join(' ').localeCompare(b.path.join(' ')),
    );
  }
}
