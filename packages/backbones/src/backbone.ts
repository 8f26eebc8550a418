/**
 * A `Backbone`: an ONNX session that returns named feature maps, each checked against the
 * backbone's spec on every run. It is the `FeatureBackbone` @ocelot/detectors' two-stage
 * models take (`outputNames` + `run(images)`).
 */
import { assertTensor, InvalidArgumentError, type TensorView } from '@ocelot/core';
import {
  type CreateSessionOptions,
  createSession,
  type ModelSource,
  type Session,
  type Tensor,
} from '@ocelot/runtime';
import { BackboneOutputError } from './errors.js';
import { type BackboneSpec, defineBackboneSpec, featureSideRange } from './spec.js';

/** Feature maps by output name, each [N, C, H, W] float32. */
export type FeatureMaps = Readonly<Record<string, TensorView<Float32Array>>>;

function dimsText(dims: readonly (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Checks feature maps against a spec for an input of `inputDims` ([N, 3, H, W]): every output
 * present, float32, rank 4, batch N, the spec's channels, and `H_l`, `W_l` within
 * `floor`..`ceil` of `H / stride`, `W / stride`.
 * @throws BackboneOutputError naming the backbone and the output
 */
export function checkFeatureMaps(
  spec: BackboneSpec,
  outputs: Readonly<Record<string, { readonly data: unknown; readonly dims: readonly number[] }>>,
  inputDims: readonly number[],
): FeatureMaps {
  const [n, , h, w] = inputDims as [number, number, number, number];
  const maps: Record<string, TensorView<Float32Array>> = {};
  for (const o of spec.outputs) {
    const t = outputs[o.name];
    if (t === undefined) {
      throw new BackboneOutputError(
        spec.name,
        o.name,
        `missing; the model returned ${Object.keys(outputs).join(', ') || 'nothing'}`,
      );
    }
    if (!(t.data instanceof Float32Array)) {
      const type = (t as { type?: string }).type ?? (t.data as object)?.constructor?.name;
      throw new BackboneOutputError(spec.name, o.name, `expected float32, got ${type}`);
    }
    const [hMin, hMax] = featureSideRange(h, o.stride);
    const [wMin, wMax] = featureSideRange(w, o.stride);
    const d = t.dims;
    const fits =
      d.length === 4 &&
      d[0] === n &&
      d[1] === o.channels &&
      d[2]! >= hMin &&
      d[2]! <= hMax &&
      d[3]! >= wMin &&
      d[3]! <= wMax &&
      t.data.length === d[0]! * d[1]! * d[2]! * d[3]!;
    if (!fits) {
      const side = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}..${hi}`);
      throw new BackboneOutputError(
        spec.name,
        o.name,
        `expected shape [N=${n}, C=${o.channels}, H=${side(hMin, hMax)}, W=${side(wMin, wMax)}] (stride ${o.stride} on a ${h}x${w} input), got ${dimsText(d)}`,
      );
    }
    maps[o.name] = { data: t.data, dims: d };
  }
  return maps;
}

/** Options of {@link Backbone}. */
export interface BackboneOptions {
  /** Input name; default the session's first input. */
  readonly inputName?: string;
}

/**
 * An ONNX backbone bound to its spec.
 *
 * ```ts
 * const session = await createSession('resnet50_fpn.onnx');
 * const backbone = new Backbone(session, RESNET50_FPN);
 * const maps = await backbone.run(images); // { '0': [1,256,H/4,W/4], …, pool: [1,256,H/64,W/64] }
 * ```
 */
export class Backbone {
  readonly spec: BackboneSpec;
  readonly session: Session;
  /** The spec's output names, finest first. */
  readonly outputNames: readonly string[];
  readonly #inputName: string;

  /**
   * @throws BackboneOutputError when the graph lacks an output the spec names;
   *   InvalidArgumentError when `options.inputName` is not an input of the graph
   */
  constructor(session: Session, spec: BackboneSpec, options: BackboneOptions = {}) {
    this.spec = defineBackboneSpec(spec);
    this.session = session;
    this.outputNames = this.spec.outputs.map((o) => o.name);
    const available = session.outputs.map((o) => o.name);
    for (const name of this.outputNames) {
      if (!available.includes(name)) {
        throw new BackboneOutputError(
          this.spec.name,
          name,
          `missing; the graph's outputs are ${available.join(', ') || '(none)'}`,
        );
      }
    }
    const inputName = options.inputName ?? session.inputs[0]?.name;
    if (inputName === undefined || !session.inputs.some((i) => i.name === inputName)) {
      throw new InvalidArgumentError(
        'options.inputName',
        `the graph has no input ${JSON.stringify(inputName)}; its inputs are ${session.inputs.map((i) => i.name).join(', ') || '(none)'}`,
      );
    }
    this.#inputName = inputName;
  }

  /**
   * Runs the backbone and checks every output against the spec.
   * @param images [N, 3, H, W] float32, normalised as `spec.normalization` says
   * @returns the spec's outputs by name, each [N, C, H_l, W_l]
   * @throws ShapeMismatchError on a malformed input; BackboneOutputError naming the output
   */
  async run(images: TensorView<Float32Array>): Promise<FeatureMaps> {
    const dims = assertTensor('images', images, 4, '[N,3,H,W]');
    const fixed = this.spec.fixedInputSize;
    if (fixed !== undefined && (dims[2] !== fixed.height || dims[3] !== fixed.width)) {
      throw new InvalidArgumentError(
        'images',
        `${this.spec.name} takes ${fixed.width}x${fixed.height} inputs only, got ${dims[3]}x${dims[2]}`,
      );
    }
    const outputs: Record<string, Tensor> = await this.session.run(
      { [this.#inputName]: { type: 'float32', data: images.data, dims: images.dims } },
      { outputs: this.outputNames },
    );
    return checkFeatureMaps(this.spec, outputs, dims);
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** Options of {@link loadBackbone}. */
export interface LoadBackboneOptions extends BackboneOptions {
  /** Passed to `createSession` (execution providers, threads, sha256 …). */
  readonly session?: CreateSessionOptions;
}

/**
 * Opens an ONNX backbone and binds it to its spec; the session is disposed again if the graph
 * does not fit the spec.
 * @param model path, URL or bytes of the `.onnx` file
 * @throws BackboneOutputError when the graph lacks an output the spec names, plus
 *   `createSession`'s errors
 */
export async function loadBackbone(
  model: ModelSource,
  spec: BackboneSpec,
  options: LoadBackboneOptions = {},
): Promise<Backbone> {
  const session = await createSession(model, { name: spec.name, ...options.session });
  try {
    return new Backbone(session, spec, options);
  } catch (error) {
    await session.dispose();
    throw error;
  }
}
