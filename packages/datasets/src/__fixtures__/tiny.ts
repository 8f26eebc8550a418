/** Hand-written datasets for the tests: small, valid, covering every segmentation form. */
import { rleEncode, rleToString } from '@ocelot/core';
import type { CocoDataset, CocoResults } from '../coco/types.js';

/** A 4×3 mask (h=3, w=4) with a 2×2 square at x=1..2, y=0..1, as compressed RLE. */
export function squareRleString(): string {
  const mask = new Uint8Array(12);
  for (const [y, x] of [
    [0, 1],
    [0, 2],
    [1, 1],
    [1, 2],
  ] as const)
    mask[y * 4 + x] = 1;
  return rleToString(rleEncode(mask, 3, 4));
}

/** Two images, three categories with non-contiguous ids, polygons, RLE and a crowd. */
export function tinyCoco(): CocoDataset {
  return {
    info: { description: 'tiny test dataset' },
    images: [
      { id: 1, width: 640, height: 480, file_name: 'a.jpg' },
      { id: 7, width: 4, height: 3, file_name: 'sub/b.png' },
    ],
    categories: [
      { id: 3, name: 'car', supercategory: 'vehicle' },
      { id: 1, name: 'person', supercategory: 'person' },
      { id: 18, name: 'dog', supercategory: 'animal' },
    ],
    annotations: [
      {
        id: 10,
        image_id: 1,
        category_id: 1,
        bbox: [10, 20, 100, 200],
        area: 15000,
        iscrowd: 0,
        segmentation: [[10, 20, 110, 20, 110, 220, 10, 220]],
      },
      {
        id: 11,
        image_id: 1,
        category_id: 18,
        bbox: [0, 0, 640, 480],
        area: 307200,
        iscrowd: 0,
      },
      {
        id: 12,
        image_id: 7,
        category_id: 3,
        bbox: [1, 0, 2, 2],
        area: 4,
        iscrowd: 1,
        // column-major runs for the same square as squareRleString(): 3 zeros (column 0),
        // 2 ones + 1 zero (column 1), 2 ones + 1 zero (column 2), 3 zeros (column 3)
        segmentation: { size: [3, 4], counts: [3, 2, 1, 2, 4] },
      },
      {
        id: 13,
        image_id: 7,
        category_id: 1,
        bbox: [1, 0, 2, 2],
        area: 4,
        iscrowd: 0,
        segmentation: { size: [3, 4], counts: squareRleString() },
      },
    ],
  };
}

/** Detections for `tinyCoco()`. */
export function tinyResults(): CocoResults {
  return [
    { image_id: 1, category_id: 1, bbox: [12, 22, 98, 190], score: 0.9 },
    { image_id: 7, category_id: 3, segmentation: { size: [3, 4], counts: squareRleString() }, score: 0.5 },
  ];
}
