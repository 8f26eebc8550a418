/**
 * The output description every semantic architecture shares (`fcn`, `deeplabv3`, `lraspp`,
 * `unet`). torchvision's segmentation models return `out` `[1, C, H, W]` logits already
 * upsampled to the input size; TensorFlow exports return `[1, h, w, C]`; some exports end in
 * an ArgMax (`[1, h, w]` labels). All of these are configuration, not special cases.
 */
import { ConfigReader, type ModelCard, type OutputRef } from '@ocelot/detectors';

/** What a semantic model's output holds. */
export type SemanticValues = 'logits' | 'probabilities' | 'labels';

/** The architecture fields shared by every semantic model. */
export interface SemanticHeadConfig {
  /** Output with the class scores: a name or a position. Default `out`, else the first output. */
  readonly output?: string | number;
  /** `nchw` `[1, C, h, w]` (torchvision; default) or `nhwc` `[1, h, w, C]` (TensorFlow). */
  readonly layout?: 'nchw' | 'nhwc';
  /**
   * `logits` (default), `probabilities` (the graph ends in softmax / sigmoid), or `labels`
   * (the graph ends in ArgMax: `[1, h, w]` or `[1, 1, h, w]` class indices, any numeric type).
   */
  readonly values?: SemanticValues;
  /**
   * How logits become probabilities: `softmax` over the classes (default with several
   * channels) or `sigmoid` (default with one channel: a binary model whose labels are
   * `[background, foreground]`; with several channels, each one independently).
   */
  readonly activation?: 'softmax' | 'sigmoid';
}

/** The shared fields after defaults. */
export interface ResolvedSemanticHeadConfig {
  readonly output: OutputRef;
  readonly layout: 'nchw' | 'nhwc';
  readonly values: SemanticValues;
  /** `undefined` = by channel count (sigmoid for one channel, softmax otherwise). */
  readonly activation: 'softmax' | 'sigmoid' | undefined;
}

/** Field names of `SemanticHeadConfig`, for `ConfigReader.only`. */
export const SEMANTIC_HEAD_FIELDS = ['output', 'layout', 'values', 'activation'] as const;

/**
 * Reads the shared fields of `card.architecture`; `extra` lists the architecture's own fields
 * (everything else is refused as a probable typo).
 * @throws ModelCardError naming the field
 */
export function parseSemanticHead(
  card: ModelCard,
  extra: readonly string[] = [],
): { head: ResolvedSemanticHeadConfig; reader: ConfigReader } {
  const r = ConfigReader.of(card).only([...SEMANTIC_HEAD_FIELDS, ...extra]);
  const output = r.outputRef('output');
  if (Array.isArray(output)) r.fail('output', 'expected one output name or position');
  const head: ResolvedSemanticHeadConfig = {
    output: output === undefined ? ['out', 0] : (output as string | number),
    layout: r.oneOf('layout', ['nchw', 'nhwc'] as const, 'nchw'),
    values: r.oneOf('values', ['logits', 'probabilities', 'labels'] as const, 'logits'),
    activation: r.oneOf('activation', ['softmax', 'sigmoid'] as const),
  };
  if (head.values === 'labels' && head.activation !== undefined) {
    r.fail('activation', 'a label output has no activation');
  }
  return { head, reader: r };
}
