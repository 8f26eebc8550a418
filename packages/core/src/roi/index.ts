export type { OutputSize, Rois } from './common.js';
export type { RoIAlignLayout, RoIAlignOptions } from './align.js';
export { RoIAlign, roiAlign } from './align.js';
export type { RoIPoolOptions } from './pool.js';
export { RoIPool, roiPool } from './pool.js';
export type { MultiScaleRoIAlignOptions } from './multiscale.js';
export {
  assignFpnLevels,
  inferLevelScales,
  MultiScaleRoIAlign,
  multiScaleRoIAlign,
} from './multiscale.js';
