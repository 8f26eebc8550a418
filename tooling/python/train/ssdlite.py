#!/usr/bin/python3
"""Trains torchvision's SSDlite (MobileNetV3-Large, reduced tail, `width_mult` 0.5 by default;
weights=None, weights_backbone=None) from scratch on the synthetic shapes and exports it in the
layout @ocelot/detectors' `ssdlite` decoder reads: one graph, `images` [1, 3, S, S] (S = `--size`, 256 by default)
(normalised to [-1, 1]) → `bbox_regression` [1, A, 4] and `cls_logits` [1, A, classes + 1],
default boxes from the card's `priors` (torchvision's DefaultBoxGenerator), `input.resize`
"torchvision" (the float image resized to S×S as SSD's transform does).

torchvision's builder passes **kwargs to both MobileNetV3 and SSD, so `width_mult` cannot go
through it; `build()` repeats the builder's steps with the narrow backbone. Changed from
torchvision's defaults for these scenes (shapes of 12-230 px, nearly square): default boxes with
aspect ratio 2 only (not 2 and 3) and a smallest scale of 0.1 (not 0.2).

Speed: about 0.5 CPU-seconds per step of 16 scenes at S = 256 with channels-last weights (torch 1.13
CPU), against 1.1 at torchvision's 320 in the default layout: the depthwise convs are 1.7× faster
channels-last, and upscaling the 256² scenes to 320 adds no detail. OpenMP's wait policy: omp.py.
`--init` continues from an earlier run's checkpoint (its command and times are chained into the
card through the `<checkpoint>.json` written beside every checkpoint).

    pnpm scenes -- --out /tmp/ocelot-scenes --train 4000 --val 200 --test 200 --size 256
    nice -n 5 /usr/bin/python3 tooling/python/train/ssdlite.py
    pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \\
      ../../tooling/python/train/zoo_eval.ts models/shapes-ssdlite/model.json --write
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import OrderedDict
from functools import partial

import omp  # noqa: E402,F401  (OpenMP's wait policy, before torch loads)

import torch
import torch.nn as nn
from torchvision.models import mobilenet_v3_large
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.ssd import SSD
from torchvision.models.detection.ssdlite import (SSDLiteFeatureExtractorMobileNet, SSDLiteHead, _mobilenet_extractor,
                                                  _normal_init)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'export'))
from common import REPO, Timer, setup  # noqa: E402
from rcnn_common import load_instances, staged_training, train, training_info, write_card_keeping_metrics  # noqa: E402
from zoo_torchvision import SsdHeadGraph, _export_single  # noqa: E402

SIZE = 256  # the scenes' own size: upscaling them to torchvision's 320 adds no detail and 1.6× the compute
MIN_RATIO = 0.1
MIN_RATIO_STRIDE8 = 0.05
MAX_RATIO = 0.95
EVAL = ('pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx '
        '../../tooling/python/train/zoo_eval.ts models/shapes-ssdlite/model.json --write')


class StrideEightExtractor(SSDLiteFeatureExtractorMobileNet):
    """torchvision's SSDlite feature extractor with one more, finer level, taken the way
    torchvision takes its first one one stage lower: the expansion layer of the block that strides
    from 8 to 16 (SSD300 has conv4_3 at stride 8 too). Levels at strides 8, 16, 32 and the four
    extra blocks'. At stride 16 a 12-20 px shape covers about one cell, and on these scenes small
    circles and hexagons were confused (small-object AP50 ≈ 0.6 for both)."""

    def __init__(self, features: nn.Sequential, c3_pos: int, c4_pos: int, norm_layer):
        super().__init__(features, c4_pos, norm_layer)
        if features[c3_pos].use_res_connect:
            raise ValueError('the stride-8 tap must be a strided block')
        self.features = nn.Sequential(
            nn.Sequential(*features[:c3_pos], features[c3_pos].block[0]),  # until the C3 expansion layer
            nn.Sequential(features[c3_pos].block[1:], *features[c3_pos + 1:c4_pos], features[c4_pos].block[0]),
            self.features[1],  # from the C4 depthwise until the end, as torchvision
        )


def build(num_classes: int, width_mult: float, size: int = SIZE, stride8: bool = False) -> SSD:
    """`ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None)` with `width_mult`;
    `num_classes` without the background. `stride8` adds the stride-8 level (StrideEightExtractor)
    and starts the default boxes at 0.05 of the input."""
    norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.03)
    backbone = mobilenet_v3_large(weights=None, norm_layer=norm_layer, reduced_tail=True, width_mult=width_mult)
    _normal_init(backbone)
    if stride8:
        features = backbone.features  # every layer trainable, as _mobilenet_extractor(…, 6, …) leaves them
        strided = [i for i, b in enumerate(features) if getattr(b, '_is_cn', False)]
        backbone = StrideEightExtractor(features, strided[-2], strided[-1], norm_layer)
    else:
        backbone = _mobilenet_extractor(backbone, 6, norm_layer)
    levels = 7 if stride8 else 6
    # the shapes are nearly square (w/h 0.67-1.5) and 12-230 px: one 2:1 pair per level (torchvision: [2, 3]),
    # smallest default box 0.1 of the input (torchvision: 0.2), 0.05 with the stride-8 level
    anchors = DefaultBoxGenerator([[2] for _ in range(levels)], min_ratio=MIN_RATIO_STRIDE8 if stride8 else MIN_RATIO,
                                  max_ratio=MAX_RATIO)
    out_channels = det_utils.retrieve_out_channels(backbone, (size, size))
    return SSD(backbone, anchors, (size, size), num_classes + 1,
               head=SSDLiteHead(out_channels, anchors.num_anchors_per_location(), num_classes + 1, norm_layer),
               score_thresh=0.001, nms_thresh=0.55, detections_per_img=300, topk_candidates=300,
               image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])


def export(model: SSD, names, out_dir: str, reproduce: str, width_mult: float, training: dict, size: int) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    f = _export_single(SsdHeadGraph(model).eval(), torch.zeros(1, 3, size, size),
                       os.path.join(out_dir, 'shapes_ssdlite.onnx'), 'images', ['bbox_regression', 'cls_logits'], False)
    with torch.no_grad():
        feats = list(model.backbone(torch.zeros(1, 3, size, size)).values())
    gen = model.anchor_generator
    card = OrderedDict(id='shapes-ssdlite', name=f'Ocelot shapes SSDlite{size} (MobileNetV3-Large ×{width_mult})',
                       task='detect')
    card['architecture'] = {'type': 'ssdlite', 'priors': {
        'type': 'default-boxes',
        'featureMapSizes': [[int(t.shape[-2]), int(t.shape[-1])] for t in feats],
        'aspectRatios': [[int(r) for r in a] for a in gen.aspect_ratios],
        'minRatio': round(float(gen.scales[0]), 6), 'maxRatio': round(float(gen.scales[-2]), 6)}}
    card['files'] = {'model': f}
    card['input'] = {'name': 'images', 'width': size, 'height': size, 'resize': 'torchvision',
                     'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5]}
    card['labels'] = list(names)
    card['defaults'] = {'scoreThreshold': 0.001, 'iouThreshold': 0.55, 'maxDetections': 300, 'preNmsTopK': 300}
    card['license'] = 'MIT'
    stride8 = isinstance(model.backbone, StrideEightExtractor)
    card['description'] = (f'torchvision SSDlite{size} with a MobileNetV3-Large backbone at width_mult '
                           f'{width_mult} (reduced tail)'
                           + (', plus a stride-8 level (the expansion layer of the block that strides 8 → 16; SSD300 has conv4_3 at stride 8)' if stride8 else '')
                           + ', trained from scratch on the synthetic shapes scenes of @ocelot/datasets. Metrics: ' + EVAL)
    card['reproduce'] = reproduce
    card['training'] = training
    write_card_keeping_metrics(out_dir, card)
    return card


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/tmp/ocelot-scenes')
    p.add_argument('--iters', type=int, default=1000)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--width-mult', type=float, default=0.5)
    p.add_argument('--size', type=int, default=SIZE, help='input side (torchvision: 320)')
    p.add_argument('--stride8', action='store_true', help='add a stride-8 feature level (SSD300 conv4_3 style)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--checkpoint', default='/tmp/ocelot-ssdlite.pt')
    p.add_argument('--out-root', default=os.path.join(REPO, 'models'))
    p.add_argument('--export-only', action='store_true', help='export --checkpoint without training')
    p.add_argument('--init', help='start from this checkpoint (a further training stage)')
    p.add_argument('--warmup', type=int, default=100)
    args = p.parse_args()
    setup(args.seed, args.threads)
    timer = Timer()
    x, objs, names = load_instances(args.data, 'train')
    print(f'loaded {x.shape[0]} scenes ({timer})', flush=True)
    model = build(len(names), args.width_mult, args.size, args.stride8)
    print(f'model: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters', flush=True)
    stage = (f'nice -n 5 /usr/bin/python3 tooling/python/train/ssdlite.py --data /tmp/ocelot-scenes '
             f'--iters {args.iters} --batch {args.batch} --lr {args.lr} --width-mult {args.width_mult} --seed {args.seed}'
             + (f' --warmup {args.warmup}' if args.warmup != 100 else '')
             + f' --size {args.size}'  # always: the default changed from 320 to 256
             + (' --stride8' if args.stride8 else '')
             + (f' --init {args.init} --checkpoint {args.checkpoint}' if args.init else ''))
    stage_info = {
        'steps': args.iters, 'batch': args.batch, 'seed': args.seed,
        'optimizer': f'AdamW lr {args.lr} (weight decay 5e-4 on weights), {args.warmup}-step warm-up, cosine to 2 %; '
                     'the saved weights are the EMA (decay 0.998)',
    }
    model, history = staged_training(
        model, args, stage, stage_info,
        # channels-last: the depthwise convs run ~1.7× faster on this CPU build (oneDNN)
        lambda m: train(m, x, objs, iters=args.iters, batch=args.batch, lr=args.lr, seed=args.seed, masks=False,
                        warmup=args.warmup, channels_last=True))
    command = history['command']
    training = training_info(x.shape[0], history)
    card = export(model, names, os.path.join(args.out_root, 'shapes-ssdlite'), command, args.width_mult, training,
                  args.size)
    print(f"exported {card['files']['model']['bytes']} bytes ({timer})", flush=True)


if __name__ == '__main__':
    main()
