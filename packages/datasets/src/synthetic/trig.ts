/**
 * Sine and cosine from + − × ÷ only. `Math.sin` / `Math.cos` are "implementation-approximated"
 * by the ECMAScript spec and differ in the last bits between engines; IEEE-754 basic
 * arithmetic does not, so generated geometry is bit-identical in every engine.
 */

// Cody–Waite split of π/2 (fdlibm's pio2_1 / pio2_1t): k·PIO2_HI is exact for small k.
const PIO2_HI = 1.5707963267341256;
const PIO2_LO = 6.077100506506192e-11;
const TWO_OVER_PI = 0.6366197723675814;

// Taylor coefficients 1/n! with alternating signs; at |r| ≤ π/4 the first omitted terms
// are below 1e-17, i.e. under half an ulp of the result.
const S3 = -1 / 6;
const S5 = 1 / 120;
const S7 = -1 / 5040;
const S9 = 1 / 362880;
const S11 = -1 / 39916800;
const S13 = 1 / 6227020800;
const S15 = -1 / 1307674368000;
const S17 = 1 / 355687428096000;
const C2 = -1 / 2;
const C4 = 1 / 24;
const C6 = -1 / 720;
const C8 = 1 / 40320;
const C10 = -1 / 3628800;
const C12 = 1 / 479001600;
const C14 = -1 / 87178291200;
const C16 = 1 / 20922789888000;
const C18 = -1 / 6402373705728000;

function sinKernel(r: number): number {
  const z = r * r;
  return (
    r + r * z * (S3 + z * (S5 + z * (S7 + z * (S9 + z * (S11 + z * (S13 + z * (S15 + z * S17)))))))
  );
}

function cosKernel(r: number): number {
  const z = r * r;
  return (
    1 +
    z *
      (C2 +
        z * (C4 + z * (C6 + z * (C8 + z * (C10 + z * (C12 + z * (C14 + z * (C16 + z * C18))))))))
  );
}

/**
 * `[sin x, cos x]`, deterministic across JavaScript engines; accurate to ~1 ulp for
 * |x| ≤ 1e6 (the generator only uses angles in [0, 2π]).
 */
export function sinCos(x: number): [sin: number, cos: number] {
  const k = Math.round(x * TWO_OVER_PI);
  const r = x - k * PIO2_HI - k * PIO2_LO;
  const s = sinKernel(r);
  const c = cosKernel(r);
  switch (((k % 4) + 4) % 4) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}
