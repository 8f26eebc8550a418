#!/usr/bin/env python3
"""Fine-tunes the crop network into a Fast R-CNN and exports its two graphs:

- `models/classic-shapes-fast-rcnn/backbone.onnx`: `images` [1,3,H,W] → `features`
  [1,48,H/4,W/4] — the crop network's convolutions with "same" padding, run once per image;
- `models/classic-shapes-fast-rcnn/box_head.onnx`: `box_features` [P,48,4,4] →
  `class_logits` [P,K+1] and `box_regression` [P,4·(K+1)] (the two-stage box-head contract).

Between them the TypeScript detector runs `roiPool` (4×4, spatial scale 1/4) on every proposal
— torchvision's `roi_pool`, used here in training, is what core's roiPool reproduces.

As in Fast R-CNN: the network pretrained on crops (cropnet.pt) gives the conv layers and the
first FC layer (RoI pooling to 4×4 matches the 4×4 map that layer read), the classifier layer
is kept, a per-class box regressor is added, and everything is fine-tuned on whole images —
2 images per step, 64 RoIs each, 25 % foreground (IoU ≥ 0.5), multi-task loss (softmax +
smooth L1). Training proposals: jittered objects and random boxes (classic_common.sample_rois).

    nice -n 10 /usr/bin/python3 tooling/python/train/classic_fast_rcnn.py --data /tmp/classic-scenes
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import roi_pool

sys.path.insert(0, os.path.dirname(__file__))
from classic_common import (  # noqa: E402
    REPO, Timer, balanced, export_onnx, file_entry, input_spec, label_rois, load_cropnet,
    load_scenes, normalise, per_class_box_loss, sample_rois, setup, write_card,
)

POOL = 4
SCALE = 0.25


def same_padding_backbone(crop) -> nn.Sequential:
    """The crop network's conv layers with padding k//2, so the map keeps the image's geometry
    (stride 4); weights copied."""
    layers = []
    for m in crop.features:
        if isinstance(m, nn.Conv2d):
            conv = nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=m.kernel_size[0] // 2)
            conv.load_state_dict(m.state_dict())
            layers.append(conv)
        elif isinstance(m, nn.ReLU):
            layers.append(nn.ReLU(inplace=True))
        else:
            layers.append(m)
    return nn.Sequential(*layers)


class BoxHead(nn.Module):
    def __init__(self, crop, num_classes: int):
        super().__init__()
        fc1 = crop.classifier[2]
        fc2 = crop.classifier[4]
        self.fc = nn.Sequential(nn.Flatten(), fc1, nn.ReLU(inplace=True))
        self.cls_score = fc2
        self.bbox_pred = nn.Linear(fc1.out_features, 4 * (num_classes + 1))
        nn.init.normal_(self.bbox_pred.weight, std=0.001)
        nn.init.zeros_(self.bbox_pred.bias)

    def forward(self, box_features):
        h = self.fc(box_features)
        return self.cls_score(h), self.bbox_pred(h)


def step_batch(images, boxes, idx, flips, rng):
    xs, rois, labels, targets = [], [], [], []
    for b, (i, f) in enumerate(zip(idx, flips)):
        img = images[i]
        gt = boxes[i].copy()
        if f:
            img = img[:, ::-1]
            gt[:, [1, 3]] = img.shape[1] - gt[:, [3, 1]]
        r = sample_rois(gt, img.shape[1], img.shape[0], rng)
        lab, tgt = label_rois(r, gt)
        pick = balanced(lab, 64, 0.25, rng)
        xs.append(normalise(img[None].copy()))
        rois.append(np.concatenate([np.full((len(pick), 1), b, np.float32), r[pick]], 1))
        labels.append(lab[pick])
        targets.append(tgt[pick])
    return (torch.cat(xs), torch.from_numpy(np.concatenate(rois)), torch.from_numpy(np.concatenate(labels)),
            torch.from_numpy(np.concatenate(targets)))


@torch.no_grad()
def evaluate(backbone, head, images, boxes, rng):
    backbone.eval()
    head.eval()
    correct = total = 0
    for i in range(len(images)):
        x, rois, y, _ = step_batch(images, boxes, [i], [False], rng)
        logits, _ = head(roi_pool(backbone(x), rois, POOL, SCALE))
        correct += (logits.argmax(1) == y).sum().item()
        total += len(y)
    backbone.train()
    head.train()
    return round(correct / max(1, total), 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/classic-scenes')
    ap.add_argument('--work', default='/tmp/classic-models')
    ap.add_argument('--cpu-minutes', type=float, default=9.0)
    ap.add_argument('--wall-minutes', type=float, default=16.0,
                    help='stop fine-tuning after this much wall time too (shared, busy machine)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=os.path.join(REPO, 'models'))
    args = ap.parse_args()
    setup(2, args.threads)
    timer = Timer()
    images, boxes, meta = load_scenes(args.data, 'train')
    vimages, vboxes, _ = load_scenes(args.data, 'val')
    names = meta['categories']
    crop = load_cropnet(os.path.join(args.work, 'cropnet.pt'), len(names))
    backbone = same_padding_backbone(crop)
    head = BoxHead(crop, len(names))
    rng = np.random.default_rng(3)
    print(f'before fine-tuning: val roi accuracy {evaluate(backbone, head, vimages[:30], vboxes[:30], np.random.default_rng(4))} {timer}', flush=True)
    params = list(backbone.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4)
    budget = args.cpu_minutes * 60
    step = 0
    wall_budget = args.wall_minutes * 60
    while timer.cpu() < budget and timer.wall() < wall_budget:
        frac = max(timer.cpu() / budget, timer.wall() / wall_budget)
        for g in opt.param_groups:
            g['lr'] = 0.01 * 0.5 * (1 + math.cos(math.pi * frac))
        idx = rng.integers(0, len(images), 2)
        x, rois, y, t = step_batch(images, boxes, idx, rng.random(2) < 0.5, rng)
        logits, deltas = head(roi_pool(backbone(x), rois, POOL, SCALE))
        loss = F.cross_entropy(logits, y) + per_class_box_loss(deltas, y, t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f'step {step} loss {loss.item():.3f} {timer}', flush=True)
    acc = evaluate(backbone, head, vimages, vboxes, np.random.default_rng(4))
    print(f'trained {step} steps: val roi accuracy {acc} {timer}', flush=True)
    backbone.eval()
    head.eval()
    card_dir = os.path.join(args.out, 'classic-shapes-fast-rcnn')
    bpath = os.path.join(card_dir, 'backbone.onnx')
    hpath = os.path.join(card_dir, 'box_head.onnx')
    export_onnx(backbone, torch.zeros(1, 3, 64, 64), bpath, ['images'], ['features'],
                {'images': {2: 'height', 3: 'width'}, 'features': {2: 'h', 3: 'w'}})
    export_onnx(head, torch.zeros(1, 48, POOL, POOL), hpath, ['box_features'], ['class_logits', 'box_regression'],
                {'box_features': {0: 'k'}, 'class_logits': {0: 'k'}, 'box_regression': {0: 'k'}})
    training = {
        'data': 'synthetic shapes, classic_scenes.ts train split (seed 101), 1500 scenes of 256×256; '
                '2 images × 64 rois per step (25 % foreground), jittered-object and random proposals',
        'init': 'classic_overfeat.py crop network (cropnet.pt): convs (padded), fc1, classifier',
        'roi_validation_accuracy': acc, 'steps': step, 'cpu_seconds': round(timer.cpu()),
        'wall_seconds': round(timer.wall()),
    }
    write_card(card_dir, {
        'id': 'classic-shapes-fast-rcnn',
        'name': 'Fast R-CNN shape detector (shared conv features, RoI pooling 4×4, FC box head)',
        'task': 'detect', 'labels': names, 'license': 'MIT',
        'reproduce': 'nice -n 10 /usr/bin/python3 tooling/python/train/classic_overfeat.py --data /tmp/classic-scenes && '
                     'nice -n 10 /usr/bin/python3 tooling/python/train/classic_fast_rcnn.py --data /tmp/classic-scenes'
                     ' && (cd packages/datasets && node --import tsx ../../tooling/python/train/classic_eval.ts --only fast-rcnn --write)',
        'input': input_spec(meta['width']),
        'architecture': {'type': 'fast-rcnn', 'pooler': 'roi-pool', 'poolSize': POOL, 'spatialScale': SCALE,
                         'proposals': {'strategy': 'fast', 'maxProposals': 2000, 'minBoxSize': 8}},
        'files': {'backbone': file_entry(bpath, card_dir), 'boxHead': file_entry(hpath, card_dir)},
        # scores run lower than R-CNN's (softmax against a background class that is 75 % of the
        # training rois): 0.3 finds 0.65 of the held-out objects where 0.5 finds 0.42
        'defaults': {'scoreThreshold': 0.3, 'iouThreshold': 0.3, 'maxDetections': 100},
        'description': 'The crop network\'s convolutions run once per image (stride 4, 48 channels); each proposal RoI-pooled to 4×4 and classified by its FC layers, with per-class box regression. '
                       'Its class scores run lower than R-CNN\'s (softmax against a background class that is 75 % of the training RoIs), so the default score threshold is 0.3: on 12 held-out scenes it finds 0.65 of the objects (class and IoU ≥ 0.5) against 0.42 at 0.5.',
        'training': training,
    })
    print(json.dumps(training, indent=1))


if __name__ == '__main__':
    main()
