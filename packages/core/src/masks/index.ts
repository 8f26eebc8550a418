export type { CocoRle, CocoSegmentation, CocoUncompressedRle, Rle } from './rle.js';
export {
  assertRle,
  rleArea,
  rleDecode,
  rleDecodeColumnMajor,
  rleEncode,
  rleEncodeColumnMajor,
  rleFromBbox,
  rleFromCoco,
  rleFromPolygon,
  rleFromPolygons,
  rleFromSegmentation,
  rleFromString,
  rleMerge,
  rleToBbox,
  rleToCoco,
  rleToString,
} from './rle.js';
export { bboxIouCoco, maskIou, rleIou } from './iou.js';
export type { PasteMasksBinaryOptions, PasteMasksOptions } from './paste.js';
export { pasteMasksBinary, pasteMasksInImage, pasteMasksToRle } from './paste.js';
