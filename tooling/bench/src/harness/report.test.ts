import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CaseReport, formatMs, summarize, verdict, writeResults } from './report.js';
import type { BenchRow } from './types.js';

const row: BenchRow = {
  id: 'demo',
  number: 9,
  title: 'demo',
  goal: 2,
  correctness: 'identical',
  cases: () => [],
};

function report(ocelotMs: number, peerMs: number, ok = true): CaseReport {
  return {
    row,
    caseId: 'demo/x',
    workload: 'demo x',
    ocelot: { kind: 'measured', label: 'demo', medianMs: ocelotMs, runs: '3+7' },
    peers: [
      {
        kind: 'measured',
        name: 'peer',
        medianMs: peerMs,
        runs: '3+7',
        check: { ok, detail: ok ? 'same' : 'differs' },
      },
    ],
  };
}

describe('verdict', () => {
  it('passes when peer/Ocelot reaches the goal and the answer is right', () => {
    const c = report(10, 25);
    expect(verdict(c, c.peers[0])).toBe('pass');
  });

  it('is below goal when right but not fast enough', () => {
    const c = report(10, 15);
    expect(verdict(c, c.peers[0])).toBe('below goal');
  });

  it('fails a fast wrong answer', () => {
    const c = report(1, 1000, false);
    expect(verdict(c, c.peers[0])).toBe('FAILED');
  });

  it('fails when Ocelot threw', () => {
    const c: CaseReport = { ...report(1, 2), ocelot: { kind: 'error', error: 'boom' } };
    expect(verdict(c, c.peers[0])).toBe('FAILED');
  });

  it('says not yet available when Ocelot has no such function', () => {
    const c: CaseReport = { ...report(1, 2), ocelot: { kind: 'unavailable', reason: 'later' } };
    expect(verdict(c, c.peers[0])).toBe('not yet available');
  });

  it('skips a missing peer', () => {
    const c: CaseReport = {
      ...report(1, 2),
      peers: [{ kind: 'skipped', name: 'torchvision', reason: 'no torch' }],
    };
    expect(verdict(c, c.peers[0])).toBe('skipped');
  });
});

describe('summarize and writeResults', () => {
  it('counts lines and writes the table with the environment', () => {
    const cases = [report(10, 25), report(10, 15), report(1, 1000, false)];
    expect(summarize(cases)).toMatchObject({ pass: 1, belowGoal: 1, failed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'ocelot-bench-report-'));
    try {
      const path = join(dir, 'RESULTS.md');
      writeResults(path, {
        env: {
          date: '2024-01-01T00:00:00.000Z',
          node: 'v20.0.0',
          nproc: 2,
          cpu: 'Test CPU',
          loadAtStart: '0.10 / 0.20 / 0.30',
          commit: 'abc',
        },
        loadAtEnd: '0.1 / 0.1 / 0.1',
        command: 'pnpm bench',
        versions: ['onnxruntime-node 1.0'],
        timingRules: ['timing: demo'],
        notes: ['loaded machine'],
        cases,
        wallSeconds: 12,
      });
      const text = readFileSync(path, 'utf8');
      expect(text).toContain('- node: v20.0.0');
      expect(text).toContain('- nproc: 2');
      expect(text).toContain('- CPU: Test CPU');
      expect(text).toContain(
        '| 9 | demo x | 10.0 | peer | 25.0 | 2.50× | ≥ 2× | 3+7 / 3+7 | pass |',
      );
      expect(text).toContain('| FAILED |');
      expect(text).toContain('- loaded machine');
      expect(text).toContain('demo/x vs peer: WRONG — differs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatMs', () => {
  it('keeps about three significant digits', () => {
    expect(formatMs(0.1234)).toBe('0.123');
    expect(formatMs(1.234)).toBe('1.23');
    expect(formatMs(12.34)).toBe('12.3');
    expect(formatMs(12345.6)).toBe('12,346');
  });
});

describe('skipped cases', () => {
  it('reports a case that cannot run here as skipped, not as not-yet-available', () => {
    const c: CaseReport = {
      ...report(1, 2),
      ocelot: { kind: 'unavailable', reason: 'not run' },
      peers: [],
      skipped: 'pycocotools missing',
    };
    expect(verdict(c, undefined)).toBe('skipped');
    expect(summarize([c])).toMatchObject({ skipped: 1, notYet: 0 });
  });
});

describe('alternated and timed-out lines', () => {
  it('takes the ratio of an alternated peer against the Ocelot timing of its own run', () => {
    const c: CaseReport = {
      ...report(10, 25),
      peers: [
        {
          kind: 'measured',
          name: 'ort',
          medianMs: 25,
          runs: '3+7',
          ocelot: { medianMs: 20, runs: '3+7' },
        },
      ],
    };
    // 25 / 20 = 1.25 < goal 2 (against the case column's 10 ms it would pass)
    expect(verdict(c, c.peers[0])).toBe('below goal');
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const path = join(dir, 'r.md');
      writeResults(path, {
        env: { date: 'd', node: 'v', nproc: 2, cpu: 'c', loadAtStart: '0 / 0 / 0', commit: 'x' },
        loadAtEnd: '0 / 0 / 0',
        command: 'pnpm bench',
        versions: [],
        timingRules: [],
        notes: [],
        cases: [
          c,
          {
            ...report(10, 25),
            caseId: 'demo/y',
            peers: [{ kind: 'timedOut', name: 'tv', reason: 'timed out after 300 s while tv' }],
            timedOut: 'timed out after 300 s while tv',
          },
        ],
        wallSeconds: 1,
      });
      const md = readFileSync(path, 'utf8');
      expect(md).toContain('| 20.0 | ort | 25.0 | 1.25× |');
      expect(md).toMatch(/\| tv \| timed out \| — \| .* \| timed out \|/);
      expect(md).toContain('- demo/y: TIMED OUT — timed out after 300 s while tv');
      expect(md).toContain('0 FAILED, 1 timed out,');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
