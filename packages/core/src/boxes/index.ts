export {
  boxArea,
  boxConvert,
  clipBoxesToImage,
  masksToBoxes,
  removeSmallBoxes,
} from './convert.js';
export { boxIou, completeBoxIou, distanceBoxIou, generalizedBoxIou } from './iou.js';
