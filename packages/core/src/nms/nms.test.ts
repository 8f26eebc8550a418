import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxIou } from '../boxes/iou.js';
import { list, readFixture } from '../boxes/__fixtures__/read-fixture.js';
import { InvalidArgumentError, NonFiniteValueError, ShapeMismatchError } from '../errors.js';
import { batchedNms, nms } from './nms.js';
import { sortByScoreDescending, torchUnstableSortDescending } from './sort.js';

const folder = new URL('./__fixtures__/', import.meta.url);

interface NmsCase {
  name: string;
  n: number;
  iouThreshold: number;
  boxes: Float32Array;
  scores: Float32Array;
  keep: Int32Array;
}
interface BatchedCase extends NmsCase {
  idxs: Int32Array;
  torchvisionPath: 'coordinate-trick' | 'per-class';
  keepPerClassStable: Int32Array;
  sameAsPerClass: boolean;
  sameSetAsPerClass: boolean;
}
interface SortCase {
  name: string;
  values: Float32Array;
  order: Int32Array;
  stable: boolean;
}

const nmsFixture = readFixture<{ cases: NmsCase[] }>(folder, 'nms');
const batchedFixture = readFixture<{ cases: BatchedCase[] }>(folder, 'batched-nms');
const sortFixture = readFixture<{ cases: SortCase[] }>(folder, 'torch-sort');

describe('nms: torchvision.ops.nms parity', () => {
  it('fixtures name their generator', () => {
    expect(nmsFixture.generator).toBe('tooling/python/fixtures/core_boxes_nms.py');
    expect(batchedFixture.generator).toBe(nmsFixture.generator);
  });

  for (const c of nmsFixture.cases) {
    it(`keeps the same indices: ${c.name} (N=${c.n})`, () => {
      expect(list(nms(c.boxes, c.scores, c.iouThreshold))).toEqual(list(c.keep));
    });
  }

  for (const c of nmsFixture.cases.filter((x) => x.keep.length > 3)) {
    it(`maxOutput gives the prefix: ${c.name}`, () => {
      for (const cap of [1, 3, Math.floor(c.keep.length / 2), c.keep.length, c.keep.length + 5]) {
        const out = nms(c.boxes, c.scores, c.iouThreshold, { maxOutput: cap });
        expect(list(out)).toEqual(list(c.keep.subarray(0, cap)));
      }
    });
  }

  it('suppresses strictly above the threshold', () => {
    // IoU of these two is exactly 0.5.
    const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]);
    const scores = new Float32Array([0.9, 0.8]);
    expect(list(nms(boxes, scores, 0.5))).toEqual([0, 1]);
    expect(list(nms(boxes, scores, 0.49))).toEqual([0]);
  });

  it('returns an empty Int32Array for empty input or maxOutput 0', () => {
    const empty = nms(new Float32Array(0), new Float32Array(0), 0.5);
    expect(empty).toBeInstanceOf(Int32Array);
    expect(empty.length).toBe(0);
    expect(
      nms(new Float32Array([0, 0, 1, 1]), new Float32Array([1]), 0.5, { maxOutput: 0 }).length,
    ).toBe(0);
  });
});

describe('batchedNms: torchvision.ops.batched_nms parity', () => {
  for (const c of batchedFixture.cases) {
    const agrees = c.sameSetAsPerClass;
    it(`${agrees ? 'same indices and order' : 'per-class (torchvision crosses classes)'}: ${c.name} [${c.torchvisionPath}]`, () => {
      const out = batchedNms(c.boxes, c.scores, c.idxs, c.iouThreshold);
      if (agrees) {
        expect(list(out)).toEqual(list(c.keep));
      } else {
        // torchvision's offset trick lets classes overlap here; we stay per-class.
        expect(list(out)).toEqual(list(c.keepPerClassStable));
        expect(list(out)).not.toEqual(list(c.keep));
      }
    });
  }

  it('covers both torchvision paths and its unstable tie order', () => {
    const paths = new Set(batchedFixture.cases.map((c) => c.torchvisionPath));
    expect(paths).toEqual(new Set(['coordinate-trick', 'per-class']));
    // Cases where torch's unstable sort reorders ties: matching them is not luck.
    expect(batchedFixture.cases.some((c) => c.sameSetAsPerClass && !c.sameAsPerClass)).toBe(true);
  });

  for (const c of batchedFixture.cases.filter((x) => x.sameSetAsPerClass && x.keep.length > 3)) {
    it(`maxOutput gives the prefix: ${c.name}`, () => {
      for (const cap of [1, 7, Math.floor(c.keep.length / 3), c.keep.length, c.keep.length + 1]) {
        const out = batchedNms(c.boxes, c.scores, c.idxs, c.iouThreshold, { maxOutput: cap });
        expect(list(out)).toEqual(list(c.keep.subarray(0, cap)));
      }
    });
  }
});

describe('score orderings', () => {
  for (const c of sortFixture.cases) {
    it(`reproduces torch.sort(descending=True): ${c.name}`, () => {
      const values = Float32Array.from(c.values);
      const idx = new Int32Array(values.length).map((_, i) => i);
      torchUnstableSortDescending(values, idx);
      expect(list(idx)).toEqual(list(c.order));
    });
  }

  it('sortByScoreDescending is a stable descending sort (−0 equals 0)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(-2, -1, -0, 0, 0.5, 1, 3.25, -1e-30, 1e30), { maxLength: 300 }),
        (raw) => {
          const scores = Float32Array.from(raw);
          const order = new Int32Array(scores.length).map((_, i) => i);
          sortByScoreDescending(scores, order, order.length);
          const expected = Array.from(order).sort((a, b) => scores[b]! - scores[a]! || a - b);
          expect(list(order)).toEqual(expected);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------- properties
const boxesAndScores = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 3 }),
    ),
    { maxLength: 250 },
  )
  .map((rows) => ({
    boxes: new Float32Array(
      rows.flatMap(([x, y, w, h]) => [x / 2, y / 2, (x + w) / 2, (y + h) / 2]),
    ),
    // Few score levels: plenty of ties.
    scores: new Float32Array(rows.map((r) => r[4] / 20)),
    idxs: new Int32Array(rows.map((r) => r[5])),
  }));
const threshold = fc.constantFrom(0, 0.1, 0.3, 0.5, 0.7, 1);

/** The textbook O(N²) algorithm torchvision's kernel implements. */
function referenceNms(boxes: Float32Array, scores: Float32Array, thr: number): number[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b]! - scores[a]! || a - b,
  );
  const iou = boxIou(boxes, boxes);
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (const i of order) {
    if (suppressed[i]) continue;
    keep.push(i);
    for (const j of order) if (iou[i * n + j]! > thr) suppressed[j] = 1;
  }
  return keep;
}

describe('nms properties', () => {
  it('equals the all-pairs reference (ties, zero-area boxes, every threshold)', () => {
    fc.assert(
      fc.property(boxesAndScores, threshold, ({ boxes, scores }, thr) => {
        expect(list(nms(boxes, scores, thr))).toEqual(referenceNms(boxes, scores, thr));
      }),
      { numRuns: 300 },
    );
  });

  it('kept boxes overlap each other by at most the threshold; every dropped box overlaps a kept, higher-or-equal-scored one by more', () => {
    fc.assert(
      fc.property(boxesAndScores, threshold, ({ boxes, scores }, thr) => {
        const n = scores.length;
        const keep = nms(boxes, scores, thr);
        const iou = boxIou(boxes, boxes);
        const kept = new Set(keep);
        for (const a of keep)
          for (const b of keep) if (a !== b) expect(iou[a * n + b]!).toBeLessThanOrEqual(thr);
        for (let i = 1; i < keep.length; i++)
          expect(scores[keep[i]!]!).toBeLessThanOrEqual(scores[keep[i - 1]!]!);
        for (let j = 0; j < n; j++) {
          if (kept.has(j)) continue;
          const by = Array.from(keep).some(
            (k) => scores[k]! >= scores[j]! && iou[k * n + j]! > thr,
          );
          expect(by).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('batchedNms equals nms per class merged by score (ties by index for N ≤ 1000)', () => {
    fc.assert(
      fc.property(boxesAndScores, threshold, ({ boxes, scores, idxs }, thr) => {
        const merged: number[] = [];
        for (const cls of new Set(idxs)) {
          const members = Array.from(idxs.keys()).filter((i) => idxs[i] === cls);
          const b = new Float32Array(
            members.flatMap((i) => Array.from(boxes.subarray(4 * i, 4 * i + 4))),
          );
          const s = new Float32Array(members.map((i) => scores[i]!));
          for (const k of nms(b, s, thr)) merged.push(members[k]!);
        }
        merged.sort((a, b) => scores[b]! - scores[a]! || a - b);
        expect(list(batchedNms(boxes, scores, idxs, thr))).toEqual(merged);
      }),
      { numRuns: 200 },
    );
  });

  it('the grid path matches the all-pairs reference on larger inputs with mixed box sizes', () => {
    const rng = mulberry32(7);
    for (let round = 0; round < 6; round++) {
      const n = 1500;
      const boxes = new Float32Array(4 * n);
      const scores = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const big = rng() < 0.1;
        const w = (big ? 300 : 8) * rng() + (round === 5 ? 0 : 0.5);
        const h = (big ? 300 : 8) * rng();
        const x = rng() * 800 - 100;
        const y = rng() * 600 - 100;
        boxes.set([x, y, x + w, y + h], 4 * i);
        scores[i] = Math.floor(rng() * 200) / 200;
      }
      const thr = [0, 0.2, 0.5, 0.7, 0.9, 0.5][round]!;
      expect(list(nms(boxes, scores, thr))).toEqual(referenceNms(boxes, scores, thr));
    }
  });
});

describe('nms with a small maxOutput (scores ordered lazily, batch by batch)', () => {
  it('gives the prefix of the uncapped result (ties, −0, negative scores, every threshold)', () => {
    fc.assert(
      fc.property(
        boxesAndScores,
        threshold,
        fc.integer({ min: 1, max: 120 }),
        fc.boolean(),
        ({ boxes, scores }, thr, cap, signed) => {
          // Negative scores and −0 next to +0 exercise the order key's sign handling.
          const s = signed ? scores.map((v, i) => (i % 3 === 0 ? -v : v)) : scores;
          const full = list(nms(boxes, s, thr));
          expect(list(nms(boxes, s, thr, { maxOutput: cap }))).toEqual(full.slice(0, cap));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the prefix on large clustered inputs that need several batches', () => {
    const rng = mulberry32(11);
    for (const [n, levels] of [
      [20_000, 300],
      [20_000, 0],
      [5_000, 7],
    ] as const) {
      const boxes = new Float32Array(4 * n);
      const scores = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        // 40 objects with jittered copies and some strays: most boxes are suppressed.
        const o = i % 40;
        const stray = rng() < 0.1;
        const cx = stray ? rng() * 1000 : (o % 8) * 120 + 60 + 10 * rng();
        const cy = stray ? rng() * 800 : Math.floor(o / 8) * 150 + 70 + 10 * rng();
        const w = stray ? 5 + 100 * rng() : 80 + 20 * rng();
        const h = stray ? 5 + 100 * rng() : 100 + 20 * rng();
        boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 4 * i);
        // levels 0: distinct scores; otherwise that many score values, some negative.
        scores[i] = levels === 0 ? rng() : Math.floor(rng() * levels) / levels - 0.25;
      }
      const full = list(nms(boxes, scores, 0.5));
      for (const cap of [1, 17, 300, 1000, 2400, Math.floor(n / 2) - 1]) {
        expect(list(nms(boxes, scores, 0.5, { maxOutput: cap }))).toEqual(full.slice(0, cap));
      }
    }
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('nms and batchedNms bad input', () => {
  const boxes = new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]);
  const scores = new Float32Array([0.5, 0.4]);
  const idxs = new Int32Array([0, 1]);

  it('rejects mismatched lengths naming the argument', () => {
    expect(() => nms(boxes, new Float32Array(3), 0.5)).toThrow(ShapeMismatchError);
    expect(() => nms(boxes, new Float32Array(3), 0.5)).toThrow(/scores/);
    expect(() => nms(new Float32Array(7), scores, 0.5)).toThrow(/boxes/);
    expect(() => batchedNms(boxes, scores, new Int32Array(1), 0.5)).toThrow(/idxs/);
  });
  it('rejects NaN / Infinity in boxes and scores', () => {
    expect(() => nms(new Float32Array([0, 0, Number.NaN, 1]), new Float32Array([1]), 0.5)).toThrow(
      NonFiniteValueError,
    );
    expect(() => nms(boxes, new Float32Array([Number.NaN, 1]), 0.5)).toThrow(/scores/);
    expect(() =>
      batchedNms(boxes, new Float32Array([1, Number.NEGATIVE_INFINITY]), idxs, 0.5),
    ).toThrow(NonFiniteValueError);
  });
  it('rejects negative box sizes', () => {
    expect(() => nms(new Float32Array([0, 0, -1, 1]), new Float32Array([1]), 0.5)).toThrow(
      /negative size/,
    );
  });
  it('rejects bad thresholds and caps', () => {
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      expect(() => nms(boxes, scores, bad)).toThrow(/iouThreshold/);
      expect(() => batchedNms(boxes, scores, idxs, bad)).toThrow(InvalidArgumentError);
    }
    for (const bad of [-1, 2.5, Number.NaN]) {
      expect(() => nms(boxes, scores, 0.5, { maxOutput: bad })).toThrow(/options.maxOutput/);
    }
    // @ts-expect-error not an options object
    expect(() => nms(boxes, scores, 0.5, 3)).toThrow(/options/);
  });
  it('rejects wrong array types', () => {
    // @ts-expect-error plain array
    expect(() => nms(boxes, [0.5, 0.4], 0.5)).toThrow(/scores/);
    // @ts-expect-error Float32 class ids
    expect(() => batchedNms(boxes, scores, new Float32Array([0, 1]), 0.5)).toThrow(
      /idxs: expected an Int32Array/,
    );
  });
});
