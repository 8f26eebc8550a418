/**
 * Output plumbing of the CLI: the streams a command writes to, colours (only on a TTY and
 * when NO_COLOR is unset), and progress reporting on stderr.
 */

/** The part of a Node stream the CLI uses (tests pass plain objects). */
export interface CliStream {
  write(chunk: string): unknown;
  /** True for a terminal; enables colours and the live progress line. */
  readonly isTTY?: boolean;
}

/** Where `main` reads its environment and writes its output. */
export interface CliIO {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Environment variables (default `process.env`); `NO_COLOR` turns colours off. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  readonly cwd?: string;
  /** Clock in milliseconds for progress timing (tests pass a fake one). */
  readonly now?: () => number;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A style function per colour; identity functions when colours are off. */
export type Styles = { readonly [K in keyof typeof CODES]: (text: string) => string };

/** Colours are on when the stream is a TTY and `NO_COLOR` is unset or empty (no-color.org). */
export function colourEnabled(stream: CliStream, env: CliIO['env']): boolean {
  return stream.isTTY === true && !env?.NO_COLOR;
}

/** ANSI styles for `stream`, or identity functions when it should stay plain. */
export function stylesFor(stream: CliStream, env: CliIO['env']): Styles {
  const on = colourEnabled(stream, env);
  const entries = Object.entries(CODES).map(([name, [open, close]]) => [
    name,
    on ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Styles;
}

/** Reports the progress of one long step. */
export interface Progress {
  /** Work done so far out of `total` (any units). */
  update(done: number, total: number): void;
  /** Ends the step; on a TTY the live line is replaced by a final one. */
  done(): void;
}

/**
 * Progress on stderr: on a TTY a live `label 42%` line redrawn at most every 100 ms; otherwise
 * one plain line when the step starts (no carriage returns in logs). Silent when `enabled` is
 * false (`--quiet`).
 */
export function createProgress(io: CliIO, label: string, enabled: boolean): Progress {
  const stream = io.stderr;
  const now = io.now ?? (() => performance.now());
  const start = now();
  if (!enabled) return { update() {}, done() {} };
  if (!stream.isTTY) {
    stream.write(`${label}...\n`);
    return { update() {}, done() {} };
  }
  const dim = stylesFor(stream, io.env).dim;
  let last = Number.NEGATIVE_INFINITY;
  stream.write(`${label}...`);
  return {
    update(done, total) {
      const t = now();
      if (t - last < 100) return;
      last = t;
      const percent = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
      stream.write(`\r\u001b[K${label} ${percent}%`);
    },
    done() {
      const seconds = (now() - start) / 1000;
      stream.write(`\r\u001b[K${label} ${dim(`done in ${seconds.toFixed(2)} s`)}\n`);
    },
  };
}
