#!/usr/bin/python3
"""torchvision backbones as feature-map ONNX graphs named like @ocelot/backbones' specs, and the
measurements the package's specs are checked against.

    # export a backbone (random weights unless --weights gives a state_dict of the torchvision model)
    /usr/bin/python3 tooling/python/export/torchvision_backbones.py export resnet50-fpn /tmp/r50fpn.onnx

    # regenerate packages/backbones/src/__fixtures__/ (measured specs + a tiny test graph)
    /usr/bin/python3 tooling/python/export/torchvision_backbones.py fixtures

Names and outputs (see packages/backbones/src/builtins.ts):
- `resnet18|34|50`: `c2`..`c5` = torchvision `layer1`..`layer4`;
- `mobilenet-v3-large|small`: the two layers torchvision's `_mobilenet_extractor` returns to its
  FPN, named by their index in `features` (`13`, `16` / `9`, `12`);
- `vgg16-ssd`: `conv4_3` (L2-normalised and scaled) and `fc7` of `SSDFeatureExtractorVGG`;
- `<name>-fpn`: torchvision's `BackboneWithFPN` outputs `0`, `1`, … and `pool`.

Every graph takes `images` [N, 3, H, W] (dynamic N, H, W). Run with Debian's /usr/bin/python3.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from collections import OrderedDict
from typing import Dict, List

import onnx
import torch
import torch.nn as nn
import torchvision
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.detection.backbone_utils import mobilenet_backbone, resnet_fpn_backbone

OPSET = 16
GENERATOR = "tooling/python/export/torchvision_backbones.py"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "packages", "backbones", "src", "__fixtures__")

RESNETS = {"resnet18", "resnet34", "resnet50"}
MOBILENETS = {"mobilenet-v3-large": ("mobilenet_v3_large", ["13", "16"]), "mobilenet-v3-small": ("mobilenet_v3_small", ["9", "12"])}
NAMES = sorted(RESNETS) + sorted(MOBILENETS) + ["vgg16-ssd"] + [f"{n}-fpn" for n in sorted(RESNETS) + sorted(MOBILENETS)]


class NamedOutputs(nn.Module):
    """Any module returning a dict of feature maps → a tuple, in the given key order."""

    def __init__(self, body: nn.Module, keys: List[str], rename: Dict[str, str] = None):
        super().__init__()
        self.body = body
        self.keys = keys
        self.rename = rename or {}

    def forward(self, images):
        out = self.body(images)
        return tuple(out[k] for k in self.keys)

    def output_names(self) -> List[str]:
        return [self.rename.get(k, k) for k in self.keys]


def build(name: str) -> NamedOutputs:
    """The torchvision module behind a spec name, random weights, eval mode."""
    fpn = name.endswith("-fpn")
    base = name[: -len("-fpn")] if fpn else name
    if base in RESNETS:
        if fpn:
            body = resnet_fpn_backbone(backbone_name=base, weights=None, trainable_layers=0)
            return NamedOutputs(body, ["0", "1", "2", "3", "pool"]).eval()
        model = getattr(torchvision.models, base)(weights=None)
        body = IntermediateLayerGetter(model, {f"layer{i}": f"c{i + 1}" for i in range(1, 5)})
        return NamedOutputs(body, ["c2", "c3", "c4", "c5"]).eval()
    if base in MOBILENETS:
        arch, layers = MOBILENETS[base]
        if fpn:
            body = mobilenet_backbone(backbone_name=arch, weights=None, fpn=True, trainable_layers=0)
            return NamedOutputs(body, ["0", "1", "pool"]).eval()
        features = getattr(torchvision.models, arch)(weights=None).features
        body = IntermediateLayerGetter(features, {k: k for k in layers})
        return NamedOutputs(body, layers).eval()
    if base == "vgg16-ssd" and not fpn:
        model = torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None)
        return NamedOutputs(model.backbone, ["0", "1"], {"0": "conv4_3", "1": "fc7"}).eval()
    raise SystemExit(f"unknown backbone {name!r}; known: {', '.join(NAMES)}")


def normalization(name: str) -> Dict:
    """The normalisation torchvision's detection models apply for this backbone."""
    if name.startswith("vgg16-ssd"):
        t = torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None).transform
    else:
        t = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None).transform
    return {"mean": [float(v) for v in t.image_mean], "std": [float(v) for v in t.image_std]}


@torch.no_grad()
def measure(name: str) -> Dict:
    """Channels and strides measured on two input sizes (one not divisible by 32)."""
    net = build(name)
    sizes = [(300, 300), (300, 300)] if name == "vgg16-ssd" else [(320, 416), (333, 421)]
    shapes = []
    for h, w in sizes:
        outs = net(torch.zeros(1, 3, h, w))
        shapes.append([list(o.shape) for o in outs])
    h, w = sizes[0]
    outputs = []
    for n, s0, s1 in zip(net.output_names(), shapes[0], shapes[1]):
        outputs.append({
            "name": n,
            "channels": int(s0[1]),
            "stride": int(h // s0[2]),
            "sizes": [{"input": list(sizes[0]), "feature": s0[2:]}, {"input": list(sizes[1]), "feature": s1[2:]}],
        })
    return {"name": name, "outputs": outputs, "normalization": normalization(name)}


def export(name: str, path: str, weights: str = None, opset: int = OPSET) -> Dict:
    net = build(name)
    if weights:
        state = torch.load(weights, map_location="cpu")
        target = net.body.body if hasattr(net.body, "body") else net.body
        target.load_state_dict(state, strict=False)
    names = net.output_names()
    side = 300 if name == "vgg16-ssd" else 224
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            net,
            (torch.zeros(1, 3, side, side),),
            buf,
            input_names=["images"],
            output_names=[f"ocelot_out_{i}" for i in range(len(names))],
            dynamic_axes={"images": {0: "batch", 2: "height", 3: "width"}, **{f"ocelot_out_{i}": {0: "batch", 2: f"h{i}", 3: f"w{i}"} for i in range(len(names))}},
            opset_version=opset,
            do_constant_folding=True,
        )
    model = onnx.load_from_string(buf.getvalue())
    # torch.onnx refuses names such as "0"; rename after export
    mapping = {f"ocelot_out_{i}": n for i, n in enumerate(names)}
    for node in model.graph.node:
        for i, v in enumerate(node.output):
            if v in mapping:
                node.output[i] = mapping[v]
        for i, v in enumerate(node.input):
            if v in mapping:
                node.input[i] = mapping[v]
    for v in model.graph.output:
        if v.name in mapping:
            v.name = mapping[v.name]
    onnx.checker.check_model(model)
    model.producer_name = "ocelot torchvision_backbones"
    data = model.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "outputs": names}


class TinyBackbone(nn.Module):
    """A few-kilobyte conv net with a ResNet-like contract (c2 at stride 4, c3 at stride 8),
    for the package's ONNX tests."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, 2, 1), nn.ReLU(), nn.Conv2d(4, 8, 3, 2, 1), nn.ReLU())
        self.down = nn.Sequential(nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU())

    def forward(self, images):
        c2 = self.stem(images)
        return c2, self.down(c2)


def fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    doc = OrderedDict()
    doc["generator"] = GENERATOR
    doc["description"] = "torchvision 0.14 backbones measured on zero inputs (random weights): output names, channels, strides and the feature sizes for two input sizes; the normalisation of the detection models that use them."
    doc["backbones"] = [measure(n) for n in NAMES]
    with open(os.path.join(FIXTURES, "torchvision_backbones.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    torch.manual_seed(0)
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            TinyBackbone().eval(),
            (torch.zeros(1, 3, 64, 64),),
            buf,
            input_names=["images"],
            output_names=["c2", "c3"],
            dynamic_axes={"images": {0: "batch", 2: "height", 3: "width"}, "c2": {0: "batch", 2: "h2", 3: "w2"}, "c3": {0: "batch", 2: "h3", 3: "w3"}},
            opset_version=OPSET,
        )
    model = onnx.load_from_string(buf.getvalue())
    model.producer_name = "ocelot torchvision_backbones"
    with open(os.path.join(FIXTURES, "tiny_backbone.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    print(f"wrote {FIXTURES}/torchvision_backbones.json and tiny_backbone.onnx")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="export one backbone")
    e.add_argument("name", choices=NAMES)
    e.add_argument("out")
    e.add_argument("--weights", help="state_dict .pth of the torchvision model (default random weights)")
    e.add_argument("--opset", type=int, default=OPSET)
    sub.add_parser("fixtures", help="regenerate packages/backbones/src/__fixtures__")
    m = sub.add_parser("measure", help="print the measured spec of one backbone")
    m.add_argument("name", choices=NAMES)
    args = p.parse_args(argv)
    if args.command == "export":
        info = export(args.name, args.out, args.weights, args.opset)
        print(json.dumps(info, indent=1))
    elif args.command == "measure":
        print(json.dumps(measure(args.name), indent=1))
    else:
        fixtures()


if __name__ == "__main__":
    sys.exit(main())
