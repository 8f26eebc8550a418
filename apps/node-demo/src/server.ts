/**
 * The demo service: `node:http`, no framework. Models are loaded once (one onnxruntime session
 * each, through @ocelot/runtime's Node entry) and shared by every request; a bounded
 * admission queue keeps memory and latency in check; shutdown stops accepting, lets requests
 * in flight finish and disposes the sessions.
 *
 * Routes:
 * - `GET /healthz` — liveness: 200 while the process serves.
 * - `GET /readyz` — readiness: 200 once every model is loaded, 503 before and while stopping.
 * - `GET /models` — the loaded models.
 * - `POST /detect`, `POST /segment` — an image as the raw body (`Content-Type: image/*` or
 *   `application/octet-stream`) or as a `multipart/form-data` file field (`image`);
 *   `?model=id&score=&iou=&max-det=&classes=a,b&agnostic=1&alpha=&format=json|png`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  annotate,
  backgroundIndex,
  categoryIds,
  cocoRecords,
  countsByClass,
  type LoadedModel,
  ModelStore,
  openModel,
  type Prediction,
  type PredictOptions,
} from '@ocelot/cli';
import { OcelotError } from '@ocelot/core';
import { decodeImage, ImageDecodeError, type RgbImage } from '@ocelot/image';
import { InferenceLimiter, type Ticket } from './limiter.js';
import { MultipartError, multipartBoundary, parseMultipart, pickImagePart } from './multipart.js';

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  /**
   * Models to load: ids (folders of the models folders) or card paths. Default: the detector and
   * segmenter of `models/defaults.json` (or the first of each task with its files present).
   */
  readonly models?: readonly string[];
  /** A models folder searched before `OCELOT_MODELS_DIR` and the repository's `models/`. */
  readonly modelsDir?: string;
  /** Directory relative model paths and `modelsDir` are resolved against; default the process's. */
  readonly cwd?: string;
  /** Environment (for `OCELOT_MODELS_DIR`); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Largest accepted request body in bytes (413 above). Default 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Inferences running at once. Default 2. */
  readonly concurrency?: number;
  /** Requests waiting for an inference slot; beyond that 503 + Retry-After. Default 8. */
  readonly queue?: number;
  /** Seconds in the Retry-After header of a 503. Default 1. */
  readonly retryAfterSeconds?: number;
  /** onnxruntime execution providers. Default `['cpu']`. */
  readonly providers?: readonly string[];
  /** Intra-op threads per session. Default 1. */
  readonly threads?: number;
  /** How long `close()` waits for requests in flight before cutting connections. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Log lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Called before each inference, after it got its slot (tests use it to hold inferences). */
  readonly beforeInference?: () => Promise<void> | void;
}

export type ServerState = 'loading' | 'ready' | 'failed' | 'stopping' | 'stopped';

/** A running demo service. */
export interface DemoServer {
  readonly server: Server;
  readonly state: ServerState;
  /** Loaded models by id. */
  readonly models: ReadonlyMap<string, LoadedModel>;
  /** Resolves when every model is loaded; rejects with the loading error. */
  readonly ready: Promise<void>;
  /** Requests being handled. */
  readonly inFlight: number;
  /** Starts listening (port 0 picks a free one). */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Stops accepting, waits for requests in flight, disposes the sessions. Idempotent. */
  close(): Promise<void>;
}

/** An error answered with an HTTP status and a JSON body. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Parses the query of an inference request; 400 naming the parameter on a bad value. */
function predictOptions(query: URLSearchParams, model: LoadedModel): PredictOptions {
  const number = (name: string, min: number, max: number, integer = false) => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (
      raw.trim() === '' ||
      !Number.isFinite(v) ||
      v < min ||
      v > max ||
      (integer && !Number.isInteger(v))
    ) {
      throw new HttpError(
        400,
        `query parameter ${name}: expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${raw}'`,
      );
    }
    return v;
  };
  const score = number('score', 0, 1);
  const iou = number('iou', 0, 1);
  const maxDet = number('max-det', 1, 100_000, true) ?? number('maxDet', 1, 100_000, true);
  const maskThreshold = number('mask-threshold', 0, 1);
  const agnostic = query.get('agnostic');
  if (agnostic !== null && !['', '1', '0', 'true', 'false'].includes(agnostic)) {
    throw new HttpError(
      400,
      `query parameter agnostic: expected 1, 0, true or false, got '${agnostic}'`,
    );
  }
  let classes: (string | number)[] | undefined;
  const rawClasses = query.get('classes');
  if (rawClasses !== null) {
    classes = rawClasses
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '')
      .map((c) => {
        if (model.classNames.includes(c)) return c;
        if (/^\d+$/.test(c) && Number(c) < model.classNames.length) return Number(c);
        throw new HttpError(
          400,
          `query parameter classes: unknown class '${c}'; ${model.card.id} has ${model.classNames.slice(0, 20).join(', ')}${model.classNames.length > 20 ? ', …' : ''}`,
        );
      });
    if (classes.length === 0) throw new HttpError(400, 'query parameter classes: no class given');
  }
  return {
    ...(score !== undefined && { scoreThreshold: score }),
    ...(iou !== undefined && { iouThreshold: iou }),
    ...(maxDet !== undefined && { maxDetections: maxDet }),
    ...(maskThreshold !== undefined && { maskThreshold }),
    ...((agnostic === '' || agnostic === '1' || agnostic === 'true') && { classAgnostic: true }),
    ...(classes !== undefined && { classes }),
  };
}

/** The JSON answer of a prediction. */
export function predictionJson(model: LoadedModel, image: RgbImage, prediction: Prediction) {
  const ids = categoryIds(model);
  const base = {
    model: model.card.id,
    task:
      model.kind === 'semantic'
        ? 'segment'
        : model.kind === 'instance'
          ? 'instance-segment'
          : 'detect',
    image: { width: image.width, height: image.height },
    counts: countsByClass(prediction, model.classNames),
    timing: Object.fromEntries(Object.entries(prediction.timing).map(([k, v]) => [k, round(v, 2)])),
  };
  if (prediction.kind === 'semantic') {
    const total = image.width * image.height;
    const records = cocoRecords(prediction, 1, ids, model.classNames);
    const bg = backgroundIndex(model.classNames);
    return {
      ...base,
      classes: Object.entries(base.counts).map(([name, pixels]) => ({
        class: name,
        classIndex: model.classNames.indexOf(name),
        pixels,
        fraction: round(pixels / total, 6),
      })),
      // one COCO RLE region per class present, background left out
      segments: records.map((r) => ({
        class: model.classNames[ids.indexOf(r.category_id)],
        categoryId: r.category_id,
        area: r.area,
        mask: r.segmentation,
      })),
      background: bg >= 0 ? model.classNames[bg] : null,
    };
  }
  const d = prediction.kind === 'detect' ? prediction.detections : prediction.segmentation;
  const records = cocoRecords(prediction, 1, ids, model.classNames);
  return {
    ...base,
    detections: Array.from(d.scores, (score, i) => ({
      box: Array.from(d.boxes.subarray(4 * i, 4 * i + 4), (v) => round(v, 2)),
      score: round(score, 4),
      class: model.classNames[d.labels[i]!],
      classIndex: d.labels[i]!,
      categoryId: ids[d.labels[i]!],
      ...(records[i]?.segmentation && { mask: records[i]!.segmentation }),
    })),
  };
}

/**
 * Creates the service and starts loading its models (call `listen` to serve; `/healthz`
 * answers at once, `/readyz` once the models are loaded).
 */
export function createDemoServer(options: DemoServerOptions = {}): DemoServer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const limiter = new InferenceLimiter(options.concurrency ?? 2, options.queue ?? 8);
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const models = new Map<string, LoadedModel>();
  let state: ServerState = 'loading';
  let loadError: Error | undefined;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  const resolvePath = (p: string) => resolve(options.cwd ?? process.cwd(), p);
  const store = new ModelStore({
    ...(options.modelsDir !== undefined && { dirs: [options.modelsDir] }),
    env: options.env ?? process.env,
    resolvePath,
  });

  const ready = (async () => {
    let specs = options.models;
    if (specs === undefined || specs.length === 0) {
      const chosen = [await store.defaultModel('detect'), await store.defaultModel('segment')];
      specs = chosen.flatMap((e) => (e ? [e.cardPath] : []));
      if (specs.length === 0) {
        throw new OcelotError(
          'E_NO_MODELS',
          `no models to serve: none given and no detector or segmenter with its files in ${store.describeRoots()}`,
        );
      }
    }
    const loaded = await Promise.all(
      specs.map(async (spec) => {
        const cardPath = await store.resolveCardPath(spec, resolvePath);
        const start = performance.now();
        const model = await openModel(cardPath, {
          providers: options.providers ?? ['cpu'],
          threads: options.threads ?? 1,
        });
        log(
          `loaded ${model.card.id} (${model.card.architecture.type}, ${model.kind}, ${model.classNames.length} classes) in ${(performance.now() - start).toFixed(0)} ms`,
        );
        return model;
      }),
    );
    for (const model of loaded) {
      if (models.has(model.card.id)) {
        await model.dispose();
        continue;
      }
      models.set(model.card.id, model);
    }
  })().then(
    () => {
      if (state === 'loading') state = 'ready';
    },
    (error: Error) => {
      loadError = error;
      if (state === 'loading') state = 'failed';
      log(`error: loading the models failed: ${error.message}`);
      throw error;
    },
  );
  // `ready` is also awaited by callers; the server keeps serving health checks either way
  ready.catch(() => {});

  const defaultModel = (task: 'detect' | 'segment') => {
    for (const model of models.values()) {
      if (task === 'detect' ? model.kind !== 'semantic' : model.kind !== 'detect') return model;
    }
    return undefined;
  };

  /** Reads the body up to `maxBody` bytes; 413 beyond. */
  const readBody = (req: IncomingMessage): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (size > maxBody) {
          failed = true;
          chunks.length = 0;
          reject(new HttpError(413, `request body larger than ${maxBody} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!failed) resolve(new Uint8Array(Buffer.concat(chunks)));
      });
      req.on('aborted', () => {
        if (!failed) {
          failed = true;
          reject(new HttpError(499, 'client closed the request'));
        }
      });
      req.on('error', (error) => {
        if (!failed) {
          failed = true;
          reject(new HttpError(400, `request body: ${error.message}`));
        }
      });
    });

  async function infer(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    task: 'detect' | 'segment',
  ) {
    const name = url.searchParams.get('model');
    const model = name !== null ? models.get(name) : defaultModel(task);
    if (name !== null && model === undefined) {
      throw new HttpError(
        404,
        `unknown model '${name}'; loaded models: ${[...models.keys()].join(', ') || '(none)'}`,
      );
    }
    if (model === undefined)
      throw new HttpError(404, `no ${task === 'detect' ? 'detector' : 'segmenter'} is loaded`);
    if (task === 'detect' && model.kind === 'semantic') {
      throw new HttpError(
        400,
        `model '${model.card.id}' is a semantic segmenter; POST to /segment`,
      );
    }
    if (task === 'segment' && model.kind === 'detect') {
      throw new HttpError(400, `model '${model.card.id}' is a detector; POST to /detect`);
    }
    const format =
      url.searchParams.get('format') ?? (req.headers.accept === 'image/png' ? 'png' : 'json');
    if (format !== 'json' && format !== 'png') {
      throw new HttpError(400, `query parameter format: expected json or png, got '${format}'`);
    }
    const alphaRaw = url.searchParams.get('alpha');
    const alpha = alphaRaw === null ? undefined : Number(alphaRaw);
    if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) {
      throw new HttpError(
        400,
        `query parameter alpha: expected a number in [0, 1], got '${alphaRaw}'`,
      );
    }
    const predict = predictOptions(url.searchParams, model);

    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const multipart = contentType.startsWith('multipart/form-data');
    if (
      !multipart &&
      !contentType.startsWith('image/') &&
      !contentType.startsWith('application/octet-stream')
    ) {
      throw new HttpError(
        415,
        `unsupported Content-Type '${req.headers['content-type'] ?? ''}': send the image bytes as image/* or application/octet-stream, or a multipart/form-data file field named image`,
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      throw new HttpError(413, `request body of ${declared} bytes is larger than ${maxBody} bytes`);
    }
    const ticket: Ticket | undefined = limiter.tryAdmit();
    if (!ticket) {
      throw new HttpError(
        503,
        `busy: ${limiter.concurrency} inference${limiter.concurrency === 1 ? '' : 's'} running and ${limiter.queue} waiting already; retry later`,
        { 'Retry-After': retryAfter },
      );
    }
    try {
      const body = await readBody(req);
      if (body.length === 0) {
        throw new HttpError(400, 'empty request body: send the image bytes');
      }
      let bytes = body;
      let what = 'request body';
      if (multipart) {
        let part: ReturnType<typeof pickImagePart>;
        try {
          part = pickImagePart(parseMultipart(body, multipartBoundary(contentType)));
        } catch (error) {
          if (error instanceof MultipartError) throw new HttpError(400, error.message);
          throw error;
        }
        if (!part)
          throw new HttpError(
            400,
            'multipart body has no file part (send the image as the form field "image")',
          );
        if (part.data.length === 0)
          throw new HttpError(400, `form field '${part.name ?? '?'}' is empty`);
        bytes = part.data;
        what = `form field '${part.name ?? '?'}'${part.filename ? ` (${part.filename})` : ''}`;
      }
      let image: RgbImage;
      try {
        image = await decodeImage(bytes);
      } catch (error) {
        if (error instanceof ImageDecodeError) {
          const reason = error.message.startsWith(`${error.source}: `)
            ? error.message.slice(error.source.length + 2)
            : error.message;
          throw new HttpError(
            error.reason === 'too-large' ? 413 : 400,
            `${what} is not a usable image: ${reason}`,
          );
        }
        throw error;
      }
      await ticket.start();
      await options.beforeInference?.();
      const prediction = await model.predict(image, predict);
      if (format === 'png') {
        const png = await annotate(image, prediction, model.classNames, {
          ...(alpha !== undefined && { alpha }),
        });
        res.writeHead(200, {
          'Content-Type': 'image/png',
          'Content-Length': png.byteLength,
          'Cache-Control': 'no-store',
          ...(state === 'stopping' && { Connection: 'close' }),
        });
        res.end(png);
      } else {
        sendJson(
          res,
          200,
          predictionJson(model, image, prediction),
          state === 'stopping' ? { Connection: 'close' } : {},
        );
      }
    } finally {
      ticket.release();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD')
        throw new HttpError(405, 'use GET', { Allow: 'GET, HEAD' });
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (state === 'stopping' || state === 'stopped') {
      throw new HttpError(503, 'shutting down', { 'Retry-After': retryAfter, Connection: 'close' });
    }
    if (path === '/readyz') {
      if (method !== 'GET' && method !== 'HEAD')
        throw new HttpError(405, 'use GET', { Allow: 'GET, HEAD' });
      if (state === 'ready') sendJson(res, 200, { status: 'ready', models: [...models.keys()] });
      else if (state === 'failed')
        sendJson(res, 503, { status: 'failed', error: loadError?.message });
      else sendJson(res, 503, { status: 'loading' }, { 'Retry-After': retryAfter });
      return;
    }
    if (path === '/models') {
      if (method !== 'GET') throw new HttpError(405, 'use GET', { Allow: 'GET' });
      sendJson(res, 200, {
        models: [...models.values()].map((m) => ({
          id: m.card.id,
          name: m.card.name,
          task: m.card.task,
          architecture: m.card.architecture.type,
          input: { width: m.card.input.width, height: m.card.input.height },
          classes: m.classNames,
        })),
      });
      return;
    }
    if (path === '/detect' || path === '/segment') {
      if (method !== 'POST')
        throw new HttpError(405, `POST an image to ${path}`, { Allow: 'POST' });
      if (state !== 'ready') {
        throw new HttpError(
          503,
          state === 'failed'
            ? `models failed to load: ${loadError?.message}`
            : 'models are loading',
          {
            'Retry-After': retryAfter,
          },
        );
      }
      await infer(req, res, url, path === '/detect' ? 'detect' : 'segment');
      return;
    }
    throw new HttpError(
      404,
      `no route ${method} ${url.pathname}; try POST /detect, POST /segment, GET /models, /healthz, /readyz`,
    );
  }

  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (error.status === 499) {
            req.destroy();
            return;
          }
          const unread = !req.complete;
          const headers: Record<string, string> = { ...error.headers };
          // An unread body (413 / 415 / 503 before reading): close the connection after the
          // answer instead of reading what may be a huge upload.
          if (unread || state === 'stopping') headers.Connection = 'close';
          if (!res.headersSent)
            sendJson(res, error.status, { error: error.message, status: error.status }, headers);
          if (unread) {
            res.on('finish', () => {
              req.resume();
              setTimeout(() => req.destroy(), 1000).unref();
            });
          }
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        log(`error: ${req.method} ${req.url}: ${message}`);
        if (!res.headersSent)
          sendJson(res, 500, { error: `internal error: ${message}`, status: 500 });
        else res.destroy();
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;

  return {
    server,
    get state() {
      return state;
    },
    models,
    ready,
    get inFlight() {
      return inFlight;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({
            port: address.port,
            host: address.address,
            url: `http://${shownHost}:${address.port}`,
          });
        });
      });
    },
    close() {
      closing ??= (async () => {
        state = 'stopping';
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          log(`stopping: waiting for ${inFlight} request${inFlight === 1 ? '' : 's'} in flight`);
          const timeout = options.shutdownTimeoutMs ?? 10_000;
          const finished = new Promise<boolean>((resolve) => {
            drained = () => resolve(true);
            setTimeout(() => resolve(false), timeout).unref();
          });
          if (!(await finished))
            log(
              `stopping: ${inFlight} requests still running after ${timeout} ms; closing their connections`,
            );
        }
        server.closeAllConnections();
        await closed;
        await ready.catch(() => {});
        await Promise.all([...models.values()].map((m) => m.dispose()));
        state = 'stopped';
        log('stopped');
      })();
      return closing;
    },
  };
}
