#!/usr/bin/python3
"""Trains a small torchvision Faster R-CNN (MobileNetV3-small + 96-channel FPN, 128-d box head;
rcnn_common.py) from scratch on the synthetic shapes and exports it with
tooling/python/export/torchvision_rcnn_split.py as backbone / rpn_head / box_head graphs plus a
model card (models/shapes-faster-rcnn). Same recipe and options as mask_rcnn.py, without the
mask branch.

    pnpm scenes -- --out /tmp/ocelot-scenes --train 4000 --val 200 --test 200 --size 256
    nice -n 10 /usr/bin/python3 tooling/python/train/faster_rcnn.py --data /tmp/ocelot-scenes
    pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \\
      ../../tooling/python/train/mask_rcnn_eval.ts models/shapes-faster-rcnn/model.json --write
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mask_rcnn import main  # noqa: E402

if __name__ == '__main__':
    main('faster')
