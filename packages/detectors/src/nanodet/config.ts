/**
 * NanoDet's GFL head (Generalized Focal Loss, Li et al. 2020), as NanoDet-m / NanoDet-Plus /
 * PicoDet-style exports emit it. Per anchor point (cell (x, y) of a stride-s level, centre
 * ((x + centerOffset)·s, (y + centerOffset)·s)):
 *
 * - nc class scores (quality-aware, already sigmoid in the usual exports; `sigmoid: true`
 *   applies it here);
 * - 4 × (regMax + 1) logits: for each side (left, top, right, bottom) a distribution over the
 *   distances 0…regMax in units of the stride; distance = Σ softmax(logits)·[0…regMax] · s.
 *
 * Two output layouts:
 * - per level (NanoDet-m's export): `clsOutputs[l]` `[1, A_l, nc]` and `regOutputs[l]`
 *   `[1, A_l, 4(regMax+1)]`, default names `cls_pred_stride_<s>` / `dis_pred_stride_<s>`;
 * - concatenated (NanoDet-Plus' export): one `output` `[1, A, nc + 4(regMax+1)]`, levels in
 *   stride order, class scores first.
 *
 * NanoDet-m centres cells at x + 0.5; NanoDet-Plus at x (`centerOffset: 0`). Its upstream
 * post-processing keeps the 1000 anchors with the best class score per level, then every
 * (anchor, class) pair scoring above the threshold (multi-label), then per-class NMS 0.6 and
 * at most 100 detections.
 */
import { ConfigReader } from '../card-config.js';
import type { ModelCard } from '../model-card.js';
import type { DetectOptions } from '../types.js';

export interface NanoDetConfig {
  /** Strides of the head levels. Default [8, 16, 32]. */
  readonly strides?: readonly number[];
  /** Largest distance bin: each side is a distribution over 0…regMax. Default 7. */
  readonly regMax?: number;
  /** Cell centre offset in cells: (x + offset)·stride. Default 0.5 (NanoDet-m); 0 for NanoDet-Plus. */
  readonly centerOffset?: number;
  /** Per-level class score outputs `[1, A_l, nc]`. Default `cls_pred_stride_<s>`. */
  readonly clsOutputs?: readonly string[];
  /** Per-level distribution outputs `[1, A_l, 4(regMax+1)]`. Default `dis_pred_stride_<s>`. */
  readonly regOutputs?: readonly string[];
  /** One concatenated output `[1, A, nc + 4(regMax+1)]` instead of per-level outputs. */
  readonly output?: string;
  /** Apply the sigmoid to class scores here. Default false (the export did). */
  readonly sigmoid?: boolean;
  /** Every (anchor, class) pair above the threshold (NanoDet), or only each anchor's best class. Default true. */
  readonly multiLabel?: boolean;
}

declare module '../registry.js' {
  interface DetectorConfigs {
    nanodet: NanoDetConfig;
  }
}

/**
 * NanoDet's test-time defaults (`multiclass_nms(score_thr=0.05, iou 0.6, max_num=100)`,
 * `nms_pre=1000` anchors per level — `preNmsTopK` is per level here).
 */
export const NANODET_DEFAULTS: DetectOptions = Object.freeze({
  scoreThreshold: 0.05,
  iouThreshold: 0.6,
  maxDetections: 100,
  preNmsTopK: 1000,
});

/** Where the head's tensors are. */
export type NanoDetOutputs =
  | { readonly kind: 'per-level'; readonly cls: readonly string[]; readonly reg: readonly string[] }
  | { readonly kind: 'concatenated'; readonly name: string };

export interface ResolvedNanoDetConfig {
  readonly strides: readonly number[];
  readonly regMax: number;
  readonly centerOffset: number;
  readonly outputs: NanoDetOutputs;
  readonly sigmoid: boolean;
  readonly multiLabel: boolean;
}

/**
 * Validates `card.architecture` for `nanodet`.
 * @throws ModelCardError naming the field
 */
export function parseNanoDetConfig(card: ModelCard): ResolvedNanoDetConfig {
  const r = ConfigReader.of(card).only([
    'strides',
    'regMax',
    'centerOffset',
    'clsOutputs',
    'regOutputs',
    'output',
    'sigmoid',
    'multiLabel',
  ]);
  const strides = r.numberList('strides', { integer: true, min: 1 }) ?? [8, 16, 32];
  const output = r.string('output');
  const cls = r.stringList('clsOutputs');
  const reg = r.stringList('regOutputs');
  let outputs: NanoDetOutputs;
  if (output !== undefined) {
    if (cls !== undefined || reg !== undefined) {
      r.fail(
        cls !== undefined ? 'clsOutputs' : 'regOutputs',
        'give either one concatenated "output" or per-level "clsOutputs" + "regOutputs", not both',
      );
    }
    outputs = { kind: 'concatenated', name: output };
  } else {
    for (const [name, list] of [
      ['clsOutputs', cls],
      ['regOutputs', reg],
    ] as const) {
      if (list !== undefined && list.length !== strides.length) {
        r.fail(name, `expected ${strides.length} names (one per stride), got ${list.length}`);
      }
    }
    outputs = {
      kind: 'per-level',
      cls: cls ?? strides.map((s) => `cls_pred_stride_${s}`),
      reg: reg ?? strides.map((s) => `dis_pred_stride_${s}`),
    };
  }
  return {
    strides,
    regMax: r.number('regMax', 7, { integer: true, min: 1, max: 64 }),
    centerOffset: r.number('centerOffset', 0.5, { min: 0, max: 1 }),
    outputs,
    sigmoid: r.boolean('sigmoid', false),
    multiLabel: r.boolean('multiLabel', true),
  };
}
