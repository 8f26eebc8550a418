#!/usr/bin/python3
"""Trains a small torchvision Faster R-CNN (the plain conv backbone + 64-channel FPN of
rcnn_common.py, 7×7-conv + 128-d box head) from scratch on the synthetic shapes and exports it
with tooling/python/export/torchvision_rcnn_split.py as backbone / rpn_head / box_head graphs
plus a model card (models/shapes-faster-rcnn). Same recipe and options as mask_rcnn.py, without
the mask branch. (The shipped shapes-faster-rcnn card is the box branch of the Mask R-CNN,
exported by `mask_rcnn.py --also-faster`; this script trains a standalone one.)

    pnpm scenes -- --out /tmp/ocelot-scenes --train 4000 --val 200 --test 200 --size 256
    nice -n 5 /usr/bin/python3 tooling/python/train/faster_rcnn.py
    pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx \\
      ../../tooling/python/train/zoo_eval.ts models/shapes-faster-rcnn/model.json --write
"""
import os
import sys

import omp  # noqa: E402,F401  (OpenMP's wait policy, before torch loads)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mask_rcnn import main  # noqa: E402

if __name__ == '__main__':
    main('faster')
