/** Faster R-CNN composed from separate graphs (torchvision 0.14 semantics): public surface. */
export {
  FASTER_RCNN_DEFAULTS,
  type FasterRcnnAnchorsConfig,
  type FasterRcnnConfig,
  type FasterRcnnRoiHeadsConfig,
  type FasterRcnnRpnConfig,
  type FasterRcnnTransformConfig,
  parseFasterRcnnConfig,
  type ResolvedFasterRcnnConfig,
  type ResolvedRoiPoolerConfig,
  type RoiPoolerConfig,
} from './config.js';
export {
  createFasterRcnnDetector,
  FASTER_RCNN_FILE_ROLES,
  FasterRcnnDetector,
  fasterRcnnFromSessions,
  loadSessions,
} from './detector.js';
export {
  FasterRCNN,
  type FasterRCNNOptions,
  type FasterRCNNResult,
  type FasterRCNNRoiHeadsOptions,
  type FasterRCNNRpnOptions,
  type FasterRCNNRunOptions,
  type FasterRCNNTimings,
  type ProposalSet,
} from './faster-rcnn.js';
