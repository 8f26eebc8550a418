/**
 * Typed errors of the runtime adapter. All extend @ocelot/core's `OcelotError`, carry a stable
 * `code`, name the model they concern and keep onnxruntime's own error as `cause`.
 */
import { InvalidArgumentError, OcelotError } from '@ocelot/core';

/**
 * A model could not be read or turned into a session: missing file, failed download, corrupt or
 * truncated ONNX, or onnxruntime refusing it.
 *
 * Codes: `E_MODEL_NOT_FOUND` (no such file), `E_MODEL_FETCH` (HTTP error or network failure),
 * `E_MODEL_CORRUPT` (not a well-formed ONNX ModelProto; `message` says where it breaks),
 * `E_MODEL_LOAD` (onnxruntime failed to create the session), `E_UNSUPPORTED_OPERATOR`.
 */
export class ModelLoadError extends OcelotError {
  /** Human name of the model: the file name, the URL, or `options.name`. */
  readonly model: string;
  constructor(model: string, message: string, code = 'E_MODEL_LOAD', options?: ErrorOptions) {
    super(code, `${model}: ${message}`, options);
    this.model = model;
  }
}

/**
 * onnxruntime could not create a session because an operator has no kernel, either anywhere
 * (unknown domain/op/opset) or in the execution provider(s) tried.
 */
export class UnsupportedOperatorError extends ModelLoadError {
  /** Operator type as named by onnxruntime or found in the graph, e.g. `"Frobnicate"`. */
  readonly operator: string;
  /** Operator domain, `""` for the default ONNX domain. */
  readonly domain: string;
  /** The execution provider that was asked for when the failure happened. */
  readonly provider: string;
  constructor(
    model: string,
    operator: string,
    domain: string,
    provider: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    const qualified = domain ? `${domain}::${operator}` : operator;
    super(
      model,
      `operator ${qualified} is not supported by onnxruntime's ${provider} execution provider (${detail})`,
      'E_UNSUPPORTED_OPERATOR',
      options,
    );
    this.operator = operator;
    this.domain = domain;
    this.provider = provider;
  }
}

/** The model bytes do not hash to the sha256 the caller (model card) expects. */
export class ChecksumMismatchError extends OcelotError {
  readonly model: string;
  /** Expected sha256, lowercase hex. */
  readonly expected: string;
  /** sha256 of the bytes actually loaded, lowercase hex. */
  readonly actual: string;
  constructor(model: string, expected: string, actual: string) {
    super(
      'E_CHECKSUM_MISMATCH',
      `${model}: sha256 mismatch: expected ${expected}, got ${actual} (the file is corrupt, truncated or a different version)`,
    );
    this.model = model;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A feed passed to `Session.run` does not match the model's inputs: unknown or missing name,
 * wrong dtype, wrong rank or a fixed dimension that differs. Thrown before onnxruntime is called.
 */
export class InvalidFeedError extends InvalidArgumentError {
  readonly model: string;
  /** The input concerned (for an unknown name: the name given). */
  readonly input: string;
  /** What the model declares, e.g. `float32 [1,3,640,640]` or `inputs images, mask`. */
  readonly expected: string;
  /** What was given, e.g. `float32 [1,3,320,320]`. */
  readonly actual: string;
  constructor(model: string, input: string, problem: string, expected: string, actual: string) {
    super(
      `feeds.${input}`,
      `${problem} for model ${model}: expected ${expected}, got ${actual}`,
      'E_INVALID_FEED',
    );
    this.model = model;
    this.input = input;
    this.expected = expected;
    this.actual = actual;
  }
}

/** One attempt to create a session with one execution provider. */
export interface ProviderAttempt {
  /** The execution provider's name, e.g. `"cuda"`. */
  readonly provider: string;
  readonly ok: boolean;
  /** Why the attempt failed or was skipped (absent when `ok`). */
  readonly reason?: string;
  /** Wall time of the attempt in milliseconds (0 when skipped without trying). */
  readonly ms: number;
}

/** None of the requested execution providers could create a session. */
export class ExecutionProviderError extends ModelLoadError {
  readonly attempts: readonly ProviderAttempt[];
  constructor(model: string, attempts: readonly ProviderAttempt[], options?: ErrorOptions) {
    const list = attempts.map((a) => `${a.provider}: ${a.reason ?? 'failed'}`).join('; ');
    super(model, `no execution provider could run the model (${list})`, 'E_NO_PROVIDER', options);
    this.attempts = attempts;
  }
}

/** onnxruntime failed while running a session whose feeds passed validation. */
export class InferenceError extends OcelotError {
  readonly model: string;
  constructor(model: string, message: string, options?: ErrorOptions) {
    super('E_INFERENCE', `${model}: inference failed: ${message}`, options);
    this.model = model;
  }
}

/** `run` was called after `dispose()`. */
export class SessionDisposedError extends OcelotError {
  readonly model: string;
  constructor(model: string) {
    super('E_SESSION_DISPOSED', `${model}: the session has been disposed`);
    this.model = model;
  }
}

/** The message of an unknown thrown value, without its stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
