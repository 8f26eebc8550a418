#!/usr/bin/env python3
"""Trains the crop network every classic pipeline starts from, and exports it twice:

1. `models/classic-shapes-sliding-window/crop_classifier.onnx` — the crop classifier in its
   fully connected form: input `crops` [N,3,32,32], outputs `scores` [N,K+1] (logits, column 0
   = background) and `deltas` [N,4] (the object's box relative to the window, torchvision
   BoxCoder codes with weights (10, 10, 5, 5)).
2. `models/classic-shapes-overfeat/fcn.onnx` — THE SAME WEIGHTS made fully convolutional by
   `classic_common.fc_stack_to_conv` (first FC → conv with kernel 4×4 = the last feature-map
   size, later FCs → 1×1 convs): input `image` [N,3,H,W] (any H, W ≥ 32), outputs `scores`
   [N,K+1,h,w] and `deltas` [N,4,h,w]; cell (i, j) = the crop classifier on the window at
   (4j, 4i), h = (H − 32)/4 + 1 when H ≡ 0 mod 4.

Training data: windows of 32×32 cut from the synthetic training scenes at many scales (the
whole scene is resized, as the pyramid does at test time, then cropped). A window is an object
of class c when an object's larger side is 14–30 px at that scale and its centre is within
6 px of the window centre; it is background when no object is even close to that (side 11–36
px, centre within 10 px); windows in between are not used. The regressor learns the object's
box relative to every positive and near window.

The state dict goes to `--work` (default /tmp/classic-models/cropnet.pt) for classic_rcnn.py
and classic_fast_rcnn.py, which fine-tune it — as R-CNN and Fast R-CNN fine-tune an ImageNet
classifier.

    nice -n 10 /usr/bin/python3 tooling/python/train/classic_overfeat.py --data /tmp/classic-scenes

Deterministic given the data (fixed seeds, single process). CPU budget: `--cpu-minutes` (8).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from classic_common import (  # noqa: E402
    POSITIVE_OFFSET, POSITIVE_SIZE, REPO, WINDOW, CropNet, FullyConvolutional, Timer, encode,
    export_onnx, file_entry, folded, input_spec, load_scenes, normalise, pyramid_size, resize,
    setup, write_card,
)

IGNORE_SIZE = (11.0, 36.0)
IGNORE_OFFSET = 10.0
REGRESS_OFFSET = 10.0


def label_windows(windows: np.ndarray, objs: np.ndarray):
    """Labels [M,4] windows against [K,5] objects (class, xyxy) at the same scale.
    Returns (labels [M] int64: 0 background, c+1 class, −1 ignore; targets [M,4]; regress [M] bool)."""
    m = len(windows)
    labels = np.zeros(m, np.int64)
    targets = np.zeros((m, 4), np.float32)
    regress = np.zeros(m, bool)
    if len(objs) == 0:
        return labels, targets, regress
    wc = (windows[:, :2] + windows[:, 2:]) / 2
    oc = (objs[:, 1:3] + objs[:, 3:5]) / 2
    side = np.maximum(objs[:, 3] - objs[:, 1], objs[:, 4] - objs[:, 2])
    off = np.abs(wc[:, None, :] - oc[None, :, :]).max(-1)  # [M,K]
    in_pos = (side >= POSITIVE_SIZE[0]) & (side <= POSITIVE_SIZE[1])
    in_ign = (side >= IGNORE_SIZE[0]) & (side <= IGNORE_SIZE[1])
    pos_off = np.where(in_pos[None, :], off, np.inf)
    ign_off = np.where(in_ign[None, :], off, np.inf)
    best = pos_off.argmin(1)
    best_off = pos_off[np.arange(m), best]
    near = ign_off.argmin(1)
    near_off = ign_off[np.arange(m), near]
    pos = best_off <= POSITIVE_OFFSET
    ign = ~pos & (near_off <= IGNORE_OFFSET)
    labels[pos] = objs[best[pos], 0].astype(np.int64) + 1
    labels[ign] = -1
    reg = near_off <= REGRESS_OFFSET
    idx = np.where(pos, best, near)
    regress[reg] = True
    if reg.any():
        targets[reg] = encode(objs[idx[reg], 1:5], windows[reg])
    return labels, targets, regress


def sample_crops(images, boxes, rng: np.random.Generator, per_object=(3, 2, 4), random_per_scene=8):
    """Crops [N,32,32,3] uint8 with labels, regression targets and masks."""
    crops, labels, targets, regress = [], [], [], []
    n_pos, n_near, n_rand = per_object
    for img, objs in zip(images, boxes):
        h, w = img.shape[:2]
        scales = []
        for o in objs:
            side = max(o[3] - o[1], o[4] - o[2])
            scales.append((rng.uniform(POSITIVE_SIZE[0] + 1, POSITIVE_SIZE[1] - 1) / side, o))
        scales.append((math.exp(rng.uniform(math.log(0.18), math.log(2.0))), None))
        for s, focus in scales:
            sw, sh = pyramid_size(w, s), pyramid_size(h, s)
            if sw < WINDOW or sh < WINDOW:
                continue
            im = resize(img, sw, sh)
            sx, sy = sw / w, sh / h
            so = objs.copy()
            so[:, [1, 3]] *= sx
            so[:, [2, 4]] *= sy
            pos = []
            if focus is not None:
                cx = (focus[1] + focus[3]) / 2 * sx
                cy = (focus[2] + focus[4]) / 2 * sy
                for _ in range(n_pos):
                    pos.append((cx + rng.uniform(-POSITIVE_OFFSET, POSITIVE_OFFSET), cy + rng.uniform(-POSITIVE_OFFSET, POSITIVE_OFFSET)))
                for _ in range(n_near):
                    pos.append((cx + rng.uniform(-16, 16), cy + rng.uniform(-16, 16)))
                k = n_rand
            else:
                k = random_per_scene
            for _ in range(k):
                pos.append((rng.uniform(16, sw - 16), rng.uniform(16, sh - 16)))
            xy = np.array(pos, np.float64) - WINDOW / 2
            xy[:, 0] = np.clip(np.round(xy[:, 0]), 0, sw - WINDOW)
            xy[:, 1] = np.clip(np.round(xy[:, 1]), 0, sh - WINDOW)
            windows = np.concatenate([xy, xy + WINDOW], 1).astype(np.float32)
            lab, tgt, reg = label_windows(windows, so)
            for (x, y), l_, t_, r_ in zip(xy.astype(int), lab, tgt, reg):
                if l_ < 0 and not r_:
                    continue
                crops.append(im[y:y + WINDOW, x:x + WINDOW])
                labels.append(l_)
                targets.append(t_)
                regress.append(r_)
    return (np.stack(crops), np.array(labels, np.int64), np.stack(targets), np.array(regress, bool))


def train(net, data, val, cpu_budget_s: float, timer: Timer, batch: int = 128, lr: float = 3e-3):
    x_all, y_all, t_all, r_all = data
    n = len(y_all)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = math.ceil(n / batch)
    # Schedule by CPU time: cosine decay over the budget.
    step = 0
    epoch = 0
    g = torch.Generator().manual_seed(0)
    while True:
        net.train()
        order = torch.randperm(n, generator=g)
        for b in range(steps_per_epoch):
            frac = min(1.0, timer.cpu() / cpu_budget_s)
            if frac >= 1.0:
                return epoch, step
            for group in opt.param_groups:
                group['lr'] = lr * 0.5 * (1 + math.cos(math.pi * frac))
            idx = order[b * batch:(b + 1) * batch]
            x = normalise(x_all[idx.numpy()])
            y = torch.from_numpy(y_all[idx.numpy()])
            t = torch.from_numpy(t_all[idx.numpy()]).clone()
            r = torch.from_numpy(r_all[idx.numpy()])
            flip = torch.rand(len(idx), generator=g) < 0.5
            x[flip] = x[flip].flip(-1)
            t[flip, 0] = -t[flip, 0]
            logits, deltas = net(x)
            valid = y >= 0
            loss = F.cross_entropy(logits[valid], y[valid])
            if r.any():
                loss = loss + F.smooth_l1_loss(deltas[r], t[r], beta=1 / 9)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 100 == 0:
                print(f'epoch {epoch} step {step} loss {loss.item():.3f} lr {opt.param_groups[0]["lr"]:.5f} {timer}', flush=True)
        epoch += 1
        print(f'epoch {epoch} done: val {evaluate(net, val)} {timer}', flush=True)


@torch.no_grad()
def evaluate(net, val):
    net.eval()
    x_all, y_all, t_all, r_all = val
    correct = 0
    total = 0
    reg_err = 0.0
    reg_n = 0
    for b in range(0, len(y_all), 1024):
        x = normalise(x_all[b:b + 1024])
        logits, deltas = net(x)
        y = torch.from_numpy(y_all[b:b + 1024])
        valid = y >= 0
        correct += (logits.argmax(1)[valid] == y[valid]).sum().item()
        total += valid.sum().item()
        r = torch.from_numpy(r_all[b:b + 1024])
        t = torch.from_numpy(t_all[b:b + 1024])
        reg_err += (deltas[r] - t[r]).abs().sum().item()
        reg_n += r.sum().item() * 4
    return {'accuracy': round(correct / max(1, total), 4), 'delta_mae': round(reg_err / max(1, reg_n), 4)}


@torch.no_grad()
def check_equivalence(net: CropNet, fcn: FullyConvolutional, image: np.ndarray) -> float:
    """Largest |FCN cell − crop classifier on the matching crop| over all cells of one image."""
    net.eval()
    fcn.eval()
    x = normalise(image[None])
    scores, deltas = fcn(x)
    h, w = scores.shape[2:]
    crops = torch.stack([x[0, :, 4 * i:4 * i + WINDOW, 4 * j:4 * j + WINDOW] for i in range(h) for j in range(w)])
    s2, d2 = net(crops)
    a = scores[0].permute(1, 2, 0).reshape(-1, scores.shape[1])
    b = deltas[0].permute(1, 2, 0).reshape(-1, 4)
    return max((a - s2).abs().max().item(), (b - d2).abs().max().item())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/classic-scenes')
    ap.add_argument('--work', default='/tmp/classic-models')
    ap.add_argument('--scenes', type=int, default=1500)
    ap.add_argument('--cpu-minutes', type=float, default=8.0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=os.path.join(REPO, 'models'))
    args = ap.parse_args()
    setup(0, args.threads)
    timer = Timer()
    images, boxes, meta = load_scenes(args.data, 'train')
    vimages, vboxes, _ = load_scenes(args.data, 'val')
    names = meta['categories']
    rng = np.random.default_rng(0)
    data = sample_crops(images[:args.scenes], boxes[:args.scenes], rng)
    val = sample_crops(vimages, vboxes, np.random.default_rng(1))
    counts = np.bincount(data[1] + 1, minlength=len(names) + 2)
    print(f'crops: {len(data[1])} (ignore {counts[0]}, background {counts[1]}, objects {counts[2:].tolist()}), regress {int(data[3].sum())}; val {len(val[1])} {timer}', flush=True)

    net = CropNet(len(names), batchnorm=True)
    epochs, steps = train(net, data, val, args.cpu_minutes * 60, timer)
    metrics = evaluate(net, val)
    print(f'trained {epochs} epochs / {steps} steps: val {metrics} {timer}', flush=True)
    net = folded(net)
    metrics_folded = evaluate(net, val)
    print(f'batch norm folded: val {metrics_folded}', flush=True)
    os.makedirs(args.work, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(args.work, 'cropnet.pt'))

    fcn = FullyConvolutional(net).eval()
    diffs = {f'{s}': check_equivalence(net, fcn, resize(vimages[0], s, s)) for s in (32, 64, 100, 256)}
    print(f'FCN vs crop classifier, max abs diff per image size: {diffs}', flush=True)

    # ---- export
    sw_dir = os.path.join(args.out, 'classic-shapes-sliding-window')
    of_dir = os.path.join(args.out, 'classic-shapes-overfeat')
    crop_path = os.path.join(sw_dir, 'crop_classifier.onnx')
    fcn_path = os.path.join(of_dir, 'fcn.onnx')
    export_onnx(net, torch.zeros(1, 3, WINDOW, WINDOW), crop_path, ['crops'], ['scores', 'deltas'],
                {'crops': {0: 'n'}, 'scores': {0: 'n'}, 'deltas': {0: 'n'}})
    export_onnx(fcn, torch.zeros(1, 3, 64, 64), fcn_path, ['image'], ['scores', 'deltas'],
                {'image': {0: 'n', 2: 'height', 3: 'width'}, 'scores': {0: 'n', 2: 'h', 3: 'w'},
                 'deltas': {0: 'n', 2: 'h', 3: 'w'}})
    reproduce = ('cd packages/datasets && node --conditions=@ocelot/source --import tsx '
                 '../../tooling/python/train/classic_scenes.ts --out /tmp/classic-scenes && cd ../.. && '
                 'nice -n 10 /usr/bin/python3 tooling/python/train/classic_overfeat.py --data /tmp/classic-scenes')
    training = {
        'data': 'synthetic shapes, classic_scenes.ts train split (seed 101), '
                f'{args.scenes} scenes of 256×256; {len(data[1])} crops',
        'crop_validation': {**metrics, 'where': 'crops from the val split (seed 102)'},
        'epochs': epochs, 'steps': steps, 'cpu_seconds': round(timer.cpu()),
        'fcn_max_abs_diff': diffs,
    }
    # Scales: larger objects need smaller images; the window sees 14–30 px objects, so a
    # √2 pyramid from 2 down to 0.18 covers 7–167 px objects.
    scales = [2.0, 1.41, 1.0, 0.71, 0.5, 0.35, 0.25, 0.18]
    common = {
        'task': 'detect', 'labels': names, 'license': 'MIT', 'reproduce': reproduce,
        'input': input_spec(meta['width']),
    }
    write_card(sw_dir, {
        'id': 'classic-shapes-sliding-window',
        'name': 'Sliding-window shape detector (32×32 crop classifier over an image pyramid)',
        **common,
        'architecture': {'type': 'sliding-window', 'window': WINDOW, 'stride': 8, 'scales': scales,
                         'backgroundClass': 0, 'regressBoxes': False},
        'files': {'classifier': file_entry(crop_path, sw_dir)},
        'defaults': {'scoreThreshold': 0.6, 'iouThreshold': 0.3, 'maxDetections': 100},
        'description': 'A small AlexNet-style crop classifier (3 valid convs, 2 FC layers; 6 shapes + background) run on every window of an image pyramid.',
        'training': training,
    })
    write_card(of_dir, {
        'id': 'classic-shapes-overfeat',
        'name': 'OverFeat-style shape detector (the crop classifier made fully convolutional)',
        **common,
        'architecture': {'type': 'overfeat', 'scales': scales, 'receptiveField': WINDOW,
                         'stride': 4, 'offset': 0, 'backgroundClass': 0, 'merge': 'nms'},
        'files': {'model': file_entry(fcn_path, of_dir)},
        'defaults': {'scoreThreshold': 0.6, 'iouThreshold': 0.3, 'maxDetections': 100},
        'description': 'The sliding-window crop classifier with its FC layers turned into convolutions, run once per pyramid level; every output cell is a window, its box the receptive field moved by the regression head.',
        'training': training,
    })
    print(json.dumps(training, indent=1))
    print(f'done {timer}')


if __name__ == '__main__':
    main()
