#!/usr/bin/python3
"""Export a torchvision Faster R-CNN / Mask R-CNN as the separate ONNX graphs Ocelot composes.

torchvision 0.14's `GeneralizedRCNN` is cut where the networks end and the box maths begins;
everything between the graphs (transform, anchors, proposal decoding, NMS, RoI Align, box
decoding, mask pasting) runs in TypeScript in @ocelot/detectors (`faster-rcnn`):

| file            | input(s)                                  | output(s)                                          |
|-----------------|-------------------------------------------|----------------------------------------------------|
| backbone.onnx   | `images` [1, 3, H, W] normalised, padded  | one feature map per level, named as torchvision    |
|                 |                                           | names them (`0`, `1`, `2`, `3`, `pool` for FPN)    |
| rpn_head.onnx   | one input per level, named as the levels  | `objectness_<level>` [1, A, H_l, W_l] and          |
|                 |                                           | `bbox_deltas_<level>` [1, 4A, H_l, W_l] (raw conv  |
|                 |                                           | layout, exactly what `RPNHead` returns)            |
| box_head.onnx   | `box_features` [K, C, 7, 7]               | `class_logits` [K, classes + 1],                   |
|                 |                                           | `box_regression` [K, 4 (classes + 1)]              |
| mask_head.onnx  | `mask_features` [K, C, 14, 14]            | `mask_logits` [K, classes + 1, 28, 28]             |
| (Mask R-CNN)    |                                           |                                                    |

Every spatial dim and K are dynamic. The folder also gets `model.json`: an Ocelot model card
skeleton (architecture config read from the model's own modules, files with sha256 and
size, normalisation, labels) that @ocelot/detectors loads as it is.

Use it as a function (training recipes):

    from torchvision_rcnn_split import export_rcnn_split
    card = export_rcnn_split(model, "models/my-frcnn", model_id="my-frcnn", labels=["cat", "dog"])

or from the command line, with a torchvision builder name (random weights unless --weights
names a state_dict file, since this machine has no network):

    /usr/bin/python3 tooling/python/export/torchvision_rcnn_split.py \
        --builder fasterrcnn_resnet50_fpn --num-classes 91 --out /tmp/frcnn

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14, onnx 1.12).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import onnx
import torch
import torch.nn as nn

OPSET = 16
PRODUCER = "ocelot torchvision_rcnn_split"
GENERATOR = "tooling/python/export/torchvision_rcnn_split.py"


# ----------------------------------------------------------------------------------------------
# The graphs


class BackboneGraph(nn.Module):
    """`model.backbone` with its feature dict flattened to a tuple (levels in dict order). A
    backbone that returns one tensor becomes level `0`, as GeneralizedRCNN does."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, images):
        features = self.backbone(images)
        if isinstance(features, torch.Tensor):
            return (features,)
        return tuple(features.values())


class RpnHeadGraph(nn.Module):
    """`model.rpn.head` on every level: objectness logits of all levels, then all deltas."""

    def __init__(self, head: nn.Module):
        super().__init__()
        self.head = head

    def forward(self, *features):
        logits, deltas = self.head(list(features))
        return tuple(logits) + tuple(deltas)


class BoxHeadGraph(nn.Module):
    """`box_head` (e.g. TwoMLPHead) + `box_predictor` (FastRCNNPredictor)."""

    def __init__(self, roi_heads: nn.Module):
        super().__init__()
        self.box_head = roi_heads.box_head
        self.box_predictor = roi_heads.box_predictor

    def forward(self, box_features):
        return self.box_predictor(self.box_head(box_features))


class MaskHeadGraph(nn.Module):
    """`mask_head` (MaskRCNNHeads) + `mask_predictor` (MaskRCNNPredictor)."""

    def __init__(self, roi_heads: nn.Module):
        super().__init__()
        self.mask_head = roi_heads.mask_head
        self.mask_predictor = roi_heads.mask_predictor

    def forward(self, mask_features):
        return self.mask_predictor(self.mask_head(mask_features))


def _placeholder(name: str) -> str:
    # torch.onnx refuses names such as "0" (TorchScript debug names may not be numbers), which
    # is how torchvision names FPN levels; export under a placeholder and rename afterwards.
    return f"ocelot_value_{name}" if name[:1].isdigit() else name


def _rename(model: onnx.ModelProto, mapping: Dict[str, str]) -> None:
    g = model.graph
    for node in g.node:
        for i, v in enumerate(node.input):
            if v in mapping:
                node.input[i] = mapping[v]
        for i, v in enumerate(node.output):
            if v in mapping:
                node.output[i] = mapping[v]
    for value in list(g.input) + list(g.output) + list(g.value_info):
        if value.name in mapping:
            value.name = mapping[value.name]


def _export(module, args, path, input_names, output_names, dynamic_axes, opset) -> dict:
    mapping = {_placeholder(n): n for n in list(input_names) + list(output_names) if _placeholder(n) != n}
    axes = {_placeholder(k): v for k, v in dynamic_axes.items()}
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            buf,
            input_names=[_placeholder(n) for n in input_names],
            output_names=[_placeholder(n) for n in output_names],
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=True,
        )
    model = onnx.load_from_string(buf.getvalue())
    _rename(model, mapping)
    onnx.checker.check_model(model)
    model.producer_name = PRODUCER
    model.producer_version = "1"
    data = model.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return {"path": os.path.basename(path), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def feature_names(model: nn.Module, example: torch.Tensor) -> List[str]:
    """The backbone's output names, in order (a tensor output is level `0`)."""
    with torch.no_grad():
        out = model.backbone(example)
    return ["0"] if isinstance(out, torch.Tensor) else list(out.keys())


def _round_up(v: int, m: int) -> int:
    return (v + m - 1) // m * m


def _floats(values) -> List[float]:
    return [float(v) for v in values]


# ----------------------------------------------------------------------------------------------
# The model card


def architecture_config(model: nn.Module, names: Sequence[str]) -> Dict:
    """The `architecture` of Ocelot's card, read from the model's modules (torchvision 0.14
    attribute names). Only test-time settings are read."""
    t = model.transform
    rpn = model.rpn
    heads = model.roi_heads
    ag = rpn.anchor_generator
    pool = heads.box_roi_pool
    if type(pool).__name__ != "MultiScaleRoIAlign":
        raise ValueError(f"box_roi_pool is {type(pool).__name__}; only MultiScaleRoIAlign is supported")
    out = pool.output_size
    transform = {
        "minSize": int(t.min_size[-1]),
        "maxSize": int(t.max_size),
        "sizeDivisible": int(t.size_divisible),
    }
    if t.fixed_size is not None:
        transform["fixedSize"] = [int(t.fixed_size[0]), int(t.fixed_size[1])]
    arch = {
        "type": "mask-rcnn" if getattr(heads, "mask_head", None) is not None else "faster-rcnn",
        "featureNames": list(names),
        "transform": transform,
        "anchors": {
            "sizes": [[float(s) for s in level] for level in ag.sizes],
            "aspectRatios": [[float(r) for r in level] for level in ag.aspect_ratios],
        },
        "rpn": {
            "preNmsTopN": int(rpn._pre_nms_top_n["testing"]),
            "postNmsTopN": int(rpn._post_nms_top_n["testing"]),
            "nmsThresh": float(rpn.nms_thresh),
            "scoreThresh": float(rpn.score_thresh),
            "minSize": float(rpn.min_size),
            "boxCoderWeights": _floats(rpn.box_coder.weights),
        },
        "roiHeads": {
            "featureNames": list(pool.featmap_names),
            "outputSize": [int(out[0]), int(out[1])],
            "samplingRatio": int(pool.sampling_ratio),
            "canonicalScale": int(pool.canonical_scale),
            "canonicalLevel": int(pool.canonical_level),
            "boxCoderWeights": _floats(heads.box_coder.weights),
            "scoreThresh": float(heads.score_thresh),
            "nmsThresh": float(heads.nms_thresh),
            "detectionsPerImg": int(heads.detections_per_img),
        },
        "bboxXformClip": float(rpn.box_coder.bbox_xform_clip),
    }
    if arch["type"] == "mask-rcnn":
        mp = heads.mask_roi_pool
        mo = mp.output_size
        arch["roiHeads"]["mask"] = {
            "featureNames": list(mp.featmap_names),
            "outputSize": [int(mo[0]), int(mo[1])],
            "samplingRatio": int(mp.sampling_ratio),
        }
    return arch


# ----------------------------------------------------------------------------------------------
# The entry point


def export_rcnn_split(
    model: nn.Module,
    out_dir: str,
    *,
    model_id: str = "faster-rcnn",
    labels: Optional[Sequence[str]] = None,
    example_size: Optional[Sequence[int]] = None,
    opset: int = OPSET,
    name: Optional[str] = None,
    description: Optional[str] = None,
    reproduce: Optional[str] = None,
    license: Optional[str] = None,
) -> Dict:
    """Writes backbone.onnx, rpn_head.onnx, box_head.onnx (+ mask_head.onnx for Mask R-CNN)
    and model.json to `out_dir`; returns the card (a dict).

    model: a torchvision `FasterRCNN` or `MaskRCNN` (any backbone with `out_channels`; the RoI
        pooler must be a `MultiScaleRoIAlign`). It is put in eval mode.
    labels: class names without the background (class 1 first); default `class_1`, ….
    example_size: (height, width) of the tracing example; default the transform's min size
        square, rounded up to its size divisibility. Every spatial dim is exported dynamic.
    """
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    t = model.transform
    if example_size is None:
        side = _round_up(int(t.min_size[-1]), int(t.size_divisible))
        example_size = (side, side)
    h, w = int(example_size[0]), int(example_size[1])
    images = torch.zeros(1, 3, h, w)
    names = feature_names(model, images)
    files: Dict[str, Dict] = {}

    # backbone.onnx
    files["backbone"] = _export(
        BackboneGraph(model.backbone).eval(),
        (images,),
        os.path.join(out_dir, "backbone.onnx"),
        ["images"],
        list(names),
        {"images": {2: "height", 3: "width"}, **{n: {2: f"height_{n}", 3: f"width_{n}"} for n in names}},
        opset,
    )

    # rpn_head.onnx, fed the backbone's own features for the example
    with torch.no_grad():
        feats = BackboneGraph(model.backbone).eval()(images)
    obj_names = [f"objectness_{n}" for n in names]
    delta_names = [f"bbox_deltas_{n}" for n in names]
    axes = {}
    for n, o, d in zip(names, obj_names, delta_names):
        dims = {2: f"height_{n}", 3: f"width_{n}"}
        axes[n] = dims
        axes[o] = dims
        axes[d] = dims
    files["rpnHead"] = _export(
        RpnHeadGraph(model.rpn.head).eval(),
        tuple(feats),
        os.path.join(out_dir, "rpn_head.onnx"),
        list(names),
        obj_names + delta_names,
        axes,
        opset,
    )

    # box_head.onnx
    heads = model.roi_heads
    channels = int(feats[0].shape[1])
    oh, ow = heads.box_roi_pool.output_size
    files["boxHead"] = _export(
        BoxHeadGraph(heads).eval(),
        (torch.zeros(3, channels, int(oh), int(ow)),),
        os.path.join(out_dir, "box_head.onnx"),
        ["box_features"],
        ["class_logits", "box_regression"],
        {"box_features": {0: "rois"}, "class_logits": {0: "rois"}, "box_regression": {0: "rois"}},
        opset,
    )

    # mask_head.onnx
    if getattr(heads, "mask_head", None) is not None:
        mh, mw = heads.mask_roi_pool.output_size
        files["maskHead"] = _export(
            MaskHeadGraph(heads).eval(),
            (torch.zeros(3, channels, int(mh), int(mw)),),
            os.path.join(out_dir, "mask_head.onnx"),
            ["mask_features"],
            ["mask_logits"],
            {"mask_features": {0: "rois"}, "mask_logits": {0: "rois"}},
            opset,
        )

    arch = architecture_config(model, names)
    num_classes = int(heads.box_predictor.cls_score.out_features) - 1
    if labels is None:
        labels = [f"class_{i + 1}" for i in range(num_classes)]
    if len(labels) != num_classes:
        raise ValueError(f"{len(labels)} labels for a model with {num_classes} classes (+ background)")
    card = OrderedDict()
    card["id"] = model_id
    if name:
        card["name"] = name
    card["task"] = "instance-segment" if arch["type"] == "mask-rcnn" else "detect"
    card["architecture"] = arch
    card["files"] = files
    # The R-CNN transform ignores input.resize / width / height (it resizes the shorter side to
    # architecture.transform.minSize); the card format requires a resize mode, so it says stretch.
    card["input"] = {
        "name": "images",
        "resize": "stretch",
        "scale": 1 / 255,
        "mean": _floats(t.image_mean),
        "std": _floats(t.image_std),
    }
    card["labels"] = list(labels)
    if description:
        card["description"] = description
    if license:
        card["license"] = license
    card["reproduce"] = reproduce or f"/usr/bin/python3 {GENERATOR} " + " ".join(sys.argv[1:])
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    return card


def _main(argv=None):
    import torchvision

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--builder", required=True, help="torchvision.models.detection builder, e.g. fasterrcnn_resnet50_fpn")
    p.add_argument("--num-classes", type=int, default=91, help="classes including the background (torchvision's num_classes)")
    p.add_argument("--weights", help="a state_dict .pth file to load (default: random weights)")
    p.add_argument("--min-size", type=int, help="transform min_size (default: the builder's)")
    p.add_argument("--max-size", type=int, help="transform max_size (default: the builder's)")
    p.add_argument("--labels", help="comma-separated class names without the background")
    p.add_argument("--id", default=None, help="model id for model.json (default: the builder name)")
    p.add_argument("--seed", type=int, default=0, help="torch seed for random weights")
    p.add_argument("--opset", type=int, default=OPSET)
    p.add_argument("--out", required=True, help="output folder")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    builder = getattr(torchvision.models.detection, args.builder)
    kwargs = {"weights": None, "weights_backbone": None, "num_classes": args.num_classes}
    if args.min_size:
        kwargs["min_size"] = args.min_size
    if args.max_size:
        kwargs["max_size"] = args.max_size
    model = builder(**kwargs)
    if args.weights:
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    labels = args.labels.split(",") if args.labels else None
    card = export_rcnn_split(model, args.out, model_id=args.id or args.builder, labels=labels, opset=args.opset)
    for role, f in card["files"].items():
        print(f"{role}: {os.path.join(args.out, f['path'])} ({f['bytes']} bytes)")
    print(f"card: {os.path.join(args.out, 'model.json')}")


if __name__ == "__main__":
    _main()
