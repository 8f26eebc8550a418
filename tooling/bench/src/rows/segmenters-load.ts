/**
 * Loads @ocelot/segmenters' built `dist/` for the segmenters rows, the way harness/ocelot.ts
 * loads the packages it lists — kept here because @ocelot/segmenters is not (yet) one of the
 * bench's dependencies: until it is, the rows report "not yet available" with the reason.
 * The functions are typed by their signatures (not by import type) for the same reason.
 */
import type { ImageSize } from '@ocelot/core';

export interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float32Array;
  readonly w1: Float32Array;
}

export interface ScoreMap {
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly layout: 'nchw' | 'nhwc';
}

export interface RleLike {
  readonly size: readonly [number, number];
  readonly counts: Uint32Array;
}

/** The parts of @ocelot/segmenters the rows call. */
export interface SegmentersModule {
  torchTaps(inSize: number, outSize: number, offset?: number): AxisTaps;
  bilinear(
    a: number,
    b: number,
    c: number,
    d: number,
    wx0: number,
    wx1: number,
    wy0: number,
    wy1: number,
  ): number;
  labelMapFromScores(
    scores: ScoreMap,
    xTaps: AxisTaps,
    yTaps: AxisTaps,
  ): { labelMap: Uint8Array | Uint16Array };
  maskProbabilities(
    model: string,
    logits: { data: Float32Array; dims: readonly number[] },
    labels: Int32Array,
    numClasses: number,
  ): { data: Float32Array; dims: [number, number, number] };
  pasteInstanceMasks(
    probabilities: { data: Float32Array; dims: readonly number[] },
    boxes: Float32Array,
    imageSize: ImageSize,
    threshold: number,
    format: 'rle' | 'binary',
  ): RleLike[] | Uint8Array[];
  resolveInstanceOptions(
    classNames: readonly string[],
    ...layers: Record<string, unknown>[]
  ): { detect: unknown };
  readPrototypes(
    model: string,
    outputs: Record<string, { type: 'float32'; data: Float32Array; dims: readonly number[] }>,
    ref: string | number | readonly (string | number)[],
  ): { data: Float32Array; channels: number; height: number; width: number };
  decodeYoloSegDetections(
    outputs: Record<string, { type: 'float32'; data: Float32Array; dims: readonly number[] }>,
    context: {
      model: string;
      options: unknown;
      inputSize: ImageSize;
      numClasses: number;
      metadata: Record<string, string>;
    },
    params: {
      output: string | number | readonly (string | number)[];
      protoOutput: string | number | readonly (string | number)[];
    },
    maskChannels: number,
  ): { boxes: Float32Array; scores: Float32Array; labels: Int32Array; coefficients: Float32Array };
  protoMasks(
    protos: { data: Float32Array; channels: number; height: number; width: number },
    coefficients: Float32Array,
    inputBoxes: Float32Array,
    imageBoxes: Float32Array,
    params: {
      mode: 'proto' | 'native';
      threshold: number;
      transform: unknown;
      format: 'rle' | 'binary';
    },
  ): RleLike[] | Uint8Array[];
}

let loaded: Promise<{ module: SegmentersModule } | { reason: string }> | undefined;

/** The built package, or why it cannot be used. */
export function loadSegmenters(): Promise<{ module: SegmentersModule } | { reason: string }> {
  loaded ??= (async () => {
    const name = '@ocelot/segmenters';
    try {
      const module = (await import(name)) as SegmentersModule;
      if (typeof module.labelMapFromScores !== 'function') {
        return { reason: `${name} does not export labelMapFromScores() — not yet available` };
      }
      return { module };
    } catch (error) {
      return {
        reason: `${name} is not available to the bench (add it to tooling/bench/package.json and build it): ${(error as Error).message.split('\n')[0]}`,
      };
    }
  })();
  return loaded;
}
