/**
 * A small static file server for browser tests: loopback only, cross-origin isolated
 * (COOP/COEP/CORP on every response, so `crossOriginIsolated` is true and wasm threads work),
 * path-traversal safe, with the right MIME types for `.mjs` and `.wasm`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers that make a page cross-origin isolated (needed for SharedArrayBuffer / wasm threads). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Paths requested so far (for assertions such as "the model was fetched once"). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** URL prefix (starting and ending with `/`) → directory. Longest prefix wins. */
  readonly mounts: Readonly<Record<string, string>>;
  /**
   * Fixed responses by exact path, e.g. `{ '/': { body: html, type: 'text/html' } }`. A page
   * with `isolated: false` is sent without COOP/COEP (its document is not cross-origin isolated).
   */
  readonly pages?: Readonly<
    Record<string, { readonly body: string; readonly type: string; readonly isolated?: boolean }>
  >;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
  isolated = true,
) {
  res.writeHead(status, {
    ...(isolated ? ISOLATION_HEADERS : {}),
    'Content-Type': type,
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** Starts the server on 127.0.0.1 with an OS-chosen port. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const mounts = Object.entries(options.mounts)
    .map(([prefix, dir]) => {
      if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
        throw new Error(`mount prefix must start and end with "/": ${prefix}`);
      }
      return [prefix, resolve(dir)] as const;
    })
    .sort((a, b) => b[0].length - a[0].length);
  const requests: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const page = options.pages?.[url.pathname];
    if (page) {
      return send(
        res,
        200,
        req.method === 'HEAD' ? '' : page.body,
        page.type,
        page.isolated ?? true,
      );
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'bad path');
    }
    const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
    if (!mount) return send(res, 404, `not found: ${pathname}`);
    const [prefix, dir] = mount;
    const file = resolve(dir, `.${sep}${pathname.slice(prefix.length)}`);
    if (file !== dir && !file.startsWith(dir + sep)) return send(res, 403, 'outside the mount');
    let size: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) return send(res, 404, `not a file: ${pathname}`);
      size = s.size;
    } catch {
      return send(res, 404, `not found: ${pathname}`);
    }
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
