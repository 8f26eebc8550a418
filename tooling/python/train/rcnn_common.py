"""Shared pieces of the torchvision R-CNN recipes (mask_rcnn.py, faster_rcnn.py): the small
MobileNetV3-small + FPN Mask R-CNN, instance targets from the synthetic scenes' COCO RLE masks,
and the training loop.

The backbone is torchvision's `mobilenet_v3_small` (weights=None, plain BatchNorm so it trains
from scratch) cut before its final 1×1 expansion, with an FPN (96 channels) on the stride 8 / 16 /
32 stages plus torchvision's max-pool level: feature names `0`, `1`, `2`, `pool`.
"""
from __future__ import annotations

import math
import os
import sys

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
import torch.nn as nn
from pycocotools import mask as mask_utils
from torchvision.models import mobilenet_v3_small
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import TwoMLPHead, FastRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

sys.path.insert(0, os.path.dirname(__file__))
from common import Timer  # noqa: E402

FPN_CHANNELS = 96
REPRESENTATION = 128
MASK_CHANNELS = 64
SIZE = 256
ANCHOR_SIZES = ((16, 24), (32, 48), (64, 96), (128, 192))
ASPECT_RATIOS = ((0.5, 1.0, 2.0),) * 4


def backbone() -> nn.Module:
    features = mobilenet_v3_small(weights=None, norm_layer=nn.BatchNorm2d).features[:12]
    return BackboneWithFPN(
        features,
        return_layers={'3': '0', '8': '1', '11': '2'},
        in_channels_list=[24, 48, 96],
        out_channels=FPN_CHANNELS,
        extra_blocks=LastLevelMaxPool(),
    )


def _common_kwargs(num_classes: int) -> dict:
    return dict(
        num_classes=None,
        min_size=SIZE,
        max_size=SIZE,
        rpn_anchor_generator=AnchorGenerator(ANCHOR_SIZES, ASPECT_RATIOS),
        rpn_pre_nms_top_n_train=600,
        rpn_post_nms_top_n_train=300,
        rpn_pre_nms_top_n_test=300,
        rpn_post_nms_top_n_test=150,
        rpn_batch_size_per_image=128,
        box_roi_pool=MultiScaleRoIAlign(['0', '1', '2'], 7, 2),
        box_head=TwoMLPHead(FPN_CHANNELS * 49, REPRESENTATION),
        box_predictor=FastRCNNPredictor(REPRESENTATION, num_classes + 1),
        box_batch_size_per_image=64,
        box_detections_per_img=100,
    )


def build_mask_rcnn(num_classes: int) -> MaskRCNN:
    kw = _common_kwargs(num_classes)
    return MaskRCNN(
        backbone(),
        mask_roi_pool=MultiScaleRoIAlign(['0', '1', '2'], 14, 2),
        mask_head=MaskRCNNHeads(FPN_CHANNELS, (MASK_CHANNELS,) * 4, 1),
        mask_predictor=MaskRCNNPredictor(MASK_CHANNELS, MASK_CHANNELS, num_classes + 1),
        **kw,
    )


def build_faster_rcnn(num_classes: int) -> FasterRCNN:
    return FasterRCNN(backbone(), **_common_kwargs(num_classes))


def load_instances(root: str, split: str):
    """Images uint8 [N,3,H,W] RGB and per-image lists of (label 1-based, box xyxy, RLE)."""
    import json

    import cv2

    folder = os.path.join(root, split)
    with open(os.path.join(folder, 'annotations.json')) as f:
        coco = json.load(f)
    images = coco['images']
    n = len(images)
    h, w = images[0]['height'], images[0]['width']
    pixels = np.empty((n, h, w, 3), np.uint8)
    for i, im in enumerate(images):
        pixels[i] = cv2.imread(os.path.join(folder, 'images', im['file_name']), cv2.IMREAD_COLOR)[:, :, ::-1]
    index = {im['id']: i for i, im in enumerate(images)}
    objs = [[] for _ in range(n)]
    for a in coco['annotations']:
        x, y, bw, bh = a['bbox']
        seg = a['segmentation']
        if isinstance(seg, list):  # polygons (unoccluded shapes)
            seg = mask_utils.merge(mask_utils.frPyObjects(seg, h, w))
        elif isinstance(seg['counts'], str):
            seg = {'size': seg['size'], 'counts': seg['counts'].encode()}
        objs[index[a['image_id']]].append((a['category_id'], [x, y, x + bw, y + bh], seg))
    names = [c['name'] for c in sorted(coco['categories'], key=lambda c: c['id'])]
    return torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous(), objs, names


def make_target(objs, flip: bool, masks: bool, width: int):
    boxes = torch.tensor([o[1] for o in objs], dtype=torch.float32).reshape(-1, 4)
    labels = torch.tensor([o[0] for o in objs], dtype=torch.int64)
    t = {'boxes': boxes, 'labels': labels}
    if masks:
        m = (np.ascontiguousarray(mask_utils.decode([o[2] for o in objs]).transpose(2, 0, 1)) if objs
             else np.zeros((0, width, width), np.uint8))
        t['masks'] = torch.from_numpy(m)
    if flip:
        b = t['boxes'].clone()
        t['boxes'] = torch.stack([width - b[:, 2], b[:, 1], width - b[:, 0], b[:, 3]], 1)
        if masks:
            t['masks'] = t['masks'].flip(-1)
    # degenerate boxes (fully occluded slivers) break the RPN matcher
    keep = (t['boxes'][:, 2] - t['boxes'][:, 0] >= 1) & (t['boxes'][:, 3] - t['boxes'][:, 1] >= 1)
    return {k: v[keep] for k, v in t.items()}


def train(model: nn.Module, x: torch.Tensor, objs, *, iters: int, batch: int, lr: float, seed: int,
          masks: bool, log_every: int = 25) -> None:
    g = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    warm = min(200, iters // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda i: (i + 1) / warm if i < warm else 0.5 * (1 + math.cos(math.pi * (i - warm) / max(1, iters - warm))) * 0.98 + 0.02,
    )
    model.train()
    timer = Timer()
    n = x.shape[0]
    width = x.shape[-1]
    avg = None
    for it in range(iters):
        idx = torch.randint(0, n, (batch,), generator=g).tolist()
        flips = (torch.rand(batch, generator=g) < 0.5).tolist()
        images, targets = [], []
        for i, fl in zip(idx, flips):
            im = x[i].float() / 255
            images.append(im.flip(-1) if fl else im)
            targets.append(make_target(objs[i], fl, masks, width))
        losses = model(images, targets)
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        sched.step()
        vals = {k: float(v) for k, v in losses.items()}
        avg = vals if avg is None else {k: 0.9 * avg[k] + 0.1 * vals[k] for k in vals}
        if (it + 1) % log_every == 0 or it == 0:
            parts = ' '.join(f'{k.replace("loss_", "")} {v:.3f}' for k, v in avg.items())
            print(f'iter {it + 1}/{iters} loss {sum(avg.values()):.3f} ({parts}) lr {sched.get_last_lr()[0]:.2e} ({timer})',
                  flush=True)
    model.eval()
