/**
 * The greedy NMS kernel shared by `nms`, `batchedNms` and `prefilteredNms` (internal).
 *
 * Equivalence with torchvision's CPU kernel. torchvision visits boxes in score order and,
 * for each box i still alive, keeps it and suppresses every later box j with
 * IoU(i, j) > threshold. So a box is kept exactly when no *kept* box before it in the order
 * overlaps it by more than the threshold; this kernel tests each box against the kept boxes
 * only, and stops once `maxKeep` are kept. The IoU is computed with torchvision's float32
 * operations in the same order (`inter / (area_i + area_j - inter)`, compared as a double
 * with the threshold), so each decision is bit-identical.
 *
 * Spatial pruning. With thresholds ≥ 0 only a kept box that overlaps with positive area can
 * suppress (otherwise the intersection, and so the IoU, is 0 or NaN, never > threshold).
 * Kept boxes are first tested linearly, oldest (highest-scoring) first. Once at least
 * `GRID_AFTER_KEPT` are kept and candidates test more than `LINEAR_MAX_SCAN` of them on
 * average, the kernel files kept boxes in a multi-level uniform grid: level ℓ has square
 * cells of side s·2^ℓ (s ≈ the median box side) and holds the kept boxes whose longer side
 * fits in one cell, registered in every cell they touch. A
 * box overlapping a kept box shares at least one cell with it on the kept box's level (the
 * cell index is a monotonic function of the coordinate), so visiting, on each level, the
 * cells the candidate touches finds every kept box that could suppress it. Levels whose
 * kept boxes are all too small or too large to reach IoU > threshold with the candidate
 * (IoU ≤ min(area)/max(area)) are skipped, with a safety margin far above float32 rounding.
 * Levels are visited from the candidate's own size level outwards and each cell lists its
 * kept boxes oldest first, where suppressors are most likely; the order of the tests never
 * changes a decision, only how soon a suppressed box is found.
 */

const f32 = Math.fround;

/** Below this many kept boxes a linear scan is cheapest. */
const GRID_AFTER_KEPT = 16;
/** ...and when candidates test more than this many kept boxes each (running average)... */
const LINEAR_MAX_SCAN = 48;
/** Weight of the latest candidate in that average. */
const SCAN_DECAY = 1 / 32;
/** ...and it only pays off with this many candidates left. */
const GRID_MIN_REMAINING = 48;
/** Max levels: side ratios up to 2^24 between the largest and the base cell. */
const MAX_LEVELS = 25;
/** A candidate touching more cells than this on a level scans that level's list instead. */
const MAX_CELLS_PER_QUERY = 32;
/** IoU ≤ ratio of areas; skip a level only when that bound is below threshold by this factor. */
const AREA_MARGIN = 1 - 1e-4;

/** Reusable scratch memory; grows on demand, so per-class calls do not reallocate. */
export class NmsWorkspace {
  keptBoxes = new Float32Array(0);
  keptAreas = new Float32Array(0);
  stamp = new Int32Array(0);
  heads = new Int32Array(0);
  tails = new Int32Array(0);
  nodeNext = new Int32Array(0);
  nodeKept = new Int32Array(0);
  levelHead = new Int32Array(MAX_LEVELS);
  levelTail = new Int32Array(MAX_LEVELS);
  levelNext = new Int32Array(0);
  sample = new Float64Array(255);

  ensureKept(capacity: number): void {
    if (this.keptAreas.length >= capacity) return;
    // Callers fill these from index 0 on each call: nothing to copy.
    const c = Math.max(capacity, 2 * this.keptAreas.length, 64);
    this.keptBoxes = new Float32Array(4 * c);
    this.keptAreas = new Float32Array(c);
    this.levelNext = new Int32Array(c);
    this.stamp = new Int32Array(c);
  }

  ensureNodes(capacity: number): void {
    if (this.nodeNext.length >= capacity) return;
    const c = Math.max(capacity, 2 * this.nodeNext.length, 1024);
    const next = new Int32Array(c);
    next.set(this.nodeNext);
    this.nodeNext = next;
    const kept = new Int32Array(c);
    kept.set(this.nodeKept);
    this.nodeKept = kept;
  }

  ensureHeads(capacity: number): void {
    if (this.heads.length >= capacity) return;
    this.heads = new Int32Array(Math.max(capacity, 1024));
    this.tails = new Int32Array(this.heads.length);
  }
}

/** Grid geometry for one kernel call. */
interface Grid {
  minX: number;
  minY: number;
  levels: number;
  cell: Float64Array; // side per level
  inv: Float64Array; // 1 / side per level
  nx: Int32Array;
  ny: Int32Array;
  offset: Int32Array; // first head of each level in ws.heads
  count: Int32Array; // kept boxes per level
  minArea: Float64Array;
  maxArea: Float64Array;
  nodes: number;
}

/**
 * Greedy NMS over `order[start..end)` (box indices in decreasing-score order). Writes the
 * kept box indices, in order, to `keep[keepStart..]` and returns how many were kept
 * (at most `maxKeep`).
 *
 * To resume after an earlier call over the candidates that precede `order[start]`, pass
 * its result as `alreadyKept`: `keep[keepStart..keepStart + alreadyKept)` then holds the
 * boxes kept so far, new ones are appended after them, and the total is returned.
 *
 * @param boxes [N,4] xyxy, finite, non-negative sizes (areas are computed on the fly, as
 *   torchvision does: float32 `(x2 - x1) * (y2 - y1)`)
 * @param iouThreshold in [0, 1]
 */
export function greedyNms(
  boxes: Float32Array,
  order: Int32Array,
  start: number,
  end: number,
  iouThreshold: number,
  maxKeep: number,
  keep: Int32Array,
  keepStart: number,
  ws: NmsWorkspace,
  alreadyKept = 0,
): number {
  const total = end - start;
  const cap = Math.min(alreadyKept + total, maxKeep);
  if (cap <= alreadyKept) return alreadyKept;
  ws.ensureKept(cap);
  const kb = ws.keptBoxes;
  const ka = ws.keptAreas;
  const thr = iouThreshold;
  // Resume: the boxes kept by an earlier call over the preceding candidates.
  for (let k = 0; k < alreadyKept; k++) {
    const j = keep[keepStart + k]!;
    const o = 4 * j;
    kb.set(boxes.subarray(o, o + 4), 4 * k);
    ka[k] = f32(f32(boxes[o + 2]! - boxes[o]!) * f32(boxes[o + 3]! - boxes[o + 1]!));
  }
  let kept = alreadyKept;
  let p = start;

  // Phase 1: linear scan over the kept boxes, oldest first. It stays cheap while candidates
  // meet their suppressor early in the list (clustered boxes); `scanned` is a running
  // average of kept boxes tested per candidate.
  let scanned = 0;
  for (; p < end; p++) {
    if (kept >= GRID_AFTER_KEPT && scanned > LINEAR_MAX_SCAN && end - p >= GRID_MIN_REMAINING) {
      break;
    }
    const j = order[p]!;
    const o = 4 * j;
    const jx1 = boxes[o]!;
    const jy1 = boxes[o + 1]!;
    const jx2 = boxes[o + 2]!;
    const jy2 = boxes[o + 3]!;
    const ja = f32(f32(jx2 - jx1) * f32(jy2 - jy1));
    let k = 0;
    for (; k < kept; k++) {
      const q = 4 * k;
      const ix1 = Math.max(kb[q]!, jx1);
      const ix2 = Math.min(kb[q + 2]!, jx2);
      if (!(ix2 > ix1)) continue;
      const iy1 = Math.max(kb[q + 1]!, jy1);
      const iy2 = Math.min(kb[q + 3]!, jy2);
      if (!(iy2 > iy1)) continue;
      const inter = f32(f32(ix2 - ix1) * f32(iy2 - iy1));
      if (f32(inter / f32(f32(ka[k]! + ja) - inter)) > thr) break;
    }
    scanned += (k - scanned) * SCAN_DECAY;
    if (k === kept) {
      keep[keepStart + kept] = j;
      const q = 4 * kept;
      kb[q] = jx1;
      kb[q + 1] = jy1;
      kb[q + 2] = jx2;
      kb[q + 3] = jy2;
      ka[kept] = ja;
      if (++kept === cap) return kept;
    }
  }
  if (p >= end) return kept;

  // Phase 2: the same test, restricted by the grid to kept boxes that can overlap.
  const grid = buildGrid(boxes, order, p, end, kept, ws);
  for (let k = 0; k < kept; k++) insert(grid, ws, k);
  const stamp = ws.stamp;
  stamp.fill(-1, 0, cap);
  const ratioFloor = thr > 0 ? thr * AREA_MARGIN : 0;

  for (; p < end; p++) {
    const j = order[p]!;
    const o = 4 * j;
    const jx1 = boxes[o]!;
    const jy1 = boxes[o + 1]!;
    const jx2 = boxes[o + 2]!;
    const jy2 = boxes[o + 3]!;
    const ja = f32(f32(jx2 - jx1) * f32(jy2 - jy1));
    // Kept boxes with area outside (lo, hi) cannot reach IoU > threshold with this one.
    const lo = ja * ratioFloor;
    const hi = ratioFloor > 0 ? ja / ratioFloor : Number.POSITIVE_INFINITY;
    // A suppressor has a similar size: start on this box's own level, then move outwards.
    const side = Math.max(jx2 - jx1, jy2 - jy1);
    const levels = grid.levels;
    let own = 0;
    while (own < levels - 1 && side > grid.cell[own]!) own++;
    let suppressed = false;
    for (let t = 0; t < 2 * levels && !suppressed; t++) {
      const level = t === 0 ? own : t & 1 ? own - ((t + 1) >> 1) : own + (t >> 1);
      if (level < 0 || level >= levels || grid.count[level] === 0) continue;
      if (grid.maxArea[level]! <= lo || grid.minArea[level]! >= hi) continue;
      const inv = grid.inv[level]!;
      const nx = grid.nx[level]!;
      const ny = grid.ny[level]!;
      const cx0 = cellOf(jx1, grid.minX, inv, nx);
      const cx1 = cellOf(jx2, grid.minX, inv, nx);
      const cy0 = cellOf(jy1, grid.minY, inv, ny);
      const cy1 = cellOf(jy2, grid.minY, inv, ny);
      if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > MAX_CELLS_PER_QUERY) {
        // Cheaper to walk this level's kept boxes once.
        for (let k = ws.levelHead[level]!; k >= 0; k = ws.levelNext[k]!) {
          if (overlapsAbove(kb, ka, k, jx1, jy1, jx2, jy2, ja, thr)) {
            suppressed = true;
            break;
          }
        }
        continue;
      }
      const heads = ws.heads;
      const next = ws.nodeNext;
      const nodeKept = ws.nodeKept;
      const base = grid.offset[level]!;
      for (let cy = cy0; cy <= cy1 && !suppressed; cy++) {
        const row = base + cy * nx;
        for (let cx = cx0; cx <= cx1; cx++) {
          let node = heads[row + cx]!;
          for (; node >= 0; node = next[node]!) {
            const k = nodeKept[node]!;
            if (stamp[k] === p) continue;
            stamp[k] = p;
            if (overlapsAbove(kb, ka, k, jx1, jy1, jx2, jy2, ja, thr)) break;
          }
          if (node >= 0) {
            suppressed = true;
            break;
          }
        }
      }
    }
    if (suppressed) continue;
    keep[keepStart + kept] = j;
    const q = 4 * kept;
    kb[q] = jx1;
    kb[q + 1] = jy1;
    kb[q + 2] = jx2;
    kb[q + 3] = jy2;
    ka[kept] = ja;
    insert(grid, ws, kept);
    if (++kept === cap) return kept;
  }
  return kept;
}

/** torchvision's suppression test of box j by kept box k, in float32. */
function overlapsAbove(
  kb: Float32Array,
  ka: Float32Array,
  k: number,
  jx1: number,
  jy1: number,
  jx2: number,
  jy2: number,
  ja: number,
  thr: number,
): boolean {
  const q = 4 * k;
  const ix1 = Math.max(kb[q]!, jx1);
  const ix2 = Math.min(kb[q + 2]!, jx2);
  if (!(ix2 > ix1)) return false;
  const iy1 = Math.max(kb[q + 1]!, jy1);
  const iy2 = Math.min(kb[q + 3]!, jy2);
  if (!(iy2 > iy1)) return false;
  const inter = f32(f32(ix2 - ix1) * f32(iy2 - iy1));
  return f32(inter / f32(f32(ka[k]! + ja) - inter)) > thr;
}

function cellOf(v: number, min: number, inv: number, n: number): number {
  const c = Math.floor((v - min) * inv);
  return c < n ? c : n - 1;
}

/**
 * Sizes the grid for the candidates `order[from..end)` and the `kept` boxes already in
 * `ws.keptBoxes`: the extent covers all of them, and the levels reach the longest side.
 */
function buildGrid(
  boxes: Float32Array,
  order: Int32Array,
  from: number,
  end: number,
  kept: number,
  ws: NmsWorkspace,
): Grid {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let maxSide = 0;
  const extend = (src: Float32Array, o: number) => {
    const x1 = src[o]!;
    const y1 = src[o + 1]!;
    const x2 = src[o + 2]!;
    const y2 = src[o + 3]!;
    if (x1 < minX) minX = x1;
    if (y1 < minY) minY = y1;
    if (x2 > maxX) maxX = x2;
    if (y2 > maxY) maxY = y2;
    const side = Math.max(x2 - x1, y2 - y1);
    if (side > maxSide) maxSide = side;
  };
  for (let p = from; p < end; p++) extend(boxes, 4 * order[p]!);
  for (let k = 0; k < kept; k++) extend(ws.keptBoxes, 4 * k);

  const remaining = end - from;
  // Median longer side of a strided sample of the remaining candidates.
  const sampleSize = Math.min(remaining, ws.sample.length);
  const stride = remaining / sampleSize;
  for (let i = 0; i < sampleSize; i++) {
    const o = 4 * order[from + Math.floor(i * stride)]!;
    ws.sample[i] = Math.max(boxes[o + 2]! - boxes[o]!, boxes[o + 3]! - boxes[o + 1]!);
  }
  const sorted = ws.sample.subarray(0, sampleSize).sort();
  let base = sorted[sampleSize >> 1]!;
  const spanX = Math.max(maxX - minX, 0);
  const spanY = Math.max(maxY - minY, 0);
  const maxCells = Math.max(1024, 2 * remaining);
  if (!(base > 0)) base = Math.max(spanX, spanY, 1) / Math.sqrt(maxCells);
  // Coarsen the base until level 0 fits the cell budget.
  while ((Math.floor(spanX / base) + 1) * (Math.floor(spanY / base) + 1) > maxCells) base *= 2;

  let levels = 1;
  while (levels < MAX_LEVELS && base * 2 ** (levels - 1) < maxSide) levels++;
  const grid: Grid = {
    minX,
    minY,
    levels,
    cell: new Float64Array(levels),
    inv: new Float64Array(levels),
    nx: new Int32Array(levels),
    ny: new Int32Array(levels),
    offset: new Int32Array(levels),
    count: new Int32Array(levels),
    minArea: new Float64Array(levels).fill(Number.POSITIVE_INFINITY),
    maxArea: new Float64Array(levels).fill(Number.NEGATIVE_INFINITY),
    nodes: 0,
  };
  let totalCells = 0;
  for (let l = 0; l < levels; l++) {
    const side = base * 2 ** l;
    grid.cell[l] = side;
    grid.inv[l] = 1 / side;
    grid.nx[l] = Math.floor(spanX / side) + 1;
    grid.ny[l] = Math.floor(spanY / side) + 1;
    grid.offset[l] = totalCells;
    totalCells += grid.nx[l]! * grid.ny[l]!;
  }
  ws.ensureHeads(totalCells);
  ws.heads.fill(-1, 0, totalCells);
  ws.levelHead.fill(-1);
  return grid;
}

/** Files kept box `k` (already in ws.keptBoxes) on its level, in every cell it touches. */
function insert(grid: Grid, ws: NmsWorkspace, k: number): void {
  const kb = ws.keptBoxes;
  const q = 4 * k;
  const x1 = kb[q]!;
  const y1 = kb[q + 1]!;
  const x2 = kb[q + 2]!;
  const y2 = kb[q + 3]!;
  const side = Math.max(x2 - x1, y2 - y1);
  let level = 0;
  while (level < grid.levels - 1 && side > grid.cell[level]!) level++;
  const inv = grid.inv[level]!;
  const nx = grid.nx[level]!;
  const ny = grid.ny[level]!;
  // The extent covers every box, so the clamps only guard against rounding at the edges.
  const cx0 = Math.max(0, cellOf(x1, grid.minX, inv, nx));
  const cx1 = Math.max(0, cellOf(x2, grid.minX, inv, nx));
  const cy0 = Math.max(0, cellOf(y1, grid.minY, inv, ny));
  const cy1 = Math.max(0, cellOf(y2, grid.minY, inv, ny));
  const needed = grid.nodes + (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
  ws.ensureNodes(needed);
  const heads = ws.heads;
  const tails = ws.tails;
  const next = ws.nodeNext;
  const nodeKept = ws.nodeKept;
  const base = grid.offset[level]!;
  let node = grid.nodes;
  // Lists run oldest first: earlier (higher-scoring) kept boxes suppress more candidates.
  for (let cy = cy0; cy <= cy1; cy++) {
    const row = base + cy * nx;
    for (let cx = cx0; cx <= cx1; cx++) {
      const cell = row + cx;
      nodeKept[node] = k;
      next[node] = -1;
      if (heads[cell]! < 0) heads[cell] = node;
      else next[tails[cell]!] = node;
      tails[cell] = node;
      node++;
    }
  }
  grid.nodes = node;
  ws.levelNext[k] = -1;
  if (ws.levelHead[level]! < 0) ws.levelHead[level] = k;
  else ws.levelNext[ws.levelTail[level]!] = k;
  ws.levelTail[level] = k;
  grid.count[level]!++;
  const area = ws.keptAreas[k]!;
  if (area < grid.minArea[level]!) grid.minArea[level] = area;
  if (area > grid.maxArea[level]!) grid.maxArea[level] = area;
}
