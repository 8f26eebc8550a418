// Runnable with `node examples/quickstart.mjs` after `pnpm --filter @ocelot/core build`.
import {
  BoxCoder,
  batchedNms,
  boxIou,
  defaultBoxes,
  nms,
  rleArea,
  rleFromPolygons,
  rleToCoco,
  roiAlign,
  SSD300_DEFAULT_BOXES,
} from '@ocelot/core';

// Three boxes, two of them overlapping heavily (xyxy, pixels).
const boxes = new Float32Array([10, 10, 110, 110, 12, 12, 112, 108, 200, 50, 260, 120]);
const scores = new Float32Array([0.9, 0.8, 0.7]);
console.log('IoU(0,1) =', boxIou(boxes.subarray(0, 4), boxes.subarray(4, 8))[0].toFixed(3));
console.log('nms keep =', Array.from(nms(boxes, scores, 0.5)));
console.log('per-class keep =', Array.from(batchedNms(boxes, scores, new Int32Array([0, 1, 1]), 0.5)));

// SSD300's default boxes: six feature maps, 8732 priors.
const maps = [38, 19, 10, 5, 3, 1].map((s) => ({ width: s, height: s }));
console.log('SSD300 priors =', defaultBoxes(maps, { width: 300, height: 300 }, SSD300_DEFAULT_BOXES).length / 4);

// Box coding as torchvision's Faster R-CNN box head (weights 10, 10, 5, 5).
const coder = new BoxCoder([10, 10, 5, 5]);
const deltas = coder.encode(boxes.subarray(4, 8), boxes.subarray(0, 4));
console.log('decode(encode(b)) =', Array.from(coder.decode(deltas, boxes.subarray(0, 4)), (v) => v.toFixed(2)).join(' '));

// RoI Align on a 1×1×8×8 feature map.
const features = { data: Float32Array.from({ length: 64 }, (_, i) => i), dims: [1, 1, 8, 8] };
const pooled = roiAlign(features, new Float32Array([0, 0, 0, 4, 4]), { outputSize: 2, spatialScale: 1, samplingRatio: 2, aligned: true });
console.log('roiAlign 2×2 =', Array.from(pooled.data));

// COCO RLE of a triangle, identical to pycocotools.
const rle = rleFromPolygons([[2, 2, 30, 4, 12, 28]], 32, 32);
console.log('triangle RLE =', rleToCoco(rle).counts, 'area', rleArea(rle));
