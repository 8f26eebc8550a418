export type { NmsOptions } from './nms.js';
export { batchedNms, nms } from './nms.js';
