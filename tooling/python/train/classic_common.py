"""Shared pieces of the classic-road recipes (classic_overfeat.py, classic_rcnn.py,
classic_fast_rcnn.py): the scene files written by classic_scenes.ts, the one pretrained crop
network all of them start from, the fully-convolutional conversion, image pyramids that match
@ocelot/image's resizer, box coding as torchvision's BoxCoder, and ONNX / model-card export.

Nothing here downloads anything; the data comes from

    cd packages/datasets && node --conditions=@ocelot/source --import tsx \\
        ../../tooling/python/train/classic_scenes.ts --out /tmp/classic-scenes
"""
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

# Every classic model reads RGB / 255, then (x - 0.5) / 0.25 per channel.
PIXEL_MEAN = 0.5
PIXEL_STD = 0.25
# The crop network's input side, and the size band of an object (max side, pixels) it calls
# "centred and the right size" — the OverFeat / sliding-window positive rule.
WINDOW = 32
POSITIVE_SIZE = (14.0, 30.0)
POSITIVE_OFFSET = 6.0
# Boxes are coded as torchvision's Fast R-CNN box head codes them.
BOX_CODER_WEIGHTS = (10.0, 10.0, 5.0, 5.0)
BBOX_XFORM_CLIP = math.log(1000.0 / 16)


def setup(seed: int, threads: int = 2) -> None:
    """Fixed seeds everywhere and a thread cap (the machine is shared)."""
    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    cv2.setNumThreads(1)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Timer:
    def __init__(self) -> None:
        self.wall0 = time.time()
        self.cpu0 = cpu_seconds()

    def cpu(self) -> float:
        return cpu_seconds() - self.cpu0

    def wall(self) -> float:
        return time.time() - self.wall0

    def __str__(self) -> str:
        return f'wall {self.wall():.0f}s cpu {self.cpu():.0f}s'


def load_scenes(root: str, split: str):
    """`(images uint8 [N,H,W,3] RGB, boxes: list of float32 [K,5] (class, x1, y1, x2, y2), meta)`."""
    with open(os.path.join(root, f'{split}.json')) as f:
        meta = json.load(f)
    n, h, w = meta['count'], meta['height'], meta['width']
    images = np.fromfile(os.path.join(root, f'{split}.u8'), np.uint8).reshape(n, h, w, 3)
    boxes = [np.array(b, np.float32).reshape(-1, 5) for b in meta['boxes']]
    return images, boxes, meta


def normalise(images_u8: np.ndarray) -> torch.Tensor:
    """uint8 [N,H,W,3] → float32 [N,3,H,W], (x/255 − mean)/std."""
    x = torch.from_numpy(np.ascontiguousarray(images_u8)).permute(0, 3, 1, 2).float()
    return (x / 255.0 - PIXEL_MEAN) / PIXEL_STD


def pyramid_size(side: int, scale: float) -> int:
    """`floor(side·scale + 0.5)`, at least 1 — the same rounding as the TypeScript pyramid."""
    return max(1, int(math.floor(side * scale + 0.5)))


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bilinear, half-pixel centres, no antialiasing: what @ocelot/image's resize computes."""
    if image.shape[1] == width and image.shape[0] == height:
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


# ---------------------------------------------------------------- box coding
def encode(gt: np.ndarray, ref: np.ndarray, weights=BOX_CODER_WEIGHTS) -> np.ndarray:
    """torchvision `BoxCoder.encode_single` for [N,4] xyxy arrays."""
    wx, wy, ww, wh = weights
    pw = ref[:, 2] - ref[:, 0]
    ph = ref[:, 3] - ref[:, 1]
    px = ref[:, 0] + 0.5 * pw
    py = ref[:, 1] + 0.5 * ph
    gw = gt[:, 2] - gt[:, 0]
    gh = gt[:, 3] - gt[:, 1]
    gx = gt[:, 0] + 0.5 * gw
    gy = gt[:, 1] + 0.5 * gh
    return np.stack(
        [wx * (gx - px) / pw, wy * (gy - py) / ph, ww * np.log(gw / pw), wh * np.log(gh / ph)], 1
    ).astype(np.float32)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N,4] × [M,4] xyxy → [N,M]."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter)


# ---------------------------------------------------------------- the crop network
class CropNet(nn.Module):
    """The AlexNet / OverFeat pattern, shrunk: valid (unpadded) convolutions and max pools,
    then fully connected layers — a classifier (K shapes + background) and a box regressor
    (deltas of the object relative to the 32×32 window). Input [N,3,32,32].

    Valid convolutions make the fully-convolutional version EXACT: with padding, a crop's
    border would see zeros where the whole-image net sees neighbouring pixels. Batch norm
    speeds training up and is folded into the convolutions before export (`fold_batchnorm`)."""

    def __init__(self, num_classes: int, hidden: int = 96, batchnorm: bool = True):
        super().__init__()

        def block(c1, c2, k):
            layers = [nn.Conv2d(c1, c2, k, bias=not batchnorm)]
            if batchnorm:
                layers.append(nn.BatchNorm2d(c2))
            layers.append(nn.ReLU(inplace=True))
            return layers

        self.features = nn.Sequential(
            *block(3, 16, 5), nn.MaxPool2d(2),    # 32 → 28 → 14
            *block(16, 32, 3), nn.MaxPool2d(2),   # 14 → 12 → 6
            *block(32, 48, 3),                    # 6 → 4
        )
        feat = 48 * 4 * 4
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.2), nn.Linear(feat, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes + 1),
        )
        self.regressor = nn.Sequential(
            nn.Flatten(), nn.Linear(feat, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, 4),
        )

    def forward(self, x):
        f = self.features(x)
        return self.classifier(f), self.regressor(f)


def fold_batchnorm(seq: nn.Sequential) -> nn.Sequential:
    """Conv → BatchNorm (eval statistics) → … becomes one Conv with scaled weights and a bias:
    w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β. Other layers are kept (copied)."""
    import copy

    out: list[nn.Module] = []
    layers = list(seq)
    i = 0
    while i < len(layers):
        m = layers[i]
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if isinstance(m, nn.Conv2d) and isinstance(nxt, nn.BatchNorm2d):
            conv = nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                             m.dilation, m.groups, bias=True)
            with torch.no_grad():
                scale = nxt.weight / torch.sqrt(nxt.running_var + nxt.eps)
                conv.weight.copy_(m.weight * scale.view(-1, 1, 1, 1))
                bias = m.bias if m.bias is not None else torch.zeros_like(nxt.running_mean)
                conv.bias.copy_((bias - nxt.running_mean) * scale + nxt.bias)
            out.append(conv)
            i += 2
        else:
            out.append(copy.deepcopy(m))
            i += 1
    return nn.Sequential(*out)


def folded(net: 'CropNet') -> 'CropNet':
    """A copy of `net` in eval mode with batch norm folded into its convolutions."""
    import copy

    f = copy.deepcopy(net).eval()
    f.features = fold_batchnorm(net.eval().features)
    return f


def linear_to_conv(linear: nn.Linear, in_channels: int, kernel: tuple[int, int]) -> nn.Conv2d:
    """A fully connected layer as the convolution it already is: `Linear(C·kh·kw → O)` reading
    a flattened [C,kh,kw] map equals `Conv2d(C → O, kernel (kh,kw))` at one position; slid over
    a larger map it evaluates the FC layer at every window. Later FC layers are 1×1 convs."""
    out_features, in_features = linear.weight.shape
    kh, kw = kernel
    assert in_features == in_channels * kh * kw, (in_features, in_channels, kernel)
    conv = nn.Conv2d(in_channels, out_features, (kh, kw))
    with torch.no_grad():
        # torch flattens [C,H,W] row-major: the FC weight reshapes to [O,C,kh,kw] unchanged.
        conv.weight.copy_(linear.weight.view(out_features, in_channels, kh, kw))
        conv.bias.copy_(linear.bias)
    return conv


def fc_stack_to_conv(fc: nn.Sequential, in_channels: int, kernel: tuple[int, int]) -> nn.Sequential:
    """Converts Flatten / Dropout / Linear / ReLU stacks: the first Linear becomes a conv with
    kernel = the feature-map size, later Linears 1×1 convs; Flatten and Dropout disappear."""
    layers: list[nn.Module] = []
    first = True
    channels = in_channels
    for m in fc:
        if isinstance(m, (nn.Flatten, nn.Dropout)):
            continue
        if isinstance(m, nn.Linear):
            layers.append(linear_to_conv(m, channels, kernel if first else (1, 1)))
            channels = m.out_features
            first = False
        elif isinstance(m, nn.ReLU):
            layers.append(nn.ReLU(inplace=False))
        else:
            raise TypeError(f'cannot convert {type(m).__name__}')
    return nn.Sequential(*layers)


class FullyConvolutional(nn.Module):
    """`CropNet` turned fully convolutional: the same weights, any input size ≥ 32; output cell
    (i, j) is the crop network's answer for the 32×32 window at (4j, 4i)."""

    def __init__(self, net: CropNet):
        super().__init__()
        self.features = net.features
        self.classifier = fc_stack_to_conv(net.classifier, 48, (4, 4))
        self.regressor = fc_stack_to_conv(net.regressor, 48, (4, 4))

    def forward(self, x):
        f = self.features(x)
        return self.classifier(f), self.regressor(f)


# ---------------------------------------------------------------- files
def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: str, card_dir: str) -> dict:
    return {'path': os.path.relpath(path, card_dir), 'sha256': sha256(path), 'bytes': os.path.getsize(path)}


def export_onnx(module: nn.Module, args, path: str, input_names, output_names, dynamic_axes) -> None:
    """Exports with constant folding, opset 13, and strips the doc strings (stable bytes)."""
    import onnx

    module.eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(
        module, args, path, input_names=input_names, output_names=output_names,
        dynamic_axes=dynamic_axes, opset_version=13, do_constant_folding=True,
    )
    model = onnx.load(path)
    for node in model.graph.node:
        node.doc_string = ''
    model.producer_name = 'ocelot tooling/python/train'
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_card(card_dir: str, card: dict) -> None:
    os.makedirs(card_dir, exist_ok=True)
    with open(os.path.join(card_dir, 'model.json'), 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')


def input_spec(size: int) -> dict:
    return {
        'width': size, 'height': size, 'resize': 'letterbox', 'padValue': 128,
        'scale': 1 / 255, 'mean': PIXEL_MEAN, 'std': PIXEL_STD,
    }


# ---------------------------------------------------------------- proposals for training
def sample_rois(gt: np.ndarray, width: int, height: int, rng: np.random.Generator,
                jitter_per_object: int = 24, random_count: int = 64) -> np.ndarray:
    """Proposal-like boxes for training R-CNN / Fast R-CNN heads without running a proposal
    method: jittered copies of every object (centre ± 20 % of the side, sides × e^N(0, 0.3))
    and random boxes (sides log-uniform 8–200 px). Clipped to the image, ≥ 4 px. [P,4] xyxy."""
    boxes = []
    for o in gt:
        x1, y1, x2, y2 = o[1:5]
        w, h = x2 - x1, y2 - y1
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        n = jitter_per_object
        jx = cx + rng.normal(0, 0.2, n) * w
        jy = cy + rng.normal(0, 0.2, n) * h
        jw = w * np.exp(rng.normal(0, 0.3, n))
        jh = h * np.exp(rng.normal(0, 0.3, n))
        boxes.append(np.stack([jx - jw / 2, jy - jh / 2, jx + jw / 2, jy + jh / 2], 1))
    side = np.exp(rng.uniform(np.log(8), np.log(200), random_count))
    aspect = np.exp(rng.normal(0, 0.3, random_count))
    rw, rh = side * aspect, side / aspect
    rx = rng.uniform(0, width, random_count)
    ry = rng.uniform(0, height, random_count)
    boxes.append(np.stack([rx - rw / 2, ry - rh / 2, rx + rw / 2, ry + rh / 2], 1))
    b = np.concatenate(boxes, 0)
    b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, width)
    b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, height)
    keep = ((b[:, 2] - b[:, 0]) >= 4) & ((b[:, 3] - b[:, 1]) >= 4)
    return np.concatenate([b[keep], gt[:, 1:5]], 0).astype(np.float32)


def label_rois(rois: np.ndarray, gt: np.ndarray, fg_iou: float = 0.5):
    """Labels (0 background, c+1 object) and regression targets of each roi against its best
    ground truth: foreground at IoU ≥ `fg_iou`, background below."""
    n = len(rois)
    labels = np.zeros(n, np.int64)
    targets = np.zeros((n, 4), np.float32)
    if len(gt) == 0:
        return labels, targets
    iou = box_iou(rois, gt[:, 1:5])
    best = iou.argmax(1)
    best_iou = iou[np.arange(n), best]
    fg = best_iou >= fg_iou
    labels[fg] = gt[best[fg], 0].astype(np.int64) + 1
    if fg.any():
        targets[fg] = encode(gt[best[fg], 1:5], rois[fg])
    return labels, targets


def balanced(labels: np.ndarray, count: int, fg_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of up to `count` rois, at most `fg_fraction` of them foreground (torchvision's
    BalancedPositiveNegativeSampler)."""
    fg = np.flatnonzero(labels > 0)
    bg = np.flatnonzero(labels == 0)
    n_fg = min(len(fg), int(count * fg_fraction))
    n_bg = min(len(bg), count - n_fg)
    return np.concatenate([rng.choice(fg, n_fg, replace=False), rng.choice(bg, n_bg, replace=False)])


def per_class_box_loss(deltas: torch.Tensor, labels: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Smooth L1 (β = 1/9) on the deltas of each foreground roi's own class, averaged over all
    rois (torchvision's fastrcnn_loss)."""
    import torch.nn.functional as F

    fg = torch.nonzero(labels > 0).squeeze(1)
    if len(fg) == 0:
        return deltas.sum() * 0
    d = deltas.view(len(deltas), -1, 4)[fg, labels[fg]]
    return F.smooth_l1_loss(d, targets[fg], beta=1 / 9, reduction='sum') / max(1, len(labels))


def load_cropnet(path: str, num_classes: int) -> 'CropNet':
    """The folded (batch-norm free) crop network saved by classic_overfeat.py."""
    net = CropNet(num_classes, batchnorm=False)
    net.load_state_dict(torch.load(path))
    return net
