/**
 * Typed errors shared by every Ocelot package. Other packages subclass `OcelotError`
 * (e.g. the runtime's model-loading errors) so callers can catch one base type.
 */

/** Base class of every error Ocelot throws on purpose. `code` is stable for programs. */
export class OcelotError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument is not acceptable: wrong length, wrong value, wrong option. */
export class InvalidArgumentError extends OcelotError {
  /** Name of the offending argument, e.g. `"boxes"` or `"options.iouThreshold"`. */
  readonly argument: string;
  constructor(argument: string, message: string, code = 'E_INVALID_ARGUMENT') {
    super(code, `${argument}: ${message}`);
    this.argument = argument;
  }
}

/** An array or tensor has the wrong shape; says what was expected and what was given. */
export class ShapeMismatchError extends InvalidArgumentError {
  readonly expected: string;
  readonly actual: string;
  constructor(argument: string, expected: string, actual: string) {
    super(argument, `expected shape ${expected}, got ${actual}`, 'E_SHAPE_MISMATCH');
    this.expected = expected;
    this.actual = actual;
  }
}

/** A NaN or ±Infinity where a finite number is required. */
export class NonFiniteValueError extends InvalidArgumentError {
  /** Flat index of the first offending element. */
  readonly index: number;
  constructor(argument: string, index: number, value: number) {
    super(argument, `non-finite value ${value} at index ${index}`, 'E_NON_FINITE');
    this.index = index;
  }
}
