/**
 * Precision–recall curves from a COCO evaluation, drawn as standalone SVG (one per class and
 * one for the mean over classes). The curves are pycocotools' interpolated precision at its
 * 101 recall thresholds (`eval['precision'][t, :, k, area all, maxDets 100]`).
 */
import type { CocoEvalResult } from '@ocelot/metrics';

/** One curve: precision at each recall threshold (NaN where undefined). */
export interface PrCurve {
  readonly label: string;
  readonly color: string;
  readonly precision: Float64Array;
}

/** The curves of one category (or of the mean over categories, `category` = -1). */
export interface CategoryCurves {
  readonly categoryId: number | string;
  readonly name: string;
  readonly recall: Float64Array;
  readonly curves: PrCurve[];
  /** AP at IoU 0.50:0.95, 0.50 and 0.75 (-1 when undefined). */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c'];

/** Index of the largest maxDets and of the area range labelled `all` (else 0). */
function axes(result: CocoEvalResult): { a: number; m: number; A: number; M: number } {
  const A = result.params.areaRanges.length;
  const M = result.params.maxDets.length;
  const all = result.params.areaRanges.findIndex((r) => r.label === 'all');
  return { a: Math.max(all, 0), m: M - 1, A, M };
}

/**
 * Precision curves per category at IoU 0.50, 0.75 and averaged over every IoU threshold, plus
 * the mean over categories with ground truth (first entry, `categoryId` -1).
 */
export function prCurves(result: CocoEvalResult): CategoryCurves[] {
  const [T, R, K] = result.precision.dims as [number, number, number, number, number];
  const { a, m, A, M } = axes(result);
  const p = result.precision.data;
  const at = (t: number, r: number, k: number) => p[(((t * R + r) * K + k) * A + a) * M + m]!;
  const thresholds = result.params.iouThresholds;
  const t50 = thresholds.findIndex((v) => Math.abs(v - 0.5) < 1e-9);
  const t75 = thresholds.findIndex((v) => Math.abs(v - 0.75) < 1e-9);
  const recall = Float64Array.from(result.params.recallThresholds);

  const curveOf = (ks: number[], ts: number[]): Float64Array => {
    const out = new Float64Array(R).fill(Number.NaN);
    for (let r = 0; r < R; r++) {
      let sum = 0;
      let n = 0;
      for (const k of ks) {
        for (const t of ts) {
          const v = at(t, r, k);
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
      if (n > 0) out[r] = sum / n;
    }
    return out;
  };
  const mean = (c: Float64Array) => {
    let s = 0;
    let n = 0;
    for (const v of c) {
      if (!Number.isNaN(v)) {
        s += v;
        n++;
      }
    }
    return n > 0 ? s / n : -1;
  };
  const build = (id: number | string, name: string, ks: number[]): CategoryCurves => {
    const all = curveOf(
      ks,
      Array.from({ length: T }, (_, t) => t),
    );
    const curves: PrCurve[] = [];
    let ap50 = -1;
    let ap75 = -1;
    if (t50 >= 0) {
      const c = curveOf(ks, [t50]);
      ap50 = mean(c);
      curves.push({ label: `IoU 0.50 (AP50 ${fmt(ap50)})`, color: COLORS[0]!, precision: c });
    }
    if (t75 >= 0) {
      const c = curveOf(ks, [t75]);
      ap75 = mean(c);
      curves.push({ label: `IoU 0.75 (AP75 ${fmt(ap75)})`, color: COLORS[1]!, precision: c });
    }
    const ap = mean(all);
    curves.push({ label: `IoU 0.50:0.95 mean (AP ${fmt(ap)})`, color: COLORS[2]!, precision: all });
    return { categoryId: id, name, recall, curves, ap, ap50, ap75 };
  };

  const withGt: number[] = [];
  const out: CategoryCurves[] = [];
  result.perCategory.forEach((c, k) => {
    if (c.numGroundTruth > 0 || c.ap > -1) withGt.push(k);
  });
  out.push(build(-1, 'all classes (mean)', withGt));
  result.perCategory.forEach((c, k) => {
    if (c.ap <= -1) return; // no ground truth: no curve
    out.push(build(c.categoryId, c.name ?? String(c.categoryId), [k]));
  });
  return out;
}

function fmt(v: number): string {
  return v < 0 ? 'n/a' : v.toFixed(3);
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A standalone SVG of one category's curves: axes with a 0.1 grid, the curves, a legend and a
 * title.
 */
export function prCurveSvg(
  curves: CategoryCurves,
  title: string,
  width = 640,
  height = 480,
): string {
  const left = 64;
  const right = 24;
  const top = 48;
  const bottom = 56;
  const w = width - left - right;
  const h = height - top - bottom;
  const x = (r: number) => left + r * w;
  const y = (p: number) => top + (1 - p) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" font-size="16" text-anchor="middle" fill="#111111">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 10; i++) {
    const v = i / 10;
    const stroke = i % 5 === 0 ? '#bbbbbb' : '#e5e5e5';
    parts.push(
      `<line x1="${x(v).toFixed(1)}" y1="${top}" x2="${x(v).toFixed(1)}" y2="${top + h}" stroke="${stroke}" stroke-width="1"/>`,
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + w}" y2="${y(v).toFixed(1)}" stroke="${stroke}" stroke-width="1"/>`,
    );
    if (i % 2 === 0) {
      parts.push(
        `<text x="${x(v).toFixed(1)}" y="${top + h + 18}" font-size="12" text-anchor="middle" fill="#333333">${v.toFixed(1)}</text>`,
        `<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="12" text-anchor="end" fill="#333333">${v.toFixed(1)}</text>`,
      );
    }
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#333333" stroke-width="1"/>`,
    `<text x="${left + w / 2}" y="${height - 14}" font-size="13" text-anchor="middle" fill="#111111">recall</text>`,
    `<text x="18" y="${top + h / 2}" font-size="13" text-anchor="middle" fill="#111111" transform="rotate(-90 18 ${top + h / 2})">precision</text>`,
  );
  curves.curves.forEach((curve, i) => {
    // one polyline per run of defined points
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) {
        parts.push(
          `<polyline points="${run.join(' ')}" fill="none" stroke="${curve.color}" stroke-width="2" stroke-linejoin="round"/>`,
        );
      }
      run = [];
    };
    curve.precision.forEach((p, r) => {
      if (Number.isNaN(p)) flush();
      else run.push(`${x(curves.recall[r]!).toFixed(2)},${y(p).toFixed(2)}`);
    });
    flush();
    const ly = top + 16 + i * 18;
    const lx = left + w - 250;
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${curve.color}" stroke-width="3"/>`,
      `<text x="${lx + 28}" y="${ly}" font-size="12" fill="#111111">${escapeXml(curve.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
