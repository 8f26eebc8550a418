/**
 * Ultralytics segmentation exports (YOLOv8-seg, YOLO11-seg): `output0` `[1, 4+nc+nm, A]`
 * (cx, cy, w, h in input pixels, nc class scores already sigmoid, nm = 32 mask coefficients;
 * some exports transpose it to `[1, A, 4+nc+nm]`) and `output1` `[1, nm, mh, mw]` mask
 * prototypes (160×160 for a 640 input).
 *
 * `maskResolution` picks Ultralytics' mask path:
 * - `proto` (default; `ops.process_mask(..., upsample=True)`, `retina_masks=False`):
 *   sigmoid(coefficients · prototypes) at prototype resolution, zeroed outside the box (box
 *   scaled to prototype pixels), bilinear upsampling to the input size, then the letterbox
 *   undone (padding cropped, bilinear to the original size), then the threshold;
 * - `native` (`ops.process_mask_native`, `retina_masks=True`): sigmoid(coefficients ·
 *   prototypes), padding cropped at prototype resolution (`scale_masks`: `int()` of the padding),
 *   bilinear straight to the original size, zeroed outside the box in original pixels, then
 *   the threshold.
 *
 * Labels and the input size may come from the model's `names` / `imgsz` metadata.
 */
import { ConfigReader, type ModelCard, type OutputRef } from '@ocelot/detectors';

export interface YoloSegConfig {
  /** Detection output. Default `output0`, else the first output. */
  readonly output?: string;
  /** Prototype output. Default `output1`, else the second output. */
  readonly protoOutput?: string;
  /** Detection output layout; default: from the shape. */
  readonly layout?: 'channels-first' | 'anchors-first';
  /** Default `proto`. */
  readonly maskResolution?: 'proto' | 'native';
}

declare module '../registry.js' {
  interface SegmenterConfigs {
    'yolo-seg': YoloSegConfig;
  }
}

export interface ResolvedYoloSegConfig {
  readonly output: OutputRef;
  readonly protoOutput: OutputRef;
  readonly layout: 'channels-first' | 'anchors-first' | undefined;
  readonly maskResolution: 'proto' | 'native';
}

/**
 * Validates `card.architecture` for `yolo-seg`.
 * @throws ModelCardError naming the field
 */
export function parseYoloSegConfig(card: ModelCard): ResolvedYoloSegConfig {
  const r = ConfigReader.of(card).only(['output', 'protoOutput', 'layout', 'maskResolution']);
  const output = r.string('output');
  const proto = r.string('protoOutput');
  return {
    output: output !== undefined ? [output] : ['output0', 0],
    protoOutput: proto !== undefined ? [proto] : ['output1', 1],
    layout: r.oneOf('layout', ['channels-first', 'anchors-first'] as const),
    maskResolution: r.oneOf('maskResolution', ['proto', 'native'] as const, 'proto'),
  };
}
