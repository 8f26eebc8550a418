import { AnchorGenerator, FASTER_RCNN_FPN_ANCHORS, InvalidArgumentError } from '@ocelot/core';
import { RcnnBoxCoder } from './box-coder.js';
import { describe, expect, it } from 'vitest';
import { fasterRcnnFixture } from '../faster-rcnn/__fixtures__/load.js';
import { flattenObjectness, type RpnLevelOutput, rpnProposals } from './rpn.js';

const fx = fasterRcnnFixture();
const LEVELS = ['0', '1', '2', '3', 'pool'];
const options = {
  preNmsTopN: fx.torchvision.rpn.preNmsTopN,
  postNmsTopN: fx.torchvision.rpn.postNmsTopN,
  nmsThresh: fx.torchvision.rpn.nmsThresh,
  scoreThresh: fx.torchvision.rpn.scoreThresh,
  minSize: fx.torchvision.rpn.minSize,
  boxCoder: new RcnnBoxCoder([1, 1, 1, 1]),
};

function fixtureLevels(): RpnLevelOutput[] {
  return LEVELS.map((name) => {
    const o = fx.decode.rpnHead[`objectness_${name}`]!;
    const d = fx.decode.rpnHead[`bbox_deltas_${name}`]!;
    return {
      objectness: o.data,
      deltas: d.data,
      anchorsPerLocation: o.dims[1]!,
      height: o.dims[2]!,
      width: o.dims[3]!,
    };
  });
}

describe('rpnProposals (RegionProposalNetwork.filter_proposals, eval)', () => {
  it('turns torchvision’s RPN head outputs into torchvision’s proposals, bit for bit', () => {
    const img = fx.images[0]!;
    const levels = fixtureLevels();
    const anchors = new AnchorGenerator(FASTER_RCNN_FPN_ANCHORS).generatePerLevel(
      levels.map((l) => ({ height: l.height, width: l.width })),
      { height: img.padded[0], width: img.padded[1] },
    );
    const got = rpnProposals(
      levels,
      anchors,
      { height: img.resized[0], width: img.resized[1] },
      options,
    );
    const want = img.proposals;
    expect(got.scores.length).toBe(want.scores.data.length);
    expect(Array.from(got.scores)).toEqual(Array.from(want.scores.data));
    expect(Array.from(got.boxes)).toEqual(Array.from(want.boxes.data));
    // levels are consistent with the boxes' origin: every level contributes
    expect(new Set(got.levels).size).toBe(LEVELS.length);
  });

  it('permutes [A, H, W] logits into torchvision’s anchor order (y, x, a)', () => {
    // A = 2, H = 1, W = 3: raw [a][x] = 10a + x
    const flat = flattenObjectness({
      objectness: new Float32Array([0, 1, 2, 10, 11, 12]),
      deltas: new Float32Array(24),
      height: 1,
      width: 3,
      anchorsPerLocation: 2,
    });
    expect(Array.from(flat)).toEqual([0, 10, 1, 11, 2, 12]);
  });

  it('returns no proposals when every box is too small', () => {
    const a = 1;
    const level: RpnLevelOutput = {
      objectness: new Float32Array([1, 2, 3, 4]),
      // dw = dh = -20: widths shrink by e^-(log(1000/16)) at most... clamp is only above, so
      // exp(-20) · 16 px ≈ 3e-8 px < minSize
      deltas: new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, -20, -20, -20, -20, -20, -20, -20, -20]),
      height: 2,
      width: 2,
      anchorsPerLocation: a,
    };
    const anchors = [
      new Float32Array([0, 0, 16, 16, 16, 0, 32, 16, 0, 16, 16, 32, 16, 16, 32, 32]),
    ];
    const got = rpnProposals([level], anchors, { width: 32, height: 32 }, options);
    expect(got.boxes.length).toBe(0);
    expect(got.scores.length).toBe(0);
  });

  it('keeps at most postNmsTopN, by decreasing score', () => {
    const level: RpnLevelOutput = {
      objectness: new Float32Array([0.5, 3, -1, 2]),
      deltas: new Float32Array(16),
      height: 2,
      width: 2,
      anchorsPerLocation: 1,
    };
    const anchors = [
      new Float32Array([0, 0, 10, 10, 20, 0, 30, 10, 0, 20, 10, 30, 20, 20, 30, 30]),
    ];
    const got = rpnProposals(
      [level],
      anchors,
      { width: 40, height: 40 },
      { ...options, postNmsTopN: 3 },
    );
    expect(got.scores.length).toBe(3);
    expect(Array.from(got.boxes.subarray(0, 4))).toEqual([20, 0, 30, 10]);
    expect(got.scores[0]! > got.scores[1]! && got.scores[1]! > got.scores[2]!).toBe(true);
  });

  it('refuses levels whose sizes disagree with their outputs or anchors', () => {
    const level: RpnLevelOutput = {
      objectness: new Float32Array(3),
      deltas: new Float32Array(16),
      height: 2,
      width: 2,
      anchorsPerLocation: 1,
    };
    expect(() =>
      rpnProposals([level], [new Float32Array(16)], { width: 8, height: 8 }, options),
    ).toThrow(InvalidArgumentError);
    expect(() => rpnProposals([level], [], { width: 8, height: 8 }, options)).toThrow(/anchors/);
  });
});
