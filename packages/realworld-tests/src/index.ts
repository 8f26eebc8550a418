/**
 * @ocelot/realworld-tests — integration tests on real models and photos (private). The helpers
 * are exported for other packages' tests and tools that want the same data: where it lives,
 * the zoo cards built against it, COCO scoring and the COCO → VOC mask mapping.
 */
export {
  type DetectorScore,
  EVAL_OPTIONS,
  loadPhotos,
  type Photo,
  scoreDetector,
} from './evaluate.js';
export {
  ANNOTATIONS,
  COCO_DETECTORS,
  type CocoGroundTruth,
  type CocoResult,
  CPU_ONE_THREAD,
  loadGroundTruth,
  loadPhoto,
  loadZooCard,
  MODELS_DIR,
  PHOTOS_DIR,
  REALWORLD_DIR,
  REPO_ROOT,
  realworldUnavailable,
  SEMANTIC_MASKS_DIR,
  toCocoResults,
  ZOO,
  ZOO_DIR,
  type ZooId,
  zooDetector,
  zooSegmenter,
} from './realworld.js';
export { COCO_TO_VOC, IGNORE, labelShares, VOC_BY_COCO_ID, vocTargetOf } from './voc.js';
