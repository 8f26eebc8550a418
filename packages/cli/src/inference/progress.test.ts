import { describe, expect, it } from 'vitest';
import { createBatchProgress, formatDuration, progressLine } from './progress.js';

describe('progress bar', () => {
  it('formats durations', () => {
    expect([
      formatDuration(4.4),
      formatDuration(65),
      formatDuration(3725),
      formatDuration(Number.NaN),
    ]).toEqual(['4s', '1m05s', '1h02m', '?']);
  });

  it('shows the bar, the count, throughput and ETA', () => {
    expect(progressLine('detecting', 0, 10, 0, 10)).toBe('detecting ░░░░░░░░░░ 0/10');
    expect(progressLine('detecting', 5, 10, 2, 10)).toBe(
      'detecting █████░░░░░ 5/10  2.5 img/s  ETA 2s',
    );
    expect(progressLine('detecting', 200, 400, 10, 4)).toBe(
      'detecting ██░░ 200/400  20 img/s  ETA 10s',
    );
    expect(progressLine('detecting', 10, 10, 4, 10)).toBe('detecting ██████████ 10/10  2.5 img/s');
  });

  it('redraws on a TTY at most every 100 ms and clears the line at the end', () => {
    let out = '';
    let t = 0;
    const io = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (out += s), isTTY: true },
      env: { NO_COLOR: '1' },
      now: () => t,
    };
    const p = createBatchProgress(io, 'x', 3, true);
    t = 50;
    p.update(1); // drawn (first update)
    t = 60;
    p.update(2); // too soon
    t = 400;
    p.update(3); // last one always drawn
    p.interrupt(() => {
      out += '<stdout line>';
    });
    p.done();
    const draws = out.split('\r\u001b[K').filter((s) => s !== '');
    expect(draws).toEqual([
      'x ░░░░░░░░░░░░░░░░░░░░░░░░ 0/3',
      'x ████████░░░░░░░░░░░░░░░░ 1/3  20 img/s  ETA 0s',
      'x ████████████████████████ 3/3  7.5 img/s',
      '<stdout line>',
      'x ████████████████████████ 3/3  7.5 img/s',
    ]);
    expect(out.endsWith('\r\u001b[K')).toBe(true);
  });

  it('writes one plain line when not a TTY, nothing when quiet', () => {
    let out = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (out += s) },
      env: {},
    };
    const p = createBatchProgress(io, 'segmenting', 1, true);
    p.update(1);
    p.done();
    expect(out).toBe('segmenting: 1 image...\n');
    out = '';
    const q = createBatchProgress(io, 'segmenting', 5, false);
    q.update(3);
    q.done();
    expect(out).toBe('');
  });
});
