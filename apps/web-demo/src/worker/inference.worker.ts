/**
 * The inference worker: loads model cards, builds detectors / segmenters on onnxruntime-web
 * (through @ocelot/runtime's browser entry) and runs them, so the page stays responsive while
 * a model loads or runs. Requests are handled one at a time, in order; the last built model is
 * kept for the next request with the same card and backend.
 */
import { OcelotError } from '@ocelot/core';
import {
  type BuildContext,
  buildDetector,
  createBuildContext,
  createDetectorRegistry,
  type Detector,
  type ModelCard,
  parseModelCard,
  registerBuiltins as registerDetectorBuiltins,
} from '@ocelot/detectors';
import type { RgbImage } from '@ocelot/image';
import { RunClock, type Session, timedSession } from '@ocelot/runtime';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins as registerSegmenterBuiltins,
  type Segmenter,
} from '@ocelot/segmenters';
import * as ort from 'onnxruntime-web';
import {
  type Backend,
  errorInfo,
  type InferenceResult,
  type ProviderAttemptInfo,
  type ResultBase,
  type RunRequest,
  resultTransferables,
  type WorkerRequest,
  type WorkerResponse,
} from '../shared/protocol.js';

/** The dedicated-worker globals this file uses (the app compiles against the DOM lib). */
interface WorkerScope {
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
  readonly crossOriginIsolated: boolean;
}
const scope = globalThis as unknown as WorkerScope;

const post = (message: WorkerResponse, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer);

type Loaded = {
  readonly key: string;
  readonly sessions: Session[];
  readonly clock: RunClock;
} & (
  | { readonly kind: 'detector'; readonly model: Detector }
  | { readonly kind: 'segmenter'; readonly model: Segmenter }
);

let loaded: Loaded | undefined;
const detectors = registerDetectorBuiltins(createDetectorRegistry());
const segmenters = registerSegmenterBuiltins(createSegmenterRegistry());

/** An error the page shows as is (bad card URL, HTTP failure). */
class DemoError extends OcelotError {}

async function fetchCard(url: string): Promise<ModelCard> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DemoError('E_CARD_FETCH', `${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new DemoError('E_CARD_FETCH', `${url}: HTTP ${response.status} ${response.statusText}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new DemoError('E_CARD_FETCH', `${url}: not valid JSON (${(error as Error).message})`);
  }
  return parseModelCard(json, url);
}

function providers(backend: Backend): string[] {
  // Fall back to wasm so the page always gets a result; the attempts say what happened.
  return backend === 'wasm' ? ['wasm'] : [backend, 'wasm'];
}

async function load(request: RunRequest): Promise<{ loaded: Loaded; loadMs: number }> {
  const key = `${request.model.cardUrl}|${request.backend}`;
  if (loaded?.key === key) return { loaded, loadMs: 0 };
  const previous = loaded;
  loaded = undefined;
  await previous?.model.dispose();

  post({ type: 'progress', id: request.id, stage: 'loading' });
  const t0 = performance.now();
  const card = await fetchCard(request.model.cardUrl);
  const base = new URL('./', request.model.cardUrl).href;
  const defaultContext = createBuildContext(card, {
    base,
    session: {
      executionProviders: providers(request.backend),
      wasmPaths: request.setup.wasmPaths,
      threads: request.setup.threads,
      onWarning: (message) => post({ type: 'warning', message }),
    },
  });
  const clock = new RunClock();
  const sessions: Session[] = [];
  const context: BuildContext = {
    async loadSession(role) {
      const session = await defaultContext.loadSession(role);
      sessions.push(session);
      return timedSession(session, clock);
    },
  };
  loaded =
    card.task === 'detect'
      ? {
          key,
          sessions,
          clock,
          kind: 'detector',
          model: await buildDetector(detectors, card, context),
        }
      : {
          key,
          sessions,
          clock,
          kind: 'segmenter',
          model: await buildSegmenter(segmenters, card, context),
        };
  return { loaded, loadMs: performance.now() - t0 };
}

function attemptsOf(session: Session | undefined): ProviderAttemptInfo[] {
  return (session?.providerAttempts ?? []).map((a) => ({
    provider: a.provider,
    ok: a.ok,
    ...(a.reason !== undefined ? { reason: a.reason } : {}),
  }));
}

async function run(request: RunRequest): Promise<InferenceResult> {
  const { loaded: current, loadMs } = await load(request);
  post({ type: 'progress', id: request.id, stage: 'running' });
  const image: RgbImage = request.image;
  const { clock } = current;
  const scoreThreshold = request.options.scoreThreshold;
  const detectOptions = scoreThreshold !== undefined ? { scoreThreshold } : {};
  const first = current.sessions[0];

  clock.begin();
  const base = (): Omit<ResultBase, 'timings'> => ({
    modelId: request.model.id,
    imageSize: { width: image.width, height: image.height },
    classNames: current.model.classNames,
    executionProvider: first?.executionProvider ?? 'unknown',
    providerAttempts: attemptsOf(first),
    worker: {
      crossOriginIsolated: scope.crossOriginIsolated === true,
      threads: ort.env.wasm.numThreads ?? 1,
    },
    options: request.options,
  });
  if (current.kind === 'detector') {
    const d = await current.model.detect(image, detectOptions);
    return {
      ...base(),
      timings: { ...clock.end(), loadMs },
      kind: 'detect',
      boxes: d.boxes,
      scores: d.scores,
      labels: d.labels,
    };
  }
  const model = current.model;
  if (model.kind === 'semantic') {
    const s = await model.segment(image);
    return {
      ...base(),
      timings: { ...clock.end(), loadMs },
      kind: 'semantic',
      labelMap: s.labelMap,
      classesPresent: s.classesPresent,
    };
  }
  const s = await model.segment(image, { ...detectOptions, maskFormat: 'rle' });
  return {
    ...base(),
    timings: { ...clock.end(), loadMs },
    kind: 'detect',
    boxes: s.boxes,
    scores: s.scores,
    labels: s.labels,
    masks: s.masks.map((m) => ({ size: [m.size[0], m.size[1]], counts: m.counts })),
  };
}

let queue: Promise<void> = Promise.resolve();

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request?.type !== 'run') return;
  queue = queue.then(async () => {
    try {
      const result = await run(request);
      post({ type: 'result', id: request.id, result }, resultTransferables(result));
    } catch (error) {
      post({ type: 'error', id: request.id, error: errorInfo(error) });
    }
  });
});
