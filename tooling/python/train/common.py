"""Shared pieces of the training recipes: data loading from the synthetic scene folders
written by make_scenes.ts, seeding, thread limits, timing, and the small conv blocks.

Nothing here downloads anything; the data comes from `pnpm scenes` (see README.md)."""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import resource
import time

import cv2
import numpy as np
import torch
import torch.nn as nn

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def setup(seed: int, threads: int = 2) -> None:
    """Fixed seeds everywhere and a thread cap (the machine is shared)."""
    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    cv2.setNumThreads(1)


def cpu_seconds() -> float:
    """CPU time used by this process (user + system): the cost independent of contention."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Timer:
    def __init__(self) -> None:
        self.wall0 = time.time()
        self.cpu0 = cpu_seconds()

    def __str__(self) -> str:
        return f'wall {time.time() - self.wall0:.0f}s cpu {cpu_seconds() - self.cpu0:.0f}s'


def load_split(root: str, split: str, masks: bool = False):
    """Reads one split: COCO json, images as uint8 [N,3,H,W] (RGB), per-image targets
    `[K,5]` (class index 0-based, x1, y1, x2, y2 in pixels), and label maps [N,H,W] when asked."""
    folder = os.path.join(root, split)
    with open(os.path.join(folder, 'annotations.json')) as f:
        coco = json.load(f)
    images = coco['images']
    n = len(images)
    h, w = images[0]['height'], images[0]['width']
    pixels = np.empty((n, h, w, 3), np.uint8)
    labels = np.empty((n, h, w), np.uint8) if masks else None
    for i, im in enumerate(images):
        bgr = cv2.imread(os.path.join(folder, 'images', im['file_name']), cv2.IMREAD_COLOR)
        pixels[i] = bgr[:, :, ::-1]
        if masks:
            labels[i] = cv2.imread(os.path.join(folder, 'masks', im['file_name']), cv2.IMREAD_UNCHANGED)
    index = {im['id']: i for i, im in enumerate(images)}
    boxes = [[] for _ in range(n)]
    for a in coco['annotations']:
        x, y, bw, bh = a['bbox']
        boxes[index[a['image_id']]].append([a['category_id'] - 1, x, y, x + bw, y + bh])
    targets = [torch.tensor(b, dtype=torch.float32).reshape(-1, 5) for b in boxes]
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(labels) if masks else None
    names = [c['name'] for c in sorted(coco['categories'], key=lambda c: c['id'])]
    return coco, x, targets, y, names


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: str, card_dir: str) -> dict:
    return {
        'path': os.path.relpath(path, card_dir),
        'sha256': sha256(path),
        'bytes': os.path.getsize(path),
    }


class Conv(nn.Sequential):
    """Conv → BatchNorm → SiLU (folded into one Conv at export by onnx constant folding)."""

    def __init__(self, c1: int, c2: int, k: int = 3, s: int = 1):
        super().__init__(
            nn.Conv2d(c1, c2, k, s, k // 2, bias=False),
            nn.BatchNorm2d(c2),
            nn.SiLU(inplace=True),
        )


class Bottleneck(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.cv1 = Conv(c, c, 3)
        self.cv2 = Conv(c, c, 3)

    def forward(self, x):
        return x + self.cv2(self.cv1(x))


class C2f(nn.Module):
    """CSP block as in YOLOv8: split, n residual bottlenecks on one half, concat all, 1×1."""

    def __init__(self, c1: int, c2: int, n: int = 1):
        super().__init__()
        c = c2 // 2
        self.cv1 = Conv(c1, 2 * c, 1)
        self.m = nn.ModuleList(Bottleneck(c) for _ in range(n))
        self.cv2 = Conv((2 + n) * c, c2, 1)

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.cv1 = Conv(c, c // 2, 1)
        self.m = nn.MaxPool2d(5, 1, 2)
        self.cv2 = Conv(c // 2 * 4, c, 1)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """AdamW parameter groups: weight decay on the weights (conv / linear kernels), none on biases
    and norm parameters; frozen parameters are left out."""
    decay, no_decay = [], []
    for p in model.parameters():
        if p.requires_grad:
            (no_decay if p.ndim <= 1 else decay).append(p)
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]


def warmup_cosine(step: int, total: int, warmup: int) -> float:
    """The recipes' one learning-rate schedule, as a factor of the peak: linear warm-up over
    `warmup` steps, then cosine down to 2 % of the peak at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


class ModelEMA:
    """Exponential moving average of weights (decay ramps up over the first updates)."""

    def __init__(self, model: nn.Module, decay: float = 0.999, tau: float = 300.0):
        import copy
        import math

        self.ema = copy.deepcopy(model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.updates = 0
        self.decay = lambda u: decay * (1 - math.exp(-u / tau))

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        d = self.decay(self.updates)
        msd = model.state_dict()
        for k, v in self.ema.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


# what the cards' `training.machine` says; the whole-recipe times on the idle machine are in models/README.md
MACHINE = (f'2-core VM, torch 1.13 CPU, 2 threads, OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "unset")}; '
           'times are the script\'s wall and CPU seconds (each whole recipe\'s wall time on the idle machine: '
           'models/README.md)')
SCENES_COMMAND = 'pnpm scenes -- --out /tmp/ocelot-scenes --train 4000 --val 200 --test 200 --size 256'
EVAL_COMMAND = ('pnpm --filter @ocelot/datasets exec node --conditions=@ocelot/source --import tsx '
                '../../tooling/python/train/zoo_eval.ts models/{id}/model.json --write')


def write_card(out_dir: str, card: dict) -> str:
    """Writes models/<id>/model.json (the @ocelot/detectors card format). Metrics are added
    afterwards by zoo_eval.ts, measured through Ocelot's TypeScript pipeline."""
    path = os.path.join(out_dir, 'model.json')
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
    if 'metrics' in old and old.get('files') == card.get('files'):
        card['metrics'] = old['metrics']  # same weights: keep the measured numbers
    with open(path, 'w') as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write('\n')
    return path
