/**
 * The network parts of a two-stage detector as small interfaces, and their ONNX-session
 * implementations. Anything with the same shape can stand in (a different backbone, a head
 * computed in TypeScript, a test double): the composition in `FasterRCNN` only sees these.
 *
 * Graph contract of the session implementations (what
 * tooling/python/export/torchvision_rcnn_split.py writes):
 * - backbone: input `images` [1, 3, H, W] → one float32 [1, C, H_l, W_l] output per level;
 * - RPN head: one input per level, named as the level → `objectness_<level>` [1, A, H_l, W_l]
 *   and `bbox_deltas_<level>` [1, 4A, H_l, W_l] (torchvision `RPNHead`'s raw conv layout). A
 *   graph with a single input not named as a level is run once per level and names its outputs
 *   `objectness` and `bbox_deltas`;
 * - box head: `box_features` [K, C, 7, 7] → `class_logits` [K, classes+1] and
 *   `box_regression` [K, 4·(classes+1)].
 */
import type { TensorView } from '@ocelot/core';
import type { Session, Tensor } from '@ocelot/runtime';
import { ModelOutputError } from '../errors.js';
import { formatDims, type OutputRef, readFloat32Output } from '../outputs.js';

/** Feature maps by name, each [1, C, H_l, W_l] float32. */
export type FeatureMaps = Readonly<Record<string, TensorView<Float32Array>>>;

/** A backbone: normalised, padded image in, named feature maps out. */
export interface FeatureBackbone {
  /** Feature-map names in pyramid order, finest first (e.g. `0`, `1`, `2`, `3`, `pool`). */
  readonly outputNames: readonly string[];
  /**
   * @param images [1, 3, H, W] float32
   * @returns every map in `outputNames`, each [1, C, H_l, W_l]
   */
  run(images: TensorView<Float32Array>): Promise<FeatureMaps>;
  dispose?(): Promise<void>;
}

/** The RPN head's raw outputs for one level. */
export interface RpnHeadLevel {
  /** [1, A, H_l, W_l] objectness logits. */
  readonly objectness: TensorView<Float32Array>;
  /** [1, 4A, H_l, W_l] box deltas. */
  readonly deltas: TensorView<Float32Array>;
}

/** An RPN head: feature maps in, objectness and deltas per level out. */
export interface RpnHeadRunner {
  /** @returns one entry per name of `levels`, in that order */
  run(features: FeatureMaps, levels: readonly string[]): Promise<RpnHeadLevel[]>;
  dispose?(): Promise<void>;
}

/** A box head (`TwoMLPHead` + `FastRCNNPredictor`): pooled RoI features in, logits and deltas out. */
export interface BoxHeadRunner {
  /**
   * @param boxFeatures [K, C, S, S] RoI-aligned features
   * @returns `classLogits` [K, classes+1] and `boxRegression` [K, 4·(classes+1)]
   */
  run(boxFeatures: TensorView<Float32Array>): Promise<{
    readonly classLogits: TensorView<Float32Array>;
    readonly boxRegression: TensorView<Float32Array>;
  }>;
  dispose?(): Promise<void>;
}

function feed(t: TensorView<Float32Array>) {
  return { type: 'float32' as const, data: t.data, dims: t.dims };
}

function read4d(
  model: string,
  outputs: Readonly<Record<string, Tensor>>,
  name: OutputRef,
  what: string,
): TensorView<Float32Array> {
  const t = readFloat32Output(model, outputs, name, 4, what);
  if (t.dims[0] !== 1) {
    throw new ModelOutputError(
      model,
      t.name,
      `expected batch 1 (${what}), got ${formatDims(t.dims)}`,
    );
  }
  return { data: t.data, dims: t.dims };
}

/**
 * A backbone graph as a {@link FeatureBackbone}.
 * @param model name used in errors, e.g. `"my-model/backbone"`
 * @param options `outputNames`: the maps to return, in pyramid order (default: every output of
 *   the graph, in its order); `inputName`: default the graph's first input
 * @throws ModelOutputError when the graph lacks one of `outputNames`
 */
export function sessionBackbone(
  session: Session,
  model: string,
  options: { readonly outputNames?: readonly string[]; readonly inputName?: string } = {},
): FeatureBackbone {
  const available = session.outputs.map((o) => o.name);
  const outputNames = options.outputNames ?? available;
  for (const name of outputNames) {
    if (!available.includes(name)) {
      throw new ModelOutputError(
        model,
        name,
        `missing; the backbone returns ${available.join(', ') || 'nothing'}`,
      );
    }
  }
  const inputName = options.inputName ?? session.inputs[0]?.name ?? 'images';
  return {
    outputNames,
    async run(images) {
      const outputs = await session.run({ [inputName]: feed(images) });
      const maps: Record<string, TensorView<Float32Array>> = {};
      for (const name of outputNames) {
        maps[name] = read4d(model, outputs, name, '[1, C, H, W] feature map');
      }
      return maps;
    },
    dispose: () => session.dispose(),
  };
}

/**
 * An RPN-head graph as an {@link RpnHeadRunner}: one run with every level when the graph has
 * one input per level (named as the levels), else one run per level.
 * @param model name used in errors, e.g. `"my-model/rpnHead"`
 */
export function sessionRpnHead(session: Session, model: string): RpnHeadRunner {
  const inputs = session.inputs.map((i) => i.name);
  return {
    async run(features, levels) {
      if (inputs.length === 1 && !levels.includes(inputs[0]!)) {
        const result: RpnHeadLevel[] = [];
        for (const level of levels) {
          const outputs = await session.run({ [inputs[0]!]: feed(features[level]!) });
          result.push({
            objectness: read4d(model, outputs, 'objectness', '[1, A, H, W]'),
            deltas: read4d(model, outputs, 'bbox_deltas', '[1, 4A, H, W]'),
          });
        }
        return result;
      }
      const feeds: Record<string, ReturnType<typeof feed>> = {};
      for (const name of inputs) {
        const map = features[name];
        if (map === undefined) {
          throw new ModelOutputError(
            model,
            name,
            `the RPN head takes feature map "${name}", which the backbone did not return (it returned ${Object.keys(features).join(', ')})`,
          );
        }
        feeds[name] = feed(map);
      }
      const outputs = await session.run(feeds);
      return levels.map((level) => ({
        objectness: read4d(model, outputs, `objectness_${level}`, '[1, A, H, W]'),
        deltas: read4d(model, outputs, `bbox_deltas_${level}`, '[1, 4A, H, W]'),
      }));
    },
    dispose: () => session.dispose(),
  };
}

/**
 * A box-head graph as a {@link BoxHeadRunner}.
 * @param model name used in errors, e.g. `"my-model/boxHead"`
 */
export function sessionBoxHead(session: Session, model: string): BoxHeadRunner {
  const inputName = session.inputs[0]?.name ?? 'box_features';
  return {
    async run(boxFeatures) {
      const outputs = await session.run({ [inputName]: feed(boxFeatures) });
      const logits = readFloat32Output(model, outputs, ['class_logits', 0], 2, '[K, classes+1]');
      const deltas = readFloat32Output(
        model,
        outputs,
        ['box_regression', 1],
        2,
        '[K, 4·(classes+1)]',
      );
      return {
        classLogits: { data: logits.data, dims: logits.dims },
        boxRegression: { data: deltas.data, dims: deltas.dims },
      };
    },
    dispose: () => session.dispose(),
  };
}
