/**
 * @ocelot/browser-test — run TypeScript page modules in Debian's Chromium and get JSON back.
 *
 * `launchBrowserHarness({ modules })` bundles each page module with Vite (browser export
 * conditions plus `@ocelot/source`, so workspace packages run from their sources), serves the
 * bundle, onnxruntime-web's own `.mjs`/`.wasm` files (at `/ort/`) and any fixture directories
 * from a loopback server that sends COOP/COEP (the page is cross-origin isolated), launches
 * `/usr/bin/chromium` headless through playwright-core with a fresh profile, and blocks every
 * request that leaves that origin. `harness.run(name, input)` imports the module in the page,
 * calls its default export with `input` and returns the result (JSON-serialisable values).
 *
 * A page module:
 * ```ts
 * export default async function (input: { n: number }) { return { doubled: input.n * 2 }; }
 * ```
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { type StaticServer, startStaticServer } from './server.js';

export { ISOLATION_HEADERS, startStaticServer } from './server.js';
export type { StaticServer, StaticServerOptions } from './server.js';

/** The Chromium the harness drives: Debian's package, unless env `OCELOT_CHROMIUM_PATH` says otherwise. */
export const CHROMIUM_PATH = process.env.OCELOT_CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a quiet, offline, GPU-less headless Chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** URL prefix under which onnxruntime-web's dist files are served; pass it as `wasmPaths`. */
export const ORT_WEB_PREFIX = '/ort/';

/** The same test page served without COOP/COEP (`crossOriginIsolated` is false there). */
export const NOT_ISOLATED_PAGE = '/not-isolated.html';

/** URL prefix of the bundled page modules. */
export const MODULE_PREFIX = '/__modules__/';

/**
 * Why browser tests cannot run here, or `undefined` when they can. Use with
 * `describe.skipIf(reason !== undefined)` and put the reason in the suite title.
 */
export function browserUnavailableReason(): string | undefined {
  if (!existsSync(CHROMIUM_PATH)) {
    return `${CHROMIUM_PATH} is not installed (apt-get install chromium to run browser tests)`;
  }
  return undefined;
}

/** Directory of onnxruntime-web's `dist/` (its `.mjs` bundles and `.wasm` binaries). */
export function onnxruntimeWebDistDir(): string {
  // The "require" export of onnxruntime-web is dist/ort.min.js.
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

export interface BrowserHarnessOptions {
  /** Page modules by name → absolute path of a `.ts`/`.js` file with a default export. */
  readonly modules: Readonly<Record<string, string>>;
  /** Extra directories to serve: URL prefix (`/fixtures/`) → directory. */
  readonly serve?: Readonly<Record<string, string>>;
  /**
   * Resolve conditions put before Vite's browser defaults (default `['@ocelot/source']`, so
   * workspace packages are bundled from their TypeScript sources).
   */
  readonly conditions?: readonly string[];
  /**
   * `false` (default): `onnxruntime-web` stays out of the bundle and an import map points it to
   * `/ort/ort.bundle.min.mjs`, served from node_modules as published. `true`: bundle it.
   */
  readonly bundleOnnxruntime?: boolean;
  /** Milliseconds a single `run` may take (default 120 000). */
  readonly runTimeoutMs?: number;
}

export interface PageRunOptions {
  /**
   * Run in a document with (`true`, default) or without (`false`) COOP/COEP. Switching
   * navigates to a new document.
   */
  readonly crossOriginIsolated?: boolean;
  /** Navigate to a new document first (fresh module instances, fresh onnxruntime-web). */
  readonly freshPage?: boolean;
}

export interface BrowserHarness {
  /** `http://127.0.0.1:<port>`, the page's origin. */
  readonly origin: string;
  /** The playwright page, for anything `run` does not cover. */
  readonly page: Page;
  /** Console messages and page errors so far, as `[type] text`. */
  readonly logs: readonly string[];
  /** URLs the page tried to load from anywhere but `origin` (all are blocked). */
  readonly blockedRequests: readonly string[];
  /** Paths requested from the loopback server so far. */
  readonly requests: readonly string[];
  /**
   * Imports page module `name` in the page, awaits `default(input)` and returns its result.
   * Errors thrown in the page are rethrown here with the page's recent console output. Runs
   * share the page (and its module instances) unless `options` asks for a fresh one.
   */
  run<T = unknown>(name: string, input?: unknown, options?: PageRunOptions): Promise<T>;
  /** Closes Chromium and the server and deletes the profile and the bundle. */
  close(): Promise<void>;
}

function indexHtml(importMap: Record<string, string>): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>ocelot browser test</title>
<script type="importmap">${JSON.stringify({ imports: importMap })}</script>
<script type="module">
  // Defined here, not in the function passed to page.evaluate: test runners rewrite import()
  // in the test process's code.
  globalThis.__ocelotRun = async (url, arg) => {
    const mod = await import(url);
    if (typeof mod.default !== 'function') throw new Error(url + ' has no default export function');
    return await mod.default(arg);
  };
</script>
</head><body></body></html>
`;
}

async function bundle(
  modules: Readonly<Record<string, string>>,
  outDir: string,
  conditions: readonly string[],
  bundleOnnxruntime: boolean,
): Promise<void> {
  await build({
    configFile: false,
    envFile: false,
    root: outDir,
    logLevel: 'error',
    mode: 'production',
    resolve: { conditions: [...conditions, ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: false,
      write: true,
      minify: false,
      sourcemap: 'inline',
      target: 'es2022',
      modulePreload: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rollupOptions: {
        input: { ...modules },
        external: bundleOnnxruntime ? [] : [/^onnxruntime-web(\/.*)?$/],
        preserveEntrySignatures: 'strict',
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]',
        },
      },
    },
  });
}

/**
 * Bundles `options.modules`, serves them cross-origin isolated on loopback and opens them in a
 * fresh headless Chromium. One harness per test file (`beforeAll` / `afterAll`).
 *
 * @throws Error when Chromium is missing (check `browserUnavailableReason()` first) or the
 *   bundle fails to build
 */
export async function launchBrowserHarness(
  options: BrowserHarnessOptions,
): Promise<BrowserHarness> {
  const unavailable = browserUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  for (const name of Object.keys(options.modules)) {
    if (!/^[\w-]+$/.test(name)) throw new Error(`module name must be [A-Za-z0-9_-]+: ${name}`);
  }
  const work = await mkdtemp(join(tmpdir(), 'ocelot-browser-'));
  const outDir = join(work, 'bundle');
  const userDataDir = join(work, 'profile');
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  try {
    await bundle(
      options.modules,
      outDir,
      options.conditions ?? ['@ocelot/source'],
      options.bundleOnnxruntime ?? false,
    );
    const importMap: Record<string, string> = options.bundleOnnxruntime
      ? {}
      : { 'onnxruntime-web': `${ORT_WEB_PREFIX}ort.bundle.min.mjs` };
    server = await startStaticServer({
      mounts: {
        ...options.serve,
        [ORT_WEB_PREFIX]: onnxruntimeWebDistDir(),
        [MODULE_PREFIX]: outDir,
      },
      pages: {
        '/': { body: indexHtml(importMap), type: 'text/html; charset=utf-8' },
        [NOT_ISOLATED_PAGE]: {
          body: indexHtml(importMap),
          type: 'text/html; charset=utf-8',
          isolated: false,
        },
        '/favicon.ico': { body: '', type: 'image/x-icon' },
      },
    });
    const origin = server.origin;
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    const logs: string[] = [];
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:')) {
        return route.continue();
      }
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
    await page.goto(`${origin}/`);
    let isolatedDocument = true;
    const runTimeoutMs = options.runTimeoutMs ?? 120_000;
    const liveServer = server;
    const liveContext = context;

    return {
      origin,
      page,
      logs,
      blockedRequests: blocked,
      requests: liveServer.requests,
      async run<T>(name: string, input?: unknown, runOptions: PageRunOptions = {}): Promise<T> {
        if (!Object.hasOwn(options.modules, name)) {
          throw new Error(
            `unknown page module "${name}"; known: ${Object.keys(options.modules).join(', ')}`,
          );
        }
        const wantIsolated = runOptions.crossOriginIsolated ?? true;
        if (runOptions.freshPage || wantIsolated !== isolatedDocument) {
          await page.goto(`${origin}${wantIsolated ? '/' : NOT_ISOLATED_PAGE}`);
          isolatedDocument = wantIsolated;
        }
        const url = `${origin}${MODULE_PREFIX}${name}.js`;
        const logStart = logs.length;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`page module "${name}" did not finish within ${runTimeoutMs} ms`)),
            runTimeoutMs,
          );
        });
        try {
          return (await Promise.race([
            page.evaluate(
              ([moduleUrl, arg]) =>
                (
                  globalThis as unknown as {
                    __ocelotRun: (u: string, a: unknown) => Promise<unknown>;
                  }
                ).__ocelotRun(moduleUrl, arg),
              [url, input] as const,
            ),
            timeout,
          ])) as T;
        } catch (error) {
          const recent = logs.slice(logStart).slice(-20).join('\n');
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`${message}${recent ? `\n--- page console ---\n${recent}` : ''}`, {
            cause: error,
          });
        } finally {
          clearTimeout(timer);
        }
      },
      async close() {
        await liveContext.close().catch(() => undefined);
        await liveServer.close();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await server?.close();
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
