/**
 * A small multipart/form-data parser for one uploaded image: the body is already in memory
 * (bounded by the server's size limit), so it is split on the boundary without streaming.
 */

/** One part of a multipart body. */
export interface FormPart {
  /** `name` of the Content-Disposition header. */
  readonly name: string | undefined;
  /** `filename` of the Content-Disposition header (file fields). */
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly data: Uint8Array;
}

/** The body is not well-formed multipart/form-data (HTTP 400). */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** The boundary parameter of a `multipart/form-data; boundary=…` content type. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('multipart/form-data without a boundary parameter');
  if (boundary.length > 70)
    throw new MultipartError('multipart boundary longer than 70 characters');
  return boundary;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
    from,
  );
}

function headerParam(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="([^"]*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(value);
  return match?.[1] ?? match?.[2];
}

/**
 * Splits a multipart/form-data body into its parts.
 * @throws MultipartError when the boundary is never found or a part is malformed
 */
export function parseMultipart(body: Uint8Array, boundary: string): FormPart[] {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = indexOf(body, delimiter, 0);
  if (start < 0) throw new MultipartError('multipart body does not contain its boundary');
  for (;;) {
    let cursor = start + delimiter.length;
    // "--" after the delimiter ends the body
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break;
    if (body[cursor] === 0x0d && body[cursor + 1] === 0x0a) cursor += 2;
    else throw new MultipartError('malformed multipart body (no line break after a boundary)');
    const headerEnd = indexOf(body, encoder.encode('\r\n\r\n'), cursor);
    if (headerEnd < 0)
      throw new MultipartError('malformed multipart body (part headers never end)');
    const headers = new TextDecoder().decode(body.subarray(cursor, headerEnd)).split('\r\n');
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw new MultipartError('multipart body is truncated (no closing boundary)');
    let disposition = '';
    let contentType: string | undefined;
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') disposition = value;
      else if (key === 'content-type') contentType = value;
    }
    parts.push({
      name: headerParam(disposition, 'name'),
      filename: headerParam(disposition, 'filename'),
      contentType,
      data: body.subarray(headerEnd + 4, next),
    });
    start = next + 2;
  }
  return parts;
}

/**
 * The uploaded file of a form: the part named `image`, else the first part with a filename
 * or an image content type.
 */
export function pickImagePart(parts: readonly FormPart[]): FormPart | undefined {
  return (
    parts.find((p) => p.name === 'image') ??
    parts.find((p) => p.filename !== undefined || p.contentType?.startsWith('image/'))
  );
}
