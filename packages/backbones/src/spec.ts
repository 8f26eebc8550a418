/**
 * Backbone specs as data (detectron2's `ShapeSpec`): what a backbone expects as input and what
 * it returns, so detectors can be wired and checked without running anything.
 */
import { type ImageSize, InvalidArgumentError } from '@ocelot/core';

/** One output feature map. */
export interface FeatureSpec {
  /** Output name (the ONNX output name; torchvision's name for it where it has one). */
  readonly name: string;
  /** Channels C of the [N, C, H, W] map. */
  readonly channels: number;
  /** Input pixels per feature-map cell along each axis (4 for ResNet's C2). */
  readonly stride: number;
}

/** How an RGB image becomes the backbone's input: `(pixel · scale − mean[c]) / std[c]`. */
export interface Normalization {
  /** Multiplier applied first; torchvision's ToTensor is 1/255. */
  readonly scale: number;
  /** Per channel, RGB order, in scaled units. */
  readonly mean: readonly [number, number, number];
  /** Per channel, RGB order, in scaled units. */
  readonly std: readonly [number, number, number];
  /** Channel order the network expects. */
  readonly channelOrder: 'rgb' | 'bgr';
}

/** A backbone described as data. */
export interface BackboneSpec {
  /** Registry name, e.g. `resnet50-fpn`. */
  readonly name: string;
  readonly description?: string;
  readonly normalization: Normalization;
  /** Output feature maps in pyramid order, finest first. */
  readonly outputs: readonly FeatureSpec[];
  /**
   * Input sides should be multiples of this so every stride divides them (torchvision's R-CNN
   * transform pads to 32). Other sizes still work: a map is then `floor` or `ceil` of
   * `side / stride`.
   */
  readonly sizeDivisibility: number;
  /** Set when the network only takes one input size (SSD300's VGG16). */
  readonly fixedInputSize?: ImageSize;
  /** Where the spec comes from, e.g. the torchvision modules the outputs are read from. */
  readonly source?: string;
}

/** ImageNet normalisation, as torchvision's classification and R-CNN models use it. */
export const IMAGENET_NORMALIZATION: Normalization = Object.freeze({
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
  channelOrder: 'rgb' as const,
});

function positiveInt(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidArgumentError(name, `expected an integer >= 1, got ${JSON.stringify(v)}`);
  }
}

function triple(name: string, v: unknown, nonZero: boolean): void {
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0))
  ) {
    throw new InvalidArgumentError(
      name,
      `expected 3 finite${nonZero ? ' non-zero' : ''} numbers, got ${JSON.stringify(v)}`,
    );
  }
}

/**
 * Checks a spec and returns it frozen.
 * @throws InvalidArgumentError naming the field: empty or duplicate output names, channels or
 *   strides that are not positive integers, strides that decrease, a bad normalisation
 */
export function defineBackboneSpec(spec: BackboneSpec): BackboneSpec {
  if (spec === null || typeof spec !== 'object') {
    throw new InvalidArgumentError('spec', 'expected an object');
  }
  if (typeof spec.name !== 'string' || spec.name === '') {
    throw new InvalidArgumentError('spec.name', 'expected a non-empty string');
  }
  const n = spec.normalization;
  if (n === null || typeof n !== 'object') {
    throw new InvalidArgumentError(
      'spec.normalization',
      'expected { scale, mean, std, channelOrder }',
    );
  }
  if (!(typeof n.scale === 'number' && Number.isFinite(n.scale) && n.scale > 0)) {
    throw new InvalidArgumentError(
      'spec.normalization.scale',
      `expected a number > 0, got ${n.scale}`,
    );
  }
  triple('spec.normalization.mean', n.mean, false);
  triple('spec.normalization.std', n.std, true);
  if (n.channelOrder !== 'rgb' && n.channelOrder !== 'bgr') {
    throw new InvalidArgumentError(
      'spec.normalization.channelOrder',
      `expected 'rgb' or 'bgr', got ${JSON.stringify(n.channelOrder)}`,
    );
  }
  if (!Array.isArray(spec.outputs) || spec.outputs.length === 0) {
    throw new InvalidArgumentError('spec.outputs', 'expected at least one feature map');
  }
  const seen = new Set<string>();
  spec.outputs.forEach((o, i) => {
    const at = `spec.outputs[${i}]`;
    if (typeof o?.name !== 'string' || o.name === '') {
      throw new InvalidArgumentError(`${at}.name`, 'expected a non-empty string');
    }
    if (seen.has(o.name))
      throw new InvalidArgumentError(`${at}.name`, `duplicate output "${o.name}"`);
    seen.add(o.name);
    positiveInt(`${at}.channels`, o.channels);
    positiveInt(`${at}.stride`, o.stride);
    const previous = spec.outputs[i - 1];
    if (previous !== undefined && o.stride < previous.stride) {
      throw new InvalidArgumentError(
        `${at}.stride`,
        `outputs must be finest first; stride ${o.stride} follows ${previous.stride}`,
      );
    }
  });
  positiveInt('spec.sizeDivisibility', spec.sizeDivisibility);
  if (spec.fixedInputSize !== undefined) {
    positiveInt('spec.fixedInputSize.width', spec.fixedInputSize.width);
    positiveInt('spec.fixedInputSize.height', spec.fixedInputSize.height);
  }
  return Object.freeze({
    ...spec,
    normalization: Object.freeze({ ...n }),
    outputs: Object.freeze(spec.outputs.map((o) => Object.freeze({ ...o }))),
  });
}

/** Options of {@link withFpn}. */
export interface FpnOptions {
  /** FPN output channels. Default 256 (torchvision). */
  readonly channels?: number;
  /** Which of the backbone's outputs feed the FPN, finest first. Default: all of them. */
  readonly inputs?: readonly string[];
  /** Add torchvision's `LastLevelMaxPool` level `pool` (stride × 2 of the last). Default true. */
  readonly pool?: boolean;
  /** Registry name of the result. Default `<name>-fpn`. */
  readonly name?: string;
}

/**
 * The spec of `backbone` followed by torchvision's `FeaturePyramidNetwork`: one level per input,
 * named `0`, `1`, … as torchvision's `BackboneWithFPN` names them, all with `channels`
 * channels at the input's stride, plus `pool` (a stride-2 max pool of the last level).
 * @throws InvalidArgumentError when an input is not an output of `backbone`
 */
export function withFpn(backbone: BackboneSpec, options: FpnOptions = {}): BackboneSpec {
  const channels = options.channels ?? 256;
  positiveInt('options.channels', channels);
  const names = options.inputs ?? backbone.outputs.map((o) => o.name);
  const inputs = names.map((name, i) => {
    const o = backbone.outputs.find((x) => x.name === name);
    if (o === undefined) {
      throw new InvalidArgumentError(
        `options.inputs[${i}]`,
        `"${name}" is not an output of ${backbone.name} (${backbone.outputs.map((x) => x.name).join(', ')})`,
      );
    }
    return o;
  });
  const outputs: FeatureSpec[] = inputs.map((o, i) => ({
    name: String(i),
    channels,
    stride: o.stride,
  }));
  const last = outputs[outputs.length - 1];
  if (options.pool !== false && last !== undefined) {
    outputs.push({ name: 'pool', channels, stride: last.stride * 2 });
  }
  return defineBackboneSpec({
    ...backbone,
    name: options.name ?? `${backbone.name}-fpn`,
    description: `${backbone.name} + FPN (${channels} channels${options.pool !== false ? ', LastLevelMaxPool' : ''})`,
    outputs,
    sizeDivisibility: backbone.sizeDivisibility,
    source: `${backbone.source ?? backbone.name} → torchvision.ops.FeaturePyramidNetwork(inputs ${names.join(', ')})`,
  });
}

/**
 * The sizes a feature map of stride `stride` may have for an input side: `floor(side / stride)`
 * (pooling without padding) to `ceil(side / stride)` (padded stride-2 convolutions).
 */
export function featureSideRange(side: number, stride: number): readonly [number, number] {
  return [Math.floor(side / stride), Math.ceil(side / stride)];
}

/** The expected size of every output for an input of `inputSize` (ceil rounding, torchvision convs). */
export function expectedFeatureSizes(
  spec: BackboneSpec,
  inputSize: ImageSize,
): { readonly name: string; readonly height: number; readonly width: number }[] {
  return spec.outputs.map((o) => ({
    name: o.name,
    height: Math.ceil(inputSize.height / o.stride),
    width: Math.ceil(inputSize.width / o.stride),
  }));
}
