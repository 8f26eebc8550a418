import { InvalidArgumentError } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MOBILENET_V3_LARGE, RESNET18 } from './builtins.js';
import {
  type BackboneSpec,
  defineBackboneSpec,
  expectedFeatureSizes,
  featureSideRange,
  IMAGENET_NORMALIZATION,
  withFpn,
} from './spec.js';

const base: BackboneSpec = {
  name: 'toy',
  normalization: IMAGENET_NORMALIZATION,
  outputs: [
    { name: 'a', channels: 8, stride: 4 },
    { name: 'b', channels: 16, stride: 8 },
  ],
  sizeDivisibility: 8,
};

describe('defineBackboneSpec', () => {
  it('returns a frozen copy of a valid spec', () => {
    const spec = defineBackboneSpec(base);
    expect(spec).toEqual(base);
    expect(Object.isFrozen(spec.outputs[0])).toBe(true);
  });

  it('names the field of a bad spec', () => {
    const bad = (patch: Partial<BackboneSpec>) => () => defineBackboneSpec({ ...base, ...patch });
    expect(bad({ name: '' })).toThrow(/spec\.name/);
    expect(bad({ outputs: [] })).toThrow(/spec\.outputs/);
    expect(bad({ outputs: [{ name: 'a', channels: 0, stride: 4 }] })).toThrow(
      /spec\.outputs\[0\]\.channels/,
    );
    expect(bad({ outputs: [{ name: 'a', channels: 8, stride: 2.5 }] })).toThrow(
      /spec\.outputs\[0\]\.stride/,
    );
    expect(
      bad({
        outputs: [
          { name: 'a', channels: 8, stride: 4 },
          { name: 'a', channels: 8, stride: 8 },
        ],
      }),
    ).toThrow(/duplicate output "a"/);
    expect(
      bad({
        outputs: [
          { name: 'a', channels: 8, stride: 8 },
          { name: 'b', channels: 8, stride: 4 },
        ],
      }),
    ).toThrow(/finest first/);
    expect(bad({ normalization: { ...IMAGENET_NORMALIZATION, std: [1, 0, 1] } })).toThrow(
      /spec\.normalization\.std/,
    );
    expect(bad({ normalization: { ...IMAGENET_NORMALIZATION, scale: -1 } })).toThrow(
      InvalidArgumentError,
    );
    expect(bad({ sizeDivisibility: 0 })).toThrow(/spec\.sizeDivisibility/);
  });
});

describe('withFpn', () => {
  it('adds torchvision’s FPN levels on the chosen inputs', () => {
    const fpn = withFpn(RESNET18, { channels: 64, inputs: ['c3', 'c4', 'c5'] });
    expect(fpn.name).toBe('resnet18-fpn');
    expect(fpn.outputs).toEqual([
      { name: '0', channels: 64, stride: 8 },
      { name: '1', channels: 64, stride: 16 },
      { name: '2', channels: 64, stride: 32 },
      { name: 'pool', channels: 64, stride: 64 },
    ]);
    expect(fpn.normalization).toEqual(RESNET18.normalization);
    expect(withFpn(MOBILENET_V3_LARGE, { pool: false }).outputs.map((o) => o.stride)).toEqual([
      32, 32,
    ]);
    expect(() => withFpn(RESNET18, { inputs: ['c6'] })).toThrow(
      /options\.inputs\[0\]: "c6" is not an output of resnet18/,
    );
  });
});

describe('feature sizes', () => {
  it('a stride-s map of an input side n has floor(n/s)..ceil(n/s) cells, and ceil for expectedFeatureSizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4000 }),
        fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
        (n, s) => {
          const [lo, hi] = featureSideRange(n, s);
          expect(lo * s <= n && n <= hi * s).toBe(true);
          expect(hi - lo).toBe(n % s === 0 ? 0 : 1);
        },
      ),
    );
    expect(expectedFeatureSizes(base, { width: 50, height: 33 })).toEqual([
      { name: 'a', height: 9, width: 13 },
      { name: 'b', height: 5, width: 7 },
    ]);
  });
});
