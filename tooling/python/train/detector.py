#!/usr/bin/env python3
"""Trains Ocelot's small anchor-free YOLO-style detector on the synthetic shapes and exports it
to ONNX in the Ultralytics detect layout.

Model: a C2f (CSP) backbone with strides 8/16/32 + SPPF, a PAN neck, and a decoupled head per
level (box branch with a DFL distribution over 16 bins per side, class branch with sigmoid
scores). Assignment: YOLOv8's task-aligned assigner (top-10, alpha 0.5, beta 6). Losses: BCE on
classes (IoU-aware targets), CIoU and DFL on boxes (gains 0.5 / 7.5 / 1.5).

Export: one output `output0` [1, 4 + nc, A] — cx, cy, w, h in input pixels then the sigmoided
class scores — with metadata_props `names`, `imgsz`, `stride`, `task`, as Ultralytics writes
them. Input `images` [1, 3, S, S] RGB / 255, letterboxed (centred, grey 114).

    nice -n 10 /usr/bin/python3 tooling/python/train/detector.py --data /tmp/ocelot-scenes

Deterministic given the data (fixed seeds, single process); runtime on the 2-core shared machine
is printed as wall and CPU seconds.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import omp  # noqa: E402,F401  (OpenMP's wait policy, before torch loads)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from common import (MACHINE, C2f, SPPF, Conv, EVAL_COMMAND, SCENES_COMMAND, ModelEMA, Timer, file_entry,  # noqa: E402
                    load_split, param_groups, setup, warmup_cosine, write_card)

STRIDES = (8, 16, 32)
DEFAULTS: dict = {}
REG_MAX = 16


# ---------------------------------------------------------------- model
class Head(nn.Module):
    def __init__(self, nc: int, channels: tuple[int, ...], hidden: int):
        super().__init__()
        self.nc = nc
        self.box = nn.ModuleList(
            nn.Sequential(Conv(c, hidden, 3), Conv(hidden, hidden, 3), nn.Conv2d(hidden, 4 * REG_MAX, 1))
            for c in channels
        )
        self.cls = nn.ModuleList(
            nn.Sequential(Conv(c, hidden, 3), Conv(hidden, hidden, 3), nn.Conv2d(hidden, nc, 1))
            for c in channels
        )

    def init_bias(self, imgsz: int) -> None:
        for b, c, s in zip(self.box, self.cls, STRIDES):
            b[-1].bias.data[:] = 1.0
            # prior: ~5 objects per image spread over the level's cells
            c[-1].bias.data[:] = math.log(5 / self.nc / (imgsz / s) ** 2)

    def forward(self, feats):
        return [torch.cat((b(f), c(f)), 1) for f, b, c in zip(feats, self.box, self.cls)]


class TinyDetector(nn.Module):
    def __init__(self, nc: int, width=(16, 32, 48, 64, 96), hidden: int = 32):
        super().__init__()
        c1, c2, c3, c4, c5 = width
        self.nc = nc
        self.stem = Conv(3, c1, 3, 2)
        self.s2 = nn.Sequential(Conv(c1, c2, 3, 2), C2f(c2, c2, 1))
        self.s3 = nn.Sequential(Conv(c2, c3, 3, 2), C2f(c3, c3, 2))
        self.s4 = nn.Sequential(Conv(c3, c4, 3, 2), C2f(c4, c4, 2))
        self.s5 = nn.Sequential(Conv(c4, c5, 3, 2), C2f(c5, c5, 1), SPPF(c5))
        self.up = nn.Upsample(scale_factor=2.0, mode='nearest')
        self.n4 = C2f(c5 + c4, c4, 1)
        self.n3 = C2f(c4 + c3, c3, 1)
        self.d3 = Conv(c3, c3, 3, 2)
        self.p4 = C2f(c3 + c4, c4, 1)
        self.d4 = Conv(c4, c4, 3, 2)
        self.p5 = C2f(c4 + c5, c5, 1)
        self.head = Head(nc, (c3, c4, c5), hidden)

    def forward(self, x):
        x = self.s2(self.stem(x))
        p3 = self.s3(x)
        p4 = self.s4(p3)
        p5 = self.s5(p4)
        n4 = self.n4(torch.cat((self.up(p5), p4), 1))
        o3 = self.n3(torch.cat((self.up(n4), p3), 1))
        o4 = self.p4(torch.cat((self.d3(o3), n4), 1))
        o5 = self.p5(torch.cat((self.d4(o4), p5), 1))
        return self.head([o3, o4, o5])


def make_anchors(feats, offset: float = 0.5):
    points, strides = [], []
    for f, s in zip(feats, STRIDES):
        h, w = f.shape[-2:]
        sy, sx = torch.meshgrid(torch.arange(h, dtype=torch.float32) + offset,
                                torch.arange(w, dtype=torch.float32) + offset, indexing='ij')
        points.append(torch.stack((sx, sy), -1).view(-1, 2))
        strides.append(torch.full((h * w, 1), float(s)))
    return torch.cat(points), torch.cat(strides)


class Exported(nn.Module):
    """The network plus Ultralytics' decode: [1, 4 + nc, A], cxcywh pixels + sigmoid scores."""

    def __init__(self, model: TinyDetector, imgsz: int):
        super().__init__()
        self.model = model
        feats = [torch.zeros(1, 1, imgsz // s, imgsz // s) for s in STRIDES]
        points, strides = make_anchors(feats)
        self.register_buffer('anchors', points.t().unsqueeze(0))  # [1, 2, A]
        self.register_buffer('strides', strides.t().unsqueeze(0))  # [1, 1, A]
        self.register_buffer('bins', torch.arange(REG_MAX, dtype=torch.float32).view(1, REG_MAX, 1, 1))

    def forward(self, x):
        return decode_outputs(self.model(x), self.model.nc, self.anchors, self.strides, self.bins)


def decode_outputs(feats, nc, anchors, strides, bins):
    b = feats[0].shape[0]
    x = torch.cat([f.flatten(2) for f in feats], 2)  # [b, 4*R + nc, A]
    box, cls = x.split((4 * REG_MAX, nc), 1)
    a = box.shape[-1]
    # DFL: expectation over the 16 bins of each side, as Ultralytics' DFL 1×1 conv.
    dist = (box.view(b, 4, REG_MAX, a).transpose(2, 1).softmax(1) * bins).sum(1)  # [b, 4, A]
    lt, rb = dist.chunk(2, 1)
    x1y1 = anchors - lt
    x2y2 = anchors + rb
    xywh = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides
    return torch.cat((xywh, cls.sigmoid()), 1)


# ---------------------------------------------------------------- loss (YOLOv8 recipe)
def bbox_ciou(b1, b2, eps=1e-7):
    """CIoU of xyxy boxes [..., 4] (element-wise)."""
    b1_x1, b1_y1, b1_x2, b1_y2 = b1.unbind(-1)
    b2_x1, b2_y1, b2_x2, b2_y2 = b2.unbind(-1)
    w1, h1 = b1_x2 - b1_x1, b1_y2 - b1_y1 + eps
    w2, h2 = b2_x2 - b2_x1, b2_y2 - b2_y1 + eps
    inter = (torch.min(b1_x2, b2_x2) - torch.max(b1_x1, b2_x1)).clamp(0) * \
            (torch.min(b1_y2, b2_y2) - torch.max(b1_y1, b2_y1)).clamp(0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    cw = torch.max(b1_x2, b2_x2) - torch.min(b1_x1, b2_x1)
    ch = torch.max(b1_y2, b2_y2) - torch.min(b1_y1, b2_y1)
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((b2_x1 + b2_x2 - b1_x1 - b1_x2) ** 2 + (b2_y1 + b2_y2 - b1_y1 - b1_y2) ** 2) / 4
    v = (4 / math.pi ** 2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)).pow(2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


class TaskAlignedAssigner:
    def __init__(self, nc: int, topk: int = 10, alpha: float = 0.5, beta: float = 6.0, eps: float = 1e-9):
        self.nc, self.topk, self.alpha, self.beta, self.eps = nc, topk, alpha, beta, eps

    @torch.no_grad()
    def __call__(self, pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt):
        bs, n_max = gt_bboxes.shape[:2]
        na = pd_bboxes.shape[1]
        # anchors whose centre lies inside a gt box
        lt, rb = gt_bboxes.view(-1, 1, 4).chunk(2, 2)
        deltas = torch.cat((anc_points[None] - lt, rb - anc_points[None]), 2).view(bs, n_max, na, 4)
        mask_in = deltas.amin(3).gt(self.eps).float()
        mask = (mask_in * mask_gt).bool()
        overlaps = torch.zeros(bs, n_max, na)
        scores = torch.zeros(bs, n_max, na)
        bi = torch.arange(bs).view(-1, 1).expand(-1, n_max)
        scores[mask] = pd_scores[bi, :, gt_labels.squeeze(-1).long()][mask]
        pd = pd_bboxes.unsqueeze(1).expand(-1, n_max, -1, -1)[mask]
        gt = gt_bboxes.unsqueeze(2).expand(-1, -1, na, -1)[mask]
        overlaps[mask] = bbox_ciou(gt, pd).clamp(0)
        align = scores.pow(self.alpha) * overlaps.pow(self.beta)
        # top-k by alignment per gt
        _, topk_idx = torch.topk(align, self.topk, dim=-1)
        topk_idx.masked_fill_(~mask_gt.expand(-1, -1, self.topk).bool(), 0)
        count = torch.zeros(align.shape, dtype=torch.int8)
        ones = torch.ones_like(topk_idx[:, :, :1], dtype=torch.int8)
        for k in range(self.topk):
            count.scatter_add_(-1, topk_idx[:, :, k:k + 1], ones)
        count.masked_fill_(count > 1, 0)
        mask_pos = count.float() * mask_in * mask_gt
        # an anchor claimed by several gts goes to the one it overlaps most
        fg = mask_pos.sum(-2)
        if fg.max() > 1:
            multi = (fg.unsqueeze(1) > 1).expand(-1, n_max, -1)
            best = torch.zeros_like(mask_pos)
            best.scatter_(1, overlaps.argmax(1).unsqueeze(1), 1)
            mask_pos = torch.where(multi, best, mask_pos)
            fg = mask_pos.sum(-2)
        gt_idx = mask_pos.argmax(-2)
        flat = gt_idx + torch.arange(bs).view(-1, 1) * n_max
        t_labels = gt_labels.long().flatten()[flat].clamp(0)
        t_boxes = gt_bboxes.view(-1, 4)[flat]
        t_scores = F.one_hot(t_labels, self.nc).float() * (fg[:, :, None] > 0)
        align = align * mask_pos
        pos_align = align.amax(-1, keepdim=True)
        pos_overlap = (overlaps * mask_pos).amax(-1, keepdim=True)
        norm = (align * pos_overlap / (pos_align + self.eps)).amax(-2).unsqueeze(-1)
        return t_boxes, t_scores * norm, fg > 0


def detection_loss(feats, targets, nc, assigner):
    b = feats[0].shape[0]
    x = torch.cat([f.flatten(2) for f in feats], 2).permute(0, 2, 1)  # [b, A, no]
    pred_dist, pred_scores = x.split((4 * REG_MAX, nc), -1)
    points, strides = make_anchors(feats)
    # targets -> padded [b, n_max, 5]
    n_max = max((t.shape[0] for t in targets), default=0)
    gt = torch.zeros(b, max(n_max, 1), 5)
    for i, t in enumerate(targets):
        if t.shape[0]:
            gt[i, :t.shape[0]] = t
    gt_labels, gt_bboxes = gt[..., :1], gt[..., 1:]
    mask_gt = (gt_bboxes.sum(-1, keepdim=True) > 0).float()
    a = pred_dist.shape[1]
    bins = torch.arange(REG_MAX, dtype=torch.float32)
    dist = pred_dist.view(b, a, 4, REG_MAX).softmax(3).matmul(bins)
    lt, rb = dist.chunk(2, -1)
    pred_boxes = torch.cat((points - lt, points + rb), -1)  # grid units
    t_boxes, t_scores, fg = assigner(pred_scores.detach().sigmoid(), pred_boxes.detach() * strides,
                                     points * strides, gt_labels, gt_bboxes, mask_gt)
    t_sum = max(t_scores.sum().item(), 1.0)
    loss_cls = F.binary_cross_entropy_with_logits(pred_scores, t_scores, reduction='sum') / t_sum
    loss_box = torch.zeros(())
    loss_dfl = torch.zeros(())
    if fg.any():
        t_grid = t_boxes / strides
        weight = t_scores.sum(-1)[fg].unsqueeze(-1)
        iou = bbox_ciou(pred_boxes[fg], t_grid[fg]).unsqueeze(-1)
        loss_box = ((1.0 - iou) * weight).sum() / t_sum
        pf = points.unsqueeze(0).expand(b, -1, -1)[fg]
        tx1y1, tx2y2 = t_grid[fg].chunk(2, -1)
        t_ltrb = torch.cat((pf - tx1y1, tx2y2 - pf), -1).clamp(0, REG_MAX - 1 - 0.01)
        tl = t_ltrb.long()
        wl = tl + 1 - t_ltrb
        pdist = pred_dist[fg].view(-1, REG_MAX)
        dfl = (F.cross_entropy(pdist, tl.view(-1), reduction='none').view(tl.shape) * wl
               + F.cross_entropy(pdist, (tl + 1).view(-1), reduction='none').view(tl.shape) * (1 - wl))
        loss_dfl = (dfl.mean(-1, keepdim=True) * weight).sum() / t_sum
    return 7.5 * loss_box + 0.5 * loss_cls + 1.5 * loss_dfl, (loss_box.item(), loss_cls.item(), loss_dfl.item())


# ---------------------------------------------------------------- evaluation (Python reference)
@torch.no_grad()
def predict(model_export, x_uint8, batch=32, conf=0.001, iou=0.7, max_det=100):
    import torchvision

    out = []
    for i in range(0, x_uint8.shape[0], batch):
        y = model_export(x_uint8[i:i + batch].float() / 255)  # [b, 4+nc, A]
        for p in y:
            p = p.t()
            boxes = torch.cat((p[:, :2] - p[:, 2:4] / 2, p[:, :2] + p[:, 2:4] / 2), 1)
            scores, labels = p[:, 4:].max(1)
            keep = scores > conf
            boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
            k = torchvision.ops.batched_nms(boxes, scores, labels, iou)[:max_det]
            out.append((boxes[k], scores[k], labels[k]))
    return out


def coco_eval(coco_gt_json, preds):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    import contextlib
    import io

    gt = COCO()
    gt.dataset = {k: v for k, v in coco_gt_json.items() if k != 'info'}
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
    dets = []
    for im, (boxes, scores, labels) in zip(coco_gt_json['images'], preds):
        for bx, s, l in zip(boxes.tolist(), scores.tolist(), labels.tolist()):
            dets.append({'image_id': im['id'], 'category_id': l + 1,
                         'bbox': [bx[0], bx[1], bx[2] - bx[0], bx[3] - bx[1]], 'score': s})
    if not dets:
        return [0.0] * 12
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        e = COCOeval(gt, dt, 'bbox')
        e.evaluate()
        e.accumulate()
        e.summarize()
    return [float(v) for v in e.stats]


# ---------------------------------------------------------------- training
def augment(x, targets, gen):
    """Random horizontal / vertical flips of a batch (shapes stay shapes under flips)."""
    size = x.shape[-1]
    out_t = []
    flips = torch.rand(x.shape[0], 2, generator=gen)
    x = x.clone()
    for i, t in enumerate(targets):
        t = t.clone()
        if flips[i, 0] < 0.5:
            x[i] = x[i].flip(-1)
            t[:, [1, 3]] = size - t[:, [3, 1]]
        if flips[i, 1] < 0.5:
            x[i] = x[i].flip(-2)
            t[:, [2, 4]] = size - t[:, [4, 2]]
        out_t.append(t)
    return x, out_t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='/tmp/ocelot-scenes')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', '..', '..', 'models', 'ocelot-shapes-yolo'))
    ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--train-count', type=int, default=0, help='use only the first N training scenes (0 = all)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--bench', action='store_true', help='time a few steps and exit')
    ap.add_argument('--export-only', default='', help='export a saved state dict (no training)')
    ap.add_argument('--train-time', default='', help='with --export-only: the training run\'s time, for the card')
    args = ap.parse_args()
    DEFAULTS.update({a.dest: a.default for a in ap._actions})
    setup(args.seed)
    timer = Timer()
    if args.export_only:
        with open(os.path.join(args.data, 'train', 'annotations.json')) as f:
            names = [c['name'] for c in sorted(json.load(f)['categories'], key=lambda c: c['id'])]
        model = TinyDetector(len(names))
        model.load_state_dict(torch.load(args.export_only))
        export(model.eval(), 256, names, args, args.train_time or str(timer))
        return

    coco_tr, x_tr, t_tr, _, names = load_split(args.data, 'train')
    if args.train_count:
        x_tr, t_tr = x_tr[:args.train_count], t_tr[:args.train_count]
    coco_va, x_va, _, _, _ = load_split(args.data, 'val')
    imgsz = x_tr.shape[-1]
    nc = len(names)
    print(f'data: {x_tr.shape[0]} train, {x_va.shape[0]} val, {imgsz}px, classes {names} ({timer})', flush=True)

    model = TinyDetector(nc)
    model.head.init_bias(imgsz)
    # channels-last convs are ~10 % faster on this CPU build (oneDNN); the export converts back
    model = model.to(memory_format=torch.channels_last)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'model: {n_params / 1e6:.2f} M parameters', flush=True)
    ema = ModelEMA(model)
    assigner = TaskAlignedAssigner(nc)
    opt = torch.optim.AdamW(param_groups(model, 5e-4), lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = x_tr.shape[0] // args.batch
    total = steps_per_epoch * args.epochs
    warmup = min(300, total // 10)
    gen = torch.Generator().manual_seed(args.seed)

    def lr_at(step):
        return args.lr * warmup_cosine(step, total, warmup)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(x_tr.shape[0], generator=gen)
        running = np.zeros(4)
        for bi in range(steps_per_epoch):
            idx = order[bi * args.batch:(bi + 1) * args.batch]
            xb, tb = augment(x_tr[idx], [t_tr[i] for i in idx.tolist()], gen)
            for g in opt.param_groups:
                g['lr'] = lr_at(step)
            feats = model((xb.float() / 255).contiguous(memory_format=torch.channels_last))
            loss, parts = detection_loss(feats, tb, nc, assigner)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            step += 1
            running += (loss.item(), *parts)
            if args.bench and step == 20:
                print(f'bench: 20 steps of {args.batch} ({timer})')
                return
            if step % 50 == 0:
                r = running / 50
                running[:] = 0
                print(f'epoch {epoch + 1}/{args.epochs} step {step}/{total} loss {r[0]:.3f} '
                      f'(box {r[1]:.3f} cls {r[2]:.3f} dfl {r[3]:.3f}) lr {lr_at(step):.2e} ({timer})', flush=True)
        if epoch % 3 == 2 or epoch == args.epochs - 1:
            stats = coco_eval(coco_va, predict(Exported(ema.ema, imgsz).eval(), x_va))
            print(f'epoch {epoch + 1}: val AP {stats[0]:.3f} AP50 {stats[1]:.3f} AP75 {stats[2]:.3f} '
                  f'APs {stats[3]:.3f} APm {stats[4]:.3f} APl {stats[5]:.3f} ({timer})', flush=True)

    export(ema.ema, imgsz, names, args, timer)


def export(model, imgsz, names, args, timer):
    import onnx

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, 'model.onnx')
    wrapped = Exported(model.to(memory_format=torch.contiguous_format), imgsz).eval()
    dummy = torch.zeros(1, 3, imgsz, imgsz)
    torch.onnx.export(wrapped, dummy, onnx_path, opset_version=17, input_names=['images'],
                      output_names=['output0'], do_constant_folding=True)
    m = onnx.load(onnx_path)
    meta = {
        'description': 'Ocelot tiny YOLO-style detector for synthetic shapes',
        'author': 'Ocelot',
        'license': 'MIT',
        'task': 'detect',
        'stride': str(max(STRIDES)),
        'batch': '1',
        'imgsz': str([imgsz, imgsz]),
        'names': str({i: n for i, n in enumerate(names)}),
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    torch.save(model.state_dict(), os.path.join('/tmp', 'ocelot-shapes-yolo.pt'))
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) ({timer})', flush=True)
    model_id = 'ocelot-shapes-yolo'  # not the --out folder's name: a card trained elsewhere is the same model
    flags = ' '.join(f'--{k.replace("_", "-")} {v}' for k, v in vars(args).items()
                     if k not in ('out', 'data', 'bench', 'export_only', 'train_time') and v != DEFAULTS.get(k))
    card = {
        'id': model_id,
        'name': 'Ocelot shapes detector (tiny anchor-free YOLO-style)',
        'task': 'detect',
        'architecture': {'type': 'ultralytics', 'head': 'v8'},
        'files': {'model': file_entry(onnx_path, out_dir)},
        'input': {'name': 'images', 'width': imgsz, 'height': imgsz, 'resize': 'letterbox', 'center': True,
                  'padValue': 114, 'layout': 'nchw', 'channelOrder': 'rgb', 'scale': 1 / 255},
        'labels': names,
        'defaults': {'scoreThreshold': 0.25, 'iouThreshold': 0.7, 'maxDetections': 100},
        'license': 'MIT',
        'description': (
            f'Ocelot\'s own {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M-parameter detector for the '
            'six synthetic shape classes of @ocelot/datasets generateScene: C2f (CSP) backbone, PAN neck, '
            'decoupled anchor-free head on strides 8/16/32 with DFL box regression, trained with the '
            'task-aligned assigner, BCE + CIoU + DFL. Exported in the Ultralytics detect layout '
            f'(output0 [1, {4 + len(names)}, A], cxcywh input pixels + sigmoid scores). Trained only on '
            'generated scenes: it knows nothing of real photos.'),
        'reproduce': (f'{SCENES_COMMAND} && nice -n 10 /usr/bin/python3 tooling/python/train/detector.py '
                      f'--data /tmp/ocelot-scenes {flags}'.rstrip() + ' && ' + EVAL_COMMAND.format(id=model_id)),
        'training': {
            'data': 'generateDataset seeds 1 (train, 4000 scenes) and 2 (val, 200), 256x256',
            'epochs': args.epochs, 'batch': args.batch, 'seed': args.seed, 'time': str(timer),
            'machine': MACHINE,
        },
    }
    print(f'wrote {write_card(out_dir, card)}', flush=True)


if __name__ == '__main__':
    main()
