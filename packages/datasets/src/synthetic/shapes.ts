/**
 * The shape classes and their exact rasterisation. Every mask pixel is decided by one exact
 * rule, never by anti-aliased coverage, so a mask, its label-map pixels and its COCO
 * annotation all describe the same set of pixels:
 *
 * - polygons (square, triangle, star, hexagon) are rasterised by `rleFromPolygon`, the
 *   pycocotools `frPoly` rule, from vertices rounded to 1/100 px — decoding the annotation's
 *   polygon with pycocotools gives back exactly the object's mask;
 * - discs (circle, ring) take pixel (x, y) when its centre (x + ½, y + ½) lies inside.
 */
import { rleDecode, rleFromPolygon } from '@ocelot/core';
import { sinCos } from './trig.js';

/** The shape classes the generator knows, in their default category order (ids 1, 2, …). */
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'star', 'ring', 'hexagon'] as const;

/** One shape class. */
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** Where and how one shape is drawn, in continuous pixel coordinates. */
export interface ShapeGeometry {
  readonly shape: ShapeName;
  /** Centre, pixels. */
  readonly cx: number;
  readonly cy: number;
  /** Outer (circum-)radius, pixels. */
  readonly radius: number;
  /** Rotation, radians. */
  readonly rotation: number;
  /** Star: inner / outer vertex radius. Ring: hole radius / outer radius. Otherwise 0. */
  readonly innerRatio: number;
}

/** A shape's pixels: a full-image H×W 0/1 mask and the pixel bounds it may touch. */
export interface ShapeRaster {
  /** [H,W] row-major, 1 inside. */
  readonly mask: Uint8Array;
  /** Inclusive pixel bounds that enclose every 1 of `mask`. */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Number of pixels inside. */
  readonly area: number;
}

const SQRT3 = 1.7320508075688772;

/** true for the classes drawn (and annotated, when unoccluded) as one simple polygon. */
export function isPolygonShape(shape: ShapeName): boolean {
  return shape !== 'circle' && shape !== 'ring';
}

/** Area of the exact (continuous) shape divided by radius². */
export function shapeAreaFactor(shape: ShapeName, innerRatio: number): number {
  switch (shape) {
    case 'circle':
      return Math.PI;
    case 'ring':
      return Math.PI * (1 - innerRatio * innerRatio);
    case 'square':
      return 2;
    case 'triangle':
      return (3 * SQRT3) / 4;
    case 'hexagon':
      return (3 * SQRT3) / 2;
    case 'star':
      // Ten triangles (centre, outer vertex, inner vertex), each with apex angle π/5.
      return 5 * innerRatio * sinCos(Math.PI / 5)[0];
  }
}

function roundCoordinate(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The vertices of a polygon shape, `[x1, y1, x2, y2, …]`, counter-clockwise on screen,
 * rounded to 1/100 px (what the COCO annotation stores).
 */
export function shapePolygon(g: ShapeGeometry): number[] {
  let corners: number;
  let phase = 0;
  switch (g.shape) {
    case 'square':
      corners = 4;
      phase = Math.PI / 4;
      break;
    case 'triangle':
      corners = 3;
      phase = -Math.PI / 2;
      break;
    case 'hexagon':
      corners = 6;
      break;
    case 'star':
      corners = 10;
      phase = -Math.PI / 2;
      break;
    default:
      throw new Error(`shapePolygon: ${g.shape} is not a polygon shape`);
  }
  const out: number[] = [];
  for (let k = 0; k < corners; k++) {
    const r = g.shape === 'star' && k % 2 === 1 ? g.radius * g.innerRatio : g.radius;
    const [s, c] = sinCos(g.rotation + phase + (2 * Math.PI * k) / corners);
    out.push(roundCoordinate(g.cx + r * c), roundCoordinate(g.cy + r * s));
  }
  return out;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/**
 * Rasterises a shape into a full-image mask (see the module comment for the rules).
 * @param polygon the shape's `shapePolygon` when it has one (saves recomputing it)
 */
export function rasterizeShape(
  g: ShapeGeometry,
  width: number,
  height: number,
  polygon?: readonly number[],
): ShapeRaster {
  const x0 = clampInt(Math.floor(g.cx - g.radius) - 1, 0, width - 1);
  const x1 = clampInt(Math.ceil(g.cx + g.radius) + 1, 0, width - 1);
  const y0 = clampInt(Math.floor(g.cy - g.radius) - 1, 0, height - 1);
  const y1 = clampInt(Math.ceil(g.cy + g.radius) + 1, 0, height - 1);
  let mask: Uint8Array;
  let area = 0;
  if (isPolygonShape(g.shape)) {
    mask = rleDecode(rleFromPolygon(polygon ?? shapePolygon(g), height, width));
    for (let y = y0; y <= y1; y++) {
      for (let i = y * width + x0, end = y * width + x1; i <= end; i++) area += mask[i]!;
    }
  } else {
    mask = new Uint8Array(width * height);
    const outer2 = g.radius * g.radius;
    const inner = g.shape === 'ring' ? g.radius * g.innerRatio : 0;
    const inner2 = g.shape === 'ring' ? inner * inner : -1;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - g.cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - g.cx;
        const d2 = dx * dx + dy * dy;
        if (d2 <= outer2 && d2 > inner2) {
          mask[y * width + x] = 1;
          area++;
        }
      }
    }
  }
  return { mask, x0, y0, x1, y1, area };
}
