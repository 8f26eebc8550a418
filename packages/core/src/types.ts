/** Shared array and tensor types. */

declare const boxFormatBrand: unique symbol;

/** The three box layouts Ocelot knows. Absolute pixels in every one. */
export type BoxFormat = 'xyxy' | 'xywh' | 'cxcywh';

/**
 * Boxes as a flat `Float32Array` of N×4 numbers. The optional phantom brand records the
 * layout: any `Float32Array` is accepted as `Boxes` (xyxy, the default), but a value typed
 * `Boxes<'cxcywh'>` (e.g. what `boxConvert(b, 'xyxy', 'cxcywh')` returns) cannot be passed
 * where xyxy boxes are expected without converting back.
 */
export type Boxes<F extends BoxFormat = 'xyxy'> = Float32Array & {
  readonly [boxFormatBrand]?: F;
};

/** Image size in pixels. Ocelot always names the two sides to avoid (h, w) vs (w, h) mix-ups. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Numeric typed arrays a tensor view may hold. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array;

/**
 * A dense row-major tensor view, e.g. NCHW feature maps. An onnxruntime `Tensor` whose data is
 * a Float32Array satisfies it structurally.
 */
export interface TensorView<T extends NumericArray = Float32Array> {
  readonly data: T;
  readonly dims: readonly number[];
}
