/** SSD and SSDlite (torchvision layout): factory and public surface. */
import { defaultBoxes } from '@ocelot/core';
import type { Tensor } from '@ocelot/runtime';
import { createOnnxDetector, type DecodeContext } from '../detector.js';
import { resolveModelCard } from '../model-card.js';
import { readFloat32Output } from '../outputs.js';
import type { DetectorFactory } from '../registry.js';
import type { Candidates } from '../types.js';
import {
  parseSsdConfig,
  type ResolvedSsdConfig,
  SSD_DEFAULTS,
  SSDLITE_DEFAULTS,
  type SsdConfig,
} from './config.js';
import { decodeSsd, priorsFromOutput } from './decode.js';
import { minSizePriors } from './priors.js';

/**
 * The decode a detector built from `config` runs: default boxes generated once for the input
 * size, or read from the graph output on every run.
 */
export function ssdDecoder(
  config: ResolvedSsdConfig,
  inputSize: { width: number; height: number },
): (outputs: Readonly<Record<string, Tensor>>, context: DecodeContext) => Candidates {
  const common = {
    boxCoderWeights: config.boxCoderWeights,
    boxOutput: config.boxOutput,
    scoreOutput: config.scoreOutput,
    scores: config.scores,
  };
  const p = config.priors;
  if (p.type === 'default-boxes') {
    const priors = defaultBoxes(p.featureMapSizes, inputSize, p.options);
    return (outputs, context) => decodeSsd(outputs, context, { ...common, priors });
  }
  if (p.type === 'min-sizes') {
    const priors = minSizePriors(inputSize, p.options);
    return (outputs, context) => decodeSsd(outputs, context, { ...common, priors });
  }
  return (outputs, context) => {
    const t = readFloat32Output(
      context.model,
      outputs,
      p.name,
      outputs[p.name]?.dims.length ?? 2,
      '[A, 4]',
    );
    const priors = priorsFromOutput(
      context.model,
      t.name,
      t.data,
      t.dims,
      p.format,
      p.normalized,
      context.inputSize,
    );
    return decodeSsd(outputs, context, { ...common, priors });
  };
}

function ssdFactory(kind: 'ssd' | 'ssdlite'): DetectorFactory<SsdConfig> {
  return (rawCard, context) => {
    const card = resolveModelCard(rawCard);
    const config = parseSsdConfig(card);
    const decode = ssdDecoder(config, card.input);
    return createOnnxDetector(context, (session) => ({
      card,
      session,
      decode,
      defaults: kind === 'ssd' ? SSD_DEFAULTS : SSDLITE_DEFAULTS,
    }));
  };
}

/** Builds `ssd` detectors (torchvision SSD300-style; defaults score 0.01, IoU 0.45, 200, top-k 400). */
export const createSsdDetector: DetectorFactory<SsdConfig> = ssdFactory('ssd');
/** Builds `ssdlite` detectors (defaults score 0.001, IoU 0.55, 300, top-k 300). */
export const createSsdliteDetector: DetectorFactory<SsdConfig> = ssdFactory('ssdlite');

export {
  parseSsdConfig,
  type ResolvedSsdConfig,
  SSD_DEFAULTS,
  SSDLITE_DEFAULTS,
  type SsdConfig,
  type SsdDefaultBoxesConfig,
  type SsdMinSizePriorsConfig,
  type SsdPriorsOutputConfig,
} from './config.js';
export { decodeSsd, type SsdDecodeParams, softmaxClassMajor } from './decode.js';
export { type MinSizePriorsOptions, minSizePriors } from './priors.js';
