/** Pixel and option types shared by the Node and browser entries. */

/**
 * An 8-bit RGB image: `data` is `width × height × 3` bytes, row-major, channels interleaved
 * (HWC, R then G then B). This is Ocelot's one pixel type.
 *
 * RGB, not RGBA: alpha is dropped on the way in (or composited over a background when a
 * decoder is asked to), because no detection or segmentation model takes it. A browser
 * `ImageData` is RGBA; `fromImageData` / `rgbaToRgb` turn it into this shape, and
 * `toImageData` / `rgbToRgba` go back.
 */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/**
 * A single-channel map the same size as some image: a binary mask (0 / non-zero), a mask
 * probability map (float), or a label map (class index per pixel). Row-major, `width × height`.
 */
export interface PixelMap<T extends MapArray = MapArray> {
  readonly data: T;
  readonly width: number;
  readonly height: number;
}

/** Typed arrays a `PixelMap` may hold. */
export type MapArray = Uint8Array | Uint16Array | Int32Array | Float32Array;

/**
 * How a resampler computes output pixels.
 *
 * - `'bilinear'`: half-pixel centres (source `x = (dx + 0.5) · sw / dw − 0.5`, edges clamped),
 *   the same sampling as `cv2.INTER_LINEAR` and torch `interpolate(mode='bilinear',
 *   align_corners=False)`. On 8-bit data the pure resizer reproduces OpenCV's fixed-point
 *   arithmetic bit for bit.
 * - `'nearest'`: `sx = floor(dx · sw / dw)`, as `cv2.INTER_NEAREST` and torch `'nearest'`.
 * - `'nearest-exact'`: `sx = floor((dx + 0.5) · sw / dw)`, as torch `'nearest-exact'` and PIL
 *   `NEAREST`; the right choice for label maps because it does not shift the image.
 */
export type Interpolation = 'bilinear' | 'nearest' | 'nearest-exact';

/** Options of the pure resizer. */
export interface ResampleOptions {
  /** Default `'bilinear'`. */
  readonly interpolation?: Interpolation;
  /**
   * Bilinear only. `true` widens the triangle filter by the scale factor when shrinking, so
   * every source pixel contributes (no aliasing): identical to PIL `Image.resize(size,
   * BILINEAR)` and close to torch `antialias=True`. Default `false` (OpenCV behaviour, which
   * is what YOLO-family preprocessing uses).
   */
  readonly antialias?: boolean;
}
