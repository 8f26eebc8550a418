export type { MatrixNmsOptions, MatrixNmsResult } from './matrix-nms.js';
export { matrixNms } from './matrix-nms.js';
export type { NmsOptions } from './nms.js';
export { batchedNms, nms } from './nms.js';
export type { PrefilteredNmsOptions, PrefilteredNmsResult } from './prefiltered-nms.js';
export { prefilteredNms } from './prefiltered-nms.js';
export type { SoftNmsOptions, SoftNmsResult } from './soft-nms.js';
export { softNms } from './soft-nms.js';
