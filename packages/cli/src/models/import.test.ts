import type { OnnxModelInfo, OnnxValueInfo } from '@ocelot/runtime';
import { describe, expect, it } from 'vitest';
import { anchorPoints, inferModelCard, ModelImportError } from './import.js';

const tensor = (name: string, dims: (number | string | null)[]): OnnxValueInfo => ({
  name,
  kind: 'tensor',
  type: 'float32',
  dims,
});

function model(
  inputs: OnnxValueInfo[],
  outputs: OnnxValueInfo[],
  metadata: Record<string, string> = {},
): OnnxModelInfo {
  return {
    irVersion: 8,
    opsets: { '': 17 },
    producerName: 'test',
    producerVersion: '',
    graphName: 'g',
    metadata,
    inputs,
    outputs,
    operators: [],
    functions: [],
    nodeCount: 1,
    initializerCount: 0,
  };
}

const options = {
  id: 'm',
  source: 'm.onnx',
  file: { path: 'model.onnx', sha256: '0'.repeat(64), bytes: 1 },
};
const images640 = tensor('images', [1, 3, 640, 640]);
const yoloMeta = {
  names: "{0: 'person', 1: 'car'}",
  stride: '32',
  imgsz: '[640, 640]',
  task: 'detect',
};

describe('inferModelCard', () => {
  it('counts anchor points of strides 8/16/32', () => {
    expect(anchorPoints(640, 640)).toBe(8400);
    expect(anchorPoints(64, 64)).toBe(84);
    expect(anchorPoints(320, 416)).toBe(40 * 52 + 20 * 26 + 10 * 13);
  });

  it('YOLOv8 [1, 4+N, 8400] with metadata: ultralytics v8, names from the metadata', () => {
    const { card, reason, notes } = inferModelCard(
      model([images640], [tensor('output0', [1, 6, 8400])], yoloMeta),
      options,
    );
    expect(reason).toBe(
      'Ultralytics v8 / YOLO11 detect (cx, cy, w, h, 2 class scores): output0 [1,6,8400]',
    );
    expect(notes).toEqual([]);
    expect(card).toMatchObject({
      task: 'detect',
      architecture: { type: 'ultralytics', head: 'v8', output: 'output0' },
      input: { name: 'images', width: 640, height: 640, resize: 'letterbox' },
      labels: ['person', 'car'],
    });
  });

  it('anchors-first v8 and v5 layouts with Ultralytics metadata', () => {
    const v8t = inferModelCard(
      model([images640], [tensor('output0', [1, 8400, 6])], yoloMeta),
      options,
    );
    expect(v8t.card.architecture).toEqual({
      type: 'ultralytics',
      head: 'v8',
      layout: 'anchors-first',
      output: 'output0',
    });
    const v5 = inferModelCard(
      model([images640], [tensor('output0', [1, 8400, 7])], yoloMeta),
      options,
    );
    expect(v5.card.architecture).toEqual({ type: 'ultralytics', head: 'v5', output: 'output0' });
    expect(v5.reason).toMatch(/^YOLOv5/);
  });

  it('pose / segment channels beyond the names are extra channels', () => {
    const r = inferModelCard(
      model([images640], [tensor('output0', [1, 4 + 2 + 51, 8400])], yoloMeta),
      options,
    );
    expect(r.card.architecture).toMatchObject({ type: 'ultralytics', extraChannels: 51 });
    expect(r.notes[0]).toContain('51 channels after the 2 class scores');
  });

  it('a dynamic input takes its size from imgsz metadata or --imgsz, else says what to pass', () => {
    const dynamic = tensor('images', [1, 3, 'height', 'width']);
    const fromMeta = inferModelCard(
      model([dynamic], [tensor('output0', [1, 6, 'anchors'])], yoloMeta),
      options,
    );
    expect(fromMeta.card.input).toMatchObject({ width: 640, height: 640 });
    expect(fromMeta.notes[0]).toBe(
      'input size 640×640 from the imgsz metadata (the graph accepts other sizes)',
    );
    const fromFlag = inferModelCard(model([dynamic], [tensor('out', [1, 3, 'h', 'w'])]), {
      ...options,
      imgsz: 512,
    });
    expect(fromFlag.card).toMatchObject({
      task: 'segment',
      input: { width: 512, height: 512 },
      architecture: { type: 'fcn' },
    });
    expect(() =>
      inferModelCard(model([dynamic], [tensor('out', [1, 3, 'h', 'w'])]), options),
    ).toThrow(
      'm.onnx: the input size is dynamic (images [1,3,height,width]) and the model has no imgsz metadata; pass --imgsz N',
    );
  });

  it('semantic outputs: C channels → fcn (background first), one channel → binary unet', () => {
    const input = tensor('input', [1, 3, 256, 256]);
    const fcn = inferModelCard(
      model([input], [tensor('out', [1, 5, 256, 256]), tensor('aux', [1, 5, 256, 256])]),
      options,
    );
    expect(fcn.card.labels).toEqual(['background', 'class1', 'class2', 'class3', 'class4']);
    expect(fcn.card.input).toMatchObject({ resize: 'stretch', mean: [0.485, 0.456, 0.406] });
    const unet = inferModelCard(model([input], [tensor('probs', [1, 1, 256, 256])]), options);
    expect(unet.card).toMatchObject({
      architecture: { type: 'unet', output: 'probs' },
      labels: ['background', 'foreground'],
    });
  });

  it('an NHWC input is recorded as such', () => {
    const r = inferModelCard(
      model([tensor('sub_7', [1, 257, 257, 3])], [tensor('out', [1, 21, 257, 257])]),
      options,
    );
    expect(r.card.input).toMatchObject({ width: 257, height: 257, layout: 'nhwc' });
  });

  it('--arch and --labels win; label counts must match the outputs', () => {
    const forced = inferModelCard(model([images640], [tensor('output', [1, 8400, 7])]), {
      ...options,
      architecture: 'ultralytics-v5',
      labels: ['a', 'b'],
    });
    expect(forced.card).toMatchObject({
      architecture: { type: 'ultralytics', head: 'v5' },
      labels: ['a', 'b'],
    });
    expect(() =>
      inferModelCard(model([images640], [tensor('output0', [1, 6, 8400])], yoloMeta), {
        ...options,
        labels: ['a', 'b', 'c'],
      }),
    ).toThrow('--labels gives 3 class names but the outputs have 2 classes');
  });

  it.each([
    [
      'two image inputs',
      [images640, tensor('sizes', [1, 2])],
      [tensor('o', [1, 300, 6])],
      /has 2 inputs \(images, sizes\)/,
    ],
    [
      'a non-image input',
      [tensor('x', [1, 10])],
      [tensor('o', [1, 2])],
      /input x \[1,10\] is not an image batch/,
    ],
    [
      'a classifier',
      [images640],
      [tensor('logits', [1, 1000])],
      /cannot infer the architecture \(no \[1, C, A\]/,
    ],
    [
      'a segmentation map at another size',
      [images640],
      [tensor('out', [1, 21, 160, 160])],
      /out \[1,21,160,160\] is not at the input size 640×640/,
    ],
    [
      'a detection output of unknown length',
      [images640],
      [tensor('o', [1, 5000, 85])],
      /matches no known detection layout for a 640×640 input \(8400 anchor points\)/,
    ],
  ])('says clearly when it cannot: %s', (_what, inputs, outputs, message) => {
    expect(() => inferModelCard(model(inputs, outputs), options)).toThrow(ModelImportError);
    expect(() => inferModelCard(model(inputs, outputs), options)).toThrow(message);
  });

  it('end-to-end detections without names need --labels', () => {
    expect(() =>
      inferModelCard(model([images640], [tensor('output0', [1, 300, 6])]), options),
    ).toThrow(
      'cannot tell the number of classes (end-to-end detections (x1, y1, x2, y2, score, class): output0 [1,300,6]); pass --labels FILE',
    );
  });
});
