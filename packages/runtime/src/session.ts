/**
 * The world-independent half of `createSession`: checksum, ONNX pre-parse, execution-provider
 * fallback, the `Session` wrapper (feed validation, queued runs, output copying, disposal) and
 * warm-up. The Node and browser entries supply a `Platform` with their onnxruntime and loaders.
 */
import { InvalidArgumentError } from '@ocelot/core';
import type { InferenceSession, OnnxValue, Tensor as OrtTensor } from 'onnxruntime-common';
import {
  ChecksumMismatchError,
  ExecutionProviderError,
  InferenceError,
  ModelLoadError,
  type ProviderAttempt,
  SessionDisposedError,
  UnsupportedOperatorError,
  messageOf,
} from './errors.js';
import { type CheckedFeed, validateFeeds } from './feeds.js';
import { type OnnxModelInfo, OnnxParseError, parseOnnxModel } from './onnx-proto.js';
import { normaliseSha256 } from './sha256.js';
import { type Tensor, type TensorLike, isTensorType, zerosTensor } from './tensor.js';
import type {
  CreateSessionOptions,
  ExecutionProviderSpec,
  ModelSource,
  RunOptions,
  Session,
  ValueInfo,
} from './types.js';

/** The subset of an onnxruntime module (node or web) the adapter uses. */
export interface OrtApi {
  readonly InferenceSession: {
    create(
      buffer: Uint8Array,
      options?: InferenceSession.SessionOptions,
    ): Promise<InferenceSession>;
  };
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}

/** Model bytes plus what the loader knows about them. */
export interface LoadedModel {
  readonly bytes: Uint8Array;
  /** Default name for errors (path, URL, …). */
  readonly name: string;
  /** Set when the loader already verified `options.sha256` (e.g. on a cache hit). */
  readonly verifiedSha256?: string;
}

/** What each world supplies to the shared session code. */
export interface Platform {
  readonly backendName: 'onnxruntime-node' | 'onnxruntime-web';
  readonly defaultProviders: readonly string[];
  readonly ort: OrtApi;
  /** Reads a path / URL / bytes. Throws `ModelLoadError` / `ChecksumMismatchError`. */
  load(source: ModelSource, options: ResolvedOptions): Promise<LoadedModel>;
  sha256(bytes: Uint8Array): Promise<string>;
  /** A reason to skip `provider` without asking onnxruntime, or `undefined` to try it. */
  skipReason(provider: string): Promise<string | undefined>;
  /** Called with every failed attempt, so environment failures can be remembered. */
  recordFailure(provider: string, message: string): void;
  /** World-specific session options (threads, …) and global env set-up. */
  sessionOptions(options: ResolvedOptions): InferenceSession.SessionOptions;
}

/** Options after validation, with `warn` and `sha256` resolved. */
export interface ResolvedOptions extends CreateSessionOptions {
  readonly warn: (message: string) => void;
  /** Normalised (lowercase) expected digest. */
  readonly expectedSha256: string | undefined;
}

function providerName(spec: ExecutionProviderSpec): string {
  return typeof spec === 'string' ? spec : spec.name;
}

function resolveOptions(options: CreateSessionOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new InvalidArgumentError('options', 'expected an object');
  let expectedSha256: string | undefined;
  if (o.sha256 !== undefined) {
    expectedSha256 = typeof o.sha256 === 'string' ? normaliseSha256(o.sha256) : undefined;
    if (!expectedSha256) {
      throw new InvalidArgumentError(
        'options.sha256',
        `expected 64 hex digits, got ${JSON.stringify(o.sha256)}`,
      );
    }
  }
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 0)) {
    throw new InvalidArgumentError('options.threads', `expected an integer >= 0, got ${o.threads}`);
  }
  if (o.executionProviders !== undefined) {
    if (!Array.isArray(o.executionProviders) || o.executionProviders.length === 0) {
      throw new InvalidArgumentError(
        'options.executionProviders',
        'expected a non-empty array of provider names',
      );
    }
    for (const ep of o.executionProviders) {
      const name = typeof ep === 'string' ? ep : (ep as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || name === '') {
        throw new InvalidArgumentError(
          'options.executionProviders',
          `bad entry ${JSON.stringify(ep)}`,
        );
      }
    }
  }
  const runs = typeof o.warmup === 'number' ? o.warmup : (o.warmup?.runs ?? 0);
  if (!Number.isInteger(runs) || runs < 0) {
    throw new InvalidArgumentError('options.warmup', `expected an integer >= 0 runs, got ${runs}`);
  }
  const warn = o.onWarning ?? ((message: string) => console.warn(`[@ocelot/runtime] ${message}`));
  return { ...o, warn, expectedSha256 };
}

const ORT_OP_PATTERNS: readonly RegExp[] = [
  // "Fatal error: com.x:Frobnicate(-1) is not a registered function/op"
  /(?<domain>[\w.-]*):(?<op>[A-Za-z_]\w*)\((?<ver>-?\d+)\) is not a registered function\/op/,
  // "Could not find an implementation for Frobnicate(13) node with name 'n'"
  /Could not find an implementation for (?<op>[A-Za-z_]\w*)\((?<ver>-?\d+)\) node/,
  // "No Op registered for Frobnicate with domain_version of 13"
  /No Op registered for (?<op>[A-Za-z_]\w*) with domain_version/,
  // WebNN / WebGPU style: "Frobnicate is not supported" / "unsupported operator Frobnicate"
  /(?:unsupported (?:op|operator|node)[: ]+)(?<op>[A-Za-z_]\w*)/i,
];

/**
 * Finds the operator onnxruntime complains about in its error message, with its domain from the
 * model's own operator list when the message does not say.
 */
export function findUnsupportedOperator(
  message: string,
  info: OnnxModelInfo | undefined,
): { operator: string; domain: string } | undefined {
  for (const pattern of ORT_OP_PATTERNS) {
    const m = pattern.exec(message);
    const op = m?.groups?.op;
    if (!op) continue;
    let domain = m.groups?.domain;
    if (domain === undefined || domain === 'ai.onnx') {
      domain = info?.operators.find((o) => o.opType === op)?.domain ?? '';
    }
    return { operator: op, domain };
  }
  return undefined;
}

function firstLine(message: string): string {
  // onnxruntime messages can carry a native file path prefix and trailing stack; keep the gist.
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line
    .replace(/^\/onnxruntime_src\/\S+ /, '')
    .replace(/^.*\bwas false\.\s*/, '') // ORT_ENFORCE: "<function> <condition> was false. <why>"
    .trim();
}

function valueInfos(
  metadata: readonly InferenceSession.ValueMetadata[] | undefined,
  names: readonly string[],
  declared: OnnxModelInfo['inputs'],
): ValueInfo[] {
  return names.map((name, i) => {
    const fromFile = declared.find((d) => d.name === name);
    const m = metadata?.[i];
    if (m && m.name === name) {
      if (!m.isTensor) return { name, type: 'non-tensor', dims: undefined };
      // onnxruntime reports [] both for scalars and for "no shape"; the file tells them apart.
      const noShape = fromFile ? fromFile.dims === undefined : false;
      return { name, type: m.type, dims: noShape ? undefined : m.shape.map((d) => d) };
    }
    return {
      name,
      type: fromFile?.type ?? 'unknown',
      dims: fromFile?.dims?.map((d) => (d === null ? '' : d)),
    };
  });
}

/** Creates a session through `platform`; see the entries' `createSession` for the contract. */
export async function createSessionWith(
  platform: Platform,
  source: ModelSource,
  options?: CreateSessionOptions,
): Promise<Session> {
  const opts = resolveOptions(options);
  const loaded = await platform.load(source, opts);
  const name = opts.name ?? loaded.name;
  const bytes = loaded.bytes;

  const sha256 = loaded.verifiedSha256 ?? (await platform.sha256(bytes));
  if (opts.expectedSha256 && sha256 !== opts.expectedSha256) {
    throw new ChecksumMismatchError(name, opts.expectedSha256, sha256);
  }

  let info: OnnxModelInfo;
  try {
    info = parseOnnxModel(bytes);
  } catch (error) {
    if (error instanceof OnnxParseError) {
      throw new ModelLoadError(
        name,
        `not a valid ONNX model: ${error.message}`,
        'E_MODEL_CORRUPT',
        {
          cause: error,
        },
      );
    }
    throw error;
  }

  const base: InferenceSession.SessionOptions = {
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    ...platform.sessionOptions(opts),
    ...(opts.preferredOutputLocation !== undefined
      ? { preferredOutputLocation: opts.preferredOutputLocation }
      : {}),
    ...opts.sessionOptions,
  };

  const attempts: ProviderAttempt[] = [];
  const providers = opts.executionProviders ?? platform.defaultProviders;
  let ortSession: InferenceSession | undefined;
  let chosen = '';
  let lastError: unknown;
  let lastProvider = '';
  for (const spec of providers) {
    const ep = providerName(spec);
    const skip = await platform.skipReason(ep);
    if (skip !== undefined) {
      attempts.push({ provider: ep, ok: false, reason: skip, ms: 0 });
      continue;
    }
    const t0 = performance.now();
    try {
      ortSession = await platform.ort.InferenceSession.create(bytes, {
        ...base,
        executionProviders: [spec as InferenceSession.ExecutionProviderConfig],
      });
      attempts.push({ provider: ep, ok: true, ms: performance.now() - t0 });
      chosen = ep;
      break;
    } catch (error) {
      const message = firstLine(messageOf(error));
      platform.recordFailure(ep, message);
      attempts.push({ provider: ep, ok: false, reason: message, ms: performance.now() - t0 });
      lastError = error;
      lastProvider = ep;
    }
  }
  if (!ortSession) {
    const op =
      lastError === undefined ? undefined : findUnsupportedOperator(messageOf(lastError), info);
    if (op) {
      const others = attempts
        .filter((a) => a.provider !== lastProvider)
        .map((a) => `${a.provider}: ${a.reason}`);
      const detail = `${firstLine(messageOf(lastError))}${others.length ? `; also tried ${others.join('; ')}` : ''}`;
      throw new UnsupportedOperatorError(name, op.operator, op.domain, lastProvider, detail, {
        cause: lastError,
      });
    }
    throw new ExecutionProviderError(name, attempts, { cause: lastError });
  }

  const session = new OrtSessionWrapper(platform, ortSession, {
    name,
    info,
    sha256,
    executionProvider: chosen,
    attempts,
    warn: opts.warn,
  });
  try {
    await warmUp(session, opts);
  } catch (error) {
    await session.dispose();
    throw error;
  }
  return session;
}

async function warmUp(session: Session, opts: ResolvedOptions): Promise<void> {
  const w = opts.warmup;
  const runs = typeof w === 'number' ? w : (w?.runs ?? 0);
  if (runs === 0) return;
  const given = typeof w === 'object' ? w.feeds : undefined;
  const symbolDims = (typeof w === 'object' ? w.dims : undefined) ?? {};
  const feeds: Record<string, TensorLike> = {};
  for (const input of session.inputs) {
    const feed = given?.[input.name];
    if (feed) {
      feeds[input.name] = feed;
      continue;
    }
    if (input.dims === undefined || !isTensorType(input.type)) {
      throw new InvalidArgumentError(
        'options.warmup',
        `cannot build a warm-up feed for input "${input.name}" of ${session.name} (type ${input.type}, shape ${input.dims ? 'known' : 'undeclared'}); pass warmup.feeds`,
      );
    }
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : (symbolDims[d] ?? 1)));
    feeds[input.name] = zerosTensor(input.type, dims);
  }
  for (let i = 0; i < runs; i++) await session.run(feeds);
}

interface WrapperInit {
  readonly name: string;
  readonly info: OnnxModelInfo;
  readonly sha256: string;
  readonly executionProvider: string;
  readonly attempts: readonly ProviderAttempt[];
  readonly warn: (message: string) => void;
}

class OrtSessionWrapper implements Session {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly executionProvider: string;
  readonly providerAttempts: readonly ProviderAttempt[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly modelInfo: OnnxModelInfo;
  readonly sha256: string;
  #ort: InferenceSession | undefined;
  #platform: Platform;
  #queue: Promise<unknown> = Promise.resolve();
  #disposing: Promise<void> | undefined;
  #warn: (message: string) => void;

  constructor(platform: Platform, ort: InferenceSession, init: WrapperInit) {
    this.#platform = platform;
    this.#ort = ort;
    this.#warn = init.warn;
    this.name = init.name;
    this.modelInfo = init.info;
    this.metadata = init.info.metadata;
    this.sha256 = init.sha256;
    this.executionProvider = init.executionProvider;
    this.providerAttempts = init.attempts;
    this.inputs = Object.freeze(valueInfos(ort.inputMetadata, ort.inputNames, init.info.inputs));
    this.outputs = Object.freeze(
      valueInfos(ort.outputMetadata, ort.outputNames, init.info.outputs),
    );
  }

  #toOrtFeeds(checked: readonly CheckedFeed[]): InferenceSession.FeedsType {
    const feeds: Record<string, OnnxValue> = {};
    for (const f of checked) {
      feeds[f.name] =
        f.data === undefined
          ? (f.value as OnnxValue)
          : new this.#platform.ort.Tensor(f.type, f.data, f.dims);
    }
    return feeds;
  }

  #fetches(options: RunOptions | undefined): string[] | undefined {
    const wanted = options?.outputs;
    if (wanted === undefined) return undefined;
    const names = this.outputs.map((o) => o.name);
    if (!Array.isArray(wanted) || wanted.length === 0) {
      throw new InvalidArgumentError(
        'options.outputs',
        `expected a non-empty list of outputs of ${this.name}: ${names.join(', ')}`,
      );
    }
    for (const w of wanted) {
      if (!names.includes(w)) {
        throw new InvalidArgumentError(
          'options.outputs',
          `unknown output "${w}" of ${this.name}; outputs are ${names.join(', ')}`,
        );
      }
    }
    return [...wanted];
  }

  #enqueue<T>(job: (ort: InferenceSession) => Promise<T>): Promise<T> {
    // A run accepted before dispose() was called completes: dispose() queues behind it.
    const run = this.#queue.then(() => {
      const ort = this.#ort;
      if (!ort) throw new SessionDisposedError(this.name);
      return job(ort);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async runRaw(
    feeds: Readonly<Record<string, TensorLike | OnnxValue>>,
    options?: RunOptions,
  ): Promise<Record<string, OnnxValue>> {
    if (!this.#ort || this.#disposing) throw new SessionDisposedError(this.name);
    const checked = validateFeeds(this.name, this.inputs, feeds);
    const fetches = this.#fetches(options);
    const ortFeeds = this.#toOrtFeeds(checked);
    return this.#enqueue(async (ort) => {
      try {
        return fetches ? await ort.run(ortFeeds, fetches) : await ort.run(ortFeeds);
      } catch (error) {
        throw new InferenceError(this.name, firstLine(messageOf(error)), { cause: error });
      }
    });
  }

  async run(
    feeds: Readonly<Record<string, TensorLike>>,
    options?: RunOptions,
  ): Promise<Record<string, Tensor>> {
    const raw = await this.runRaw(feeds, options);
    const out: Record<string, Tensor> = {};
    for (const [key, value] of Object.entries(raw)) {
      const t = value as OrtTensor;
      if (t.location === 'cpu' || t.location === 'cpu-pinned') {
        out[key] = {
          data: t.data as Tensor['data'],
          dims: [...t.dims],
          type: t.type as Tensor['type'],
        };
      } else {
        // Download device data and release the device buffer: run() hands out CPU arrays only.
        const data = await t.getData(true);
        out[key] = {
          data: data as Tensor['data'],
          dims: [...t.dims],
          type: t.type as Tensor['type'],
        };
      }
    }
    return out;
  }

  dispose(): Promise<void> {
    if (!this.#disposing) {
      this.#disposing = this.#queue.then(async () => {
        const ort = this.#ort;
        this.#ort = undefined;
        await ort?.release();
      });
    }
    return this.#disposing;
  }

  [Symbol.dispose](): void {
    this.dispose().catch((error: unknown) =>
      this.#warn(`${this.name}: releasing the session failed: ${messageOf(error)}`),
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
