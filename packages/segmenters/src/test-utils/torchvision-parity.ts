/**
 * The torchvision parity tests every semantic architecture runs against the fixtures of
 * tooling/python/fixtures/segmenters_torchvision.py: decode-only (torch's logits → label maps
 * at other image sizes, bit-exact interpolation) and end to end through onnxruntime.
 */
import { parseModelCard } from '@ocelot/detectors';
import { letterboxGeometry, Transform } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { registerBuiltins } from '../builtins.js';
import { buildSegmenter, createSegmenterRegistry } from '../registry.js';
import type { SemanticSegmenter } from '../segmenter.js';
import { decodeSemantic } from '../semantic/decode.js';
import { resolveSemanticOptions } from '../semantic/options.js';
import { bilinear, regionTaps } from '../semantic/resample.js';
import { fixtureDir, type Loaded, loadFixture } from './fixtures.js';
import { recipeImage } from './recipe-image.js';

interface ParityFixture {
  generator: string;
  card: Record<string, unknown> & { labels: string[]; input: { width: number; height: number } };
  decode: {
    logits: Loaded;
    cases: {
      name: string;
      image: { width: number; height: number };
      crop: { top: number; bottom: number; left: number; right: number };
      labels: Loaded<Uint8Array>;
      exactTies: number;
      classesPresent: number[];
      interpolated?: { classes: number[]; values: Loaded };
    }[];
  };
  endToEnd: {
    seed: number;
    labels: Loaded<Uint8Array>;
    nearTie: Loaded<Uint8Array>;
    classesPresent: number[];
  }[];
}

export function torchvisionParity(arch: string, name: string): void {
  const fx = loadFixture<ParityFixture>(arch, name);
  const { width: IW, height: IH } = fx.card.input;
  const classNames = fx.card.labels;
  const C = classNames.length;

  describe(`${arch}: torchvision 0.14 parity (${name})`, () => {
    it('names its generator', () => {
      expect(fx.generator).toBe('tooling/python/fixtures/segmenters_torchvision.py');
    });

    for (const c of fx.decode.cases) {
      it(`decode, ${c.name} to ${c.image.width}×${c.image.height}: label map identical to F.interpolate(out[crop]).argmax(1)`, () => {
        const { width, height } = c.image;
        const transform =
          c.name === 'letterbox'
            ? letterboxGeometry(width, height, { size: { width: IW, height: IH } }).transform
            : new Transform({
                srcWidth: width,
                srcHeight: height,
                dstWidth: IW,
                dstHeight: IH,
                scaleX: IW / width,
                scaleY: IH / height,
                offsetX: 0,
                offsetY: 0,
              });
        const [x1, y1, x2, y2] = transform.contentBox;
        expect([y1, y2, x1, x2].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
          c.crop.top,
          c.crop.bottom,
          c.crop.left,
          c.crop.right,
        ]);
        const outputs = {
          out: {
            type: 'float32' as const,
            data: fx.decode.logits.data,
            dims: fx.decode.logits.dims,
          },
        };
        const seg = decodeSemantic(
          outputs,
          { model: name, classNames, transform, options: resolveSemanticOptions(classNames) },
          { output: ['out', 0], layout: 'nchw', values: 'logits', activation: undefined },
        );
        expect(c.exactTies).toBe(0);
        let diff = 0;
        for (let i = 0; i < seg.labelMap.length; i++)
          if (seg.labelMap[i] !== c.labels.data[i]) diff++;
        expect(diff).toBe(0);
        expect(Array.from(seg.classesPresent)).toEqual(c.classesPresent);
        if (c.interpolated) {
          // the interpolated logits themselves, bit for bit
          const xt = regionTaps(IW, c.crop.left, c.crop.right, width);
          const yt = regionTaps(IH, c.crop.top, c.crop.bottom, height);
          const L = fx.decode.logits.data;
          let mismatches = 0;
          c.interpolated.classes.forEach((cls, k) => {
            for (let y = 0; y < height; y++) {
              for (let x = 0; x < width; x++) {
                const at = (r: number, q: number) => L[(cls * IH + r) * IW + q]!;
                const v = bilinear(
                  at(yt.i0[y]!, xt.i0[x]!),
                  at(yt.i0[y]!, xt.i1[x]!),
                  at(yt.i1[y]!, xt.i0[x]!),
                  at(yt.i1[y]!, xt.i1[x]!),
                  xt.w0[x]!,
                  xt.w1[x]!,
                  yt.w0[y]!,
                  yt.w1[y]!,
                );
                if (v !== c.interpolated!.values.data[(k * height + y) * width + x]) mismatches++;
              }
            }
          });
          expect(mismatches).toBe(0);
        }
      });
    }

    it('decode: NHWC logits (the same numbers transposed) give the same label maps', () => {
      const L = fx.decode.logits.data;
      const nhwc = new Float32Array(L.length);
      for (let c = 0; c < C; c++)
        for (let i = 0; i < IH * IW; i++) nhwc[i * C + c] = L[c * IH * IW + i]!;
      const c = fx.decode.cases[0]!;
      const transform = new Transform({
        srcWidth: c.image.width,
        srcHeight: c.image.height,
        dstWidth: IW,
        dstHeight: IH,
        scaleX: IW / c.image.width,
        scaleY: IH / c.image.height,
        offsetX: 0,
        offsetY: 0,
      });
      const seg = decodeSemantic(
        { logits: { type: 'float32', data: nhwc, dims: [1, IH, IW, C] } },
        { model: name, classNames, transform, options: resolveSemanticOptions(classNames) },
        { output: 'logits', layout: 'nhwc', values: 'logits', activation: undefined },
      );
      expect(Buffer.compare(Buffer.from(seg.labelMap), Buffer.from(c.labels.data))).toBe(0);
    });

    it('end to end through onnxruntime: labels equal torch’s except where its two best logits are within 1e-4', async () => {
      const seg = (await buildSegmenter(
        registerBuiltins(createSegmenterRegistry()),
        parseModelCard(fx.card, name),
        {
          base: fixtureDir(arch),
          session: { executionProviders: ['cpu'], threads: 1 },
        },
      )) as SemanticSegmenter;
      try {
        expect(seg.kind).toBe('semantic');
        for (const e of fx.endToEnd) {
          const r = await seg.segment(recipeImage(IW, IH, e.seed));
          let diff = 0;
          let allowed = 0;
          for (let i = 0; i < r.labelMap.length; i++) {
            if (r.labelMap[i] === e.labels.data[i]) continue;
            if (e.nearTie.data[i]) allowed++;
            else diff++;
          }
          expect(diff).toBe(0);
          expect(allowed).toBeLessThanOrEqual(2);
          expect(Array.from(r.classesPresent)).toEqual(e.classesPresent);
        }
      } finally {
        await seg.dispose();
      }
    });
  });
}
