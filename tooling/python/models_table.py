#!/usr/bin/python3
"""Writes the table of Ocelot's trained models (from each card's metrics, files and training
times) into README.md and models/README.md, between their `<!-- models-table -->` markers.

    /usr/bin/python3 tooling/python/models_table.py

The metrics come from the cards, which zoo_eval.ts / classic_eval.ts wrote from runs through
Ocelot's TypeScript pipeline; nothing here measures anything."""
from __future__ import annotations

import json
import os
import re

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ORDER = ['ocelot-shapes-yolo', 'shapes-ssdlite', 'shapes-faster-rcnn', 'shapes-mask-rcnn', 'ocelot-shapes-fcn',
         'ocelot-shapes-unet', 'classic-shapes-sliding-window', 'classic-shapes-overfeat', 'classic-shapes-rcnn',
         'classic-shapes-fast-rcnn']


def _seconds(time: str, kind: str) -> int | None:
    """`kind` ('wall' or 'cpu') seconds from a Timer string such as 'wall 1037s cpu 1640s'."""
    m = re.search(rf'{kind} (\d+)s', time)
    return int(m.group(1)) if m else None


def training_minutes(training: dict) -> str:
    """'<cpu> CPU-min · <wall> min' over all stages of a card's training block."""
    times = [st['time'] for st in training.get('stages', []) if 'time' in st] or \
        ([training['time']] if 'time' in training else [])
    if not times:
        return f"{training['cpu_seconds'] / 60:.0f} CPU-min" if 'cpu_seconds' in training else '—'
    cpu = sum(_seconds(t, 'cpu') or 0 for t in times)
    walls = [_seconds(t, 'wall') for t in times]
    wall = f' · {sum(walls) / 60:.1f} min' if all(w is not None for w in walls) else ''
    return f'{cpu / 60:.0f} CPU-min{wall}'


def row(model_id: str, link_prefix: str) -> str:
    folder = os.path.join(REPO, 'models', model_id)
    with open(os.path.join(folder, 'model.json')) as f:
        card = json.load(f)
    m = card.get('metrics', {})
    size = sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder) if x.endswith('.onnx'))
    arch = card['architecture']['type'] + (f" {card['architecture']['variant']}" if 'variant' in card['architecture'] else '')
    if 'meanIoU' in m:
        metrics = f"mean IU {m['meanIoU']:.3f} · pixel acc {m['pixelAccuracy']:.3f}"
        goal = 'mIU ≥ 0.85: ' + ('met' if m['meanIoU'] >= 0.85 else '**not met**')
    else:
        metrics = f"AP {m['coco/AP']:.3f} · AP50 {m['coco/AP50']:.3f}"
        if 'segm/AP' in m:
            metrics += f" · mask AP {m['segm/AP']:.3f}"
        if model_id.startswith('classic-'):
            goal = '— (the lecture\'s road)'
        else:
            ok = m['coco/AP'] >= 0.6 and m['coco/AP50'] >= 0.9 and m.get('segm/AP', 1) >= 0.5
            goal = ('AP ≥ 0.6, AP50 ≥ 0.9' + (', mask AP ≥ 0.5' if 'segm/AP' in m else '') + ': '
                    + ('met' if ok else '**not met**'))
    return (f"| [`{model_id}`]({link_prefix}{model_id}/model.json) | {arch} | {card['task']} | {metrics} | {goal} | "
            f"{size / 1e6:.1f} MB | {training_minutes(card.get('training', {}))} |")


def splice(path: str, link_prefix: str) -> None:
    rows = ['| model | architecture | task | held-out metrics | goal | ONNX | training (CPU · wall) |',
            '|---|---|---|---|---|---:|---|']
    rows += [row(d, link_prefix) for d in ORDER if os.path.exists(os.path.join(REPO, 'models', d, 'model.json'))]
    with open(path) as f:
        text = f.read()
    start = text.index('<!-- models-table -->') + len('<!-- models-table -->')
    end = text.index('<!-- /models-table -->')
    with open(path, 'w') as f:
        f.write(text[:start] + '\n' + '\n'.join(rows) + '\n' + text[end:])


if __name__ == '__main__':
    splice(os.path.join(REPO, 'README.md'), 'models/')
    splice(os.path.join(REPO, 'models', 'README.md'), '')
