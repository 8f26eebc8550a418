/**
 * Errors of @ocelot/image. Every decode failure is an `ImageDecodeError` (catch that one to
 * handle them all); the subclasses tell the reasons apart. Each names its `source` (the file
 * path, or e.g. `"<buffer of 1234 bytes>"`).
 */
import { OcelotError } from '@ocelot/core';

/** Why a decode failed. */
export type ImageDecodeFailure = 'not-found' | 'corrupt' | 'unsupported-format' | 'too-large';

/** An image could not be decoded. `source` names the file or buffer, `reason` the failure. */
export class ImageDecodeError extends OcelotError {
  readonly source: string;
  readonly reason: ImageDecodeFailure;
  constructor(
    code: string,
    reason: ImageDecodeFailure,
    source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, `${source}: ${message}`, options);
    this.source = source;
    this.reason = reason;
  }
}

/** The file does not exist or is not a regular file. Code `E_IMAGE_NOT_FOUND`. */
export class ImageNotFoundError extends ImageDecodeError {
  constructor(source: string, message = 'file not found', options?: ErrorOptions) {
    super('E_IMAGE_NOT_FOUND', 'not-found', source, message, options);
  }
}

/** The bytes claim to be an image but are damaged, truncated or empty. Code `E_IMAGE_CORRUPT`. */
export class CorruptImageError extends ImageDecodeError {
  constructor(source: string, message: string, options?: ErrorOptions) {
    super('E_IMAGE_CORRUPT', 'corrupt', source, message, options);
  }
}

/**
 * The bytes are not in a format this decoder accepts (not an image at all, or a format left
 * out of `options.formats`, e.g. SVG). Code `E_IMAGE_UNSUPPORTED_FORMAT`.
 */
export class UnsupportedImageFormatError extends ImageDecodeError {
  /** The detected format, if the decoder recognised one. */
  readonly format: string | undefined;
  constructor(source: string, message: string, format?: string, options?: ErrorOptions) {
    super('E_IMAGE_UNSUPPORTED_FORMAT', 'unsupported-format', source, message, options);
    this.format = format;
  }
}

/**
 * The image has more pixels than `limitInputPixels` allows (the guard against decompression
 * bombs). Code `E_IMAGE_TOO_LARGE`.
 */
export class ImageTooLargeError extends ImageDecodeError {
  readonly limitInputPixels: number;
  constructor(source: string, limitInputPixels: number, message?: string, options?: ErrorOptions) {
    super(
      'E_IMAGE_TOO_LARGE',
      'too-large',
      source,
      message ??
        `image exceeds limitInputPixels=${limitInputPixels} (raise options.limitInputPixels if this image is trusted)`,
      options,
    );
    this.limitInputPixels = limitInputPixels;
  }
}

/** Encoding an image (PNG / JPEG) failed. Code `E_IMAGE_ENCODE`. */
export class ImageEncodeError extends OcelotError {
  constructor(message: string, options?: ErrorOptions) {
    super('E_IMAGE_ENCODE', message, options);
  }
}
