#!/usr/bin/python3
"""Trains a small torchvision Mask R-CNN (MobileNetV3-small + 96-channel FPN, 128-d box head,
4×64 mask head; rcnn_common.py) from scratch on the synthetic shapes and exports it with
tooling/python/export/torchvision_rcnn_split.py as backbone / rpn_head / box_head / mask_head
graphs plus a model card (models/shapes-mask-rcnn).

faster_rcnn.py runs the same recipe without the mask branch (models/shapes-faster-rcnn). With
`--also-faster`, this script also exports the box branch of the trained Mask R-CNN as that
Faster R-CNN card (torchvision's Mask R-CNN is a Faster R-CNN with an extra head).

    pnpm scenes -- --out /tmp/ocelot-scenes --train 4000 --val 200 --test 200 --size 256
    nice -n 10 /usr/bin/python3 tooling/python/train/mask_rcnn.py --data /tmp/ocelot-scenes
    # metrics into the card, through Ocelot's TypeScript pipeline
    pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \
      ../../tooling/python/train/mask_rcnn_eval.ts models/shapes-mask-rcnn/model.json --write

Cost measured on the shared 2-core machine (load ~18, nice 10): about 6 CPU-seconds (~23 s wall)
per iteration of 4 scenes for Mask R-CNN, 3.6 (~16 s wall) for Faster R-CNN (torch 1.13 CPU;
MobileNet's depthwise convolutions are slow to back-propagate on CPU).

Deterministic given the data (fixed seeds, one process, 2 threads).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'export'))
from common import REPO, SCENES_COMMAND, Timer, setup  # noqa: E402
from rcnn_common import build_faster_rcnn, build_mask_rcnn, load_instances, train  # noqa: E402
from torchvision_rcnn_split import export_rcnn_split  # noqa: E402

EVAL = ('pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx '
        '../../tooling/python/train/mask_rcnn_eval.ts models/{id}/model.json --write')


def finish_card(out_dir: str, card: dict, description: str, reproduce: str) -> None:
    card['description'] = description
    card['license'] = 'MIT'
    card['reproduce'] = reproduce
    card['input']['width'] = 256
    card['input']['height'] = 256
    path = os.path.join(out_dir, 'model.json')
    with open(path, 'w') as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write('\n')


def main(arch: str = 'mask') -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/tmp/ocelot-scenes')
    p.add_argument('--iters', type=int, default=1500)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--checkpoint', default=f'/tmp/ocelot-{arch}-rcnn.pt')
    p.add_argument('--out-root', default=os.path.join(REPO, 'models'), help='card folders go here')
    p.add_argument('--also-faster', action='store_true', help='also export the box branch as shapes-faster-rcnn')
    p.add_argument('--export-only', action='store_true', help='export --checkpoint without training')
    args = p.parse_args()
    setup(args.seed, args.threads)

    timer = Timer()
    x, objs, names = load_instances(args.data, 'train')
    print(f'loaded {x.shape[0]} scenes ({timer})', flush=True)
    model = build_mask_rcnn(len(names)) if arch == 'mask' else build_faster_rcnn(len(names))
    if args.export_only:
        model.load_state_dict(torch.load(args.checkpoint, map_location='cpu'))
    else:
        train(model, x, objs, iters=args.iters, batch=args.batch, lr=args.lr, seed=args.seed, masks=arch == 'mask')
        torch.save(model.state_dict(), args.checkpoint)
        print(f'trained ({timer}); checkpoint {args.checkpoint}', flush=True)
    model.eval()

    command = (f'{SCENES_COMMAND} && nice -n 10 /usr/bin/python3 tooling/python/train/{arch}_rcnn.py '
               f'--data /tmp/ocelot-scenes --iters {args.iters} --batch {args.batch} --lr {args.lr} --seed {args.seed}'
               + (' --also-faster' if args.also_faster else ''))
    if arch == 'faster':
        export_faster(model, names, args.out_root, command, 'trained on its own (no mask branch)')
        print(f'exported ({timer})', flush=True)
        return
    out = os.path.join(args.out_root, 'shapes-mask-rcnn')
    card = export_rcnn_split(model, out, model_id='shapes-mask-rcnn', labels=names,
                             name='Ocelot shapes Mask R-CNN (MobileNetV3-small FPN, 256²)')
    finish_card(out, card,
                'torchvision MaskRCNN, MobileNetV3-small features (from scratch) + FPN 96, trained on the '
                'synthetic shapes scenes of @ocelot/datasets. Metrics: ' + EVAL.format(id='shapes-mask-rcnn'),
                command)

    if args.also_faster:  # the same weights without the mask branch: a Faster R-CNN
        frcnn = build_faster_rcnn(len(names))
        state = {k: v for k, v in model.state_dict().items() if not k.startswith('roi_heads.mask_')}
        frcnn.load_state_dict(state)
        export_faster(frcnn, names, args.out_root, command,
                      'the box branch of models/shapes-mask-rcnn (trained jointly with its mask head)')
    print(f'exported ({timer})', flush=True)


def export_faster(model, names, out_root: str, command: str, origin: str) -> None:
    out = os.path.join(out_root, 'shapes-faster-rcnn')
    card = export_rcnn_split(model, out, model_id='shapes-faster-rcnn', labels=names,
                             name='Ocelot shapes Faster R-CNN (MobileNetV3-small FPN, 256²)')
    finish_card(out, card,
                f'torchvision FasterRCNN, MobileNetV3-small features (from scratch) + FPN 96: {origin}. Metrics: '
                + EVAL.format(id='shapes-faster-rcnn'),
                command)


if __name__ == '__main__':
    main()
