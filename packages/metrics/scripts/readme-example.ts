import {
  SegmentationConfusionMatrix,
  evaluateCoco,
  evaluateVoc,
  formatCocoSummary,
} from '../src/index.js';

// COCO: a ground truth with two objects and three detections.
const groundTruth = {
  images: [{ id: 1, width: 640, height: 480 }],
  categories: [
    { id: 1, name: 'cat' },
    { id: 2, name: 'dog' },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 20, 100, 80], area: 8000, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 2, bbox: [300, 200, 50, 40], area: 2000, iscrowd: 0 },
  ],
};
const detections = [
  { image_id: 1, category_id: 1, bbox: [12, 22, 98, 78], score: 0.9 },
  { image_id: 1, category_id: 2, bbox: [305, 195, 50, 45], score: 0.8 },
  { image_id: 1, category_id: 2, bbox: [0, 0, 30, 30], score: 0.3 },
];
const result = evaluateCoco(groundTruth, detections, { iouType: 'bbox' });
console.log(formatCocoSummary(result.stats, 'bbox'));
console.log(result.perCategory.map((c) => `${c.name}: AP ${c.ap.toFixed(3)}`).join(', '));

// PASCAL VOC (boxes xyxy, class indices)
const voc = evaluateVoc(
  [{ boxes: [10, 20, 110, 100], labels: [0], difficult: [0] }],
  [{ boxes: [12, 22, 110, 100], scores: [0.9], labels: [0] }],
  { interpolation: '11point' },
);
console.log('VOC07 mAP', voc.map.toFixed(4));

// Semantic segmentation, streamed over images
const cm = new SegmentationConfusionMatrix(3, { ignoreIndex: 255 });
cm.update(Uint8Array.of(0, 1, 1, 2), Uint8Array.of(0, 1, 2, 255));
const m = cm.compute();
console.log('pixel acc', m.pixelAccuracy.toFixed(3), 'mIoU', m.meanIoU.toFixed(3));
