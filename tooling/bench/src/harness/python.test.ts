import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PythonPeers } from './python.js';

// Fake workers in Node (the TS tests never need Python), spoken to like peer_worker.py. The
// harness runs `<executable> -u <script>`: a small wrapper drops the `-u` and runs node.
const dir = mkdtempSync(join(tmpdir(), 'bench-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = join(dir, 'node.sh');
writeFileSync(node, `#!/bin/sh\nshift\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });

const PROBE = `{ ok: true, python: '3.x', executable: 'fake', modules: { numpy: { version: '1' } } }`;

/** A fake worker whose answer to each request `req` is the code `onRequest`. */
function worker(name: string, onRequest: string): string {
  const path = join(dir, `${name}.cjs`);
  writeFileSync(
    path,
    `const probe = ${PROBE};
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  ${onRequest}
});
`,
  );
  return path;
}

const ANSWER = `process.stdout.write(JSON.stringify({ id: req.id, ...probe, times: [1], warmup: 0 }) + '\\n');`;

describe('PythonPeers', () => {
  it('answers requests, reports versions, and refuses requests once closed', async () => {
    const peers = new PythonPeers(node, worker('echo', ANSWER));
    expect(await peers.unavailable(['numpy'])).toBeUndefined();
    expect((await peers.versions(5000)).numpy).toBe('1');
    expect((await peers.call('x', {})).times).toEqual([1]);
    peers.close();
    await expect(peers.call('x', {})).rejects.toThrow(/closed/);
  });

  it('salvages a response that shares its line with stray output', async () => {
    const peers = new PythonPeers(
      node,
      worker(
        'noisy',
        `process.stdout.write('[C library chatter]' + JSON.stringify({ id: req.id, ...probe }) + '\\n');`,
      ),
    );
    expect(await peers.unavailable(['numpy'])).toBeUndefined();
    peers.close();
  });

  it('restart() kills a worker that stopped answering; the next request gets a fresh one', async () => {
    const flag = join(dir, 'hung-once');
    writeFileSync(flag, '');
    const peers = new PythonPeers(
      node,
      worker(
        'hang-once',
        `const fs = require('node:fs');
  if (fs.existsSync(${JSON.stringify(flag)})) { fs.rmSync(${JSON.stringify(flag)}); return; }
  ${ANSWER}`,
      ),
    );
    const first = peers.unavailable(['numpy']);
    // wait until the first worker has taken the request (removed the flag), however slowly it
    // started on a loaded machine: a fixed delay let a second worker see the flag and hang too
    for (let i = 0; i < 600 && existsSync(flag); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(existsSync(flag)).toBe(false);
    expect(peers.busy()).toBe(true);
    expect(peers.restart('case timed out')).toBe(true);
    expect(await first).toMatch(/case timed out/);
    expect(peers.busy()).toBe(false);
    // the killed probe said nothing about Python: it is asked again, of the new worker
    expect(await peers.unavailable(['numpy'])).toBeUndefined();
    peers.close();
  });

  it('lets the process exit after versions() + close() (the realworld-e2e hang)', () => {
    const script = join(dir, 'exit-check.mts');
    const python = fileURLToPath(new URL('./python.ts', import.meta.url));
    writeFileSync(
      script,
      `import { PythonPeers } from ${JSON.stringify(python)};
const peers = new PythonPeers(${JSON.stringify(node)}, ${JSON.stringify(worker('idle', ANSWER))});
console.log(JSON.stringify(await peers.versions(5000)));
peers.close();
// the old order (close, then versions) spawned a fresh worker that nobody closed
const late = new PythonPeers(${JSON.stringify(node)}, ${JSON.stringify(worker('idle2', ANSWER))});
late.close();
console.log(JSON.stringify(await late.versions(5000)));
`,
    );
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const r = spawnSync(tsx, [script], { timeout: 30_000, encoding: 'utf8' });
    expect(r.error).toBeUndefined(); // ETIMEDOUT when the idle worker keeps it alive
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"numpy":"1"');
    expect(r.stdout).toContain('closed');
  }, 40_000);
});
