#!/usr/bin/env python3
"""Fine-tunes the crop network into R-CNN's classifier and exports it:
`models/classic-shapes-rcnn/rcnn_classifier.onnx` — input `crops` [N,3,32,32] (a proposal
dilated for context and warped), outputs `class_logits` [N,K+1] (background at 0) and
`box_regression` [N,4·(K+1)] (per-class deltas of the object relative to the PROPOSAL,
torchvision BoxCoder codes with weights (10, 10, 5, 5)).

As in R-CNN: the classifier starts from the network pretrained on crops
(classic_overfeat.py's cropnet.pt, our "ImageNet") and is fine-tuned on warped proposals —
foreground at IoU ≥ 0.5 with an object, background below, batches of 128 with 32 foreground —
with a per-class box regressor added. Warping is exactly what the TypeScript detector does:
torchvision `roi_align(aligned=True, sampling_ratio=2)` of the normalised image over the
proposal grown by R-CNN's context padding (16 px at 227, i.e. 16·32/227 px here), so pixels
outside the image are 0 (the mean colour).

Training proposals are jittered copies of the objects plus random boxes
(classic_common.sample_rois), not selective search, to keep the recipe fast; at test time the
detector uses selective search.

    nice -n 10 /usr/bin/python3 tooling/python/train/classic_rcnn.py --data /tmp/classic-scenes
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
from torchvision.ops import roi_align

sys.path.insert(0, os.path.dirname(__file__))
from classic_common import (  # noqa: E402
    REPO, WINDOW, Timer, balanced, export_onnx, file_entry, input_spec, label_rois, load_cropnet,
    load_scenes, normalise, per_class_box_loss, sample_rois, setup, write_card,
)

CONTEXT = 16 * WINDOW / 227


class RcnnNet(nn.Module):
    def __init__(self, crop, num_classes: int):
        super().__init__()
        self.features = crop.features
        self.classifier = crop.classifier
        hidden = crop.regressor[1].out_features
        self.regressor = nn.Sequential(
            nn.Flatten(), crop.regressor[1], nn.ReLU(inplace=True), nn.Linear(hidden, 4 * (num_classes + 1)),
        )
        nn.init.normal_(self.regressor[-1].weight, std=0.001)
        nn.init.zeros_(self.regressor[-1].bias)

    def forward(self, crops):
        f = self.features(crops)
        return self.classifier(f), self.regressor(f)


def dilate(boxes: np.ndarray) -> np.ndarray:
    f = WINDOW / (WINDOW - 2 * CONTEXT)
    c = (boxes[:, :2] + boxes[:, 2:]) / 2
    half = (boxes[:, 2:] - boxes[:, :2]) * f / 2
    return np.concatenate([c - half, c + half], 1).astype(np.float32)


def warp(image: torch.Tensor, boxes: np.ndarray) -> torch.Tensor:
    """[1,3,H,W] normalised image, [P,4] proposals → [P,3,32,32] (what the TS detector feeds)."""
    rois = torch.cat([torch.zeros(len(boxes), 1), torch.from_numpy(dilate(boxes))], 1)
    return roi_align(image, rois, output_size=WINDOW, spatial_scale=1.0, sampling_ratio=2, aligned=True)


def batch(images, boxes, idx, rng, flip):
    crops, labels, targets = [], [], []
    for i, f in zip(idx, flip):
        img = images[i]
        gt = boxes[i].copy()
        if f:
            img = img[:, ::-1]
            w = img.shape[1]
            gt[:, [1, 3]] = w - gt[:, [3, 1]]
        rois = sample_rois(gt, img.shape[1], img.shape[0], rng)
        lab, tgt = label_rois(rois, gt)
        pick = balanced(lab, 64, 0.25, rng)
        crops.append(warp(normalise(img[None].copy()), rois[pick]))
        labels.append(lab[pick])
        targets.append(tgt[pick])
    return torch.cat(crops), torch.from_numpy(np.concatenate(labels)), torch.from_numpy(np.concatenate(targets))


@torch.no_grad()
def evaluate(net, images, boxes, rng):
    net.eval()
    correct = total = 0
    for i in range(len(images)):
        x, y, _ = batch(images, boxes, [i], rng, [False])
        logits, _ = net(x)
        correct += (logits.argmax(1) == y).sum().item()
        total += len(y)
    net.train()
    return round(correct / max(1, total), 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/classic-scenes')
    ap.add_argument('--work', default='/tmp/classic-models')
    ap.add_argument('--cpu-minutes', type=float, default=8.0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=os.path.join(REPO, 'models'))
    args = ap.parse_args()
    setup(1, args.threads)
    timer = Timer()
    images, boxes, meta = load_scenes(args.data, 'train')
    vimages, vboxes, _ = load_scenes(args.data, 'val')
    names = meta['categories']
    net = RcnnNet(load_cropnet(os.path.join(args.work, 'cropnet.pt'), len(names)), len(names))
    rng = np.random.default_rng(1)
    print(f'before fine-tuning: val roi accuracy {evaluate(net, vimages[:50], vboxes[:50], np.random.default_rng(2))} {timer}', flush=True)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    budget = args.cpu_minutes * 60
    step = 0
    net.train()
    while timer.cpu() < budget:
        frac = timer.cpu() / budget
        for g in opt.param_groups:
            g['lr'] = 0.01 * 0.5 * (1 + math.cos(math.pi * frac))
        idx = rng.integers(0, len(images), 2)
        x, y, t = batch(images, boxes, idx, rng, rng.random(2) < 0.5)
        logits, deltas = net(x)
        loss = F.cross_entropy(logits, y) + per_class_box_loss(deltas, y, t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f'step {step} loss {loss.item():.3f} {timer}', flush=True)
    acc = evaluate(net, vimages, vboxes, np.random.default_rng(2))
    print(f'trained {step} steps: val roi accuracy {acc} {timer}', flush=True)
    net.eval()
    card_dir = os.path.join(args.out, 'classic-shapes-rcnn')
    path = os.path.join(card_dir, 'rcnn_classifier.onnx')
    export_onnx(net, torch.zeros(1, 3, WINDOW, WINDOW), path, ['crops'], ['class_logits', 'box_regression'],
                {'crops': {0: 'n'}, 'class_logits': {0: 'n'}, 'box_regression': {0: 'n'}})
    training = {
        'data': 'synthetic shapes, classic_scenes.ts train split (seed 101), 1500 scenes of 256×256; '
                'jittered-object and random proposals, 128 rois per step (25 % foreground)',
        'init': 'classic_overfeat.py crop network (cropnet.pt)',
        'roi_validation_accuracy': acc, 'steps': step, 'cpu_seconds': round(timer.cpu()),
    }
    write_card(card_dir, {
        'id': 'classic-shapes-rcnn',
        'name': 'R-CNN shape detector (selective search + warped 32×32 crops)',
        'task': 'detect', 'labels': names, 'license': 'MIT',
        'reproduce': 'nice -n 10 /usr/bin/python3 tooling/python/train/classic_overfeat.py --data /tmp/classic-scenes && '
                     'nice -n 10 /usr/bin/python3 tooling/python/train/classic_rcnn.py --data /tmp/classic-scenes',
        'input': input_spec(meta['width']),
        'architecture': {'type': 'rcnn', 'proposals': {'strategy': 'fast', 'maxProposals': 2000, 'minBoxSize': 8}},
        'files': {'classifier': file_entry(path, card_dir)},
        'defaults': {'scoreThreshold': 0.5, 'iouThreshold': 0.3, 'maxDetections': 100},
        'description': 'The crop network fine-tuned on warped proposals (context padding 16/227 of the crop), with per-class box regression; selective search proposals at test time.',
        'training': training,
    })
    print(json.dumps(training, indent=1))


if __name__ == '__main__':
    main()
