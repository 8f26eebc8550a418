/**
 * Priors laid out by stride and absolute box sizes, as UltraFace (Ultra-Light-Fast-Generic-Face-
 * Detector), FaceBoxes-style and RetinaFace-style SSD heads define them — in place of
 * torchvision's scale / aspect-ratio `DefaultBoxGenerator`.
 *
 * UltraFace's `generate_priors(feature_map_list, shrinkage_list, image_size, min_boxes)`:
 * for each level (stride s, feature map ⌈W/s⌉ × ⌈H/s⌉), rows j, columns i, then each size m:
 * a prior centred at ((i + 0.5)/(W/s), (j + 0.5)/(H/s)) with size (m/W, m/H), in units of the
 * input; with `clamp`, every one of cx, cy, w, h is clamped to [0, 1] (so a 256-pixel prior on
 * a 240-pixel-high input is 240 pixels high).
 */

/** Options of {@link minSizePriors}. */
export interface MinSizePriorsOptions {
  /** Stride of each head level, in input pixels, in head order. */
  readonly strides: readonly number[];
  /** Box side lengths in input pixels per level; one square prior per size per cell. */
  readonly minSizes: readonly (readonly number[])[];
  /** Clamp the normalised cx, cy, w, h to [0, 1]. Default true (UltraFace's `clamp=True`). */
  readonly clamp?: boolean;
  /** Cell centre offset in cells. Default 0.5. */
  readonly offset?: number;
}

/**
 * Priors for an input size, in the head's order (level, row, column, size).
 * @returns [A,4] xyxy in input pixels, computed as UltraFace does (normalised cxcywh in double
 *   precision, rounded to float32 as `torch.tensor(priors)` does, clamped), then scaled
 */
export function minSizePriors(
  inputSize: { readonly width: number; readonly height: number },
  options: MinSizePriorsOptions,
): Float32Array {
  const { width: W, height: H } = inputSize;
  const clamp = options.clamp ?? true;
  const offset = options.offset ?? 0.5;
  const f = Math.fround;
  let total = 0;
  options.strides.forEach((s, l) => {
    total += Math.ceil(W / s) * Math.ceil(H / s) * (options.minSizes[l]?.length ?? 0);
  });
  const out = new Float32Array(4 * total);
  const c01 = (v: number) => (clamp ? Math.min(Math.max(v, 0), 1) : v);
  let o = 0;
  options.strides.forEach((s, l) => {
    const fw = Math.ceil(W / s);
    const fh = Math.ceil(H / s);
    const scaleW = W / s;
    const scaleH = H / s;
    const sizes = options.minSizes[l] ?? [];
    for (let j = 0; j < fh; j++) {
      for (let i = 0; i < fw; i++) {
        const cx = c01(f((i + offset) / scaleW));
        const cy = c01(f((j + offset) / scaleH));
        for (const m of sizes) {
          const w = c01(f(m / W));
          const h = c01(f(m / H));
          out[o++] = (cx - w / 2) * W;
          out[o++] = (cy - h / 2) * H;
          out[o++] = (cx + w / 2) * W;
          out[o++] = (cy + h / 2) * H;
        }
      }
    }
  });
  return out;
}
