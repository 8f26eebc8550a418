import { bboxIouCoco } from '@ocelot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxGroupIou } from './geometry.js';

describe('boxGroupIou', () => {
  it("equals @ocelot/core's bboxIouCoco (maskApi.c bbIou) bit for bit (property)", () => {
    const box = fc.tuple(
      fc.double({ min: -50, max: 200, noNaN: true }),
      fc.double({ min: -50, max: 200, noNaN: true }),
      fc.double({ min: 0, max: 120, noNaN: true }),
      fc.double({ min: 0, max: 120, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(box, { maxLength: 8 }),
        fc.array(fc.tuple(box, fc.boolean()), { maxLength: 8 }),
        (dts, gts) => {
          const dtBox = new Float64Array(dts.flat());
          const gtBox = new Float64Array(gts.flatMap((g) => g[0]));
          const crowd = Uint8Array.from(gts.map((g) => (g[1] ? 1 : 0)));
          const D = dts.length;
          const G = gts.length;
          const out = new Float64Array(D * G);
          boxGroupIou(dtBox, gtBox, crowd).compute(
            Int32Array.from(dts.map((_, i) => i)),
            D,
            Int32Array.from(gts.map((_, i) => i)),
            G,
            out,
          );
          expect(Array.from(out)).toEqual(Array.from(bboxIouCoco(dtBox, gtBox, crowd)));
        },
      ),
    );
  });
});
