#!/usr/bin/env node
/**
 * `ocelot-node-demo`: starts the demo service and shuts it down gracefully on SIGTERM / SIGINT
 * (stop accepting, finish requests in flight, dispose the sessions, exit 0; a second signal
 * exits at once with 1).
 */
import { parseArgs } from 'node:util';
import { createDemoServer } from './server.js';

const USAGE = `Usage: ocelot-node-demo [options]

Options:
  --port N           port (default: $PORT, else 8080; 0 picks a free one)
  --host HOST        address to listen on (default: $HOST, else 127.0.0.1)
  --model ID|CARD    a model to serve (repeat, or comma-separated); default: the detector and
                     segmenter of models/defaults.json
  --models-dir DIR   a models folder searched first (also: OCELOT_MODELS_DIR)
  --max-body-mb N    largest upload in MiB (default 10)
  --concurrency N    inferences at once (default 2)
  --queue N          requests waiting for an inference before 503 (default 8)
  -h, --help         show this help
`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isInteger(v) || v < min) {
    process.stderr.write(
      `ocelot-node-demo: --${name} must be an integer >= ${min}; got '${value}'\n`,
    );
    process.exit(2);
  }
  return v;
}

let parsed: ReturnType<typeof parseArgs>;
try {
  // `pnpm start -- --port 9000` passes the `--` along
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  parsed = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      model: { type: 'string', multiple: true },
      'models-dir': { type: 'string' },
      'max-body-mb': { type: 'string' },
      concurrency: { type: 'string' },
      queue: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
} catch (error) {
  process.stderr.write(`ocelot-node-demo: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const port = positiveInt('port', (values.port as string | undefined) ?? process.env.PORT, 8080, 0);
const host = (values.host as string | undefined) ?? process.env.HOST ?? '127.0.0.1';
const models = ((values.model as string[] | undefined) ?? [])
  .flatMap((m) => m.split(','))
  .filter((m) => m !== '');
// `pnpm start` / `pnpm dev` run in this package's folder: resolve the user's relative paths
// against the folder pnpm was started in.
const cwd =
  process.env.npm_lifecycle_event !== undefined && process.env.INIT_CWD
    ? process.env.INIT_CWD
    : process.cwd();
const app = createDemoServer({
  models,
  cwd,
  ...(values['models-dir'] !== undefined && { modelsDir: values['models-dir'] as string }),
  maxBodyBytes:
    positiveInt('max-body-mb', values['max-body-mb'] as string | undefined, 10) * 1024 * 1024,
  concurrency: positiveInt('concurrency', values.concurrency as string | undefined, 2),
  queue: positiveInt('queue', values.queue as string | undefined, 8, 0),
  log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${new Date().toISOString()} ${signal}: shutting down\n`);
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`shutdown failed: ${error.message}\n`);
        process.exit(1);
      },
    );
  });
}

try {
  const { url } = await app.listen(port, host);
  process.stderr.write(`${new Date().toISOString()} listening on ${url}\n`);
  await app.ready;
  process.stderr.write(
    `${new Date().toISOString()} ready: ${[...app.models.keys()].join(', ')} — try: curl -s -H 'Content-Type: image/png' --data-binary @image.png '${url}/detect'\n`,
  );
} catch (error) {
  process.stderr.write(`ocelot-node-demo: ${(error as Error).message}\n`);
  await app.close().catch(() => {});
  process.exit(1);
}
