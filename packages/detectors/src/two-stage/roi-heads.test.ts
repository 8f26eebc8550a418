import { InvalidArgumentError } from '@ocelot/core';
import { RcnnBoxCoder } from './box-coder.js';
import { describe, expect, it } from 'vitest';
import { fasterRcnnFixture } from '../faster-rcnn/__fixtures__/load.js';
import { fastRcnnInference } from './roi-heads.js';
import { resizeBoxes } from './transform.js';

const fx = fasterRcnnFixture();
const settings = {
  boxCoder: new RcnnBoxCoder([10, 10, 5, 5]),
  scoreThresh: fx.torchvision.roiHeads.scoreThresh,
  nmsThresh: fx.torchvision.roiHeads.nmsThresh,
  detectionsPerImg: fx.torchvision.roiHeads.detectionsPerImg,
};

describe('fastRcnnInference (RoIHeads.postprocess_detections, eval)', () => {
  it('turns torchvision’s box-head outputs into torchvision’s detections, bit for bit', () => {
    const img = fx.images[0]!;
    const { class_logits: logits, box_regression: deltas } = fx.decode.boxHead;
    const C1 = logits.dims[1]!;
    const size = { height: img.resized[0], width: img.resized[1] };
    const got = fastRcnnInference(
      logits.data,
      deltas.data,
      img.proposals.boxes.data,
      C1,
      size,
      settings,
    );
    const boxes = resizeBoxes(got.boxes, size, { width: img.width, height: img.height });
    expect(Array.from(got.labels)).toEqual(img.detections.labels);
    expect(Array.from(got.scores)).toEqual(Array.from(img.detections.scores.data));
    expect(Array.from(boxes)).toEqual(Array.from(img.detections.boxes.data));
    // the fixture reaches the cap: more candidates than detections_per_img survive NMS
    expect(got.scores.length).toBe(settings.detectionsPerImg);
    // each detection points back at the proposal it came from
    for (let i = 0; i < got.proposalIndices.length; i++) {
      const k = got.proposalIndices[i]!;
      expect(k >= 0 && k < img.proposals.scores.data.length).toBe(true);
    }
  });

  // Two proposals, two classes (+ background).
  const proposals = new Float32Array([0, 0, 10, 10, 20, 20, 40, 40]);
  const zeros = new Float32Array(2 * 4 * 3);
  const size = { width: 50, height: 50 };

  it('returns nothing when no class score passes the threshold', () => {
    // background dominates: class probabilities ~ e^-10
    const logits = new Float32Array([10, 0, 0, 10, 0, 0]);
    const got = fastRcnnInference(logits, zeros, proposals, 3, size, settings);
    expect(got.boxes.length).toBe(0);
    expect(got.labels.length).toBe(0);
  });

  it('caps at detectionsPerImg and sorts by score; filters classes; class-agnostic NMS', () => {
    const logits = new Float32Array([0, 2, 1, 0, 1, 3]);
    const all = fastRcnnInference(logits, zeros, proposals, 3, size, settings);
    expect(all.scores.length).toBe(4);
    for (let i = 1; i < 4; i++) expect(all.scores[i - 1]! >= all.scores[i]!).toBe(true);
    expect(Array.from(all.labels)).toEqual([1, 0, 1, 0]);
    expect(Array.from(all.proposalIndices)).toEqual([1, 0, 0, 1]);

    const capped = fastRcnnInference(logits, zeros, proposals, 3, size, {
      ...settings,
      detectionsPerImg: 2,
    });
    expect(Array.from(capped.scores)).toEqual(Array.from(all.scores.subarray(0, 2)));

    const onlyFirst = fastRcnnInference(logits, zeros, proposals, 3, size, {
      ...settings,
      allowed: new Uint8Array([1, 0]),
    });
    expect(Array.from(onlyFirst.labels)).toEqual([0, 0]);

    // the same proposal's two classes overlap completely: agnostic NMS keeps one per box
    const agnostic = fastRcnnInference(logits, zeros, proposals, 3, size, {
      ...settings,
      classAgnostic: true,
    });
    expect(Array.from(agnostic.labels)).toEqual([1, 0]);
    expect(Array.from(agnostic.proposalIndices)).toEqual([1, 0]);
  });

  it('refuses outputs whose sizes disagree with the proposals', () => {
    expect(() =>
      fastRcnnInference(new Float32Array(5), zeros, proposals, 3, size, settings),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      fastRcnnInference(new Float32Array(6), new Float32Array(8), proposals, 3, size, settings),
    ).toThrow(/boxRegression/);
  });
});
