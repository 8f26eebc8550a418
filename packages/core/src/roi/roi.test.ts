import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import type { TensorView } from '../types.js';
import { RoIAlign, type RoIAlignLayout, roiAlign } from './align.js';
import { assignFpnLevels, MultiScaleRoIAlign, multiScaleRoIAlign } from './multiscale.js';
import { RoIPool, roiPool } from './pool.js';

type Ref = [number, number];
const dir = new URL('./__fixtures__/', import.meta.url);
const F = JSON.parse(readFileSync(new URL('roi.json', dir), 'utf8')) as {
  generator: string;
  features: { dims: number[]; data: Ref };
  roiAlign: {
    rois: number[];
    outputSize: [number, number];
    spatialScale: number;
    samplingRatio: number;
    aligned: boolean;
    output: Ref;
    outputDims: number[];
  }[];
  roiPool: {
    rois: number[];
    outputSize: [number, number];
    spatialScale: number;
    output: Ref;
    outputDims: number[];
  }[];
  multiScale: {
    imageSizes: [number, number][];
    levels: { dims: number[]; data: Ref }[];
    boxes: number[][];
    cases: {
      levels: number[];
      outputSize: number | [number, number];
      samplingRatio: number;
      canonicalScale: number;
      canonicalLevel: number;
      scales: number[];
      roiLevels: number[];
      output: Ref;
      outputDims: number[];
    }[];
  };
};
const bytes = readFileSync(new URL('roi.bin', dir));
const bin = new Float32Array(
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
);
const view = ([o, l]: Ref) => bin.subarray(o, o + l);
const features: TensorView = { data: view(F.features.data), dims: F.features.dims };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('roiAlign vs torchvision.ops.roi_align', () => {
  it('names its generator', () =>
    expect(F.generator).toBe('tooling/python/fixtures/core_masks_roi.py'));

  const layouts: RoIAlignLayout[] = ['auto', 'nchw', 'nhwc'];
  it.each(F.roiAlign.map((c, i) => [i, c.aligned, c.samplingRatio, c.spatialScale, c] as const))(
    'case %i (aligned=%s, samplingRatio=%i, spatialScale=%f)',
    (_, _a, _s, _c, c) => {
      const rois = Float32Array.from(c.rois);
      for (const layout of layouts) {
        const out = roiAlign(
          features,
          rois,
          {
            outputSize: c.outputSize,
            spatialScale: c.spatialScale,
            samplingRatio: c.samplingRatio,
            aligned: c.aligned,
          },
          layout,
        );
        expect(out.dims).toEqual(c.outputDims);
        expect(maxAbsDiff(out.data, view(c.output))).toBeLessThanOrEqual(1e-5);
      }
    },
  );

  it('RoIAlign holds the options; [K,5] tensor views are accepted as rois', () => {
    const c = F.roiAlign[1]!;
    const op = new RoIAlign({
      outputSize: c.outputSize,
      spatialScale: c.spatialScale,
      samplingRatio: c.samplingRatio,
      aligned: c.aligned,
    });
    const rois = Float32Array.from(c.rois);
    const out = op.forward(features, { data: rois, dims: [rois.length / 5, 5] });
    expect(maxAbsDiff(out.data, view(c.output))).toBeLessThanOrEqual(1e-5);
  });
});

describe('roiAlign kernels agree', () => {
  // The fixture has 3 channels (one partial block of the channels-last copy); here 19 channels
  // (two full blocks of eight and a partial one), three images with one unused, and more RoIs
  // than a chunk of the channels-last kernel, against the independent channels-first kernel.
  const [N, C, H, W] = [3, 19, 23, 29];
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const data = Float32Array.from({ length: N * C * H * W }, () => rnd() * 4 - 2);
  const feats = { data, dims: [N, C, H, W] };
  const K = 160;
  const rois = new Float32Array(5 * K);
  for (let k = 0; k < K; k++) {
    const x = rnd() * 110;
    const y = rnd() * 90;
    rois.set([k % 2 === 0 ? 0 : 2, x, y, x + 2 + rnd() * 60, y + 2 + rnd() * 50], 5 * k);
  }

  it.each([
    [2, false],
    [-1, true],
  ] as const)('samplingRatio %i, aligned %s: nhwc = nchw', (samplingRatio, aligned) => {
    const opts = {
      outputSize: [7, 5] as [number, number],
      spatialScale: 0.25,
      samplingRatio,
      aligned,
    };
    const a = roiAlign(feats, rois, opts, 'nhwc');
    const b = roiAlign(feats, rois, opts, 'nchw');
    expect(a.dims).toEqual([K, C, 7, 5]);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-6);
    // repeated calls (the copy's buffer is reused) give the same result
    expect(roiAlign(feats, rois, opts, 'nhwc').data).toEqual(a.data);
  });

  it('roiPool over many RoIs (row-maximum table) equals RoI by RoI (direct)', () => {
    // RoIs mostly inside the 29×23 map at scale 1/4, together covering it many times (the
    // table path); one RoI alone covers less than the table costs (the direct path)
    const pool = new Float32Array(5 * K);
    for (let k = 0; k < K; k++) {
      const x = rnd() * 100;
      const y = rnd() * 80;
      pool.set([k % 3 === 0 ? 0 : 2, x, y, x + 4 + rnd() * 100, y + 4 + rnd() * 80], 5 * k);
    }
    for (const outputSize of [[4, 3] as [number, number], 7]) {
      const opts = { outputSize, spatialScale: 0.25 };
      const all = roiPool(feats, pool, opts);
      const per = all.data.length / K;
      for (let k = 0; k < K; k++) {
        const one = roiPool(feats, pool.slice(5 * k, 5 * k + 5), opts);
        expect(one.data, `RoI ${k}`).toEqual(all.data.subarray(k * per, (k + 1) * per));
      }
    }
  });

  it('finds a non-finite value in any channel of the channels-last copy', () => {
    const opts = { outputSize: 2, spatialScale: 0.25 };
    for (const c of [0, 13, 18]) {
      const bad = new Float32Array(data);
      const at = (2 * C + c) * H * W + 5 * W + 3;
      bad[at] = c === 13 ? Number.POSITIVE_INFINITY : Number.NaN;
      expect(() => roiAlign({ data: bad, dims: feats.dims }, rois, opts, 'nhwc')).toThrow(
        new RegExp(`features.*${at}`),
      );
    }
  });
});

describe('roiPool vs torchvision.ops.roi_pool', () => {
  it.each(F.roiPool.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const out = roiPool(features, Float32Array.from(c.rois), {
      outputSize: c.outputSize,
      spatialScale: c.spatialScale,
    });
    expect(out.dims).toEqual(c.outputDims);
    // max pooling copies values: exact
    expect(maxAbsDiff(out.data, view(c.output))).toBe(0);
    const op = new RoIPool({ outputSize: c.outputSize, spatialScale: c.spatialScale });
    expect(op.forward(features, Float32Array.from(c.rois)).data).toEqual(out.data);
  });
});

describe('multiScaleRoIAlign vs torchvision.ops.MultiScaleRoIAlign', () => {
  const M = F.multiScale;
  const levels = M.levels.map((l) => ({ data: view(l.data), dims: l.dims }));
  const imageSizes = M.imageSizes.map(([height, width]) => ({ height, width }));
  const boxes = M.boxes.map((b) => Float32Array.from(b));

  it.each(M.cases.map((c, i) => [i, c.levels.join(','), c] as const))(
    'case %i (levels %s)',
    (_, _l, c) => {
      const feats = c.levels.map((l) => levels[l]!);
      const options = {
        outputSize:
          typeof c.outputSize === 'number'
            ? c.outputSize
            : ([c.outputSize[0], c.outputSize[1]] as const),
        samplingRatio: c.samplingRatio,
        canonicalScale: c.canonicalScale,
        canonicalLevel: c.canonicalLevel,
      };
      const out = multiScaleRoIAlign(feats, boxes, imageSizes, options);
      expect(out.dims).toEqual(c.outputDims);
      expect(maxAbsDiff(out.data, view(c.output))).toBeLessThanOrEqual(1e-5);
      // the same through K×5 rois and the class
      const rois = new Float32Array(5 * out.dims[0]!);
      let k = 0;
      boxes.forEach((b, i) => {
        for (let j = 0; j < b.length; j += 4, k++)
          rois.set([i, b[j]!, b[j + 1]!, b[j + 2]!, b[j + 3]!], 5 * k);
      });
      const viaRois = new MultiScaleRoIAlign(options).forward(feats, rois, imageSizes);
      expect(viaRois.data).toEqual(out.data);
      if (c.levels.length > 1) {
        const kMin = -Math.log2(c.scales[0]!);
        const kMax = -Math.log2(c.scales[c.scales.length - 1]!);
        const lv = assignFpnLevels(rois, kMin, kMax, {
          canonicalScale: c.canonicalScale,
          canonicalLevel: c.canonicalLevel,
          stride: 5,
          offset: 1,
        });
        expect(Array.from(lv)).toEqual(c.roiLevels);
      }
    },
  );

  it('rejects levels that are not consecutive powers of two', () => {
    expect(() =>
      multiScaleRoIAlign([levels[0]!, levels[2]!], boxes, imageSizes, { outputSize: 7 }),
    ).toThrow(/consecutive/);
  });
});

describe('RoI ops on bad input', () => {
  const rois = Float32Array.of(0, 1, 1, 5, 5);
  const opts = { outputSize: 2 };
  it('throw typed errors naming the argument', () => {
    expect(() => roiAlign({ data: features.data, dims: [2, 3, 13 * 17] }, rois, opts)).toThrow(
      ShapeMismatchError,
    );
    expect(() => roiAlign({ data: features.data, dims: [2, 3, 13, 16] }, rois, opts)).toThrow(
      /features/,
    );
    expect(() => roiAlign(features, Float32Array.of(0, 1, 1, 5), opts)).toThrow(/rois/);
    expect(() => roiAlign(features, { data: new Float32Array(8), dims: [2, 4] }, opts)).toThrow(
      ShapeMismatchError,
    );
    expect(() => roiAlign(features, Float32Array.of(2, 1, 1, 5, 5), opts)).toThrow(/batch index 2/);
    expect(() => roiAlign(features, Float32Array.of(0.5, 1, 1, 5, 5), opts)).toThrow(
      InvalidArgumentError,
    );
    expect(() => roiAlign(features, Float32Array.of(0, 1, Number.NaN, 5, 5), opts)).toThrow(
      NonFiniteValueError,
    );
    expect(() => roiAlign(features, rois, { outputSize: 0 })).toThrow(/options.outputSize/);
    expect(() => roiAlign(features, rois, { outputSize: 2, spatialScale: -1 })).toThrow(
      /options.spatialScale/,
    );
    expect(() => roiAlign(features, rois, { outputSize: 2, samplingRatio: 1.5 })).toThrow(
      /options.samplingRatio/,
    );
    const nan = new Float32Array(features.data);
    nan[7] = Number.NaN;
    expect(() => roiAlign({ data: nan, dims: features.dims }, rois, opts)).toThrow(
      NonFiniteValueError,
    );
    expect(() => roiPool({ data: nan, dims: features.dims }, rois, opts)).toThrow(/features/);
    expect(() => roiPool(features, Float32Array.of(0, 1, 1, 5), opts)).toThrow(/rois/);
    expect(() => new RoIAlign({ outputSize: [2, 0] })).toThrow(/outputSize\[1\]/);
    const lv = [features];
    const size = [
      { height: 13, width: 17 },
      { height: 13, width: 17 },
    ];
    expect(() => multiScaleRoIAlign([], [], size, opts)).toThrow(/features/);
    expect(() => multiScaleRoIAlign(lv, [Float32Array.of(1, 1, 2, 2)], size, opts)).toThrow(
      /boxes/,
    );
    expect(() =>
      multiScaleRoIAlign(lv, [Float32Array.of(1, 1, 0, 2), new Float32Array(0)], size, opts),
    ).toThrow(/boxes\[0\]/);
    expect(() => multiScaleRoIAlign(lv, Float32Array.of(0, 1, 1, 0, 2), size, opts)).toThrow(
      /negative size/,
    );
    expect(() =>
      multiScaleRoIAlign(lv, [new Float32Array(0), new Float32Array(0)], size.slice(0, 1), opts),
    ).toThrow(/imageSizes/);
  });

  it('no RoIs give an empty [0,C,oh,ow] output', () => {
    const out = roiAlign(features, new Float32Array(0), { outputSize: [3, 4] });
    expect(out.dims).toEqual([0, 3, 3, 4]);
    expect(out.data.length).toBe(0);
  });
});
