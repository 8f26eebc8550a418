import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fasterRcnnFixture } from '../faster-rcnn/__fixtures__/load.js';
import { expf, fmaf, sigmoidInto, softmaxRows } from './torch-math.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A float32 as sign · mantissa · 2^exponent with an integer mantissa (normal numbers). */
function decompose(x: number): { m: bigint; e: number } {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = bits >>> 31 ? -1n : 1n;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0) return { m: sign * BigInt(frac), e: -149 };
  return { m: sign * BigInt(frac | 0x800000), e: exp - 150 };
}

/** Exact `a·b + c` rounded once to float32 (round half to even), from integer arithmetic. */
function referenceFma(a: number, b: number, c: number): number {
  const pa = decompose(a);
  const pb = decompose(b);
  const pc = decompose(c);
  let pm = pa.m * pb.m;
  let pe = pa.e + pb.e;
  let cm = pc.m;
  let ce = pc.e;
  const e = Math.min(pe, ce);
  pm <<= BigInt(pe - e);
  cm <<= BigInt(ce - e);
  pe = e;
  ce = e;
  let sum = pm + cm;
  if (sum === 0n) return 0;
  const negative = sum < 0n;
  if (negative) sum = -sum;
  const bitsLen = sum.toString(2).length;
  let exp = e;
  if (bitsLen > 24) {
    const shift = BigInt(bitsLen - 24);
    const rem = sum & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    sum >>= shift;
    exp += Number(shift);
    if (rem > half || (rem === half && (sum & 1n) === 1n)) sum += 1n;
  }
  const v = Number(sum) * 2 ** exp;
  return Math.fround(negative ? -v : v);
}

describe('fmaf', () => {
  it('rounds a·b + c once, like C fmaf (property, normal float32 range)', () => {
    // away from the subnormal range, where neither the reference nor fmaf's midpoint test apply
    const float = fc
      .float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
      .map((v) => (Math.abs(v) < 1e-6 ? 0 : v));
    fc.assert(
      fc.property(float, float, float, (a, b, c) => {
        const [x, y, z] = [Math.fround(a), Math.fround(b), Math.fround(c)];
        expect(Object.is(fmaf(x, y, z) + 0, referenceFma(x, y, z) + 0)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('gets the double-rounding case right (a double sum exactly between two float32s)', () => {
    // 1.5 · (1 + 2^-23) = 1.5 + 3·2^-24 lies exactly halfway between the float32s 1.5 + 2^-23
    // and 1.5 + 2^-22; subtracting 2^-60 puts the exact result just below that midpoint, but
    // the double sum drops the 2^-60 and a plain fround would round the tie to even (up).
    const a = 1.5;
    const b = 1 + 2 ** -23;
    const c = -(2 ** -60);
    expect(Math.fround(a * b + c)).toBe(1.5 + 2 ** -22);
    expect(fmaf(a, b, c)).toBe(1.5 + 2 ** -23);
    expect(fmaf(a, b, -c)).toBe(1.5 + 2 ** -22);
    expect(fmaf(a, b, c)).toBe(referenceFma(a, b, c));
    expect(fmaf(1.5, 2, 0.25)).toBe(3.25);
  });
});

describe('expf / sigmoidInto / softmaxRows against torch 1.13 (CPU, float32)', () => {
  const fx = fasterRcnnFixture().torchMath;

  it('expf is SLEEF expf_u10: identical to torch.exp', () => {
    const got = Float32Array.from(fx.x.data, (v) => expf(v));
    const want = fx.exp.data;
    let mismatches = 0;
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) mismatches++;
    // torch.exp runs its scalar (libm) kernel on the last n % 16 elements; those may differ
    // by an ulp from SLEEF, everything else must be identical.
    const vector = got.length - (got.length % 16);
    for (let i = 0; i < vector; i++) expect(got[i]).toBe(want[i]);
    expect(mismatches).toBeLessThanOrEqual(got.length - vector);
  });

  it('sigmoidInto is identical to torch.sigmoid (vector body and scalar tail)', () => {
    const got = sigmoidInto(fx.x.data, new Float32Array(fx.x.data.length));
    expect(Array.from(got)).toEqual(Array.from(fx.sigmoid.data));
  });

  it('softmaxRows is identical to torch.softmax(dim=-1) for 5, 13 and 91 columns', () => {
    for (const { logits, probs } of fx.softmax) {
      const [rows, cols] = logits.dims as [number, number];
      const got = softmaxRows(logits.data, rows, cols);
      expect(Array.from(got)).toEqual(Array.from(probs.data));
    }
  });

  it('expf handles the extremes as SLEEF does', () => {
    expect(expf(0)).toBe(1);
    expect(expf(-200)).toBe(0);
    expect(expf(200)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(expf(Number.NaN))).toBe(true);
    for (const v of [-10, -1.5, 0.3, 2, 11.25]) {
      expect(Math.abs(expf(v) / Math.exp(v) - 1)).toBeLessThan(2e-7);
    }
  });
});
