#!/usr/bin/env node
// The `ocelot` command: runs the built package (dist/). Build it with `pnpm build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('ocelot: @ocelot/cli is not built (packages/cli/dist is missing); run `pnpm build` first\n');
  process.exit(1);
}

// `ocelot ... | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    const what = String(error.message).split('\n')[0];
    process.stderr.write(`ocelot: a package is not built (${what}); run \`pnpm build\` first\n`);
    process.exit(1);
  }
  throw error;
}
// `pnpm ocelot …` (the root script) runs in the repository root; resolve the user's relative
// paths against the directory pnpm was started in.
const cwd =
  process.env.npm_lifecycle_event === 'ocelot' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
process.exitCode = await cli.main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd,
});
