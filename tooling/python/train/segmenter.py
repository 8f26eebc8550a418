#!/usr/bin/env python3
"""Trains Ocelot's small semantic segmenters on the synthetic shapes' label maps and exports them
to ONNX.

Two architectures (`--arch`):

* `fcn` — FCN-8s: a C2f (CSP) backbone with skip score layers at strides 8 / 16 / 32. The
  stride-32 scores are upsampled ×2 by a learned transposed conv (bilinear-initialised, as in
  Long et al.), summed with the stride-16 scores, upsampled ×2 again, summed with the stride-8
  scores, then bilinearly resized ×8 to the input size. Output `out` [N, C, H, W]: logits at
  input resolution, like torchvision's FCN.
* `unet` — U-Net: an encoder to stride 32 (the same C2f stack) and a decoder of ×2 nearest
  upsampling, skip concatenation and convs at every level back to stride 2 (`--decoder-stride 4`:
  stride 4, the shipped model), whose class scores are resized bilinearly to the input. Output
  `probs` [N, C, H, W]: softmax probabilities at input resolution.

C = K + 1 classes, 0 = background. Input `input` [N, 3, H, W] RGB / 255 (no mean / std), any H, W
divisible by 32 (the card fixes 256×256). Training uses whole scenes with random flips; loss is cross-entropy.
Validation mean IU (over all C classes, VOC style) is printed as the run goes. Crops much smaller
than the largest shapes (~150 px) hurt: a fragment of a large shape is ambiguous.

    nice -n 10 /usr/bin/python3 tooling/python/train/segmenter.py --arch fcn --data /tmp/ocelot-scenes

Each card's `reproduce` has the exact command of the shipped model; models/README.md has the
whole-recipe wall times. The shipped U-Net's decoder ends at stride 4: its stride-2 level
was 29 % of the multiply-adds, and without it 8 + 6 epochs (progressive resizing) ran in 18.05 min
instead of 21.5, at held-out mean IU 0.863 (0.862 with the stride-2 level).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import omp  # noqa: E402,F401  (OpenMP's wait policy, before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from common import (MACHINE, C2f, SPPF, Conv, EVAL_COMMAND, SCENES_COMMAND, ModelEMA, Timer, file_entry,  # noqa: E402
                    load_split, param_groups, setup, warmup_cosine, write_card)

DEFAULTS: dict = {}


def bilinear_kernel(channels: int, k: int) -> torch.Tensor:
    f = (k + 1) // 2
    c = f - 1 if k % 2 == 1 else f - 0.5
    og = torch.arange(k, dtype=torch.float32)
    filt = 1 - (og - c).abs() / f
    w = torch.zeros(channels, channels, k, k)
    for i in range(channels):
        w[i, i] = filt[:, None] * filt[None, :]
    return w


class FCN8s(nn.Module):
    def __init__(self, num_classes: int, width=(16, 32, 64, 96, 128), sppf: bool = False, skip4: bool = False):
        super().__init__()
        c1, c2, c3, c4, c5 = width
        self.stem = Conv(3, c1, 3, 2)
        self.s2 = nn.Sequential(Conv(c1, c2, 3, 2), C2f(c2, c2, 1))
        self.s3 = nn.Sequential(Conv(c2, c3, 3, 2), C2f(c3, c3, 2))  # stride 8  (pool3)
        self.s4 = nn.Sequential(Conv(c3, c4, 3, 2), C2f(c4, c4, 2))  # stride 16 (pool4)
        # stride 32 (pool5); SPPF's chained 5×5 max pools widen the context to the whole scene
        self.s5 = nn.Sequential(Conv(c4, c5, 3, 2), C2f(c5, c5, 1), *([SPPF(c5)] if sppf else []))
        self.fc = nn.Sequential(Conv(c5, c5, 3), nn.Dropout2d(0.1), Conv(c5, c5, 1))  # "fc6/fc7"
        self.score_fr = nn.Conv2d(c5, num_classes, 1)
        self.score_pool4 = nn.Conv2d(c4, num_classes, 1)
        self.score_pool3 = nn.Conv2d(c3, num_classes, 1)
        self.upscore2 = nn.ConvTranspose2d(num_classes, num_classes, 4, 2, 1, bias=False)
        self.upscore_pool4 = nn.ConvTranspose2d(num_classes, num_classes, 4, 2, 1, bias=False)
        ups, skips = [self.upscore2, self.upscore_pool4], [self.score_pool4, self.score_pool3]
        # `skip4`: one more step of the same pattern, from the stride-4 features ("FCN-4s"): on these
        # scenes most FCN-8s errors sit within 3 px of a shape's edge, not in its interior
        self.skip4 = skip4
        if skip4:
            self.score_pool2 = nn.Conv2d(c2, num_classes, 1)
            self.upscore_pool3 = nn.ConvTranspose2d(num_classes, num_classes, 4, 2, 1, bias=False)
            ups.append(self.upscore_pool3)
            skips.append(self.score_pool2)
        for up in ups:
            up.weight.data.copy_(bilinear_kernel(num_classes, 4))
        # FCN-8s scales the skip scores down at the start (Long et al. use 0.01 / 0.0001).
        for s in skips:
            nn.init.zeros_(s.weight)
            nn.init.zeros_(s.bias)

    def forward(self, x):
        size = x.shape[-2:]
        p2 = self.s2(self.stem(x))
        p3 = self.s3(p2)
        p4 = self.s4(p3)
        p5 = self.s5(p4)
        s = self.upscore2(self.score_fr(self.fc(p5))) + self.score_pool4(p4)
        s = self.upscore_pool4(s) + self.score_pool3(p3)
        if self.skip4:
            s = self.upscore_pool3(s) + self.score_pool2(p2)
        return F.interpolate(s, size=size, mode='bilinear', align_corners=False)


class UNet(nn.Module):
    """U-Net: an encoder down to stride 32 and a decoder that, per level, upsamples ×2 (nearest),
    concatenates the encoder features of that level (the skip) and convolves, back up to stride
    `decoder_stride` (2 or 4); the class scores there are resized bilinearly to the input size. The
    encoder is the same C2f (CSP) stack as the FCN's rather than plain double convs (residual blocks
    train several times faster on this CPU budget). The decoder never goes to full resolution:
    full-resolution layers with few channels cost more on a CPU than the whole rest of the network.
    Its stride-2 level alone (a 3×3 conv of 48 → 16 channels at 128²) is 29 % of the network's
    multiply-adds, so `decoder_stride=4` ends at the stride-4 skip, as the FCN-4s does."""

    def __init__(self, num_classes: int, width=(16, 32, 64, 96, 128), decoder_stride: int = 2):
        super().__init__()
        if decoder_stride not in (2, 4):
            raise ValueError(f'decoder_stride must be 2 or 4, got {decoder_stride}')
        c1, c2, c3, c4, c5 = width
        self.stem = Conv(3, c1, 3, 2)  # stride 2
        self.s2 = nn.Sequential(Conv(c1, c2, 3, 2), C2f(c2, c2, 1))  # stride 4
        self.s3 = nn.Sequential(Conv(c2, c3, 3, 2), C2f(c3, c3, 2))  # stride 8
        self.s4 = nn.Sequential(Conv(c3, c4, 3, 2), C2f(c4, c4, 2))  # stride 16
        self.s5 = nn.Sequential(Conv(c4, c5, 3, 2), C2f(c5, c5, 1))  # stride 32
        self.up = nn.Upsample(scale_factor=2.0, mode='nearest')
        self.dec = nn.ModuleList()
        c_in = c5
        skips = (c4, c3, c2, c1) if decoder_stride == 2 else (c4, c3, c2)  # the levels the decoder rises through
        for c_skip in skips:
            self.dec.append(C2f(c_in + c_skip, c_skip, 1) if c_skip >= 32 else Conv(c_in + c_skip, c_skip, 3))
            c_in = c_skip
        self.head = nn.Conv2d(c_in, num_classes, 1)
        self.softmax = False  # export switches the softmax on

    def forward(self, x):
        size = x.shape[-2:]
        y = self.stem(x)
        skips = [y]
        for stage in (self.s2, self.s3, self.s4):
            y = stage(y)
            skips.append(y)
        y = self.s5(y)
        for dec in self.dec:  # from stride 16 up; the stride-2 skip stays unused with decoder_stride 4
            y = dec(torch.cat((self.up(y), skips.pop()), 1))
        y = F.interpolate(self.head(y), size=size, mode='bilinear', align_corners=False)
        return y.softmax(1) if self.softmax else y


def build(arch: str, num_classes: int, sppf: bool = False, skip4: bool = False, decoder_stride: int = 2) -> nn.Module:
    if arch == 'fcn':
        return FCN8s(num_classes, sppf=sppf, skip4=skip4)
    return UNet(num_classes, decoder_stride=decoder_stride)


@torch.no_grad()
def confusion(model, x_uint8, y, num_classes, batch=16):
    model.eval()
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    for i in range(0, x_uint8.shape[0], batch):
        pred = model(x_uint8[i:i + batch].float() / 255).argmax(1)
        t = y[i:i + batch].long()
        cm += torch.bincount(t.flatten() * num_classes + pred.flatten(),
                             minlength=num_classes ** 2).view(num_classes, num_classes)
    return cm


def seg_metrics(cm: torch.Tensor) -> dict:
    cm = cm.double()
    tp = cm.diag()
    iou = tp / (cm.sum(0) + cm.sum(1) - tp).clamp(min=1)
    return {
        'pixelAccuracy': float(tp.sum() / cm.sum()),
        'meanAccuracy': float((tp / cm.sum(1).clamp(min=1)).mean()),
        'meanIoU': float(iou.mean()),
        'iou': [float(v) for v in iou],
    }


def random_crops(x, y, size, gen, rot90=False):
    """Random crops with random flips (and, with `rot90`, quarter turns: every shape class is
    rotation-invariant, so the 8 symmetries of the square are free data)."""
    n, _, h, w = x.shape
    ox = torch.randint(0, w - size + 1, (n,), generator=gen)
    oy = torch.randint(0, h - size + 1, (n,), generator=gen)
    flips = torch.rand(n, 2, generator=gen)
    turns = torch.randint(0, 4, (n,), generator=gen).tolist() if rot90 else [0] * n
    xs, ys = [], []
    for i in range(n):
        xi = x[i, :, oy[i]:oy[i] + size, ox[i]:ox[i] + size]
        yi = y[i, oy[i]:oy[i] + size, ox[i]:ox[i] + size]
        if flips[i, 0] < 0.5:
            xi, yi = xi.flip(-1), yi.flip(-1)
        if flips[i, 1] < 0.5:
            xi, yi = xi.flip(-2), yi.flip(-2)
        if turns[i]:
            xi, yi = xi.rot90(turns[i], (-2, -1)), yi.rot90(turns[i], (-2, -1))
        xs.append(xi)
        ys.append(yi)
    return torch.stack(xs), torch.stack(ys)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', choices=('fcn', 'unet'), required=True)
    ap.add_argument('--data', default='/tmp/ocelot-scenes')
    ap.add_argument('--out', default='')
    ap.add_argument('--epochs', type=int, default=None, help='default: fcn 12, unet 8')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--crop', type=int, default=None, help='training crop side; default 256 (the whole scene)')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--train-count', type=int, default=0)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--sppf', action='store_true', help='fcn: SPPF context block after the stride-32 stage')
    ap.add_argument('--skip4', action='store_true', help='fcn: one more skip, from the stride-4 features (FCN-4s)')
    ap.add_argument('--decoder-stride', type=int, choices=(2, 4), default=2,
                    help='unet: the stride the decoder rises to before the bilinear resize to the input')
    ap.add_argument('--rot90', action='store_true', help='also augment with random quarter turns')
    ap.add_argument('--low-res-epochs', type=int, default=0,
                    help='train the first N epochs on scenes downscaled ×2 (a step costs ~1/3; progressive resizing)')
    ap.add_argument('--bench', action='store_true')
    ap.add_argument('--export-only', default='', help='export a saved state dict (no training)')
    ap.add_argument('--train-time', default='', help='with --export-only: the training run\'s time, for the card')
    args = ap.parse_args()
    DEFAULTS.update({a.dest: a.default for a in ap._actions})
    if args.epochs is None:
        args.epochs = 12 if args.arch == 'fcn' else 8
    if args.crop is None:
        args.crop = 256
    if args.decoder_stride != 2 and args.arch != 'unet':
        ap.error('--decoder-stride is a U-Net option')
    if args.low_res_epochs and args.crop % 64:
        # half the crop must stay a multiple of the network's stride 32 (and avg_pool2d / [::2] agree on even sides)
        ap.error(f'--low-res-epochs needs a --crop divisible by 64, got {args.crop}')
    setup(args.seed)
    timer = Timer()
    model_id = f'ocelot-shapes-{args.arch}'
    out_dir = os.path.abspath(args.out or os.path.join(os.path.dirname(__file__), '..', '..', '..', 'models', model_id))
    if args.export_only:
        with open(os.path.join(args.data, 'train', 'annotations.json')) as f:
            names = [c['name'] for c in sorted(json.load(f)['categories'], key=lambda c: c['id'])]
        model = build(args.arch, len(names) + 1, args.sppf, args.skip4, args.decoder_stride)
        model.load_state_dict(torch.load(args.export_only))
        export(model.eval(), args, names, out_dir, model_id, 256, args.train_time or str(timer))
        return

    _, x_tr, _, y_tr, names = load_split(args.data, 'train', masks=True)
    if args.train_count:
        x_tr, y_tr = x_tr[:args.train_count], y_tr[:args.train_count]
    _, x_va, _, y_va, _ = load_split(args.data, 'val', masks=True)
    num_classes = len(names) + 1
    print(f'data: {x_tr.shape[0]} train, {x_va.shape[0]} val, classes background + {names} ({timer})', flush=True)

    # channels-last convs are ~13 % faster on this CPU build (oneDNN); the export converts back
    model = build(args.arch, num_classes, args.sppf, args.skip4, args.decoder_stride).to(memory_format=torch.channels_last)
    print(f'model: {args.arch}, {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters', flush=True)
    ema = ModelEMA(model)
    opt = torch.optim.AdamW(param_groups(model, 5e-4), lr=args.lr)
    steps_per_epoch = x_tr.shape[0] // args.batch
    total = steps_per_epoch * args.epochs
    warmup = min(200, total // 10)
    gen = torch.Generator().manual_seed(args.seed)

    def lr_at(step):
        return args.lr * warmup_cosine(step, total, warmup)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(x_tr.shape[0], generator=gen)
        running = 0.0
        for bi in range(steps_per_epoch):
            idx = order[bi * args.batch:(bi + 1) * args.batch]
            xb, yb = random_crops(x_tr[idx], y_tr[idx], args.crop, gen, args.rot90)
            xb = xb.float() / 255
            if epoch < args.low_res_epochs:
                # progressive resizing: early epochs see whole scenes at half size (area-averaged pixels,
                # every other label), so many more scenes fit in the same CPU budget
                xb, yb = F.avg_pool2d(xb, 2), yb[:, ::2, ::2]
            for g in opt.param_groups:
                g['lr'] = lr_at(step)
            loss = F.cross_entropy(model(xb.contiguous(memory_format=torch.channels_last)), yb.long())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            ema.update(model)
            step += 1
            running += loss.item()
            if args.bench and step == 20:
                print(f'bench: 20 steps of {args.batch}×{args.crop}² ({timer})')
                return
            if step % 50 == 0:
                print(f'epoch {epoch + 1}/{args.epochs} step {step}/{total} loss {running / 50:.4f} '
                      f'lr {lr_at(step):.2e} ({timer})', flush=True)
                running = 0.0
        if epoch % 2 == 1 or epoch == args.epochs - 1:
            m = seg_metrics(confusion(ema.ema, x_va, y_va, num_classes))
            print(f'epoch {epoch + 1}: val mIoU {m["meanIoU"]:.4f} pixel acc {m["pixelAccuracy"]:.4f} '
                  f'IoU {[round(v, 3) for v in m["iou"]]} ({timer})', flush=True)

    export(ema.ema, args, names, out_dir, model_id, x_va.shape[-1], timer)


def export(model, args, names, out_dir, model_id, imgsz, timer):
    import onnx

    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, 'model.onnx')
    model = model.eval().to(memory_format=torch.contiguous_format)
    output = 'out'
    if args.arch == 'unet':
        model.softmax = True
        output = 'probs'
    torch.onnx.export(model, torch.zeros(1, 3, imgsz, imgsz), onnx_path, opset_version=17,
                      input_names=['input'], output_names=[output], do_constant_folding=True)
    m = onnx.load(onnx_path)
    meta = {'description': f'Ocelot {args.arch} semantic segmenter for synthetic shapes', 'author': 'Ocelot',
            'license': 'MIT', 'task': 'segment', 'imgsz': str([imgsz, imgsz]),
            'names': str({i: n for i, n in enumerate(['background', *names])})}
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    torch.save(model.state_dict(), f'/tmp/{model_id}.pt')
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) ({timer})', flush=True)
    flags = ' '.join(f'--{k.replace("_", "-")}' + ('' if v is True else f' {v}') for k, v in vars(args).items()
                     if k not in ('out', 'data', 'bench', 'export_only', 'train_time', 'arch') and v != DEFAULTS.get(k))
    n_params = sum(p.numel() for p in model.parameters()) / 1e6
    if args.arch == 'fcn':
        architecture = {'type': 'fcn', 'variant': '4s' if args.skip4 else '8s', 'output': 'out', 'values': 'logits'}
        v = '4s' if args.skip4 else '8s'
        strides = '4/8/16/32' if args.skip4 else '8/16/32'
        name = f'Ocelot shapes FCN-{v}'
        what = (f'FCN-{v} ({n_params:.2f} M parameters): C2f (CSP) backbone{" with SPPF" if args.sppf else ""}, '
                f'score layers at strides {strides} fused by learned ×2 transposed convs (the FCN-8s skip pattern'
                f'{", one step further" if args.skip4 else ""}), bilinear ×{v[0]} to the input size; output `out` '
                '[1, 7, H, W] logits (torchvision FCN layout).')
    else:
        architecture = {'type': 'unet', 'output': 'probs', 'values': 'probabilities'}
        name = 'Ocelot shapes U-Net'
        what = (f'U-Net ({n_params:.2f} M parameters): C2f (CSP) encoder to stride 32, decoder of ×2 nearest '
                f'upsampling with skip concatenation and convs at every level back to stride {args.decoder_stride}, '
                'scores resized '
                'bilinearly to the input; output `probs` [1, 7, H, W] softmax probabilities.')
    card = {
        'id': model_id,
        'name': name,
        'task': 'segment',
        'architecture': architecture,
        'files': {'model': file_entry(onnx_path, out_dir)},
        'input': {'name': 'input', 'width': imgsz, 'height': imgsz, 'resize': 'stretch', 'layout': 'nchw',
                  'channelOrder': 'rgb', 'scale': 1 / 255},
        'labels': ['background', *names],
        'license': 'MIT',
        'description': (f'Ocelot\'s own semantic segmenter for the six synthetic shape classes of @ocelot/datasets '
                        f'generateScene (label 0 = background). {what} Trained only on generated scenes: it '
                        'knows nothing of real photos.'),
        'reproduce': (f'{SCENES_COMMAND} && nice -n 10 /usr/bin/python3 tooling/python/train/segmenter.py '
                      f'--arch {args.arch} --data /tmp/ocelot-scenes {flags}'.rstrip() + ' && '
                      + EVAL_COMMAND.format(id=model_id)),
        'training': {
            'data': 'generateDataset seeds 1 (train, 4000 scenes) and 2 (val, 200), 256x256 label maps',
            'epochs': args.epochs, **({'lowResEpochs': args.low_res_epochs} if args.low_res_epochs else {}), 'batch': args.batch, 'crop': args.crop, 'seed': args.seed, 'time': str(timer),
            'machine': MACHINE,
        },
    }
    print(f'wrote {write_card(out_dir, card)}', flush=True)


if __name__ == '__main__':
    main()
