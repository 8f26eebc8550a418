import { OcelotError } from '@ocelot/core';

/**
 * A model produced output the decoder cannot use: a missing output, a shape that does not match
 * the architecture, or non-finite scores. Names the model, the output and what was expected.
 */
export class ModelOutputError extends OcelotError {
  readonly model: string;
  readonly output: string;
  constructor(model: string, output: string, problem: string) {
    super('E_MODEL_OUTPUT', `model "${model}", output "${output}": ${problem}`);
    this.model = model;
    this.output = output;
  }
}

/** A model card (model.json) is malformed; names the card and the field. */
export class ModelCardError extends OcelotError {
  readonly source: string;
  readonly field: string;
  constructor(source: string, field: string, problem: string) {
    super('E_MODEL_CARD', `${source}: ${field}: ${problem}`);
    this.source = source;
    this.field = field;
  }
}
