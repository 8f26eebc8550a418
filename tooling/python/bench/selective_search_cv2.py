#!/usr/bin/python3
"""OpenCV's selective search (opencv_contrib ximgproc, `switchToSelectiveSearchFast` or
`…Quality`) on a stack of RGB images, single-threaded — the peer of Ocelot's `selectiveSearch`
in the `classic-selective-search` bench row.

Input: a raw uint8 file of N × H × W × 3 RGB images (`--images`, with `--shape N,H,W`).
Output (`--out`, JSON): per image the proposals as [x1, y1, x2, y2] (pixel-edge, x2 = x + w as
OpenCV's Rect), in OpenCV's order, the CPU milliseconds and wall milliseconds of
`setBaseImage` + `switchTo…` + `process` (the whole algorithm: OpenCV converts colour spaces
inside `switchTo…`), plus the OpenCV version.

    /usr/bin/python3 tooling/python/bench/selective_search_cv2.py \
        --images scenes.u8 --shape 20,256,256 --mode fast --out cv2.json [--max-proposals 2000]

With `--timing '{"warmup": 3, "runs": 7, ...}'` (the bench's rule, common.measure) one call is
the whole set of images; the output then also has `times` (ms per timed call) and `warmup`.

OpenCV's ranking draws from C `rand()`; `--seed` calls `cv2.setRNGSeed` and the C library's
`srand` so runs repeat.
"""
import argparse
import ctypes
import json
import os
import time

for _var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
    os.environ[_var] = '1'

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def run_one(ss, bgr, mode):
    ss.setBaseImage(bgr)
    if mode == 'fast':
        ss.switchToSelectiveSearchFast()
    elif mode == 'quality':
        ss.switchToSelectiveSearchQuality()
    else:
        ss.switchToSingleStrategy()
    return ss.process()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--images', required=True)
    ap.add_argument('--shape', required=True, help='N,H,W')
    ap.add_argument('--mode', default='fast', choices=['fast', 'quality', 'single'])
    ap.add_argument('--out', required=True)
    ap.add_argument('--max-proposals', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--timing', help='bench timing rule (JSON); one call = every image')
    args = ap.parse_args()
    cv2.setNumThreads(1)
    cv2.setRNGSeed(args.seed)
    try:
        ctypes.CDLL(None).srand(args.seed)
    except OSError:
        pass
    n, h, w = (int(x) for x in args.shape.split(','))
    images = np.fromfile(args.images, np.uint8).reshape(n, h, w, 3)
    ss = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    bgr_images = [np.ascontiguousarray(images[i][:, :, ::-1]) for i in range(n)]
    if args.timing:
        import sys

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from common import measure

        def every_image():
            return [run_one(ss, bgr, args.mode) for bgr in bgr_images]

        out, times, warmup = measure(every_image, json.loads(args.timing))
        results = [{'boxes': [[int(x), int(y), int(x + bw), int(y + bh)] for x, y, bw, bh in rects[: args.max_proposals]],
                    'count': int(len(rects))} for rects in out]
        with open(args.out, 'w') as f:
            json.dump({'opencv': cv2.__version__, 'mode': args.mode, 'times': times, 'warmup': warmup,
                       'images': results}, f)
        return
    for i in range(min(args.warmup, n)):
        run_one(ss, np.ascontiguousarray(images[i][:, :, ::-1]), args.mode)
    results = []
    for i in range(n):
        bgr = np.ascontiguousarray(images[i][:, :, ::-1])
        c0 = time.process_time()
        t0 = time.perf_counter()
        rects = run_one(ss, bgr, args.mode)
        wall = (time.perf_counter() - t0) * 1e3
        cpu = (time.process_time() - c0) * 1e3
        boxes = [[int(x), int(y), int(x + bw), int(y + bh)] for x, y, bw, bh in rects[: args.max_proposals]]
        results.append({'boxes': boxes, 'count': int(len(rects)), 'cpuMs': cpu, 'wallMs': wall})
    with open(args.out, 'w') as f:
        json.dump({'opencv': cv2.__version__, 'mode': args.mode, 'images': results}, f)


if __name__ == '__main__':
    main()
