/**
 * `window.__ocelot`: the page's state as plain JSON, for the end-to-end test (and the
 * console). It lists detections, not pixels, so a test can compare them with the Node
 * pipeline's.
 */
import type { Manifest } from '../shared/manifest.js';
import type {
  InferenceResult,
  ProviderAttemptInfo,
  RunOptions,
  StageTimings,
} from '../shared/protocol.js';
import type { BackendStatus } from './backends.js';
import type { DetectionColumns } from './filter.js';

/** Detections with optional run-length masks (column-major counts, COCO RLE). */
interface WithMasks extends DetectionColumns {
  readonly masks?: readonly { readonly counts: Uint32Array }[];
}

/** One detection as plain numbers. */
export interface PlainDetection {
  readonly label: number;
  readonly labelName: string;
  readonly score: number;
  /** [x1, y1, x2, y2] in image pixels. */
  readonly box: [number, number, number, number];
  /** Pixels in the detection's mask (instance models). */
  readonly maskArea?: number;
}

/** The last drawn result. */
export interface LastResult {
  readonly modelId: string;
  readonly kind: InferenceResult['kind'];
  readonly imageSize: { readonly width: number; readonly height: number };
  readonly classNames: string[];
  readonly executionProvider: string;
  readonly providerAttempts: ProviderAttemptInfo[];
  readonly timings: StageTimings;
  readonly worker: { readonly crossOriginIsolated: boolean; readonly threads: number };
  readonly options: RunOptions;
  /** Slider value and hidden classes when this was drawn. */
  readonly minScore: number;
  readonly hidden: number[];
  /** Everything the model returned (detection models), in its order. */
  readonly detections: PlainDetection[];
  /** What is drawn: `detections` filtered by the slider and the class toggles. */
  readonly visible: PlainDetection[];
  /** Label maps: the classes present. */
  readonly classesPresent: number[] | undefined;
}

export interface DemoHook {
  /** True once the manifest and the backends are known and the controls are filled. */
  ready: boolean;
  state: 'loading' | 'idle' | 'running' | 'done' | 'error';
  crossOriginIsolated: boolean;
  /** Runs that finished and were drawn. */
  completedRuns: number;
  /** Runs that failed (their message is in `error`). */
  failedRuns: number;
  manifest?: Manifest;
  backends?: BackendStatus[];
  /** The current image; `fnv1a` of its RGB bytes tells decode differences from model ones. */
  image?: { name: string; width: number; height: number; fnv1a: number };
  last?: LastResult | undefined;
  /** The message shown in the page's error box. */
  error?: string | undefined;
  /** Warnings from the runtime (threads, cache). */
  warnings: string[];
  /** The last label map as an array (semantic models), else undefined. */
  labelMap(): number[] | undefined;
}

/** Detections as plain objects, for the hook (the drawing uses the columns directly). */
export function plainDetections(d: WithMasks, classNames: readonly string[]): PlainDetection[] {
  return Array.from(d.scores, (score, i) => {
    const label = d.labels[i]!;
    const b = d.boxes;
    const mask = d.masks?.[i];
    return {
      label,
      labelName: classNames[label] ?? `class ${label}`,
      score,
      box: [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!],
      ...(mask ? { maskArea: rleOnes(mask.counts) } : {}),
    };
  });
}

/** Foreground pixels of a run-length mask: the sum of its odd runs. */
export function rleOnes(counts: Uint32Array): number {
  let n = 0;
  for (let i = 1; i < counts.length; i += 2) n += counts[i]!;
  return n;
}

/** 32-bit FNV-1a of a byte array (to compare the decoded image with Node's). */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
