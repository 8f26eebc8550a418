/**
 * A progress bar for batches of images on stderr: on a TTY a live line with a bar, the count,
 * throughput and ETA, redrawn at most 10 times a second; otherwise one plain line when the
 * batch starts (logs get no carriage returns). Silent when disabled (`--quiet`).
 */
import { type CliIO, stylesFor } from '../io.js';

export interface BatchProgress {
  /** `done` of the total items are finished. */
  update(done: number): void;
  /** Runs `write` (which prints to stdout) without tearing the live line. */
  interrupt(write: () => void): void;
  /** Ends the bar (the live line is cleared). */
  done(): void;
}

/** Seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The text of the live line (exported for tests). */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedSeconds: number,
  width = 24,
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const parts = [`${label} ${bar} ${done}/${total}`];
  if (done > 0) parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} img/s`);
  if (done > 0 && done < total) parts.push(`ETA ${formatDuration(eta)}`);
  return parts.join('  ');
}

/**
 * Starts a progress bar for `total` items.
 * @param enabled false for `--quiet`
 */
export function createBatchProgress(
  io: CliIO,
  label: string,
  total: number,
  enabled: boolean,
): BatchProgress {
  const stream = io.stderr;
  const now = io.now ?? (() => performance.now());
  if (!enabled) {
    return { update() {}, interrupt: (write) => write(), done() {} };
  }
  if (!stream.isTTY) {
    stream.write(`${label}: ${total} image${total === 1 ? '' : 's'}...\n`);
    return { update() {}, interrupt: (write) => write(), done() {} };
  }
  const dim = stylesFor(stream, io.env).dim;
  const start = now();
  let last = Number.NEGATIVE_INFINITY;
  let count = 0;
  let shown = false;
  const draw = () => {
    stream.write(`\r\u001b[K${dim(progressLine(label, count, total, (now() - start) / 1000))}`);
    shown = true;
  };
  draw();
  return {
    update(done) {
      count = done;
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      draw();
    },
    interrupt(write) {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
      write();
      draw();
    },
    done() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}
