/**
 * COCO run-length encoding (RLE) of binary masks, with pycocotools' semantics (maskApi.c):
 * pixels are visited in column-major (Fortran) order, `counts` alternate between runs of 0s and
 * runs of 1s and always start with a run of 0s (possibly of length 0). The compact string form
 * is pycocotools' LEB128-like encoding (6 bits per character, ASCII 48–111) used as the
 * `counts` string in COCO JSON.
 */
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';

/** A binary mask of `size = [height, width]` as column-major run lengths (zeros first). */
export interface Rle {
  /** `[height, width]`, in that order, as in COCO JSON. */
  readonly size: readonly [number, number];
  /** Run lengths in column-major order; even indices count 0s, odd indices count 1s. */
  readonly counts: Uint32Array;
}

/** COCO JSON's compressed RLE: `counts` is pycocotools' compact string. */
export interface CocoRle {
  size: [number, number];
  counts: string;
}

/** COCO JSON's uncompressed RLE (`iscrowd` annotations often use it): plain run lengths. */
export interface CocoUncompressedRle {
  size: [number, number];
  counts: number[];
}

/** A COCO `segmentation` field: polygons (`[[x1, y1, x2, y2, ...], ...]`) or an RLE. */
export type CocoSegmentation = number[][] | CocoRle | CocoUncompressedRle;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function assertSize(name: string, height: number, width: number): void {
  if (!Number.isInteger(height) || height < 0 || !Number.isInteger(width) || width < 0) {
    throw new InvalidArgumentError(
      name,
      `expected non-negative integer height and width, got ${height}×${width}`,
    );
  }
  if (height * width > 0xffffffff) {
    throw new InvalidArgumentError(
      name,
      `mask of ${height}×${width} pixels exceeds 2^32-1 pixels (COCO RLE counts are uint32)`,
    );
  }
}

/**
 * Checks that `rle` is a well-formed {@link Rle}: integer size, a `Uint32Array` of counts and
 * counts that sum to height × width (pycocotools does not check this and reads past the end or
 * loops forever on such input). Returns the number of pixels.
 */
export function assertRle(name: string, rle: Rle): number {
  if (rle === null || typeof rle !== 'object' || !Array.isArray(rle.size)) {
    throw new InvalidArgumentError(name, 'expected an RLE object { size: [h, w], counts }');
  }
  if (rle.size.length !== 2) {
    throw new ShapeMismatchError(`${name}.size`, '[height, width]', `[${rle.size.join(',')}]`);
  }
  const [h, w] = rle.size;
  assertSize(`${name}.size`, h, w);
  if (!(rle.counts instanceof Uint32Array)) {
    throw new InvalidArgumentError(
      `${name}.counts`,
      'expected a Uint32Array (use rleFromString / rleFromCoco for COCO JSON counts)',
    );
  }
  const counts = rle.counts;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i]!;
  if (sum !== h * w) {
    throw new InvalidArgumentError(
      `${name}.counts`,
      `run lengths sum to ${sum}, expected height × width = ${h * w}`,
      'E_MALFORMED_RLE',
    );
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Scratch buffers (reused between calls; results are always copied out)
// ---------------------------------------------------------------------------------------------

let scratchCounts = new Uint32Array(1024);
function countsScratch(minLength: number): Uint32Array {
  if (scratchCounts.length < minLength) {
    scratchCounts = new Uint32Array(Math.max(minLength, 2 * scratchCounts.length));
  }
  return scratchCounts;
}

// ---------------------------------------------------------------------------------------------
// Encode / decode
// ---------------------------------------------------------------------------------------------

/**
 * Encodes a binary mask as COCO RLE (pycocotools `mask.encode`).
 *
 * @param mask [H,W] row-major (the usual image layout); any non-zero byte is foreground.
 *   pycocotools expects 0/1 and treats other values as distinct symbols; for 0/1 masks the
 *   result is identical.
 * @param height H
 * @param width W
 * @returns the RLE, column-major as COCO requires (the transposition happens while scanning)
 */
export function rleEncode(mask: Uint8Array, height: number, width: number): Rle {
  assertSize('height/width', height, width);
  if (!((mask as unknown) instanceof Uint8Array)) {
    throw new InvalidArgumentError('mask', 'expected a Uint8Array of H×W bytes');
  }
  if (mask.length !== height * width) {
    throw new ShapeMismatchError('mask', `[H=${height},W=${width}]`, `[${mask.length}]`);
  }
  const out = countsScratch(height * width + 1);
  let k = 0;
  let prev = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x, end = x + height * width; i < end; i += width) {
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== prev) {
        out[k++] = run;
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  out[k++] = run;
  return { size: [height, width], counts: out.slice(0, k) };
}

/**
 * Encodes a column-major (Fortran order, as pycocotools stores masks) binary mask.
 * @param mask [W,H] i.e. column-major H×W; any non-zero byte is foreground
 */
export function rleEncodeColumnMajor(mask: Uint8Array, height: number, width: number): Rle {
  assertSize('height/width', height, width);
  if (!(mask instanceof Uint8Array) || mask.length !== height * width) {
    throw new ShapeMismatchError(
      'mask',
      `Uint8Array [W=${width},H=${height}]`,
      `${mask?.constructor?.name} [${mask?.length}]`,
    );
  }
  const n = height * width;
  const out = countsScratch(n + 1);
  let k = 0;
  let prev = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const v = mask[i] !== 0 ? 1 : 0;
    if (v !== prev) {
      out[k++] = i - start;
      start = i;
      prev = v;
    }
  }
  out[k++] = n - start;
  return { size: [height, width], counts: out.slice(0, k) };
}

/**
 * Decodes an RLE to a binary mask (pycocotools `mask.decode`).
 * @returns [H,W] row-major Uint8Array of 0/1
 */
export function rleDecode(rle: Rle): Uint8Array {
  assertRle('rle', rle);
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  const counts = rle.counts;
  let pos = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if ((j & 1) === 1 && c > 0) {
      // A run of ones from column-major position pos to pos + c - 1, column by column.
      let y = pos % h;
      let x = (pos - y) / h;
      let left = c;
      while (left > 0) {
        const take = Math.min(left, h - y);
        let i = y * w + x;
        for (let t = 0; t < take; t++, i += w) out[i] = 1;
        left -= take;
        y = 0;
        x++;
      }
    }
    pos += c;
  }
  return out;
}

/**
 * Decodes an RLE to a column-major (Fortran order) binary mask, pycocotools' own layout.
 * @returns [W,H] Uint8Array of 0/1 (element (y, x) at x·H + y)
 */
export function rleDecodeColumnMajor(rle: Rle): Uint8Array {
  assertRle('rle', rle);
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  const counts = rle.counts;
  let pos = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if ((j & 1) === 1 && c > 0) out.fill(1, pos, pos + c);
    pos += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compact string form
// ---------------------------------------------------------------------------------------------

let scratchChars = new Uint8Array(4096);

/**
 * The compact string of an RLE, identical to pycocotools' (`rleToString`): each count, or its
 * difference to the count two places back from the fourth on, in 5-bit groups with a
 * continuation bit, offset by ASCII 48.
 */
export function rleToString(rle: Rle): string {
  assertRle('rle', rle);
  const counts = rle.counts;
  const m = counts.length;
  if (scratchChars.length < 7 * m)
    scratchChars = new Uint8Array(Math.max(7 * m, 2 * scratchChars.length));
  const chars = scratchChars;
  let p = 0;
  for (let i = 0; i < m; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    if (x >= -0x40000000 && x < 0x40000000) {
      // Fast path: an int32 arithmetic shift is exact here.
      for (;;) {
        let c = x & 0x1f;
        x >>= 5;
        const more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
        if (more) c |= 0x20;
        chars[p++] = c + 48;
        if (!more) break;
      }
    } else {
      for (;;) {
        let c = ((x % 32) + 32) % 32;
        x = Math.floor(x / 32);
        const more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
        if (more) c |= 0x20;
        chars[p++] = c + 48;
        if (!more) break;
      }
    }
  }
  let s = '';
  for (let i = 0; i < p; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      chars.subarray(i, Math.min(p, i + 8192)) as unknown as number[],
    );
  }
  return s;
}

/**
 * Parses pycocotools' compact counts string (the `counts` of compressed RLE in COCO JSON).
 *
 * @param counts the string, characters in ASCII 48–111
 * @param height H of the mask (`size[0]` in COCO JSON)
 * @param width W (`size[1]`)
 * @throws InvalidArgumentError on a character outside the alphabet, a truncated string, or
 *   run lengths that do not sum to H·W
 */
export function rleFromString(counts: string, height: number, width: number): Rle {
  if (typeof counts !== 'string') {
    throw new InvalidArgumentError('counts', `expected a string, got ${typeof counts}`);
  }
  assertSize('height/width', height, width);
  const n = counts.length;
  // At most one count per character: decode into scratch, copy out the used part.
  const out = countsScratch(n);
  let p = 0;
  let j = 0;
  let sum = 0;
  while (p < n) {
    // int32 arithmetic reproduces pycocotools' `int` shifts exactly, including >30-bit counts.
    let x = 0;
    let k = 0;
    for (;;) {
      if (p >= n) {
        throw new InvalidArgumentError('counts', 'truncated RLE string', 'E_MALFORMED_RLE');
      }
      const c = counts.charCodeAt(p) - 48;
      if (c >>> 0 > 63) {
        throw new InvalidArgumentError(
          'counts',
          `character ${JSON.stringify(counts[p])} at ${p} is not an RLE character (ASCII 48-111)`,
          'E_MALFORMED_RLE',
        );
      }
      x |= (c & 0x1f) << (5 * k);
      p++;
      k++;
      if ((c & 0x20) === 0) {
        if ((c & 0x10) !== 0) x |= -1 << (5 * k);
        break;
      }
    }
    const v = (j > 2 ? x + out[j - 2]! : x) >>> 0;
    out[j++] = v;
    sum += v;
  }
  if (sum !== height * width) {
    throw new InvalidArgumentError(
      'counts',
      `run lengths sum to ${sum}, expected height × width = ${height * width}`,
      'E_MALFORMED_RLE',
    );
  }
  return { size: [height, width], counts: out.slice(0, j) };
}

/** The COCO JSON form `{ size: [h, w], counts: string }` of an RLE. */
export function rleToCoco(rle: Rle): CocoRle {
  return { size: [rle.size[0], rle.size[1]], counts: rleToString(rle) };
}

/**
 * An {@link Rle} from COCO JSON, compressed (`counts` string) or uncompressed (`counts`
 * number array, pycocotools `frUncompressedRLE`).
 */
export function rleFromCoco(obj: CocoRle | CocoUncompressedRle): Rle {
  if (
    obj === null ||
    typeof obj !== 'object' ||
    !Array.isArray(obj.size) ||
    obj.size.length !== 2
  ) {
    throw new InvalidArgumentError('rle', 'expected { size: [height, width], counts }');
  }
  const [h, w] = obj.size;
  if (typeof obj.counts === 'string') return rleFromString(obj.counts, h, w);
  if (!Array.isArray(obj.counts)) {
    throw new InvalidArgumentError('rle.counts', 'expected a string or an array of run lengths');
  }
  const counts = new Uint32Array(obj.counts.length);
  for (let i = 0; i < counts.length; i++) {
    const c = obj.counts[i]!;
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) {
      throw new InvalidArgumentError('rle.counts', `run length ${c} at ${i} is not a uint32`);
    }
    counts[i] = c;
  }
  const rle: Rle = { size: [h, w], counts };
  assertRle('rle', rle);
  return rle;
}

// ---------------------------------------------------------------------------------------------
// Polygons and boxes
// ---------------------------------------------------------------------------------------------

/** C's `(int)d` on x86-64: truncation, and INT_MIN for NaN or out-of-range values. */
function cInt(d: number): number {
  return d > -2147483649 && d < 2147483648 ? Math.trunc(d) : -2147483648;
}

/** Rasterises one polygon into counts, exactly as maskApi.c `rleFrPoly`. */
function frPolyCounts(xy: ArrayLike<number>, h: number, w: number): Uint32Array {
  // An empty image: pycocotools gives [0] for h = 0 and malformed counts for w = 0; both
  // become the RLE of an empty mask, [0], as `encode` of a 0-pixel mask.
  if (h * w === 0) return Uint32Array.of(0);
  const scale = 5;
  let k = Math.floor(xy.length / 2);
  // Upsample and get discrete points densely along the entire boundary.
  let x = new Int32Array(k + 1);
  let y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = cInt(scale * xy[2 * j]! + 0.5);
  x[k] = x[0]!;
  for (let j = 0; j < k; j++) y[j] = cInt(scale * xy[2 * j + 1]! + 0.5);
  y[k] = y[0]!;
  let m = 0;
  for (let j = 0; j < k; j++) {
    m += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1;
  }
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    // 0/0 = NaN for a repeated vertex, as in C; cInt maps it like the C cast does.
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = cInt(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = cInt(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Get points along the y-boundary and downsample.
  k = m;
  m = 0;
  x = new Int32Array(k);
  y = new Int32Array(k);
  for (let j = 1; j < k; j++) {
    const uj = u[j]!;
    const uj1 = u[j - 1]!;
    if (uj !== uj1) {
      let xd = uj < uj1 ? uj : uj - 1;
      xd = (xd + 0.5) / scale - 0.5;
      if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
      const vj = v[j]!;
      const vj1 = v[j - 1]!;
      let yd = Math.min(vj, vj1);
      yd = (yd + 0.5) / scale - 0.5;
      if (yd < 0) yd = 0;
      else if (yd > h) yd = h;
      yd = Math.ceil(yd);
      x[m] = xd;
      y[m] = yd;
      m++;
    }
  }
  // Compute the RLE given the y-boundary points.
  k = m;
  const a = new Uint32Array(k + 1);
  for (let j = 0; j < k; j++) a[j] = x[j]! * h + y[j]!;
  a[k++] = h * w;
  a.sort();
  let p = 0;
  for (let j = 0; j < k; j++) {
    const t = a[j]!;
    a[j] = t - p;
    p = t;
  }
  const b = new Uint32Array(k);
  let j = 0;
  m = 0;
  b[m++] = a[j++]!;
  while (j < k) {
    if (a[j]! > 0) {
      b[m++] = a[j++]!;
    } else {
      j++;
      if (j < k) b[m - 1] = b[m - 1]! + a[j++]!;
    }
  }
  return b.slice(0, m);
}

function assertPolygon(name: string, polygon: ArrayLike<number>): void {
  if (polygon === null || typeof polygon !== 'object' || typeof polygon.length !== 'number') {
    throw new InvalidArgumentError(name, 'expected an array of coordinates [x1, y1, x2, y2, ...]');
  }
  for (let i = 0; i < polygon.length; i++) {
    const v = polygon[i]!;
    if (typeof v !== 'number' || v - v !== 0) throw new NonFiniteValueError(name, i, v);
  }
}

/**
 * Rasterises one polygon exactly as pycocotools' `frPoly` (5× upsampled boundary walk).
 * @param polygon [x1, y1, x2, y2, ...] in pixels (0-indexed; [0,0,1,0,1,1,0,1] covers pixel
 *   (0,0)); an odd trailing coordinate is ignored, as in pycocotools
 */
export function rleFromPolygon(polygon: ArrayLike<number>, height: number, width: number): Rle {
  assertSize('height/width', height, width);
  assertPolygon('polygon', polygon);
  return { size: [height, width], counts: frPolyCounts(polygon, height, width) };
}

/**
 * Rasterises the polygons of one COCO object and merges them (union), as pycocotools'
 * `COCO.annToRLE` does with `frPyObjects` + `merge`.
 * @param polygons [[x1, y1, x2, y2, ...], ...]
 */
export function rleFromPolygons(
  polygons: readonly ArrayLike<number>[],
  height: number,
  width: number,
): Rle {
  assertSize('height/width', height, width);
  if (!Array.isArray(polygons)) {
    throw new InvalidArgumentError('polygons', 'expected an array of polygons');
  }
  const rles: Rle[] = [];
  for (let i = 0; i < polygons.length; i++) {
    assertPolygon(`polygons[${i}]`, polygons[i]!);
    rles.push({ size: [height, width], counts: frPolyCounts(polygons[i]!, height, width) });
  }
  return mergeUnchecked(rles, false);
}

/**
 * The RLE of a box, as pycocotools `frBbox` (rasterised as a 4-point polygon).
 * @param bbox [x, y, w, h] (COCO xywh)
 */
export function rleFromBbox(bbox: ArrayLike<number>, height: number, width: number): Rle {
  assertSize('height/width', height, width);
  if (bbox === null || typeof bbox !== 'object' || bbox.length !== 4) {
    throw new ShapeMismatchError('bbox', '[4] (x, y, w, h)', `[${bbox?.length}]`);
  }
  assertPolygon('bbox', bbox);
  const xs = bbox[0]!;
  const xe = xs + bbox[2]!;
  const ys = bbox[1]!;
  const ye = ys + bbox[3]!;
  return {
    size: [height, width],
    counts: frPolyCounts([xs, ys, xs, ye, xe, ye, xe, ys], height, width),
  };
}

/**
 * The RLE of a COCO `segmentation` field, as pycocotools `COCO.annToRLE`: polygons are
 * rasterised and merged at `height × width`, uncompressed RLE is converted, compressed RLE is
 * parsed (with its own `size`, as annToRLE does). Where pycocotools' `frPyObjects` mistakes a
 * first polygon of exactly 4 numbers for a box and raises, this rasterises it as a polygon.
 */
export function rleFromSegmentation(
  segmentation: CocoSegmentation,
  height: number,
  width: number,
): Rle {
  if (Array.isArray(segmentation)) return rleFromPolygons(segmentation, height, width);
  if (segmentation !== null && typeof segmentation === 'object' && 'counts' in segmentation) {
    return rleFromCoco(segmentation);
  }
  throw new InvalidArgumentError(
    'segmentation',
    'expected polygons [[x1, y1, ...], ...] or an RLE { size, counts }',
  );
}

// ---------------------------------------------------------------------------------------------
// Merge, area, bbox
// ---------------------------------------------------------------------------------------------

/** maskApi.c `rleMerge` of two count arrays of the same size. */
function mergeTwo(A: Uint32Array, B: Uint32Array, intersect: boolean): Uint32Array {
  const am = A.length;
  const bm = B.length;
  const out = countsScratch(am + bm + 1);
  let ca = am > 0 ? A[0]! : 0;
  let cb = bm > 0 ? B[0]! : 0;
  let v = false;
  let va = false;
  let vb = false;
  let m = 0;
  let a = 1;
  let b = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    cc += c;
    ct = 0;
    ca -= c;
    if (ca === 0 && a < am) {
      ca = A[a++]!;
      va = !va;
    }
    ct += ca;
    cb -= c;
    if (cb === 0 && b < bm) {
      cb = B[b++]!;
      vb = !vb;
    }
    ct += cb;
    const vp: boolean = v;
    v = intersect ? va && vb : va || vb;
    if (v !== vp || ct === 0) {
      out[m++] = cc;
      cc = 0;
    }
  }
  return out.slice(0, m);
}

function mergeUnchecked(rles: readonly Rle[], intersect: boolean): Rle {
  const first = rles[0];
  if (first === undefined) return { size: [0, 0], counts: new Uint32Array(0) };
  const [h, w] = first.size;
  let counts: Uint32Array = first.counts.slice();
  for (let i = 1; i < rles.length; i++) counts = mergeTwo(counts, rles[i]!.counts, intersect);
  return { size: [h, w], counts };
}

/**
 * Union (or intersection) of RLEs of one size, pycocotools `mask.merge`.
 * @param rles masks of the same size; an empty list gives a 0×0 RLE, as pycocotools does
 * @param intersect false: union (default); true: intersection
 * @throws ShapeMismatchError when sizes differ (pycocotools silently returns a 0×0 mask)
 */
export function rleMerge(rles: readonly Rle[], intersect = false): Rle {
  if (!Array.isArray(rles)) throw new InvalidArgumentError('rles', 'expected an array of RLEs');
  for (let i = 0; i < rles.length; i++) {
    assertRle(`rles[${i}]`, rles[i]!);
    if (rles[i]!.size[0] !== rles[0]!.size[0] || rles[i]!.size[1] !== rles[0]!.size[1]) {
      throw new ShapeMismatchError(
        `rles[${i}].size`,
        `[${rles[0]!.size.join(',')}] (the size of rles[0])`,
        `[${rles[i]!.size.join(',')}]`,
      );
    }
  }
  return mergeUnchecked(rles, intersect);
}

/** Foreground pixel count (pycocotools `mask.area`). */
export function rleArea(rle: Rle): number {
  assertRle('rle', rle);
  return areaOfCounts(rle.counts);
}

/** @internal sum of the odd-indexed counts. */
export function areaOfCounts(counts: Uint32Array): number {
  let a = 0;
  for (let j = 1; j < counts.length; j += 2) a += counts[j]!;
  return a >>> 0; // pycocotools accumulates in uint32
}

/** @internal maskApi.c `rleToBbox` into `out[o..o+3]` (x, y, w, h). */
export function bboxOfCounts(
  counts: Uint32Array,
  h: number,
  w: number,
  out: Float64Array,
  o: number,
): void {
  const m = counts.length - (counts.length % 2);
  if (m === 0) {
    out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
    return;
  }
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  for (let j = 0; j < m; j++) {
    const start = cc;
    const c = counts[j]!;
    cc += c;
    if ((j & 1) === 0 || c === 0) continue;
    const yStart = start % h;
    const xStart = (start - yStart) / h;
    const yEnd = (cc - 1) % h;
    const xEnd = (cc - 1 - yEnd) / h;
    if (xStart < xs) xs = xStart;
    if (xEnd > xe) xe = xEnd;
    if (xStart < xEnd) {
      ys = 0;
      ye = h - 1; // the run crosses a column boundary
    } else {
      if (yStart < ys) ys = yStart;
      if (yEnd > ye) ye = yEnd;
    }
  }
  // uint32 arithmetic as in C (only differs for masks without foreground).
  out[o] = xs;
  out[o + 2] = (xe - xs + 1) >>> 0;
  out[o + 1] = ys;
  out[o + 3] = (ye - ys + 1) >>> 0;
}

/**
 * The bounding box of the foreground, pycocotools `mask.toBbox`.
 * @returns [x, y, w, h] (COCO xywh); [0, 0, 0, 0] for an empty mask
 */
export function rleToBbox(rle: Rle): Float64Array {
  assertRle('rle', rle);
  const out = new Float64Array(4);
  bboxOfCounts(rle.counts, rle.size[0], rle.size[1], out, 0);
  return out;
}
