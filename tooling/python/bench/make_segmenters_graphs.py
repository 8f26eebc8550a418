#!/usr/bin/python3
"""Write the stand-in models the @ocelot/segmenters bench rows time post-processing against.

Run with Debian's python3-onnx:  /usr/bin/python3 tooling/python/bench/make_segmenters_graphs.py

The segmenters rows report post-processing as a fraction of model time. Real YOLO-seg / Mask
R-CNN weights are not available offline, so these graphs have the right input and output shapes
and a realistic amount of convolution work, with weights drawn by `RandomNormal` nodes inside
the graph (the files stay a few kB; only the compute matters, outputs are never compared):

  yolo_seg_standin_640.onnx   images [1, 3, 640, 640] → output0 [1, 116, 8400] (4 + 80 classes
                              + 32 coefficients, 80² + 40² + 20² anchors) and output1
                              [1, 32, 160, 160] prototypes; 3.5 G multiply-adds (YOLOv8n-seg
                              is ~6.3 G, so post-processing shares come out high)
  mask_head_standin_100.onnx  mask_features [100, 256, 14, 14] → mask_logits [100, 91, 28, 28]:
                              torchvision's MaskRCNNHeads (4 × conv 3×3, 256 channels) +
                              MaskRCNNPredictor (ConvTranspose 2×2 stride 2, 1×1 to 91 classes)
                              for 100 detections — the COCO Mask R-CNN mask branch (~53 G
                              multiply-adds), a lower bound of that model's time

Re-running reproduces the files byte for byte.
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, '..', '..', 'bench', 'graphs'))
GENERATOR = 'tooling/python/bench/make_segmenters_graphs.py'


class Builder:
    def __init__(self):
        self.nodes = []
        self.count = 0
        self.macs = 0

    def name(self, prefix):
        self.count += 1
        return f'{prefix}_{self.count}'

    def weight(self, shape, fan_in):
        w = self.name('w')
        self.nodes.append(helper.make_node('RandomNormal', [], [w], shape=list(shape), dtype=TensorProto.FLOAT,
                                           mean=0.0, scale=(2.0 / fan_in) ** 0.5, seed=float(self.count)))
        return w

    def conv(self, x, cin, cout, k, stride, size, relu=True):
        """3×3 / 1×1 convolution on a square map of side `size` (input side)."""
        w = self.weight((cout, cin, k, k), cin * k * k)
        y = self.name('conv')
        p = k // 2
        self.nodes.append(helper.make_node('Conv', [x, w], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[p, p, p, p]))
        out = size // stride
        self.macs += cin * cout * k * k * out * out
        if not relu:
            return y
        z = self.name('relu')
        self.nodes.append(helper.make_node('Relu', [y], [z]))
        return z


def save(model, name):
    model.producer_name = GENERATOR
    model.producer_version = '1'
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT_DIR, name))


def make_yolo_seg():
    b = Builder()
    x = b.conv('images', 3, 16, 3, 2, 640)      # 320
    x = b.conv(x, 16, 32, 3, 2, 320)             # 160
    p160 = b.conv(x, 32, 32, 3, 1, 160)
    x = b.conv(p160, 32, 64, 3, 2, 160)          # 80
    p80 = b.conv(b.conv(x, 64, 64, 3, 1, 80), 64, 64, 3, 1, 80)
    x = b.conv(p80, 64, 128, 3, 2, 80)           # 40
    p40 = b.conv(b.conv(x, 128, 128, 3, 1, 40), 128, 128, 3, 1, 40)
    x = b.conv(p40, 128, 256, 3, 2, 40)          # 20
    p20 = b.conv(b.conv(x, 256, 256, 3, 1, 20), 256, 256, 3, 1, 20)
    # prototypes at stride 4
    proto = b.conv(b.conv(p160, 32, 64, 3, 1, 160), 64, 32, 1, 1, 160, relu=False)
    b.nodes.append(helper.make_node('Identity', [proto], ['output1']))
    # detect head per level: 3×3 conv, then 1×1 to 116 channels, flattened and concatenated
    flat = []
    shape = b.name('shape')
    b.nodes.append(helper.make_node('Constant', [], [shape], value=helper.make_tensor(shape, TensorProto.INT64, [3], [1, 116, -1])))
    for feat, c, s in [(p80, 64, 80), (p40, 128, 40), (p20, 256, 20)]:
        h = b.conv(b.conv(feat, c, c, 3, 1, s), c, 116, 1, 1, s, relu=False)
        f = b.name('flat')
        b.nodes.append(helper.make_node('Reshape', [h, shape], [f]))
        flat.append(f)
    b.nodes.append(helper.make_node('Concat', flat, ['output0'], axis=2))
    graph = helper.make_graph(
        b.nodes,
        'yolo_seg_standin',
        inputs=[helper.make_tensor_value_info('images', TensorProto.FLOAT, [1, 3, 640, 640])],
        outputs=[
            helper.make_tensor_value_info('output0', TensorProto.FLOAT, [1, 116, 8400]),
            helper.make_tensor_value_info('output1', TensorProto.FLOAT, [1, 32, 160, 160]),
        ],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]), 'yolo_seg_standin_640.onnx')
    print(f'yolo_seg_standin_640.onnx: {b.macs / 1e9:.2f} G multiply-adds')


def make_mask_head():
    b = Builder()
    x = 'mask_features'
    for _ in range(4):
        x = b.conv(x, 256, 256, 3, 1, 14)
    w = b.weight((256, 256, 2, 2), 256 * 4)
    up = b.name('deconv')
    b.nodes.append(helper.make_node('ConvTranspose', [x, w], [up], kernel_shape=[2, 2], strides=[2, 2]))
    b.macs += 256 * 256 * 4 * 14 * 14
    r = b.name('relu')
    b.nodes.append(helper.make_node('Relu', [up], [r]))
    logits = b.conv(r, 256, 91, 1, 1, 28, relu=False)
    b.nodes.append(helper.make_node('Identity', [logits], ['mask_logits']))
    graph = helper.make_graph(
        b.nodes,
        'mask_head_standin',
        inputs=[helper.make_tensor_value_info('mask_features', TensorProto.FLOAT, [100, 256, 14, 14])],
        outputs=[helper.make_tensor_value_info('mask_logits', TensorProto.FLOAT, [100, 91, 28, 28])],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]), 'mask_head_standin_100.onnx')
    print(f'mask_head_standin_100.onnx: {100 * b.macs / 1e9:.1f} G multiply-adds')


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_yolo_seg()
    make_mask_head()
    return 0


if __name__ == '__main__':
    sys.exit(main())
