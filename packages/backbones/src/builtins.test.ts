import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuplicateRegistrationError, UnknownRegistryEntryError } from '@ocelot/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_BACKBONES, RESNET50_FPN, registerBuiltins } from './builtins.js';
import { createBackboneRegistry } from './registry.js';
import { featureSideRange } from './spec.js';

interface Measured {
  name: string;
  outputs: {
    name: string;
    channels: number;
    sizes: { input: [number, number]; feature: [number, number] }[];
  }[];
  normalization: { mean: number[]; std: number[] };
}

const fixture = JSON.parse(
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'torchvision_backbones.json'),
    'utf8',
  ),
) as { generator: string; backbones: Measured[] };

describe('built-in specs against torchvision 0.14’s modules', () => {
  it('covers every measured backbone', () => {
    expect(fixture.generator).toBe('tooling/python/export/torchvision_backbones.py');
    expect(BUILTIN_BACKBONES.map((s) => s.name).sort()).toEqual(
      fixture.backbones.map((b) => b.name).sort(),
    );
  });

  for (const measured of fixture.backbones) {
    it(`${measured.name}: names, channels, strides and normalisation`, () => {
      const spec = BUILTIN_BACKBONES.find((s) => s.name === measured.name)!;
      expect(spec.outputs.map((o) => o.name)).toEqual(measured.outputs.map((o) => o.name));
      spec.outputs.forEach((o, i) => {
        const m = measured.outputs[i]!;
        expect(o.channels, o.name).toBe(m.channels);
        // the measured map sizes are floor..ceil of input / stride, for both input sizes
        for (const s of m.sizes) {
          const [h, w] = s.input;
          const [hLo, hHi] = featureSideRange(h, o.stride);
          const [wLo, wHi] = featureSideRange(w, o.stride);
          expect(s.feature[0] >= hLo && s.feature[0] <= hHi, `${o.name} height at ${h}`).toBe(true);
          expect(s.feature[1] >= wLo && s.feature[1] <= wHi, `${o.name} width at ${w}`).toBe(true);
        }
      });
      expect([...spec.normalization.mean]).toEqual(measured.normalization.mean);
      expect(spec.normalization.std.map((v) => Math.fround(v))).toEqual(
        measured.normalization.std.map((v) => Math.fround(v)),
      );
      expect(spec.normalization.scale).toBe(1 / 255);
    });
  }

  it('FPN levels are torchvision’s: 0–3 at strides 4–32 and pool at 64, 256 channels', () => {
    expect(RESNET50_FPN.outputs).toEqual([
      { name: '0', channels: 256, stride: 4 },
      { name: '1', channels: 256, stride: 8 },
      { name: '2', channels: 256, stride: 16 },
      { name: '3', channels: 256, stride: 32 },
      { name: 'pool', channels: 256, stride: 64 },
    ]);
  });
});

describe('backbone registry', () => {
  it('registers the built-ins, refuses duplicates and lists known names', () => {
    const registry = registerBuiltins(createBackboneRegistry());
    expect(registry.get('resnet50-fpn')).toBe(RESNET50_FPN);
    expect(() => registerBuiltins(registry)).toThrow(DuplicateRegistrationError);
    expect(() => registry.get('resnet101')).toThrow(UnknownRegistryEntryError);
    expect(() => registry.get('resnet101')).toThrow(/resnet50-fpn/);
  });
});
