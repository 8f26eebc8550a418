"""Shared pieces of the torchvision detection recipes (mask_rcnn.py, faster_rcnn.py, ssdlite.py):
the small Mask R-CNN / Faster R-CNN (optionally with the mask head trained on a capped number of
positive RoIs), instance targets from the synthetic scenes' COCO RLE / polygon masks, flips, the
two-core RoI Align used while training, the training loop, the chaining of training stages
through checkpoints, and the card writer that keeps measured metrics when the weights did not
change.

The backbone is a plain conv network built from the YOLO-style recipe's blocks (common.py Conv /
C2f / SPPF; widths 16-32-64-128-192, BatchNorm, trained from scratch) with a torchvision FPN of
64 channels on the stride 8 / 16 / 32 stages plus torchvision's max-pool level: feature names
`0`, `1`, `2`, `pool` (strides 8, 16, 32, 64). No depthwise convolutions: torch 1.13's CPU
backward of MobileNet's depthwise convs was the bottleneck of the earlier MobileNetV3 version.
"""
from __future__ import annotations

import json
import os
import sys
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import omp  # noqa: E402,F401  (OpenMP's wait policy, before torch loads)

import numpy as np
import torch
import torch.nn as nn
from pycocotools import mask as mask_utils
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads
from torchvision.models.detection.roi_heads import RoIHeads, maskrcnn_loss
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import FeaturePyramidNetwork, LastLevelMaxPool

sys.path.insert(0, os.path.dirname(__file__))
from common import MACHINE, SCENES_COMMAND, C2f, SPPF, Conv, ModelEMA, Timer, param_groups, warmup_cosine  # noqa: E402

FPN_CHANNELS = 64
REPRESENTATION = 128
MASK_CHANNELS = 64
MASK_LAYERS = 2
SIZE = 256
# the shapes are 12-230 px and nearly square (w/h 0.67-1.5): two sizes, one aspect ratio per level
ANCHOR_SIZES = ((16, 24), (32, 48), (64, 96), (128, 192))
ASPECT_RATIOS = ((1.0,),) * 4
# backbone stages: (channels, C2f bottlenecks) at strides 2, 4, 8, 16, 32
WIDTHS = (16, 32, 64, 128, 192)
FEATURES = {'0': 8, '1': 16, '2': 32, 'pool': 64}  # FPN level -> stride


class ConvBackbone(nn.Module):
    """Plain conv backbone (the YOLO-style recipe's Conv/C2f/SPPF blocks, no depthwise convs)
    with a torchvision FPN: levels `0`, `1`, `2` at strides 8 / 16 / 32 and `pool` (max-pool of
    `2`, stride 64), all FPN_CHANNELS wide."""

    def __init__(self) -> None:
        super().__init__()
        c1, c2, c3, c4, c5 = WIDTHS
        self.stem = nn.Sequential(Conv(3, c1, 3, 2), Conv(c1, c2, 3, 2), C2f(c2, c2, 1))
        self.s3 = nn.Sequential(Conv(c2, c3, 3, 2), C2f(c3, c3, 1))
        self.s4 = nn.Sequential(Conv(c3, c4, 3, 2), C2f(c4, c4, 1))
        self.s5 = nn.Sequential(Conv(c4, c5, 3, 2), C2f(c5, c5, 1), SPPF(c5))
        self.fpn = FeaturePyramidNetwork([c3, c4, c5], FPN_CHANNELS, extra_blocks=LastLevelMaxPool())
        self.out_channels = FPN_CHANNELS

    def forward(self, x):
        x3 = self.s3(self.stem(x))
        x4 = self.s4(x3)
        x5 = self.s5(x4)
        return self.fpn(OrderedDict([('0', x3), ('1', x4), ('2', x5)]))


class ConvBoxHead(nn.Module):
    """torchvision's TwoMLPHead with fc6 written as a 7×7 convolution over the pooled RoI
    features (the same function: flatten + Linear). torch 1.13 here has generic BLAS, so the
    [K, C·49] × [C·49, 128] matmul ran ~10× slower than the oneDNN convolution."""

    def __init__(self, in_channels: int, resolution: int, representation: int) -> None:
        super().__init__()
        self.fc6 = nn.Conv2d(in_channels, representation, resolution)
        self.fc7 = nn.Linear(representation, representation)

    def forward(self, x):
        x = torch.relu(self.fc6(x)).flatten(start_dim=1)
        return torch.relu(self.fc7(x))


class MaskPredictor(nn.Sequential):
    """torchvision's MaskRCNNPredictor with its 2×2 stride-2 transposed conv written as a 1×1 conv
    to 4× the channels + PixelShuffle(2) (the same function; ONNX DepthToSpace). torch 1.13's CPU
    ConvTranspose2d backward was the single slowest op of a training step."""

    def __init__(self, in_channels: int, dim_reduced: int, num_classes: int) -> None:
        super().__init__(OrderedDict([
            ('conv5_mask', nn.Conv2d(in_channels, 4 * dim_reduced, 1)),
            ('upsample', nn.PixelShuffle(2)),
            ('relu', nn.ReLU(inplace=True)),
            ('mask_fcn_logits', nn.Conv2d(dim_reduced, num_classes, 1)),
        ]))
        for name, param in self.named_parameters():
            if 'weight' in name:
                nn.init.kaiming_normal_(param, mode='fan_out', nonlinearity='relu')
            else:
                nn.init.zeros_(param)


_POOL = ThreadPoolExecutor(2)


def _halves(n: int) -> tuple[slice, slice]:
    return slice(0, n // 2), slice(n // 2, n)


class _TwoCoreRoIAlign(torch.autograd.Function):
    """torchvision's RoI Align with its CPU kernels run on two threads. Those kernels are serial
    (one loop over RoIs), and in a training step of the small Mask R-CNN they were the largest
    single cost: the backward alone ~28 % of the CPU time, with the second core idle. Forward
    splits the RoIs in two halves, backward splits the channels; both halves are the same kernel
    on disjoint outputs, so the results are bit-identical to torchvision's (torch ops release the
    GIL)."""

    @staticmethod
    def forward(ctx, x, rois, ph: int, pw: int, scale: float, sampling: int, aligned: bool):
        ctx.save_for_backward(rois)
        ctx.args = (tuple(x.shape), ph, pw, scale, sampling, aligned)
        op = torch.ops.torchvision.roi_align
        x = x.contiguous()
        if rois.shape[0] < 2:
            return op(x, rois, scale, ph, pw, sampling, aligned)
        return torch.cat(list(_POOL.map(lambda s: op(x, rois[s], scale, ph, pw, sampling, aligned),
                                        _halves(rois.shape[0]))))

    @staticmethod
    def backward(ctx, grad):
        (rois,) = ctx.saved_tensors
        (n, c, h, w), ph, pw, scale, sampling, aligned = ctx.args
        op = torch.ops.torchvision._roi_align_backward
        grad = grad.contiguous()
        if c < 2:
            gx = op(grad, rois, scale, ph, pw, n, c, h, w, sampling, aligned)
        else:
            gx = torch.cat(list(_POOL.map(
                lambda s: op(grad[:, s].contiguous(), rois, scale, ph, pw, n, s.stop - s.start, h, w, sampling, aligned),
                _halves(c))), 1)
        return gx, None, None, None, None, None, None


def two_core_roi_align(input, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1,
                       aligned: bool = False):
    """`torchvision.ops.roi_align` with the same arguments and results, on two threads."""
    from torch.nn.modules.utils import _pair
    from torchvision.ops._utils import convert_boxes_to_roi_format

    rois = boxes if isinstance(boxes, torch.Tensor) else convert_boxes_to_roi_format(boxes)
    ph, pw = _pair(output_size)
    return _TwoCoreRoIAlign.apply(input, rois.to(input.dtype), ph, pw, float(spatial_scale), int(sampling_ratio),
                                  bool(aligned))


def check_two_core_roi_align() -> None:
    """Raises unless `two_core_roi_align` equals torchvision's RoI Align bit for bit, forward and
    backward, on random features (the recipes run this once before training: a torchvision whose
    kernels change would fail here rather than train on a different function)."""
    from torchvision.ops import roi_align

    g = torch.Generator().manual_seed(0)
    for channels, count, sampling, size in ((16, 37, 2, 7), (1, 9, -1, 28)):
        x = torch.randn(3, channels, 24, 20, generator=g, requires_grad=True)
        b = torch.rand(count, 4, generator=g) * 150
        rois = torch.cat([torch.randint(0, 3, (count, 1), generator=g).float(), b[:, :2], b[:, :2] + b[:, 2:] + 1], 1)
        ours, ref = two_core_roi_align(x, rois, size, 0.125, sampling), roi_align(x, rois, size, 0.125, sampling)
        w = torch.randn(ref.shape, generator=g)
        same = torch.equal(ours, ref) and torch.equal(torch.autograd.grad((ours * w).sum(), x)[0],
                                                       torch.autograd.grad((ref * w).sum(), x)[0])
        if not same:
            raise RuntimeError('two_core_roi_align differs from torchvision.ops.roi_align on this torchvision')


@contextmanager
def roi_align_on_two_cores():
    """Within the block, torchvision's detection models (the multi-scale RoI pooler and the mask
    targets' projection onto proposals) call `two_core_roi_align`."""
    import torchvision.models.detection.roi_heads as roi_heads
    import torchvision.ops.poolers as poolers

    saved = poolers.roi_align, roi_heads.roi_align
    poolers.roi_align = roi_heads.roi_align = two_core_roi_align
    try:
        yield
    finally:
        poolers.roi_align, roi_heads.roi_align = saved


def backbone() -> nn.Module:
    return ConvBackbone()


def _common_kwargs(num_classes: int, sampling_ratio: int, positive_fraction: float) -> dict:
    return dict(
        num_classes=None,
        min_size=SIZE,
        max_size=SIZE,
        rpn_anchor_generator=AnchorGenerator(ANCHOR_SIZES, ASPECT_RATIOS),
        rpn_pre_nms_top_n_train=600,
        rpn_post_nms_top_n_train=300,
        rpn_pre_nms_top_n_test=300,
        rpn_post_nms_top_n_test=150,
        rpn_batch_size_per_image=128,
        box_roi_pool=MultiScaleRoIAlign(['0', '1', '2'], 7, sampling_ratio),
        box_head=ConvBoxHead(FPN_CHANNELS, 7, REPRESENTATION),
        box_predictor=FastRCNNPredictor(REPRESENTATION, num_classes + 1),
        box_batch_size_per_image=64,
        box_positive_fraction=positive_fraction,
        box_detections_per_img=100,
    )


class CappedMaskRoIHeads(RoIHeads):
    """torchvision's RoIHeads whose mask loss, while training, sees at most `mask_positives` of
    each image's positive RoIs (a uniformly random subset; torchvision gives the mask head all of
    them). The box losses and inference are torchvision's, untouched, and so is the state dict.

    Why: with up to 32 positives among the 64 RoIs per image the box classifier learns from twice
    torchvision's examples, but the mask head's cost (14×14 RoI Align, its 3×3 convs at 14², the
    28² loss) grows with them too, and it does not need that many to learn the shapes' masks. The
    subset is uniform over RoIs, not over objects: a shape with few matching RoIs can miss a step.
    Not scriptable (torch.jit.script); nothing scripts the training model."""

    mask_positives: int

    def has_mask(self) -> bool:
        # while training, forward() below runs the mask branch itself after torchvision's box branch
        return not self.training and super().has_mask()

    def select_training_samples(self, proposals, targets):
        sampled = super().select_training_samples(proposals, targets)
        self._sampled = sampled  # read by forward() right after torchvision's forward returns
        return sampled

    def forward(self, features, proposals, image_shapes, targets=None):
        if not self.training:
            return super().forward(features, proposals, image_shapes, targets)
        # torchvision's check_targets skips the masks while has_mask() is False
        if targets is None or any('masks' not in t for t in targets):
            raise ValueError('training a Mask R-CNN needs targets, each with a "masks" key')
        try:
            result, losses = super().forward(features, proposals, image_shapes, targets)
            proposals, matched_idxs, labels, _ = self._sampled
        finally:  # never leave graph tensors on the module (deepcopy, e.g. by ModelEMA, would fail)
            self.__dict__.pop('_sampled', None)
        boxes, matched = [], []
        for props, idxs, lab in zip(proposals, matched_idxs, labels):
            pos = torch.where(lab > 0)[0]
            if pos.numel() > self.mask_positives:  # the same global RNG torchvision's sampler draws from
                pos = pos[torch.randperm(pos.numel(), device=pos.device)[:self.mask_positives]]
            boxes.append(props[pos])
            matched.append(idxs[pos])
        logits = self.mask_predictor(self.mask_head(self.mask_roi_pool(features, boxes, image_shapes)))
        losses['loss_mask'] = maskrcnn_loss(logits, boxes, [t['masks'] for t in targets],
                                            [t['labels'] for t in targets], matched)
        return result, losses


def build_mask_rcnn(num_classes: int, sampling_ratio: int = 2, positive_fraction: float = 0.25,
                    mask_positives: int | None = None) -> MaskRCNN:
    """`sampling_ratio`: bilinear samples per RoI Align bin side (torchvision's default 2);
    `positive_fraction`: the largest share of positives among the 64 RoIs sampled per image for
    the box (and mask) losses (torchvision's default 0.25); `mask_positives`: at most this many of
    an image's positive RoIs train the mask head (CappedMaskRoIHeads; None: all, as torchvision)."""
    kw = _common_kwargs(num_classes, sampling_ratio, positive_fraction)
    model = MaskRCNN(
        backbone(),
        mask_roi_pool=MultiScaleRoIAlign(['0', '1', '2'], 14, sampling_ratio),
        mask_head=MaskRCNNHeads(FPN_CHANNELS, (MASK_CHANNELS,) * MASK_LAYERS, 1),
        mask_predictor=MaskPredictor(MASK_CHANNELS, MASK_CHANNELS, num_classes + 1),
        **kw,
    )
    if mask_positives is not None:
        if mask_positives < 1:
            raise ValueError(f'mask_positives must be at least 1, got {mask_positives}')
        # the same module with the capped training forward: MaskRCNN builds its RoIHeads itself
        model.roi_heads.__class__ = CappedMaskRoIHeads
        model.roi_heads.mask_positives = mask_positives
    return model


def build_faster_rcnn(num_classes: int, sampling_ratio: int = 2, positive_fraction: float = 0.25) -> FasterRCNN:
    return FasterRCNN(backbone(), **_common_kwargs(num_classes, sampling_ratio, positive_fraction))


def backbone_spec() -> dict:
    """What the card says about the backbone (feature names, channels, strides)."""
    return {
        'type': 'conv-c2f-fpn',
        'stageChannels': list(WIDTHS),
        'featureNames': list(FEATURES),
        'channels': FPN_CHANNELS,
        'strides': list(FEATURES.values()),
    }


def load_instances(root: str, split: str):
    """Images uint8 [N,3,H,W] RGB and per-image lists of (label 1-based, box xyxy, RLE)."""
    import json

    import cv2

    folder = os.path.join(root, split)
    with open(os.path.join(folder, 'annotations.json')) as f:
        coco = json.load(f)
    images = coco['images']
    n = len(images)
    h, w = images[0]['height'], images[0]['width']
    pixels = np.empty((n, h, w, 3), np.uint8)
    for i, im in enumerate(images):
        pixels[i] = cv2.imread(os.path.join(folder, 'images', im['file_name']), cv2.IMREAD_COLOR)[:, :, ::-1]
    index = {im['id']: i for i, im in enumerate(images)}
    objs = [[] for _ in range(n)]
    for a in coco['annotations']:
        x, y, bw, bh = a['bbox']
        seg = a['segmentation']
        if isinstance(seg, list):  # polygons (unoccluded shapes)
            seg = mask_utils.merge(mask_utils.frPyObjects(seg, h, w))
        elif isinstance(seg['counts'], str):
            seg = {'size': seg['size'], 'counts': seg['counts'].encode()}
        objs[index[a['image_id']]].append((a['category_id'], [x, y, x + bw, y + bh], seg))
    names = [c['name'] for c in sorted(coco['categories'], key=lambda c: c['id'])]
    return torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous(), objs, names


def make_target(objs, flip: bool, masks: bool, width: int):
    boxes = torch.tensor([o[1] for o in objs], dtype=torch.float32).reshape(-1, 4)
    labels = torch.tensor([o[0] for o in objs], dtype=torch.int64)
    t = {'boxes': boxes, 'labels': labels}
    if masks:
        m = (np.ascontiguousarray(mask_utils.decode([o[2] for o in objs]).transpose(2, 0, 1)) if objs
             else np.zeros((0, width, width), np.uint8))
        t['masks'] = torch.from_numpy(m)
    if flip:
        b = t['boxes'].clone()
        t['boxes'] = torch.stack([width - b[:, 2], b[:, 1], width - b[:, 0], b[:, 3]], 1)
        if masks:
            t['masks'] = t['masks'].flip(-1)
    # degenerate boxes (fully occluded slivers) break the RPN matcher
    keep = (t['boxes'][:, 2] - t['boxes'][:, 0] >= 1) & (t['boxes'][:, 3] - t['boxes'][:, 1] >= 1)
    return {k: v[keep] for k, v in t.items()}


def lr_lambda(iters: int, warm: int):
    """`common.warmup_cosine` as a LambdaLR factor."""
    return lambda i: warmup_cosine(i, iters, warm)


def flip_image(im: torch.Tensor, h: bool, v: bool) -> torch.Tensor:
    if h:
        im = im.flip(-1)
    if v:
        im = im.flip(-2)
    return im


def flip_target(t: dict, h: bool, v: bool, size: int) -> dict:
    """Horizontal / vertical flips of a target from make_target (the scenes are square)."""
    t = dict(t)
    b = t['boxes']
    if h:
        b = torch.stack([size - b[:, 2], b[:, 1], size - b[:, 0], b[:, 3]], 1)
        if 'masks' in t:
            t['masks'] = t['masks'].flip(-1)
    if v:
        b = torch.stack([b[:, 0], size - b[:, 3], b[:, 2], size - b[:, 1]], 1)
        if 'masks' in t:
            t['masks'] = t['masks'].flip(-2)
    t['boxes'] = b
    return t


def train(model: nn.Module, x: torch.Tensor, objs, *, iters: int, batch: int, lr: float, seed: int,
          masks: bool, warmup: int = 100, ema_decay: float = 0.998, log_every: int = 25,
          channels_last: bool = False) -> nn.Module:
    """AdamW (weight decay 5e-4 on weights only), warm-up + cosine, random horizontal and vertical
    flips; returns the exponential moving average of the weights (common.ModelEMA), in eval mode and
    in the default memory format. `channels_last` trains with channels-last weights (oneDNN's
    faster convolution layout on this CPU build)."""
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(param_groups(model, 5e-4), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(iters, max(1, min(warmup, iters // 5))))
    params = [p for p in model.parameters() if p.requires_grad]
    ema = ModelEMA(model, decay=ema_decay, tau=100.0)
    check_two_core_roi_align()
    model.train()
    timer = Timer()
    n = x.shape[0]
    width = x.shape[-1]
    avg = None
    with roi_align_on_two_cores():  # torchvision's serial RoI Align kernels on both cores
        for it in range(iters):
            idx = torch.randint(0, n, (batch,), generator=g).tolist()
            flips = (torch.rand(batch, 2, generator=g) < 0.5).tolist()
            images, targets = [], []
            for i, (fh, fv) in zip(idx, flips):
                images.append(flip_image(x[i].float() / 255, fh, fv))
                targets.append(flip_target(make_target(objs[i], False, masks, width), fh, fv, width))
            losses = model(images, targets)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            sched.step()
            ema.update(model)
            vals = {k: float(v) for k, v in losses.items()}
            avg = vals if avg is None else {k: 0.9 * avg[k] + 0.1 * vals[k] for k in vals}
            if (it + 1) % log_every == 0 or it == 0:
                parts = ' '.join(f'{k.replace("loss_", "")} {v:.3f}' for k, v in avg.items())
                print(f'iter {it + 1}/{iters} loss {sum(avg.values()):.3f} ({parts}) lr {sched.get_last_lr()[0]:.2e} ({timer})',
                      flush=True)
    model.eval()
    return ema.ema.to(memory_format=torch.contiguous_format).eval()


def staged_training(model: nn.Module, args, stage_command: str, stage_info: dict, train_fn) -> tuple[nn.Module, dict]:
    """One training stage of a recipe whose stages chain through checkpoints: trains (or, with
    `args.export_only`, loads `args.checkpoint`), starting from `args.init` when given, and returns
    the model in eval mode with the history of all stages (`command`: the scenes command and every
    stage's command joined by `&&`; `stages`: each stage's `stage_info` with its time). The history
    is written beside the checkpoint (`<checkpoint>.json`) so a later stage or export can extend it.
    `train_fn(model)` returns the trained model (the EMA weights)."""
    timer = Timer()
    if args.export_only:
        model.load_state_dict(torch.load(args.checkpoint, map_location='cpu'))
        with open(args.checkpoint + '.json') as f:
            history = json.load(f)
        return model.eval(), history
    history = {'command': SCENES_COMMAND, 'stages': []}
    if args.init:  # a further stage from an earlier run's weights
        model.load_state_dict(torch.load(args.init, map_location='cpu'))
        with open(args.init + '.json') as f:
            history = json.load(f)
        stage_info['init'] = f'the EMA weights of the previous stage ({args.init})'
    model = train_fn(model)
    torch.save(model.state_dict(), args.checkpoint)
    stage_info['time'] = str(timer)
    history = {'command': f"{history['command']} && {stage_command}", 'stages': history['stages'] + [stage_info]}
    with open(args.checkpoint + '.json', 'w') as f:
        json.dump(history, f, indent=2, ensure_ascii=False)
    print(f'trained ({timer}); checkpoint {args.checkpoint}', flush=True)
    return model.eval(), history


def training_info(scenes: int, history: dict) -> dict:
    """The card's `training` block of a staged recipe."""
    return {
        'data': f'{scenes} synthetic scenes of 256×256 ({SCENES_COMMAND}), random horizontal / vertical flips',
        'stages': history['stages'],
        'machine': MACHINE,
    }


def write_card_keeping_metrics(out_dir: str, card: dict) -> str:
    """Writes `<out_dir>/model.json`; when the card there describes the same files (same sha256),
    its measured `metrics` are kept (same weights, same numbers)."""
    path = os.path.join(out_dir, 'model.json')
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if 'metrics' in old and old.get('files') == card.get('files'):
            card['metrics'] = old['metrics']
    with open(path, 'w') as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write('\n')
    return path
