"""Peer implementations for `pnpm bench`, one function per task, registered in TASKS.

Each task reads its inputs from the files the Node side wrote (common.read_array), times the
peer call alone under common.measure, writes the peer's output to args['out'] for the Node side
to check, and returns {"times", "warmup", "output", ...}. Inputs are converted to tensors before
timing; only the library call is timed, as on the Node side.
"""
import contextlib
import io
import json

from common import measure, read_array, write_array

_torch = None


def torch_single_thread():
    """Imports torch once, pinned to one intra-op and one inter-op thread."""
    global _torch
    if _torch is None:
        import torch

        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set (e.g. after a fork); one thread is what we asked
            pass
        _torch = torch
    return _torch


def module_version(name):
    if name == 'torch':
        return torch_single_thread().__version__
    if name == 'torchvision':
        torch_single_thread()
        import torchvision

        return torchvision.__version__
    if name == 'cv2':
        import cv2

        cv2.setNumThreads(1)
        return cv2.__version__
    if name == 'pycocotools':
        import pycocotools
        from pycocotools import _mask  # noqa: F401 - the C extension must load too

        try:
            from importlib.metadata import version

            return version('pycocotools')
        except Exception:  # noqa: BLE001 - built from source without metadata
            return 'source build (' + pycocotools.__file__.rsplit('/', 2)[0] + ')'
    if name == 'numpy':
        import numpy

        return numpy.__version__
    mod = __import__(name)
    return getattr(mod, '__version__', 'unknown')


def _ops():
    torch = torch_single_thread()
    import torchvision

    return torch, torchvision.ops


def torchvision_nms(args):
    """torchvision.ops.nms(boxes [N,4] xyxy, scores [N], iou) -> keep int32, cut to maxOutput."""
    torch, ops = _ops()
    boxes = torch.from_numpy(read_array(args['boxes']))
    scores = torch.from_numpy(read_array(args['scores']))
    iou = float(args['iouThreshold'])
    cap = args.get('maxOutput')

    def run():
        keep = ops.nms(boxes, scores, iou)
        return keep[:cap] if cap is not None else keep

    with torch.inference_mode():
        keep, times, warmup = measure(run, args['timing'])
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], keep.numpy(), 'int32')}


def torchvision_batched_nms(args):
    """torchvision.ops.batched_nms(boxes, scores, idxs, iou) -> keep int32 (decreasing score)."""
    torch, ops = _ops()
    boxes = torch.from_numpy(read_array(args['boxes']))
    scores = torch.from_numpy(read_array(args['scores']))
    idxs = torch.from_numpy(read_array(args['idxs']).astype('int64'))
    iou = float(args['iouThreshold'])
    with torch.inference_mode():
        keep, times, warmup = measure(lambda: ops.batched_nms(boxes, scores, idxs, iou), args['timing'])
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], keep.numpy(), 'int32')}


def torchvision_box_iou(args):
    """torchvision.ops.box_iou(a [N,4], b [M,4]) -> [N,M] float32."""
    torch, ops = _ops()
    a = torch.from_numpy(read_array(args['a']))
    b = torch.from_numpy(read_array(args['b']))
    with torch.inference_mode():
        iou, times, warmup = measure(lambda: ops.box_iou(a, b), args['timing'])
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], iou.numpy(), 'float32')}


def torchvision_roi_align(args):
    """torchvision.ops.roi_align(features [N,C,H,W], rois [K,5]) -> [K,C,oh,ow] float32."""
    torch, ops = _ops()
    features = torch.from_numpy(read_array(args['features']))
    rois = torch.from_numpy(read_array(args['rois']))
    oh, ow = args['outputSize']

    def run():
        return ops.roi_align(features, rois, (int(oh), int(ow)), spatial_scale=float(args['spatialScale']),
                             sampling_ratio=int(args['samplingRatio']), aligned=bool(args['aligned']))

    with torch.inference_mode():
        out, times, warmup = measure(run, args['timing'])
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], out.numpy(), 'float32')}


def torchvision_paste_masks(args):
    """torchvision's paste_masks_in_image(masks [N,1,M,M], boxes [N,4], (H, W), padding=1).

    Writes the pasted masks thresholded at args['threshold'] as uint8 [N,H,W] (the float
    output of 100 full-image masks would be hundreds of MB).
    """
    torch = torch_single_thread()
    from torchvision.models.detection.roi_heads import paste_masks_in_image

    masks = torch.from_numpy(read_array(args['masks']))
    boxes = torch.from_numpy(read_array(args['boxes']))
    shape = (int(args['height']), int(args['width']))
    with torch.inference_mode():
        out, times, warmup = measure(lambda: paste_masks_in_image(masks, boxes, shape, padding=1),
                                     args['timing'])
    binary = (out[:, 0] > float(args['threshold'])).numpy()
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], binary, 'uint8')}


def cv2_letterbox_blob(args):
    """OpenCV letterbox + cv2.dnn.blobFromImage: decoded image -> [1,3,S,S] float32 in [0,1].

    Resize keeps the aspect ratio (INTER_LINEAR) so the longer side is `size`, pads to size x
    size with `padValue` split evenly on both sides, then blobFromImage(1/255, swapRB=True).
    args['image'] is a uint8 [H,W,3] RGB array file; with args['jpeg'] the JPEG is decoded
    inside the timed call instead.
    """
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    size = int(args['size'])
    pad = int(args.get('padValue', 114))
    jpeg = args.get('jpeg')
    if jpeg:
        data = np.fromfile(jpeg, dtype=np.uint8)
        source = None
    else:
        source = np.ascontiguousarray(read_array(args['image'])[:, :, ::-1])  # RGB -> BGR

    def run():
        img = cv2.imdecode(data, cv2.IMREAD_COLOR) if jpeg else source
        h, w = img.shape[:2]
        r = min(size / h, size / w)
        nw, nh = int(round(w * r)), int(round(h * r))
        resized = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
        dw, dh = (size - nw) / 2, (size - nh) / 2
        top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
        left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
        boxed = cv2.copyMakeBorder(resized, top, bottom, left, right, cv2.BORDER_CONSTANT,
                                   value=(pad, pad, pad))
        return cv2.dnn.blobFromImage(boxed, 1 / 255.0, swapRB=True)

    blob, times, warmup = measure(run, args['timing'])
    return {'times': times, 'warmup': warmup, 'output': write_array(args['out'], blob, 'float32')}


_json_cache = {}


def _load_json(path):
    if path not in _json_cache:
        with open(path) as f:
            _json_cache[path] = json.load(f)
    return _json_cache[path]


def pycocotools_eval(args):
    """pycocotools COCO + loadRes + COCOeval evaluate/accumulate/summarize -> the 12 stats.

    Timed from already-parsed JSON (as the Node side times evaluateCoco on parsed objects):
    building the gt index, loadRes (area/bbox of results), evaluate, accumulate, summarize.
    pycocotools writes into the annotation dicts it is given (segmentation -> RLE, area, id),
    so each call gets fresh shallow copies, made outside the timer.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt = _load_json(args['gt'])
    dt = _load_json(args['dt'])
    iou_type = args['iouType']

    def fresh():
        return ({**gt, 'annotations': [dict(a) for a in gt['annotations']]}, [dict(a) for a in dt])

    def run(data):
        gt_data, dt_list = data
        with contextlib.redirect_stdout(io.StringIO()):
            coco_gt = COCO()
            coco_gt.dataset = gt_data
            coco_gt.createIndex()
            coco_dt = coco_gt.loadRes(dt_list)
            evaluator = COCOeval(coco_gt, coco_dt, iou_type)
            evaluator.evaluate()
            evaluator.accumulate()
            evaluator.summarize()
        return [float(s) for s in evaluator.stats]

    stats, times, warmup = measure(run, args['timing'], before_each=fresh)
    if args.get('release', True):
        _json_cache.pop(args['dt'], None)
    return {'times': times, 'warmup': warmup, 'stats': stats}


def coco_synthetic(args):
    """Generates (or finds cached) the synthetic COCO set; returns its manifest."""
    import make_coco_synthetic

    return {'manifest': make_coco_synthetic.cached_or_generate(args['outDir'], int(args['seed']),
                                                               int(args['images']))}


TASKS = {
    'torchvision.nms': torchvision_nms,
    'torchvision.batched_nms': torchvision_batched_nms,
    'torchvision.box_iou': torchvision_box_iou,
    'torchvision.roi_align': torchvision_roi_align,
    'torchvision.paste_masks_in_image': torchvision_paste_masks,
    'cv2.letterbox_blob': cv2_letterbox_blob,
    'pycocotools.eval': pycocotools_eval,
    'coco.synthetic': coco_synthetic,
}
