"""Times pycocotools COCOeval evaluate() + accumulate() on files written by coco-speed.ts.

/usr/bin/python3 pycocotools_time.py DIR bbox|segm  -> last stdout line is JSON
{"stats": [...12], "evaluate": s, "accumulate": s}. Loading (COCO(), loadRes) is not timed.
"""
import contextlib
import io
import json
import os
import sys
import time

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

d, iou_type = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(os.path.join(d, 'gt.json'))
    dt = gt.loadRes(os.path.join(d, f'dt_{iou_type}.json'))
    E = COCOeval(gt, dt, iou_type)
    t0 = time.perf_counter(); c0 = time.process_time()
    E.evaluate()
    t1 = time.perf_counter(); c1 = time.process_time()
    E.accumulate()
    t2 = time.perf_counter(); c2 = time.process_time()
    E.summarize()
print(json.dumps({'stats': [float(v) for v in E.stats], 'evaluate': t1 - t0, 'accumulate': t2 - t1, 'evaluateCpu': c1 - c0, 'accumulateCpu': c2 - c1}))
