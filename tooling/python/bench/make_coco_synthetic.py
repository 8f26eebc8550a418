#!/usr/bin/python3
"""Deterministic val2017-sized synthetic COCO set for the `pnpm bench` COCO-eval row.

    /usr/bin/python3 tooling/python/bench/make_coco_synthetic.py OUT_DIR [--seed 2017] [--images 5000]

Writes, into OUT_DIR:
  gt.json        instances file: images, categories (COCO's 80 ids), annotations with polygon
                 segmentations (some with two parts) and ~1% crowd regions as uncompressed RLE
  dt_bbox.json   results list, 100 per image: {image_id, category_id, bbox [x,y,w,h], score}
  dt_segm.json   the same detections as {image_id, category_id, segmentation (compressed RLE),
                 score}, no bbox: pycocotools derives bbox and area from the RLE
  manifest.json  written last: seed, images, counts, generator version (the cache key)

Both sides of the bench (Ocelot's evaluateCoco and pycocotools) read these same files. With the
defaults the set has the shape of val2017: 5000 images, ~37k objects, 80 categories and 100
detections per image (500k). Needs numpy and pycocotools (its C RLE code rasterises polygons).
Deterministic for a given seed and numpy version; the Node side caches OUT_DIR by seed.
"""
import argparse
import json
import os
import sys

import numpy as np

GENERATOR = 'tooling/python/bench/make_coco_synthetic.py'
VERSION = 1

COCO_CATEGORY_IDS = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
    31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
    56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84,
    85, 86, 87, 88, 89, 90,
]
IMAGE_SIZES = [(640, 480), (480, 640), (640, 427), (427, 640), (640, 360), (500, 375), (640, 512),
               (612, 612), (640, 425), (375, 500)]
OBJECTS_PER_IMAGE = 7.36  # val2017: 36,781 annotations / 5000 images
DETS_PER_IMAGE = 100
CROWD_FRACTION = 0.01


def star_polygon(rng, cx, cy, rx, ry, k):
    """A simple (non self-intersecting) star-shaped polygon inside the ellipse (cx, cy, rx, ry)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    radii = rng.uniform(0.55, 1.0, k)
    xs = cx + rx * radii * np.cos(angles)
    ys = cy + ry * radii * np.sin(angles)
    return xs, ys


def clip_poly(xs, ys, w, h):
    return np.clip(xs, 0, w - 1e-3), np.clip(ys, 0, h - 1e-3)


def flat(xs, ys):
    out = np.empty(2 * len(xs))
    out[0::2] = np.round(xs, 2)
    out[1::2] = np.round(ys, 2)
    return out.tolist()


def sample_box(rng, w, h, small_bias=False):
    """A box [x, y, bw, bh] inside the image with COCO-like scale spread (log-uniform side)."""
    lo = np.log(4.0)
    hi = np.log(max(8.0, 0.95 * min(w, h)))
    side = np.exp(rng.uniform(lo, hi if not small_bias else 0.5 * (lo + hi) + 0.5))
    ar = np.exp(rng.normal(0, 0.45))
    bw = min(w - 1.0, max(2.0, side * np.sqrt(ar)))
    bh = min(h - 1.0, max(2.0, side / np.sqrt(ar)))
    x = rng.uniform(0, w - bw)
    y = rng.uniform(0, h - bh)
    return x, y, bw, bh


def uncompressed_rle(mask):
    """Column-major runs starting with zeros, as COCO's crowd annotations store them."""
    flat_mask = np.asfortranarray(mask).reshape(-1, order='F').astype(np.uint8)
    change = np.flatnonzero(np.diff(flat_mask)) + 1
    bounds = np.concatenate([[0], change, [flat_mask.size]])
    runs = np.diff(bounds).tolist()
    if flat_mask[0] == 1:
        runs = [0] + runs
    return runs


def generate(out_dir, seed=2017, num_images=5000):
    from pycocotools import mask as mask_utils

    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    cat_ids = np.array(COCO_CATEGORY_IDS)
    cat_weights = 1.0 / (np.arange(1, len(cat_ids) + 1) ** 0.8)
    cat_weights = cat_weights[rng.permutation(len(cat_ids))]
    cat_weights /= cat_weights.sum()

    images, annotations, dt_bbox, dt_segm = [], [], [], []
    ann_id = 0
    for image_id in range(1, num_images + 1):
        w, h = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        images.append({'id': image_id, 'width': int(w), 'height': int(h),
                       'file_name': f'{image_id:012d}.jpg'})
        n_obj = int(min(40, rng.poisson(OBJECTS_PER_IMAGE)))
        gts = []  # (category, box, polygon parts) used to place true-positive detections
        for _ in range(n_obj):
            cat = int(rng.choice(cat_ids, p=cat_weights))
            x, y, bw, bh = sample_box(rng, w, h)
            xs, ys = star_polygon(rng, x + bw / 2, y + bh / 2, bw / 2, bh / 2, int(rng.integers(6, 21)))
            xs, ys = clip_poly(xs, ys, w, h)
            parts = [flat(xs, ys)]
            if rng.random() < 0.1:  # a second, occluded-looking part
                sx, sy, sw, sh = sample_box(rng, w, h, small_bias=True)
                px, py = star_polygon(rng, sx + sw / 2, sy + sh / 2, sw / 2, sh / 2, int(rng.integers(5, 10)))
                px, py = clip_poly(px, py, w, h)
                parts.append(flat(px, py))
            ann_id += 1
            rle = mask_utils.merge(mask_utils.frPyObjects(parts, h, w))
            if rng.random() < CROWD_FRACTION:
                mask = mask_utils.decode(rle)
                area = float(mask.sum())
                if area == 0:
                    continue
                bbox = [round(float(v), 2) for v in mask_utils.toBbox(rle)]
                segmentation = {'counts': uncompressed_rle(mask), 'size': [int(h), int(w)]}
                iscrowd = 1
            else:
                area = float(mask_utils.area(rle))
                if area == 0:
                    continue
                all_x = np.concatenate([np.array(p[0::2]) for p in parts])
                all_y = np.concatenate([np.array(p[1::2]) for p in parts])
                bbox = [round(float(all_x.min()), 2), round(float(all_y.min()), 2),
                        round(float(all_x.max() - all_x.min()), 2), round(float(all_y.max() - all_y.min()), 2)]
                segmentation = parts
                iscrowd = 0
            annotations.append({'id': ann_id, 'image_id': image_id, 'category_id': cat,
                                'segmentation': segmentation, 'area': area, 'bbox': bbox,
                                'iscrowd': iscrowd})
            gts.append((cat, bbox, parts))

        # Detections: jittered copies of the objects (mostly right class, high score), then
        # false positives (random class and box, lower score) up to DETS_PER_IMAGE.
        dets = []  # (category, score, [x,y,w,h], polygon)
        for cat, (gx, gy, gw, gh), parts in gts:
            if rng.random() >= 0.8:
                continue
            for _ in range(int(rng.integers(1, 4))):
                jitter = rng.normal(0, 0.08, 4)
                nx = gx + jitter[0] * gw
                ny = gy + jitter[1] * gh
                nw = max(1.0, gw * (1 + jitter[2]))
                nh = max(1.0, gh * (1 + jitter[3]))
                sx = nw / max(gw, 1e-6)
                sy = nh / max(gh, 1e-6)
                p = parts[0]
                xs = nx + (np.array(p[0::2]) - gx) * sx + rng.normal(0, 0.5, len(p) // 2)
                ys = ny + (np.array(p[1::2]) - gy) * sy + rng.normal(0, 0.5, len(p) // 2)
                xs, ys = clip_poly(xs, ys, w, h)
                c = cat if rng.random() < 0.9 else int(rng.choice(cat_ids, p=cat_weights))
                dets.append((c, float(rng.uniform(0.3, 1.0)), [nx, ny, nw, nh], flat(xs, ys)))
        dets = dets[:DETS_PER_IMAGE]
        while len(dets) < DETS_PER_IMAGE:
            c = int(rng.choice(cat_ids, p=cat_weights))
            x, y, bw, bh = sample_box(rng, w, h, small_bias=True)
            xs, ys = star_polygon(rng, x + bw / 2, y + bh / 2, bw / 2, bh / 2, int(rng.integers(5, 13)))
            xs, ys = clip_poly(xs, ys, w, h)
            dets.append((c, float(rng.uniform(0.0, 0.7)), [x, y, bw, bh], flat(xs, ys)))
        rles = mask_utils.frPyObjects([d[3] for d in dets], h, w)
        for (c, score, box, _), rle in zip(dets, rles):
            score = round(score, 4)
            dt_bbox.append({'image_id': image_id, 'category_id': c,
                            'bbox': [round(float(v), 2) for v in box], 'score': score})
            dt_segm.append({'image_id': image_id, 'category_id': c,
                            'segmentation': {'size': [int(h), int(w)],
                                             'counts': rle['counts'].decode('ascii')},
                            'score': score})

    categories = [{'id': int(c), 'name': f'category_{c}', 'supercategory': 'synthetic'} for c in cat_ids]
    gt = {'info': {'description': f'synthetic val2017-sized set from {GENERATOR}', 'seed': seed,
                   'version': VERSION},
          'images': images, 'annotations': annotations, 'categories': categories}
    files = {'gt': 'gt.json', 'dt_bbox': 'dt_bbox.json', 'dt_segm': 'dt_segm.json'}
    for key, value in (('gt', gt), ('dt_bbox', dt_bbox), ('dt_segm', dt_segm)):
        with open(os.path.join(out_dir, files[key]), 'w') as f:
            json.dump(value, f, separators=(',', ':'))
    manifest = {
        'generator': GENERATOR, 'version': VERSION, 'seed': seed, 'images': num_images,
        'annotations': len(annotations), 'crowd': sum(a['iscrowd'] for a in annotations),
        'detections': len(dt_bbox), 'categories': len(categories), 'files': files,
    }
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def cached_or_generate(out_dir, seed, num_images):
    """Returns the manifest in out_dir when it matches (seed, images, version); else generates."""
    path = os.path.join(out_dir, 'manifest.json')
    if os.path.exists(path):
        with open(path) as f:
            manifest = json.load(f)
        if (manifest.get('version') == VERSION and manifest.get('seed') == seed
                and manifest.get('images') == num_images):
            manifest['cached'] = True
            return manifest
    manifest = generate(out_dir, seed, num_images)
    manifest['cached'] = False
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument('--seed', type=int, default=2017)
    parser.add_argument('--images', type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps(cached_or_generate(args.out_dir, args.seed, args.images), indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
