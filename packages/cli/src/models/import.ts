/**
 * Writing a model card for a user's ONNX file (`ocelot models import`). The architecture is
 * inferred from the graph's outputs where their shapes leave no doubt, names / input size
 * come from Ultralytics-style metadata when present, and every guess is reported as a note.
 *
 * Recognised layouts (N classes, A = anchor points of strides 8/16/32 at the input size):
 *
 * | outputs | architecture |
 * |---|---|
 * | `[1, 4+N, A]` (or `[1, A, 4+N]` with Ultralytics metadata) | `ultralytics` v8 / YOLO11 detect |
 * | `[1, 4+N+32, A]` + `[1, 32, h, w]` | `yolo-seg` (Ultralytics segment) |
 * | `[1, A, 5+N]` with Ultralytics metadata | `ultralytics` v5 |
 * | `[1, A, 5+N]` without | `yolox` (could be YOLOv5 without metadata: `--arch ultralytics-v5`) |
 * | `[1, K, 6]`, K not A | `ultralytics` end2end (YOLOv10 / YOLO26 / `nms=True`) |
 * | `[1, C, H, W]` at the input size (`out`, optional `aux`) | `fcn` (torchvision-style semantic) |
 * | `[1, 1, H, W]` at the input size | `unet` (binary, sigmoid) |
 */
import { OcelotError } from '@ocelot/core';
import { IMAGENET_MEAN, IMAGENET_STD } from '@ocelot/image';
import { type OnnxModelInfo, type OnnxValueInfo, parseUltralyticsMetadata } from '@ocelot/runtime';

/** Architectures `--arch` can force. */
export const IMPORT_ARCHITECTURES = [
  'ultralytics',
  'ultralytics-v5',
  'ultralytics-end2end',
  'yolox',
  'yolo-seg',
  'fcn',
  'deeplabv3',
  'unet',
] as const;
export type ImportArchitecture = (typeof IMPORT_ARCHITECTURES)[number];

/** The ONNX file cannot be turned into a card (exit 1). */
export class ModelImportError extends OcelotError {
  constructor(message: string) {
    super('E_MODEL_IMPORT', message);
  }
}

/** Options of {@link inferModelCard}. */
export interface InferCardOptions {
  readonly id: string;
  /** How the file is named in messages. */
  readonly source: string;
  /** The model file as the card lists it. */
  readonly file: { readonly path: string; readonly sha256: string; readonly bytes: number };
  /** Class names from `--labels` (win over metadata). */
  readonly labels?: readonly string[];
  /** `--arch`: skip the inference. */
  readonly architecture?: ImportArchitecture;
  /** `--imgsz` for models with a dynamic input size. */
  readonly imgsz?: number;
}

/** A card and how it was arrived at. */
export interface InferredCard {
  readonly card: Record<string, unknown>;
  /** What was inferred, e.g. `ultralytics v8 detect: output0 [1,7,8400]`. */
  readonly reason: string;
  /** Guesses and assumptions the user should check. */
  readonly notes: string[];
}

function dimsText(v: OnnxValueInfo): string {
  return v.dims ? `[${v.dims.map((d) => (d === null ? '?' : d)).join(',')}]` : '(no shape)';
}

/** Anchor points of a YOLO-style head with strides 8/16/32 on an H×W input. */
export function anchorPoints(height: number, width: number, strides = [8, 16, 32]): number {
  return strides.reduce((sum, s) => sum + Math.ceil(height / s) * Math.ceil(width / s), 0);
}

const num = (d: number | string | null | undefined): number | undefined =>
  typeof d === 'number' && d > 0 ? d : undefined;

/**
 * Infers a model card from an ONNX file's signature and metadata.
 * @param info `parseOnnxModel(bytes)`
 * @throws ModelImportError saying what could not be inferred and how to supply it
 */
export function inferModelCard(info: OnnxModelInfo, options: InferCardOptions): InferredCard {
  const notes: string[] = [];
  const { source } = options;
  let meta: ReturnType<typeof parseUltralyticsMetadata> = {};
  try {
    meta = parseUltralyticsMetadata(info.metadata);
  } catch (error) {
    notes.push(`metadata ignored: ${(error as Error).message}`);
  }
  const hasUltralyticsMeta =
    meta.names !== undefined || meta.stride !== undefined || meta.imgsz !== undefined;

  // ---- input
  const input = info.inputs[0];
  if (!input) throw new ModelImportError(`${source}: the graph has no inputs`);
  if (info.inputs.length > 1) {
    throw new ModelImportError(
      `${source}: the graph has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}); only single-image-input models can be imported (write the card by hand)`,
    );
  }
  const dims = input.dims ?? [];
  if (dims.length !== 4) {
    throw new ModelImportError(
      `${source}: input ${input.name} ${dimsText(input)} is not an image batch [1,3,H,W] or [1,H,W,3]`,
    );
  }
  const nhwc = dims[3] === 3 && dims[1] !== 3;
  let height = num(nhwc ? dims[1] : dims[2]);
  let width = num(nhwc ? dims[2] : dims[3]);
  if (height === undefined || width === undefined) {
    const size =
      options.imgsz !== undefined ? { width: options.imgsz, height: options.imgsz } : meta.imgsz;
    if (!size) {
      throw new ModelImportError(
        `${source}: the input size is dynamic (${input.name} ${dimsText(input)}) and the model has no imgsz metadata; pass --imgsz N`,
      );
    }
    height = size.height;
    width = size.width;
    notes.push(
      `input size ${width}×${height} from ${options.imgsz !== undefined ? '--imgsz' : 'the imgsz metadata'} (the graph accepts other sizes)`,
    );
  } else if (options.imgsz !== undefined && (options.imgsz !== width || options.imgsz !== height)) {
    throw new ModelImportError(
      `${source}: --imgsz ${options.imgsz} does not match the fixed input ${input.name} ${dimsText(input)}`,
    );
  }

  // ---- outputs
  const outputs = info.outputs.filter((o) => o.kind === 'tensor');
  const shapes = outputs.map((o) => o.dims ?? []);
  const described = outputs.map((o) => `${o.name} ${dimsText(o)}`).join(', ');
  const cannot = (why: string): never => {
    throw new ModelImportError(
      `${source}: cannot infer the architecture (${why}; outputs: ${described || 'none'}). Pass --arch ${IMPORT_ARCHITECTURES.join('|')} and check the card, or write it by hand`,
    );
  };
  const anchors = anchorPoints(height, width);

  type Found = {
    arch: ImportArchitecture;
    classes: number | undefined;
    extra?: Record<string, unknown>;
    reason: string;
  };
  const detect3d = ():
    | { o: OnnxValueInfo; a: number | undefined; b: number | undefined }
    | undefined => {
    const k = shapes.findIndex((s) => s.length === 3);
    if (k < 0) return undefined;
    return { o: outputs[k]!, a: num(shapes[k]![1]), b: num(shapes[k]![2]) };
  };

  let found: Found | undefined;
  const forced = options.architecture;
  const d3 = detect3d();
  const seg4d = outputs.findIndex(
    (o, k) =>
      shapes[k]!.length === 4 && (o.name === 'out' || outputs.length === 1 || o.name !== 'aux'),
  );
  const protoIndex = outputs.findIndex((_, k) => shapes[k]!.length === 4 && d3 !== undefined);

  if (forced === 'yolo-seg' || (!forced && outputs.length === 2 && d3 && protoIndex >= 0)) {
    const proto = outputs[protoIndex];
    const nm = proto ? num(proto.dims?.[1]) : undefined;
    if (!d3 || !proto || nm === undefined) cannot('yolo-seg needs [1, 4+N+M, A] and [1, M, h, w]');
    const channels =
      d3!.a !== undefined && d3!.b !== undefined ? Math.min(d3!.a, d3!.b) : undefined;
    const classes = channels !== undefined ? channels - 4 - nm! : undefined;
    if (classes !== undefined && classes < 1)
      cannot(`${channels} channels leave no classes beside ${nm} mask coefficients`);
    found = {
      arch: 'yolo-seg',
      classes,
      extra: { output: d3!.o.name, protoOutput: proto!.name },
      reason: `Ultralytics segment: ${d3!.o.name} ${dimsText(d3!.o)} and prototypes ${proto!.name} ${dimsText(proto!)}`,
    };
  } else if (
    forced === 'fcn' ||
    forced === 'deeplabv3' ||
    forced === 'unet' ||
    (!forced && !d3 && seg4d >= 0)
  ) {
    const o = outputs[seg4d];
    if (!o) cannot('no [1, C, H, W] output');
    const s = shapes[seg4d]!;
    const c = num(s[1]);
    const h = s[2];
    const w = s[3];
    const spatialOk =
      (typeof h !== 'number' || h === height) && (typeof w !== 'number' || w === width);
    if (!forced && !spatialOk) {
      cannot(`output ${o!.name} ${dimsText(o!)} is not at the input size ${width}×${height}`);
    }
    if (c === undefined) cannot(`output ${o!.name} ${dimsText(o!)} has no fixed class count`);
    const binary = c === 1;
    const arch: ImportArchitecture = forced ?? (binary ? 'unet' : 'fcn');
    found = {
      arch,
      classes: binary ? 2 : c,
      extra: { output: o!.name },
      reason: `${binary ? 'binary semantic (one sigmoid channel)' : 'torchvision-style semantic'}: ${o!.name} ${dimsText(o!)}`,
    };
    if (!forced) {
      notes.push(
        `architecture recorded as "${arch}": ${binary ? 'one channel means background / foreground' : 'all torchvision-style [1, C, H, W] models decode alike'}; the output is assumed to hold logits (set architecture.values to "probabilities" if the graph ends in a softmax)`,
      );
    }
  } else {
    if (!d3) cannot('no [1, C, A] / [1, A, C] detection output');
    const { o, a, b } = d3!;
    const names = options.labels?.length ?? meta.names?.length;
    if (forced === 'ultralytics-end2end' || (!forced && b === 6 && a !== anchors)) {
      found = {
        arch: 'ultralytics-end2end',
        classes: names,
        extra: { head: 'end2end', output: o.name },
        reason: `end-to-end detections (x1, y1, x2, y2, score, class): ${o.name} ${dimsText(o)}`,
      };
      if (a === undefined) notes.push('the number of detections is dynamic');
    } else {
      // which dim holds the channels: the other one is the anchor count (or dynamic)
      let channels: number | undefined;
      let anchorsFirst: boolean;
      if (b === anchors) {
        channels = a;
        anchorsFirst = false;
      } else if (a === anchors) {
        channels = b;
        anchorsFirst = true;
      } else if (a !== undefined && b === undefined) {
        channels = a;
        anchorsFirst = false;
        notes.push(`${o.name} ${dimsText(o)} has a dynamic anchor count; channels first assumed`);
      } else if (a === undefined && b !== undefined) {
        channels = b;
        anchorsFirst = true;
        notes.push(`${o.name} ${dimsText(o)} has a dynamic anchor count; anchors first assumed`);
      } else if (forced !== undefined && a !== undefined && b !== undefined) {
        channels = Math.min(a, b);
        anchorsFirst = a > b;
        notes.push(
          `${o.name} ${dimsText(o)} does not have the ${anchors} anchor points of strides 8/16/32 at ${width}×${height}; layout guessed from the smaller dim`,
        );
      } else {
        return cannot(
          `${o.name} ${dimsText(o)} matches no known detection layout for a ${width}×${height} input (${anchors} anchor points)`,
        );
      }
      const c = channels;
      if (forced === 'yolox' || forced === 'ultralytics-v5') {
        found = {
          arch: forced,
          classes: c !== undefined && c > 5 ? c - 5 : undefined,
          extra: forced === 'yolox' ? { output: o.name } : { head: 'v5', output: o.name },
          reason: `${forced}: ${o.name} ${dimsText(o)}`,
        };
      } else if (
        !anchorsFirst ||
        forced === 'ultralytics' ||
        (names !== undefined && c === 4 + names && hasUltralyticsMeta)
      ) {
        let classes = c !== undefined ? c - 4 : undefined;
        let extra: Record<string, unknown> = { head: 'v8', output: o.name };
        if (anchorsFirst) extra = { head: 'v8', layout: 'anchors-first', output: o.name };
        if (names !== undefined && classes !== undefined && classes > names) {
          extra = { ...extra, extraChannels: classes - names };
          notes.push(
            `${classes - names} channels after the ${names} class scores (mask coefficients / keypoints) are ignored`,
          );
          classes = names;
        }
        found = {
          arch: 'ultralytics',
          classes,
          extra,
          reason: `Ultralytics v8 / YOLO11 detect (cx, cy, w, h, ${classes ?? 'N'} class scores${anchorsFirst ? ', anchors first' : ''}): ${o.name} ${dimsText(o)}`,
        };
      } else if (hasUltralyticsMeta) {
        found = {
          arch: 'ultralytics-v5',
          classes: c !== undefined ? c - 5 : undefined,
          extra: { head: 'v5', output: o.name },
          reason: `YOLOv5 (objectness + class scores, Ultralytics metadata): ${o.name} ${dimsText(o)}`,
        };
      } else {
        found = {
          arch: 'yolox',
          classes: c !== undefined ? c - 5 : undefined,
          extra: { output: o.name },
          reason: `YOLOX (x, y, w, h, objectness, class scores per anchor point): ${o.name} ${dimsText(o)}`,
        };
        notes.push(
          'YOLOv5 exports without metadata have the same shape: if this is one, import again with --arch ultralytics-v5',
          'YOLOX raw grid outputs are assumed (set architecture.decoded to true if the export decodes boxes)',
        );
      }
    }
  }
  const f = found!;

  // ---- labels
  const bgFirst = f.arch === 'fcn' || f.arch === 'deeplabv3' || f.arch === 'unet';
  let labels = options.labels ? [...options.labels] : meta.names ? [...meta.names] : undefined;
  if (labels !== undefined && f.classes !== undefined && labels.length !== f.classes) {
    throw new ModelImportError(
      `${source}: ${options.labels ? '--labels gives' : 'the names metadata gives'} ${labels.length} class names but the outputs have ${f.classes} classes (${f.reason})`,
    );
  }
  if (labels === undefined) {
    if (f.classes === undefined) {
      throw new ModelImportError(
        `${source}: cannot tell the number of classes (${f.reason}); pass --labels FILE`,
      );
    }
    labels =
      f.arch === 'unet' && f.classes === 2
        ? ['background', 'foreground']
        : Array.from({ length: f.classes }, (_, i) =>
            bgFirst && i === 0 ? 'background' : `class${i}`,
          );
    notes.push(
      `no class names in the model: labels are placeholders (${labels.slice(0, 3).join(', ')}${labels.length > 3 ? ', …' : ''}); pass --labels FILE`,
    );
  }

  // ---- card
  const inputSpec: Record<string, unknown> = { name: input.name, width, height };
  let architecture: Record<string, unknown>;
  let task: 'detect' | 'segment' | 'instance-segment' = 'detect';
  switch (f.arch) {
    case 'ultralytics':
    case 'ultralytics-v5':
    case 'ultralytics-end2end':
      architecture = { type: 'ultralytics', ...f.extra };
      Object.assign(inputSpec, { resize: 'letterbox', scale: 1 / 255 });
      break;
    case 'yolox':
      architecture = { type: 'yolox', ...f.extra };
      Object.assign(inputSpec, {
        resize: 'letterbox',
        center: false,
        sizeRounding: 'floor',
        scale: 1,
        channelOrder: 'bgr',
      });
      notes.push(
        'YOLOX preprocessing assumed: top-left letterbox, BGR, 0–255 (the official export)',
      );
      break;
    case 'yolo-seg':
      architecture = { type: 'yolo-seg', ...f.extra };
      task = 'instance-segment';
      Object.assign(inputSpec, { resize: 'letterbox', scale: 1 / 255 });
      break;
    default:
      architecture = { type: f.arch, ...f.extra };
      task = 'segment';
      Object.assign(inputSpec, {
        resize: 'stretch',
        scale: 1 / 255,
        mean: [...IMAGENET_MEAN],
        std: [...IMAGENET_STD],
      });
      notes.push(
        'preprocessing assumed: stretch to the input size, ImageNet mean / std (torchvision); edit input.mean / input.std if the model was trained otherwise',
      );
  }
  if (nhwc) inputSpec.layout = 'nhwc';
  const card: Record<string, unknown> = {
    id: options.id,
    name: `${options.id} (imported)`,
    task,
    architecture,
    files: { model: { ...options.file } },
    input: inputSpec,
    labels,
    description: `Imported from ${source} by ocelot models import (${f.reason}).`,
  };
  if (meta.license !== undefined) card.license = meta.license;
  return { card, reason: f.reason, notes };
}
