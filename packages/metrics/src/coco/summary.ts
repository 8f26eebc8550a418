import { InvalidArgumentError } from '@ocelot/core';
import { formatFixed } from './numpy.js';
import { COCO_IOU_THRESHOLDS, COCO_MAX_DETS } from './params.js';

/** Names of the 12 COCO summary statistics, in `stats` order. */
export const COCO_STAT_NAMES: readonly string[] = [
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'AR1',
  'AR10',
  'AR100',
  'ARs',
  'ARm',
  'ARl',
];

/** What each of the 12 lines reports: AP or AR, IoU (undefined = range), area label, maxDets index. */
const LINES: readonly [boolean, number | undefined, string, number | 'default'][] = [
  [true, undefined, 'all', 'default'],
  [true, 0.5, 'all', 2],
  [true, 0.75, 'all', 2],
  [true, undefined, 'small', 2],
  [true, undefined, 'medium', 2],
  [true, undefined, 'large', 2],
  [false, undefined, 'all', 0],
  [false, undefined, 'all', 1],
  [false, undefined, 'all', 2],
  [false, undefined, 'small', 2],
  [false, undefined, 'medium', 2],
  [false, undefined, 'large', 2],
];

/**
 * The text `COCOeval.summarize()` prints, 12 lines joined by `\n` (no trailing newline), e.g.
 * ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.236`.
 * Numbers are formatted as Python's `'{:0.3f}'` (round half to even on the exact value).
 *
 * @param stats the 12 numbers of `CocoEvalResult.stats`
 * @param iouType `'bbox'` or `'segm'` (both print the same lines, as in pycocotools)
 * @param params the evaluation's IoU thresholds and maxDets when not COCO's defaults
 *   (`result.params` fits); used for the `IoU=` range and the `maxDets=` numbers
 */
export function formatCocoSummary(
  stats: readonly number[],
  iouType: 'bbox' | 'segm',
  params?: { readonly iouThresholds?: ArrayLike<number>; readonly maxDets?: readonly number[] },
): string {
  if (iouType !== 'bbox' && iouType !== 'segm') {
    throw new InvalidArgumentError(
      'iouType',
      `expected 'bbox' or 'segm', got ${JSON.stringify(iouType)}`,
    );
  }
  if (!Array.isArray(stats) || stats.length !== 12) {
    throw new InvalidArgumentError(
      'stats',
      `expected the 12 COCO statistics, got ${Array.isArray(stats) ? stats.length : typeof stats}`,
    );
  }
  const thr = params?.iouThresholds ?? COCO_IOU_THRESHOLDS;
  const maxDets = params?.maxDets ?? COCO_MAX_DETS;
  const range =
    thr.length > 0 ? `${formatFixed(thr[0]!, 2)}:${formatFixed(thr[thr.length - 1]!, 2)}` : 'none';
  return LINES.map(([ap, iouThr, area, mIndex], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = ap ? '(AP)' : '(AR)';
    const iouStr = (iouThr === undefined ? range : formatFixed(iouThr, 2)).padEnd(9);
    const md = mIndex === 'default' ? 100 : maxDets[mIndex];
    const mdStr = (md === undefined ? '-' : String(md)).padStart(3);
    const value = stats[i];
    const valueStr = typeof value === 'number' ? formatFixed(value, 3) : 'nan';
    return ` ${title} ${type} @[ IoU=${iouStr} | area=${area.padStart(6)} | maxDets=${mdStr} ] = ${valueStr}`;
  }).join('\n');
}
