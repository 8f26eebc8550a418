/**
 * The demo's Vite plugin: makes every page cross-origin isolated and serves what the app loads
 * at run time from this machine, never from a CDN.
 *
 * - Every response of the dev and preview servers gets `Cross-Origin-Opener-Policy:
 *   same-origin`, `Cross-Origin-Embedder-Policy: require-corp` and
 *   `Cross-Origin-Resource-Policy: same-origin`, so `crossOriginIsolated` is true in the page
 *   and its workers (SharedArrayBuffer, hence onnxruntime-web's wasm threads).
 * - `ort/`: onnxruntime-web's wasm binary and its JS glue, from node_modules (the app passes
 *   this folder as `wasmPaths`).
 * - `models/` and `samples/`: the manifest, model cards and files, and sample scenes chosen by
 *   `collectModels` (plugin/models.ts).
 *
 * The dev server answers from disk and re-reads models/ whenever the manifest is requested (a
 * model trained while it runs shows up on reload); `vite build` copies the same files into
 * the output, where `vite preview` (or any static server sending the headers above) serves
 * them.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { Connect, Plugin, ResolvedConfig } from 'vite';
import { type CollectedModels, type CollectOptions, collectModels } from './models.js';

/** Headers that make a document (and its workers) cross-origin isolated. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The files of onnxruntime-web the app needs: the app imports onnxruntime-web's
 * `onnxruntime-web-use-extern-wasm` build (`dist/ort.min.mjs`, see vite.config.ts), which loads
 * the JSEP glue (WebGPU / WebNN / wasm, threaded) and its binary from `wasmPaths`. A test checks
 * that this is what `ort.min.mjs` asks for.
 */
export const ORT_FILES: readonly string[] = [
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
];

/** Directory of onnxruntime-web's `dist/`. */
export function onnxruntimeWebDist(): string {
  // onnxruntime-web's "require" export is dist/ort.min.js.
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

const MIME: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.onnx': 'application/octet-stream',
};

function isolate(_req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction): void {
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
  next();
}

async function sendFile(res: ServerResponse, path: string, method: string): Promise<void> {
  const body = await readFile(path);
  res.statusCode = 200;
  res.setHeader('Content-Type', MIME[extname(path).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-cache');
  res.end(method === 'HEAD' ? undefined : body);
}

export interface OcelotDemoPluginOptions extends CollectOptions {}

/** The plugin; see the file comment. */
export function ocelotDemo(options: OcelotDemoPluginOptions = {}): Plugin {
  let config: ResolvedConfig;
  let collected: CollectedModels | undefined;

  const serveAssets: Connect.NextHandleFunction = (req, res, next) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return next();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    if (!url.pathname.startsWith(base)) return next();
    let path: string;
    try {
      path = decodeURIComponent(url.pathname.slice(base.length));
    } catch {
      return next();
    }
    const respond = async (): Promise<boolean> => {
      if (path.startsWith('ort/')) {
        const name = path.slice(4);
        if (!ORT_FILES.includes(name)) return false;
        await sendFile(res, join(onnxruntimeWebDist(), name), method);
        return true;
      }
      if (!path.startsWith('models/') && !path.startsWith('samples/')) return false;
      // The manifest request re-scans models/, so the page always lists what is on disk.
      if (path === 'models/index.json' || !collected) collected = await collectModels(options);
      const file = collected.files.get(path);
      if (!file) return false;
      if (file.kind === 'file') {
        await sendFile(res, file.path, method);
      } else {
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(method === 'HEAD' ? undefined : file.body);
      }
      return true;
    };
    respond().then(
      (done) => {
        if (done) return;
        if (path.startsWith('ort/') || path.startsWith('models/') || path.startsWith('samples/')) {
          res.statusCode = 404;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(`not found: ${url.pathname}`);
          return;
        }
        next();
      },
      (error: unknown) => next(error),
    );
  };

  return {
    name: 'ocelot-web-demo',
    configResolved(resolved) {
      config = resolved;
    },
    configureServer(server) {
      // Before Vite's own middlewares: the headers reach every response, and /ort/ files are
      // sent as published (Vite would otherwise transform the .mjs glue).
      server.middlewares.use(isolate);
      server.middlewares.use(serveAssets);
    },
    configurePreviewServer(server) {
      server.middlewares.use(isolate);
    },
    async writeBundle(outputOptions) {
      const outDir = outputOptions.dir ?? config.build.outDir;
      const models = await collectModels(options);
      const ortDir = onnxruntimeWebDist();
      await mkdir(join(outDir, 'ort'), { recursive: true });
      for (const name of ORT_FILES) await copyFile(join(ortDir, name), join(outDir, 'ort', name));
      for (const [path, file] of models.files) {
        const target = join(outDir, path);
        await mkdir(dirname(target), { recursive: true });
        if (file.kind === 'file') await copyFile(file.path, target);
        else await writeFile(target, file.body);
      }
      const n = models.manifest.models;
      config.logger.info(
        `ocelot: copied onnxruntime-web (${ORT_FILES.length} files), ${n.length} model${n.length === 1 ? '' : 's'} (${n.map((m) => `${m.id}${m.fixture ? ' [fixture]' : ''}`).join(', ') || 'none'}) and ${models.manifest.samples.length} sample scenes`,
      );
    },
  };
}
