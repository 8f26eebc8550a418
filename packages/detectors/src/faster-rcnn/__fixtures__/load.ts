/** The Faster R-CNN parity fixture (tooling/python/fixtures/detectors_faster_rcnn.py), typed. */
import { type Loaded, loadFixture } from '../../test-utils/fixtures.js';

export interface FasterRcnnFixtureImage {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly sha256: string;
  readonly inputSha256: string;
  /** [height, width] after resizing. */
  readonly resized: [number, number];
  /** [height, width] after padding. */
  readonly padded: [number, number];
  readonly featureSizes: [number, number][];
  readonly proposals: { boxes: Loaded; scores: Loaded };
  readonly detections: { boxes: Loaded; scores: Loaded; labels: number[] };
}

export interface FasterRcnnFixture {
  readonly generator: string;
  /** Folder (next to the JSON) holding the graphs and model.json. */
  readonly graphs: string;
  readonly torchvision: {
    minSize: number;
    maxSize: number;
    sizeDivisible: number;
    imageMean: number[];
    imageStd: number[];
    rpn: { preNmsTopN: number; postNmsTopN: number; nmsThresh: number; scoreThresh: number; minSize: number };
    roiHeads: { scoreThresh: number; nmsThresh: number; detectionsPerImg: number };
  };
  readonly resize: { scale: number; input: Loaded; output: Loaded }[];
  readonly torchMath: {
    x: Loaded;
    exp: Loaded;
    sigmoid: Loaded;
    softmax: { logits: Loaded; probs: Loaded }[];
  };
  readonly images: FasterRcnnFixtureImage[];
  readonly decode: {
    rpnHead: Record<string, Loaded>;
    boxHead: { class_logits: Loaded; box_regression: Loaded };
  };
}

let cached: FasterRcnnFixture | undefined;

/** Loads faster-rcnn/__fixtures__/faster_rcnn_tiny.{json,bin} once. */
export function fasterRcnnFixture(): FasterRcnnFixture {
  cached ??= loadFixture<FasterRcnnFixture>('faster-rcnn', 'faster_rcnn_tiny');
  return cached;
}
