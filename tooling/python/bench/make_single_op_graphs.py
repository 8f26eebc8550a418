#!/usr/bin/python3
"""Write the single-operator ONNX graphs `pnpm bench` runs in onnxruntime-node as peers.

Run with Debian's python3-onnx:  /usr/bin/python3 tooling/python/bench/make_single_op_graphs.py
The .onnx files are committed under tooling/bench/graphs/ so `pnpm bench` never needs Python
for the onnxruntime rows. Re-running must reproduce them byte for byte (no random content,
fixed producer fields).

Graphs (shapes are dynamic where the bench varies them):
  nms.onnx                 NonMaxSuppression (opset 11), center_point_box=0, one batch, one class
                           boxes [1,N,4] as [y1,x1,y2,x2], scores [1,1,N],
                           max_output_boxes_per_class int64[1], iou_threshold float[1]
                           -> selected_indices int64 [num_selected,3] (batch, class, box)
  roi_align_7x7_s0.25_r2_half_pixel.onnx
                           RoiAlign (opset 16), mode=avg, output 7x7, spatial_scale=0.25,
                           sampling_ratio=2, coordinate_transformation_mode=half_pixel
                           (= torchvision roi_align(aligned=True))
                           X [N,C,H,W], rois [K,4] xyxy, batch_indices int64 [K] -> [K,C,7,7]
  resize_argmax_21x512x512_to_1024x2048.onnx
                           Resize (opset 13, linear, half_pixel = F.interpolate(bilinear,
                           align_corners=False)) to 1024x2048, then ArgMax over classes
                           logits [1,21,512,512] -> labels int64 [1,1024,2048]
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, '..', '..', 'bench', 'graphs'))
GENERATOR = 'tooling/python/bench/make_single_op_graphs.py'


def save(model, name):
    model.producer_name = GENERATOR
    model.producer_version = '1'
    onnx.checker.check_model(model)
    path = os.path.join(OUT_DIR, name)
    onnx.save(model, path)
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


def make_nms():
    node = helper.make_node(
        'NonMaxSuppression',
        inputs=['boxes', 'scores', 'max_output_boxes_per_class', 'iou_threshold'],
        outputs=['selected_indices'],
        center_point_box=0,
    )
    graph = helper.make_graph(
        [node],
        'nms',
        inputs=[
            helper.make_tensor_value_info('boxes', TensorProto.FLOAT, [1, 'N', 4]),
            helper.make_tensor_value_info('scores', TensorProto.FLOAT, [1, 1, 'N']),
            helper.make_tensor_value_info('max_output_boxes_per_class', TensorProto.INT64, [1]),
            helper.make_tensor_value_info('iou_threshold', TensorProto.FLOAT, [1]),
        ],
        outputs=[helper.make_tensor_value_info('selected_indices', TensorProto.INT64, ['S', 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 11)])
    model.ir_version = 7
    save(model, 'nms.onnx')


def make_roi_align():
    node = helper.make_node(
        'RoiAlign',
        inputs=['X', 'rois', 'batch_indices'],
        outputs=['Y'],
        mode='avg',
        output_height=7,
        output_width=7,
        sampling_ratio=2,
        spatial_scale=0.25,
        coordinate_transformation_mode='half_pixel',
    )
    graph = helper.make_graph(
        [node],
        'roi_align',
        inputs=[
            helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 'C', 'H', 'W']),
            helper.make_tensor_value_info('rois', TensorProto.FLOAT, ['K', 4]),
            helper.make_tensor_value_info('batch_indices', TensorProto.INT64, ['K']),
        ],
        outputs=[helper.make_tensor_value_info('Y', TensorProto.FLOAT, ['K', 'C', 7, 7])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 16)])
    model.ir_version = 8
    save(model, 'roi_align_7x7_s0.25_r2_half_pixel.onnx')


def make_resize_argmax():
    sizes = helper.make_tensor('sizes', TensorProto.INT64, [4], [1, 21, 1024, 2048])
    resize = helper.make_node(
        'Resize',
        inputs=['logits', '', '', 'sizes'],
        outputs=['resized'],
        mode='linear',
        coordinate_transformation_mode='half_pixel',
    )
    argmax = helper.make_node('ArgMax', inputs=['resized'], outputs=['labels'], axis=1, keepdims=0)
    graph = helper.make_graph(
        [resize, argmax],
        'resize_argmax',
        inputs=[helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 21, 512, 512])],
        outputs=[helper.make_tensor_value_info('labels', TensorProto.INT64, [1, 1024, 2048])],
        initializer=[sizes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 7
    save(model, 'resize_argmax_21x512x512_to_1024x2048.onnx')


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_nms()
    make_roi_align()
    make_resize_argmax()
    return 0


if __name__ == '__main__':
    sys.exit(main())
