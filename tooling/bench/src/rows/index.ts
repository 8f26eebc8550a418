/**
 * The row registry, in BENCHMARKS.md order. Adding a row = one file in this folder exporting a
 * `BenchRow`, plus one line here.
 */
import type { BenchRow } from '../harness/types.js';
import { batchedNmsRow } from './batched-nms.js';
import { boxIouRow } from './box-iou.js';
import { classicRoadRow } from './classic-road.js';
import { classicSelectiveSearchRow } from './classic-selective-search.js';
import { cocoEvalRow } from './coco-eval.js';
import { detectorsDecodeRow, detectorsShareRow } from './detectors-decode.js';
import { fasterRcnnSplitRow } from './faster-rcnn-split.js';
import { nmsRow } from './nms.js';
import { preprocessRow } from './preprocess.js';
import { realworldE2eRow } from './realworld-e2e.js';
import { roiAlignRow } from './roi-align.js';
import { segmentersMaskPasteRow, segmentersProtoMasksRow } from './segmenters-instance.js';
import { segmentersSemanticRow } from './segmenters-semantic.js';

export const ROWS: readonly BenchRow[] = [
  nmsRow,
  batchedNmsRow,
  boxIouRow,
  roiAlignRow,
  cocoEvalRow,
  preprocessRow,
  detectorsDecodeRow,
  detectorsShareRow,
  segmentersSemanticRow,
  segmentersMaskPasteRow,
  segmentersProtoMasksRow,
  fasterRcnnSplitRow,
  classicRoadRow,
  classicSelectiveSearchRow,
  realworldE2eRow,
];
