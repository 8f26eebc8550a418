import { describe, expect, it } from 'vitest';
import { MultipartError, multipartBoundary, parseMultipart, pickImagePart } from './multipart.js';

const encode = (s: string) => new TextEncoder().encode(s);

describe('multipart', () => {
  it('reads the boundary, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc123')).toBe('abc123');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(() => multipartBoundary('multipart/form-data')).toThrow(MultipartError);
  });

  it('splits parts with their names, file names, types and exact bytes', () => {
    const body = encode(
      [
        'preamble',
        '--XyZ',
        'Content-Disposition: form-data; name="note"',
        '',
        'hello',
        '--XyZ',
        'Content-Disposition: form-data; name="image"; filename="a.png"',
        'Content-Type: image/png',
        '',
        '\u0001\u0002\r\n\u0003',
        '--XyZ--',
        '',
      ].join('\r\n'),
    );
    const parts = parseMultipart(body, 'XyZ');
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['note', undefined, undefined],
      ['image', 'a.png', 'image/png'],
    ]);
    expect(new TextDecoder().decode(parts[0]!.data)).toBe('hello');
    expect([...parts[1]!.data]).toEqual([1, 2, 13, 10, 3]);
    expect(pickImagePart(parts)?.name).toBe('image');
  });

  it('picks a file part when no field is named image', () => {
    const parts = [
      { name: 'a', filename: undefined, contentType: undefined, data: new Uint8Array() },
      { name: 'upload', filename: 'x.jpg', contentType: 'image/jpeg', data: new Uint8Array(1) },
    ];
    expect(pickImagePart(parts)?.name).toBe('upload');
    expect(pickImagePart(parts.slice(0, 1))).toBeUndefined();
  });

  it.each([
    ['no boundary in the body', 'just text', 'multipart body does not contain its boundary'],
    [
      'a truncated body',
      '--B\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc',
      'multipart body is truncated',
    ],
    ['headers that never end', '--B\r\nContent-Disposition: form-data', 'part headers never end'],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseMultipart(encode(text), 'B')).toThrow(message);
  });
});
