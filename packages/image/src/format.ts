/** Recognising image formats from their first bytes. */

/** Formats `sniffImageFormat` recognises. */
export type SniffedFormat =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'avif'
  | 'heif'
  | 'tiff'
  | 'bmp'
  | 'ico'
  | 'svg';

/**
 * The image format the first bytes announce (magic numbers), or `undefined` when they announce
 * none. Reads at most 32 bytes; does not validate the rest of the file.
 */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat | undefined {
  const b = (i: number) => bytes[i] ?? -1;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (b(0) === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    return brand === 'avif' || brand === 'avis' ? 'avif' : 'heif';
  }
  if (
    (b(0) === 0x49 && b(1) === 0x49 && b(2) === 0x2a && b(3) === 0) ||
    (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && b(3) === 0x2a)
  ) {
    return 'tiff';
  }
  if (b(0) === 0x42 && b(1) === 0x4d) return 'bmp';
  if (b(0) === 0 && b(1) === 0 && b(2) === 1 && b(3) === 0) return 'ico';
  const head = ascii(0, Math.min(bytes.length, 32)).trimStart();
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return 'svg';
  return undefined;
}
