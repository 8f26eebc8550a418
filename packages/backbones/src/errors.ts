import { OcelotError } from '@ocelot/core';

/**
 * A backbone returned something its spec does not allow: a missing output, another element
 * type, another channel count, or a size that does not fit the stride. Names the backbone, the
 * output, what was expected and what was given.
 */
export class BackboneOutputError extends OcelotError {
  readonly backbone: string;
  readonly output: string;
  constructor(backbone: string, output: string, problem: string) {
    super('E_BACKBONE_OUTPUT', `backbone "${backbone}", output "${output}": ${problem}`);
    this.backbone = backbone;
    this.output = output;
  }
}
