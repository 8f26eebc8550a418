#!/usr/bin/python3
"""torchvision's pretrained detection / segmentation models as the ONNX graphs Ocelot's zoo
cards (models/zoo/<id>/model.json) describe, from a weights file you already have.

Nothing is downloaded: the model is built with weights=None / weights_backbone=None and the
state_dict is read from the local path given with --weights (the .pth torchvision's model hub
would fetch, e.g. fasterrcnn_resnet50_fpn_coco-258fb6c6.pth).

    # export (on a machine that has the weights)
    /usr/bin/python3 tooling/python/export/zoo_torchvision.py export faster-rcnn-r50-fpn-coco \
        --weights ~/weights/fasterrcnn_resnet50_fpn_coco-258fb6c6.pth --out models/zoo/faster-rcnn-r50-fpn-coco

    # rewrite the torchvision cards' architecture / input / labels / outputs (no weights needed)
    /usr/bin/python3 tooling/python/export/zoo_torchvision.py cards

| id                          | builder                           | graph(s)                                     |
|-----------------------------|-----------------------------------|----------------------------------------------|
| ssdlite320-mnv3-coco        | ssdlite320_mobilenet_v3_large     | one graph: `bbox_regression`, `cls_logits`    |
| retinanet-r50-fpn-coco      | retinanet_resnet50_fpn            | one graph: per level `cls_logits_<l>`,        |
|                             |                                   | `bbox_regression_<l>` [1, H, W, 9, K]         |
| faster-rcnn-r50-fpn-coco    | fasterrcnn_resnet50_fpn           | split: torchvision_rcnn_split.py              |
| mask-rcnn-r50-fpn-coco      | maskrcnn_resnet50_fpn             | split + mask_head.onnx                        |
| fcn-r50-voc / deeplabv3-r50-voc / lraspp-mnv3-voc | fcn_resnet50, deeplabv3_resnet50, lraspp_mobilenet_v3_large | one graph: `out` [1, 21, H, W] |

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14, onnx 1.12).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from collections import OrderedDict

import onnx
import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from torchvision_rcnn_split import architecture_config, export_rcnn_split, feature_names  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
ZOO = os.path.join(REPO, 'models', 'zoo')
GENERATOR = 'tooling/python/export/zoo_torchvision.py'
OPSET = 16
IMAGENET = {'mean': [0.485, 0.456, 0.406], 'std': [0.229, 0.224, 0.225]}

# torchvision.models._meta._COCO_CATEGORIES (index = COCO category id; "N/A" = unused id)
COCO91 = [
    '__background__', 'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', 'N/A', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse',
    'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'N/A', 'backpack', 'umbrella', 'N/A', 'N/A', 'handbag',
    'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove',
    'skateboard', 'surfboard', 'tennis racket', 'bottle', 'N/A', 'wine glass', 'cup', 'fork', 'knife', 'spoon',
    'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake',
    'chair', 'couch', 'potted plant', 'bed', 'N/A', 'dining table', 'N/A', 'N/A', 'toilet', 'N/A', 'tv', 'laptop',
    'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'N/A',
    'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
]
# torchvision.models._meta._VOC_CATEGORIES (COCO_WITH_VOC_LABELS weights)
VOC21 = [
    '__background__', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
    'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
]

TORCHVISION = {
    'ssdlite320-mnv3-coco': dict(
        builder='ssdlite320_mobilenet_v3_large', kind='ssd', file='ssdlite320_mobilenet_v3_large_coco-a79551df.pth',
        name='torchvision SSDlite320 MobileNetV3-Large, COCO', box_map=22.0, licence='BSD-3-Clause'),
    'retinanet-r50-fpn-coco': dict(
        builder='retinanet_resnet50_fpn', kind='retinanet', file='retinanet_resnet50_fpn_coco-eeacb38b.pth',
        name='torchvision RetinaNet ResNet-50 FPN, COCO', box_map=36.4, licence='BSD-3-Clause'),
    'faster-rcnn-r50-fpn-coco': dict(
        builder='fasterrcnn_resnet50_fpn', kind='rcnn', file='fasterrcnn_resnet50_fpn_coco-258fb6c6.pth',
        name='torchvision Faster R-CNN ResNet-50 FPN, COCO (split graphs)', box_map=37.0, licence='BSD-3-Clause'),
    'mask-rcnn-r50-fpn-coco': dict(
        builder='maskrcnn_resnet50_fpn', kind='rcnn', file='maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth',
        name='torchvision Mask R-CNN ResNet-50 FPN, COCO (split graphs)', box_map=37.9, licence='BSD-3-Clause'),
    'fcn-r50-voc': dict(
        builder='fcn_resnet50', kind='semantic', file='fcn_resnet50_coco-1167a1af.pth', aux=True,
        name='torchvision FCN ResNet-50, COCO subset with VOC labels', miou=60.5, licence='BSD-3-Clause'),
    'deeplabv3-r50-voc': dict(
        builder='deeplabv3_resnet50', kind='semantic', file='deeplabv3_resnet50_coco-cd0a2569.pth', aux=True,
        name='torchvision DeepLabV3 ResNet-50, COCO subset with VOC labels', miou=66.4, licence='BSD-3-Clause'),
    'lraspp-mnv3-voc': dict(
        builder='lraspp_mobilenet_v3_large', kind='semantic', file='lraspp_mobilenet_v3_large-d234d4ea.pth', aux=False,
        name='torchvision LR-ASPP MobileNetV3-Large, COCO subset with VOC labels', miou=57.9, licence='BSD-3-Clause'),
}

SEG_SIZE = 520  # torchvision's reference evaluation resizes to 520


def build(model_id: str) -> nn.Module:
    spec = TORCHVISION[model_id]
    if spec['kind'] == 'semantic':
        fn = getattr(torchvision.models.segmentation, spec['builder'])
        kw = {'weights': None, 'weights_backbone': None, 'num_classes': 21}
        if spec['aux']:
            kw['aux_loss'] = True
        return fn(**kw).eval()
    fn = getattr(torchvision.models.detection, spec['builder'])
    return fn(weights=None, weights_backbone=None, num_classes=91).eval()


def load_weights(model: nn.Module, path: str) -> None:
    """Reads a local state_dict file (never the network)."""
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise SystemExit(f'--weights {path}: no such file (this script never downloads)')
    state = torch.load(path, map_location='cpu')
    if isinstance(state, dict) and 'model' in state and isinstance(state['model'], dict):
        state = state['model']
    model.load_state_dict(state)


class SsdHeadGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.backbone = model.backbone
        self.head = model.head

    def forward(self, x):
        out = self.head(list(self.backbone(x).values()))
        return out['bbox_regression'], out['cls_logits']


class RetinaNetHeadGraph(nn.Module):
    """Per-level head outputs as [1, H, W, A, K] (torchvision's HWA × K order)."""

    def __init__(self, model):
        super().__init__()
        self.backbone = model.backbone
        self.head = model.head

    def forward(self, x):
        cls_head = self.head.classification_head
        reg_head = self.head.regression_head
        cls_out, reg_out = [], []
        for f in self.backbone(x).values():
            c = cls_head.cls_logits(cls_head.conv(f))
            n, _, h, w = c.shape
            cls_out.append(c.view(n, -1, cls_head.num_classes, h, w).permute(0, 3, 4, 1, 2))
            r = reg_head.bbox_reg(reg_head.conv(f))
            reg_out.append(r.view(n, -1, 4, h, w).permute(0, 3, 4, 1, 2))
        return tuple(cls_out) + tuple(reg_out)


class OutOnly(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)['out']


def _export_single(module, example, path, input_name, output_names, dynamic) -> dict:
    axes = None
    if dynamic:
        axes = {input_name: {2: 'height', 3: 'width'}}
        for n in output_names:
            axes[n] = {1: f'{n}_h', 2: f'{n}_w'}
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, (example,), buf, input_names=[input_name], output_names=output_names,
                          opset_version=OPSET, do_constant_folding=True, **({'dynamic_axes': axes} if axes else {}))
    m = onnx.load_from_string(buf.getvalue())
    m.producer_name = GENERATOR
    data = m.SerializeToString()
    with open(path, 'wb') as f:
        f.write(data)
    return {'path': os.path.basename(path), 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data)}


# ------------------------------------------------------------------------------------- cards

def _coco_labels(with_background: bool):
    if with_background:  # one column per COCO id 0..90 (RetinaNet's K = 91 sigmoid columns)
        return COCO91[:], list(range(91))
    return COCO91[1:], list(range(1, 91))


def card_for(model_id: str) -> OrderedDict:
    """The card's architecture / input / labels / outputs, read from the (random-weight) model."""
    spec = TORCHVISION[model_id]
    model = build(model_id)
    card = OrderedDict(id=model_id, name=spec['name'])
    weights = f"{spec['file']} (torchvision's `{spec['builder']}` weights)"
    if spec['kind'] == 'ssd':
        t = model.transform
        side = int(t.fixed_size[0])
        with torch.no_grad():
            feats = list(model.backbone(torch.zeros(1, 3, side, side)).values())
            out = model.head(feats)
        gen = model.anchor_generator
        card['task'] = 'detect'
        card['architecture'] = {
            'type': 'ssdlite',
            'priors': {
                'type': 'default-boxes',
                'featureMapSizes': [[int(f.shape[-2]), int(f.shape[-1])] for f in feats],
                'aspectRatios': [[int(r) for r in a] for a in gen.aspect_ratios],
                'minRatio': round(float(gen.scales[0]), 6),
                'maxRatio': round(float(gen.scales[-2]), 6),
            },
        }
        card['files'] = {'model': {'path': 'ssdlite320_mnv3_coco.onnx', 'userSupplied': True}}
        card['input'] = {'name': 'images', 'width': side, 'height': side, 'resize': 'torchvision',
                         'mean': [float(v) for v in t.image_mean], 'std': [float(v) for v in t.image_std]}
        labels, ids = _coco_labels(False)
        card['labels'], card['labelIds'] = labels, ids
        card['defaults'] = {'scoreThreshold': float(model.score_thresh), 'iouThreshold': float(model.nms_thresh),
                            'maxDetections': int(model.detections_per_img), 'preNmsTopK': int(model.topk_candidates)}
        card['outputs'] = [
            {'name': 'bbox_regression', 'dims': list(out['bbox_regression'].shape)},
            {'name': 'cls_logits', 'dims': list(out['cls_logits'].shape)},
        ]
    elif spec['kind'] == 'retinanet':
        t = model.transform
        card['task'] = 'detect'
        card['architecture'] = {'type': 'retinanet'}
        card['files'] = {'model': {'path': 'retinanet_r50_fpn_coco.onnx', 'userSupplied': True}}
        card['input'] = {'name': 'images', 'resize': 'torchvision', 'minSize': int(t.min_size[-1]),
                         'maxSize': int(t.max_size), 'sizeDivisible': int(t.size_divisible),
                         'mean': [float(v) for v in t.image_mean], 'std': [float(v) for v in t.image_std]}
        labels, ids = _coco_labels(True)
        card['labels'], card['labelIds'] = labels, ids
        card['defaults'] = {'scoreThreshold': float(model.score_thresh), 'iouThreshold': float(model.nms_thresh),
                            'maxDetections': int(model.detections_per_img), 'preNmsTopK': int(model.topk_candidates)}
        a = model.anchor_generator.num_anchors_per_location()[0]
        levels = ['P3', 'P4', 'P5', 'P6', 'P7']
        strides = [8, 16, 32, 64, 128]
        card['outputs'] = (
            [{'name': f'cls_logits_{i}', 'dims': [1, f'H/{s}', f'W/{s}', a, 91], 'level': lv}
             for i, (lv, s) in enumerate(zip(levels, strides))]
            + [{'name': f'bbox_regression_{i}', 'dims': [1, f'H/{s}', f'W/{s}', a, 4], 'level': lv}
               for i, (lv, s) in enumerate(zip(levels, strides))])
    elif spec['kind'] == 'rcnn':
        side = 800
        names = feature_names(model, torch.zeros(1, 3, side, side))
        arch = architecture_config(model, names)
        t = model.transform
        card['task'] = 'instance-segment' if arch['type'] == 'mask-rcnn' else 'detect'
        card['architecture'] = arch
        files = OrderedDict(backbone={'path': 'backbone.onnx', 'userSupplied': True},
                            rpnHead={'path': 'rpn_head.onnx', 'userSupplied': True},
                            boxHead={'path': 'box_head.onnx', 'userSupplied': True})
        if arch['type'] == 'mask-rcnn':
            files['maskHead'] = {'path': 'mask_head.onnx', 'userSupplied': True}
        card['files'] = files
        card['input'] = {'name': 'images', 'resize': 'stretch', 'scale': 1 / 255,
                         'mean': [float(v) for v in t.image_mean], 'std': [float(v) for v in t.image_std]}
        labels, ids = _coco_labels(False)
        card['labels'], card['labelIds'] = labels, ids
        a = model.rpn.anchor_generator.num_anchors_per_location()[0]
        strides = {'0': 4, '1': 8, '2': 16, '3': 32, 'pool': 64}
        outs = [{'file': 'backbone', 'name': n, 'dims': [1, 256, f'H/{strides[n]}', f'W/{strides[n]}']} for n in names]
        outs += [{'file': 'rpnHead', 'name': f'objectness_{n}', 'dims': [1, a, f'H/{strides[n]}', f'W/{strides[n]}']}
                 for n in names]
        outs += [{'file': 'rpnHead', 'name': f'bbox_deltas_{n}', 'dims': [1, 4 * a, f'H/{strides[n]}', f'W/{strides[n]}']}
                 for n in names]
        outs += [{'file': 'boxHead', 'name': 'class_logits', 'dims': ['K', 91]},
                 {'file': 'boxHead', 'name': 'box_regression', 'dims': ['K', 364]}]
        if arch['type'] == 'mask-rcnn':
            outs.append({'file': 'maskHead', 'name': 'mask_logits', 'dims': ['K', 91, 28, 28]})
        card['outputs'] = outs
    else:  # semantic
        arch_type = {'fcn_resnet50': 'fcn', 'deeplabv3_resnet50': 'deeplabv3', 'lraspp_mobilenet_v3_large': 'lraspp'}
        card['task'] = 'segment'
        card['architecture'] = {'type': arch_type[spec['builder']]}
        card['files'] = {'model': {'path': f"{model_id.replace('-', '_')}_{SEG_SIZE}.onnx", 'userSupplied': True}}
        card['input'] = {'name': 'input', 'width': SEG_SIZE, 'height': SEG_SIZE, 'resize': 'stretch', **IMAGENET}
        card['labels'] = VOC21[:]
        card['outputs'] = [{'name': 'out', 'dims': [1, 21, SEG_SIZE, SEG_SIZE]}]
    card['license'] = spec['licence']
    quality = (f"torchvision reports box mAP {spec['box_map']} on COCO val2017" if 'box_map' in spec
               else f"torchvision reports mIoU {spec['miou']} on its COCO-val2017 VOC-category subset")
    card['description'] = (
        f"{spec['name']}: torchvision 0.14's `{spec['builder']}` with the weights file {spec['file']}, exported by "
        f"{GENERATOR}. {quality} (not measured here: the file is user-supplied). `outputs` lists the graph outputs "
        "the card expects (symbolic dims are dynamic)."
        + (' The input is stretched to 520×520; torchvision resizes the shorter side to 520, so numbers differ '
           'slightly on non-square images.' if spec['kind'] == 'semantic' else '')
        + (' The R-CNN transform (shorter side to minSize, longer ≤ maxSize, pad to sizeDivisible) is '
           'architecture.transform; input.resize is not used.' if spec['kind'] == 'rcnn' else ''))
    card['reproduce'] = (f'User-supplied files: /usr/bin/python3 {GENERATOR} export {model_id} '
                         f'--weights <path>/{spec["file"]} --out models/zoo/{model_id}')
    return card


def coco80():
    """The 80 COCO class names in the contiguous order Ultralytics / YOLOX / RT-DETR use, and their ids."""
    ids = [i for i, n in enumerate(COCO91) if i > 0 and n != 'N/A']
    return [COCO91[i] for i in ids], ids


def _ultralytics(model_id: str, name: str, weights: str, seg: bool) -> OrderedDict:
    labels, ids = coco80()
    file = weights.replace('.pt', '.onnx')
    card = OrderedDict(id=model_id, name=name, task='instance-segment' if seg else 'detect')
    card['architecture'] = {'type': 'yolo-seg' if seg else 'ultralytics'}
    card['files'] = {'model': {'path': file, 'userSupplied': True}}
    card['input'] = {'name': 'images', 'width': 640, 'height': 640, 'resize': 'letterbox'}
    card['labels'], card['labelIds'] = labels, ids
    card['outputs'] = [{'name': 'output0', 'dims': [1, 4 + 80 + (32 if seg else 0), 8400]}]
    if seg:
        card['outputs'].append({'name': 'output1', 'dims': [1, 32, 160, 160]})
    card['license'] = 'AGPL-3.0'
    card['description'] = (
        f'{name}: the Ultralytics export of {weights} at 640 (letterboxed, grey 114, RGB / 255). The graph also '
        'carries names / imgsz / stride metadata, which Ocelot reads when the card leaves them out; the card gives '
        'them so labelIds can map to COCO category ids. Not measured here: the file is user-supplied.')
    card['reproduce'] = (f'User-supplied file: with Ultralytics installed and {weights} on disk, '
                         f'`yolo export model={weights} format=onnx imgsz=640 opset=12` (writes {file}; no NMS, '
                         'dynamic=False, simplify optional).')
    return card


def other_cards():
    """Cards for well-known non-torchvision exports (Ultralytics, DETR, RT-DETR)."""
    cards = [
        _ultralytics('yolov8n-coco', 'Ultralytics YOLOv8n, COCO, 640²', 'yolov8n.pt', False),
        _ultralytics('yolo11n-coco', 'Ultralytics YOLO11n, COCO, 640²', 'yolo11n.pt', False),
        _ultralytics('yolov8n-seg-coco', 'Ultralytics YOLOv8n-seg, COCO, 640²', 'yolov8n-seg.pt', True),
        _ultralytics('yolo11n-seg-coco', 'Ultralytics YOLO11n-seg, COCO, 640²', 'yolo11n-seg.pt', True),
    ]
    detr = OrderedDict(id='detr-r50-coco', name='DETR ResNet-50, COCO, 800×800', task='detect')
    detr['architecture'] = {'type': 'detr', 'logitsOutput': 'pred_logits', 'boxesOutput': 'pred_boxes',
                            'noObjectClass': True}
    detr['files'] = {'model': {'path': 'detr_r50_coco_800.onnx', 'userSupplied': True}}
    detr['input'] = {'name': 'images', 'width': 800, 'height': 800, 'resize': 'stretch', **IMAGENET}
    # DETR's class index is the COCO category id (0 and the gaps unused); column 91 is no-object
    detr['labels'] = ['N/A'] + COCO91[1:]
    detr['labelIds'] = list(range(91))
    detr['outputs'] = [{'name': 'pred_logits', 'dims': [1, 100, 92]}, {'name': 'pred_boxes', 'dims': [1, 100, 4]}]
    detr['license'] = 'Apache-2.0'
    detr['description'] = (
        'facebookresearch/detr DETR-R50 (detr-r50-e632da11.pth, 42.0 box AP on COCO val2017 as its authors report), '
        'exported at a fixed 800×800: softmax over 92 columns (index = COCO category id, last = no object), boxes '
        'cx, cy, w, h in 0..1. Not measured here: the file is user-supplied.')
    detr['reproduce'] = (
        'User-supplied file: in a checkout of github.com/facebookresearch/detr with detr-r50-e632da11.pth on disk, '
        '`model, _ = hubconf.detr_resnet50(pretrained=False, return_postprocessor=True)`, '
        "`model.load_state_dict(torch.load('detr-r50-e632da11.pth')['model'])`, `model.eval()`, then "
        "`torch.onnx.export(model, torch.zeros(1, 3, 800, 800), 'detr_r50_coco_800.onnx', input_names=['images'], "
        "output_names=['pred_logits', 'pred_boxes'], opset_version=16)`.")
    cards.append(detr)
    labels, ids = coco80()
    rt = OrderedDict(id='rtdetr-r18-coco', name='RT-DETR-R18 (lyuwenyu), COCO, 640×640', task='detect')
    rt['architecture'] = {'type': 'rt-detr', 'outputs': 'postprocessed'}
    rt['files'] = {'model': {'path': 'rtdetr_r18vd_coco_640.onnx', 'userSupplied': True}}
    rt['input'] = {'name': 'images', 'width': 640, 'height': 640, 'resize': 'stretch'}
    rt['labels'], rt['labelIds'] = labels, ids
    rt['outputs'] = [{'name': 'labels', 'dims': [1, 300]}, {'name': 'boxes', 'dims': [1, 300, 4]},
                     {'name': 'scores', 'dims': [1, 300]}]
    rt['inputs'] = [{'name': 'images', 'dims': [1, 3, 640, 640]}, {'name': 'orig_target_sizes', 'dims': [1, 2],
                                                                    'dtype': 'int64'}]
    rt['license'] = 'Apache-2.0'
    rt['description'] = (
        'RT-DETR-R18 from github.com/lyuwenyu/RT-DETR (rtdetr_r18vd_dec3_6x_coco, 46.5 box AP on COCO val2017 as '
        'its authors report), deploy export with the post-processor: images [1, 3, 640, 640] (RGB / 255, '
        'stretched) and orig_target_sizes int64 [[W, H]] in; labels 0..79 (remap_mscoco_category off), boxes xyxy '
        'scaled to the target size, scores out. Ocelot feeds the network input size and undoes the resize. Not '
        'measured here: the file is user-supplied.')
    rt['reproduce'] = (
        'User-supplied file: in github.com/lyuwenyu/RT-DETR/rtdetr_pytorch with the checkpoint on disk, '
        '`python tools/export_onnx.py -c configs/rtdetr/rtdetr_r18vd_6x_coco.yml -r '
        'rtdetr_r18vd_dec3_6x_coco_from_paddle.pth --check` and rename model.onnx to rtdetr_r18vd_coco_640.onnx.')
    cards.append(rt)
    return cards


def write_card(model_id: str, card: dict, out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'model.json')
    with open(path, 'w') as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write('\n')
    return path


# ------------------------------------------------------------------------------------ export

def export(model_id: str, weights: str, out_dir: str) -> dict:
    spec = TORCHVISION[model_id]
    card = card_for(model_id)
    model = build(model_id)
    load_weights(model, weights)
    os.makedirs(out_dir, exist_ok=True)
    if spec['kind'] == 'rcnn':
        split = export_rcnn_split(model, out_dir, model_id=model_id, labels=card['labels'])
        files = OrderedDict((role, {**f, 'userSupplied': True}) for role, f in split['files'].items())
    elif spec['kind'] == 'ssd':
        side = card['input']['width']
        f = _export_single(SsdHeadGraph(model).eval(), torch.zeros(1, 3, side, side),
                           os.path.join(out_dir, card['files']['model']['path']), 'images',
                           ['bbox_regression', 'cls_logits'], False)
        files = {'model': {**f, 'userSupplied': True}}
    elif spec['kind'] == 'retinanet':
        names = [f'cls_logits_{i}' for i in range(5)] + [f'bbox_regression_{i}' for i in range(5)]
        f = _export_single(RetinaNetHeadGraph(model).eval(), torch.zeros(1, 3, 800, 1088),
                           os.path.join(out_dir, card['files']['model']['path']), 'images', names, True)
        files = {'model': {**f, 'userSupplied': True}}
    else:
        f = _export_single(OutOnly(model).eval(), torch.zeros(1, 3, SEG_SIZE, SEG_SIZE),
                           os.path.join(out_dir, card['files']['model']['path']), 'input', ['out'], False)
        files = {'model': {**f, 'userSupplied': True}}
    card['files'] = files
    write_card(model_id, card, out_dir)
    return card


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    e = sub.add_parser('export', help='export one model from a local weights file')
    e.add_argument('id', choices=sorted(TORCHVISION))
    e.add_argument('--weights', required=True, help='local state_dict .pth (never downloaded)')
    e.add_argument('--out', required=True, help='output folder (graphs + model.json with sha256)')
    c = sub.add_parser('cards', help='write models/zoo/<id>/model.json for every id here (no weights needed)')
    c.add_argument('--only', nargs='*')
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    if args.cmd == 'export':
        card = export(args.id, args.weights, args.out)
        for role, f in card['files'].items():
            print(f"{role}: {os.path.join(args.out, f['path'])} ({f['bytes']} bytes, sha256 {f['sha256']})")
    else:
        for model_id in args.only or sorted(TORCHVISION):
            print(write_card(model_id, card_for(model_id), os.path.join(ZOO, model_id)))
        if not args.only:
            for card in other_cards():
                print(write_card(card['id'], card, os.path.join(ZOO, card['id'])))


if __name__ == '__main__':
    main()
