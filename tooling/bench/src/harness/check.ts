/**
 * Correctness checks a row applies to Ocelot's answer against each peer's (and the harness to
 * each peer against the first peer). A fast wrong answer is a failed row: these return
 * `ok: false` with where the answers part, written as "first vs second" in argument order.
 */
import type { Check } from './types.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** Identical index lists (NMS keep lists, in order). */
export function sameIndices(a: ArrayLike<number>, b: ArrayLike<number>): Check {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return {
        ok: false,
        detail: `keep differs at position ${i}: ${a[i]} vs ${b[i]} (lengths ${fmt(a.length)} vs ${fmt(b.length)})`,
      };
    }
  }
  if (a.length !== b.length) {
    return {
      ok: false,
      detail: `keep lengths differ: ${fmt(a.length)} vs ${fmt(b.length)} (common prefix identical)`,
    };
  }
  return { ok: true, detail: `identical keep (${fmt(n)} indices)` };
}

/** Max |a − b| within `tolerance` over equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): Check {
  if (a.length !== b.length) {
    return { ok: false, detail: `lengths differ: ${fmt(a.length)} vs ${fmt(b.length)}` };
  }
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    // `!(d <= worst)` also catches NaN on either side.
    if (!(d <= worst)) {
      worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      at = i;
    }
  }
  const ok = worst <= tolerance;
  const where = ok ? '' : ` at index ${at} (${a[at]} vs ${b[at]})`;
  return {
    ok,
    detail: `max abs diff ${worst.toExponential(1)} ${ok ? '≤' : '>'} ${tolerance.toExponential(0)}${where}`,
  };
}

/** Equal numeric vectors (COCO's 12 stats) to `tolerance`. */
export function statsEqual(a: readonly number[], b: readonly number[], tolerance: number): Check {
  const base = maxAbsDiff(a, b, tolerance);
  if (!base.ok) return { ok: false, detail: `stats ${base.detail}` };
  return { ok: true, detail: `${a.length} stats equal, ${base.detail}` };
}
