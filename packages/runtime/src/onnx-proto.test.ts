import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OnnxParseError, parseOnnxModel } from './onnx-proto.js';
import { FIXTURES } from './test-utils/fixtures.js';
import { fixtureBytes, tinyReference } from './test-utils/node-fixtures.js';

const ref = tinyReference();
const tiny = fixtureBytes(FIXTURES.tiny);

/** Byte offsets where each top-level ModelProto field starts, plus the end. */
function topLevelBoundaries(bytes: Uint8Array): { offset: number; field: number }[] {
  const out: { offset: number; field: number }[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  };
  while (pos < bytes.length) {
    const start = pos;
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      pos += length;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    out.push({ offset: start, field: Math.floor(key / 8) });
  }
  out.push({ offset: bytes.length, field: 0 });
  return out;
}

describe('parseOnnxModel', () => {
  it('reads header, signature, metadata and operators of the tiny model', () => {
    const info = parseOnnxModel(tiny);
    expect(info.irVersion).toBeGreaterThanOrEqual(7);
    expect(info.opsets).toEqual({ '': ref.opset });
    expect(info.producerName).toBe('pytorch');
    expect(info.metadata).toEqual(ref.metadata);
    expect(info.inputs).toEqual([
      { name: 'images', kind: 'tensor', type: 'float32', dims: [1, 3, 64, 64] },
    ]);
    expect(info.outputs.map((o) => [o.name, o.dims])).toEqual([
      ['features', [1, 6, 16, 16]],
      ['logits', [1, 3]],
    ]);
    expect(info.operators.map((o) => o.opType)).toEqual([
      'Conv',
      'Relu',
      'MaxPool',
      'GlobalAveragePool',
      'Flatten',
      'Gemm',
    ]);
    expect(info.operators.find((o) => o.opType === 'Conv')?.count).toBe(3);
    expect(info.nodeCount).toBe(9);
    expect(info.initializerCount).toBe(8);
  });

  it('reads symbolic dims', () => {
    const info = parseOnnxModel(fixtureBytes(FIXTURES.tinyDynamic));
    expect(info.inputs[0]!.dims).toEqual(['batch', 3, 'height', 'width']);
    expect(info.outputs[0]!.dims).toEqual(['batch', 6, 'fh', 'fw']);
  });

  it('lists operators of custom domains', () => {
    const info = parseOnnxModel(fixtureBytes(FIXTURES.unsupported));
    expect(info.operators).toEqual([{ domain: 'com.ocelot.test', opType: 'Frobnicate', count: 1 }]);
    expect(info.opsets).toEqual({ '': 13, 'com.ocelot.test': 1 });
  });

  it('rejects every truncation of the file, except cuts between trailing top-level fields', () => {
    const bounds = topLevelBoundaries(tiny);
    const graphEnd = bounds[bounds.findIndex((b) => b.field === 7) + 1]!.offset;
    const opsetEnd = bounds[bounds.findIndex((b) => b.field === 8) + 1]!.offset;
    const cleanCuts = new Set(
      bounds.filter((b) => b.offset >= Math.max(graphEnd, opsetEnd)).map((b) => b.offset),
    );
    let rejected = 0;
    for (let cut = 0; cut < tiny.length; cut++) {
      const prefix = tiny.subarray(0, cut);
      if (cleanCuts.has(cut)) {
        // A cut exactly between metadata entries is a valid, smaller model: only a checksum can
        // tell. It parses with a strict subset of the metadata.
        const info = parseOnnxModel(prefix);
        expect(Object.keys(info.metadata).length).toBeLessThan(Object.keys(ref.metadata).length);
        continue;
      }
      let error: unknown;
      try {
        parseOnnxModel(prefix);
      } catch (e) {
        error = e;
      }
      expect(error, `cut at ${cut}`).toBeInstanceOf(OnnxParseError);
      rejected++;
    }
    expect(rejected).toBeGreaterThan(tiny.length - 20);
    // A cut inside the graph says "truncated" and gives the file size.
    expect(() => parseOnnxModel(tiny.subarray(0, 1000))).toThrow(
      /truncated: .* \(file has 1000 bytes\)/,
    );
  });

  it('never throws anything but OnnxParseError on corrupted bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(tiny.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const bytes = tiny.slice();
          for (const [at, value] of edits) bytes[at] = value;
          try {
            parseOnnxModel(bytes);
          } catch (e) {
            if (!(e instanceof OnnxParseError)) throw e;
          }
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('rejects non-ONNX bytes with a clear message', () => {
    expect(() => parseOnnxModel(new Uint8Array())).toThrow(/empty/);
    expect(() => parseOnnxModel(new TextEncoder().encode('this is not onnx'))).toThrow(
      OnnxParseError,
    );
    // A JPEG header: field 31 with wire type 7.
    expect(() => parseOnnxModel(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toThrow(OnnxParseError);
    // Only an ir_version: no graph.
    expect(() => parseOnnxModel(new Uint8Array([0x08, 0x07]))).toThrow(/no graph/);
  });
});
