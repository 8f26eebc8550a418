/**
 * A small reader for the parts of an ONNX `ModelProto` the adapter needs: IR version, opsets,
 * producer, custom `metadata_props`, graph inputs/outputs with shapes, initializer names and the
 * operators used (including those in subgraphs). No protobuf dependency: the wire format is
 * varints and length-prefixed fields.
 *
 * Every read is bounds-checked, so a truncated or corrupt file is reported with the byte offset
 * and field where it breaks instead of reaching onnxruntime ("protobuf parsing failed").
 * Field numbers are those of onnx/onnx.proto (IR version 10).
 */

/** The dtype names onnxruntime's JS API uses, indexed by `TensorProto.DataType`. */
const ELEM_TYPES: readonly (string | undefined)[] = [
  undefined,
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
];

/** A graph input or output as declared in the ONNX file. */
export interface OnnxValueInfo {
  readonly name: string;
  /** `'tensor'` for tensors; other kinds (sequence, map, optional) are listed but not typed. */
  readonly kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
  /** Element type (`'float32'`, …) for tensors, `undefined` otherwise or when unspecified. */
  readonly type: string | undefined;
  /**
   * Dimensions: a number for a fixed dim, the symbol (e.g. `"batch"`) for a named one, `null` for
   * an anonymous unknown dim. `undefined` when the file declares no shape at all.
   */
  readonly dims: readonly (number | string | null)[] | undefined;
}

/** One operator type used by a graph node. */
export interface OnnxOperator {
  /** `""` for the default ONNX domain (`ai.onnx`). */
  readonly domain: string;
  readonly opType: string;
  /** Number of nodes using it. */
  readonly count: number;
}

/** What `parseOnnxModel` reads out of a ModelProto. */
export interface OnnxModelInfo {
  readonly irVersion: number;
  /** Opset version per domain (`""` is ai.onnx). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graphName: string;
  /** Custom `metadata_props` (Ultralytics stores names, imgsz, stride, … here). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Graph inputs that are not initializers (real feeds), in declaration order. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Operator types used, in first-use order, including nodes inside subgraphs. */
  readonly operators: readonly OnnxOperator[];
  /** Model-local functions (`domain::name`), which are operators the model defines itself. */
  readonly functions: readonly string[];
  readonly nodeCount: number;
  readonly initializerCount: number;
}

/** Thrown by `parseOnnxModel` for bytes that are not a well-formed ModelProto. */
export class OnnxParseError extends Error {
  /** Byte offset (from the start of the file) where parsing broke. */
  readonly offset: number;
  readonly truncated: boolean;
  constructor(message: string, offset: number, truncated: boolean) {
    super(message);
    this.name = 'OnnxParseError';
    this.offset = offset;
    this.truncated = truncated;
  }
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const decoder = new TextDecoder('utf-8', { fatal: false });

/** A cursor over one message, with the path of fields that led here (for error messages). */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly path: string,
    readonly fileLength: number,
  ) {
    this.pos = start;
  }

  fail(message: string, truncated = false): never {
    const where = truncated
      ? `truncated: ${message} in ${this.path} at byte ${this.pos} (file has ${this.fileLength} bytes)`
      : `corrupt ONNX: ${message} in ${this.path} at byte ${this.pos}`;
    throw new OnnxParseError(where, this.pos, truncated);
  }

  /** Varint as a JS number; values ≥ 2^63 (negative int64) come back negative. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end of the data', this.atFileEnd());
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        // Two's-complement int64: anything ≥ 2^63 is negative.
        return result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      scale *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Returns the [start, end) of a length-delimited field's payload and skips past it. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    if (length < 0) this.fail(`negative length ${length}`);
    const start = this.pos;
    if (start + length > this.end) {
      this.fail(
        `field of ${length} bytes at byte ${start} ends at ${start + length}, past the end of its container (${this.end})`,
        this.atFileEnd(),
      );
    }
    this.pos = start + length;
    return [start, start + length];
  }

  string(): string {
    const [s, e] = this.lengthDelimited();
    return decoder.decode(this.buf.subarray(s, e));
  }

  sub(name: string): Reader {
    const [s, e] = this.lengthDelimited();
    return new Reader(this.buf, s, e, `${this.path}.${name}`, this.fileLength);
  }

  /** Reads a tag; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) this.fail('field number 0');
    return [field, wire];
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  expect(wire: number, expected: number, field: string): void {
    if (wire !== expected) this.fail(`field ${field} has wire type ${wire}, expected ${expected}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) this.fail(`${n}-byte field runs past the end`, this.atFileEnd());
    this.pos += n;
  }

  private atFileEnd(): boolean {
    // A field running past the end of the whole file means the file was cut short; running past
    // the end of an inner message (with bytes still left in the file) means it is corrupt.
    return this.end === this.fileLength;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }
}

interface GraphAcc {
  nodes: number;
  operators: Map<string, { domain: string; opType: string; count: number }>;
}

function readStringStringEntry(r: Reader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) key = r.string();
    else if (f === 2 && w === WIRE_LEN) value = r.string();
    else r.skip(w);
  }
  return [key, value];
}

function readOpset(r: Reader): [string, number] {
  let domain = '';
  let version = 0;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) domain = r.string();
    else if (f === 2 && w === WIRE_VARINT) version = r.varint();
    else r.skip(w);
  }
  return [domain, version];
}

function readShape(r: Reader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) {
      const d = r.sub('dim');
      let dim: number | string | null = null;
      while (!d.done) {
        const [df, dw] = d.tag();
        if (df === 1 && dw === WIRE_VARINT) dim = d.varint();
        else if (df === 2 && dw === WIRE_LEN) dim = d.string() || null;
        else d.skip(dw);
      }
      dims.push(dim);
    } else r.skip(w);
  }
  return dims;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  let name = '';
  let kind: OnnxValueInfo['kind'] = 'unknown';
  let type: string | undefined;
  let dims: (number | string | null)[] | undefined;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) name = r.string();
    else if (f === 2 && w === WIRE_LEN) {
      const t = r.sub('type');
      while (!t.done) {
        const [tf, tw] = t.tag();
        if ((tf === 1 || tf === 8) && tw === WIRE_LEN) {
          // 1 = tensor_type, 8 = sparse_tensor_type; both are { elem_type = 1, shape = 2 }.
          kind = tf === 1 ? 'tensor' : 'sparse_tensor';
          const tt = t.sub('tensor_type');
          while (!tt.done) {
            const [ef, ew] = tt.tag();
            if (ef === 1 && ew === WIRE_VARINT) {
              const code = tt.varint();
              type = ELEM_TYPES[code] ?? `onnx-type-${code}`;
            } else if (ef === 2 && ew === WIRE_LEN) dims = readShape(tt.sub('shape'));
            else tt.skip(ew);
          }
        } else if (tf === 4) {
          kind = 'sequence';
          t.skip(tw);
        } else if (tf === 5) {
          kind = 'map';
          t.skip(tw);
        } else if (tf === 9) {
          kind = 'optional';
          t.skip(tw);
        } else t.skip(tw);
      }
    } else r.skip(w);
  }
  return { name, kind, type, dims };
}

function readInitializerName(r: Reader): string {
  let name = '';
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 8 && w === WIRE_LEN) name = r.string();
    else r.skip(w);
  }
  return name;
}

function readAttributeGraphs(r: Reader, acc: GraphAcc, depth: number): void {
  while (!r.done) {
    const [f, w] = r.tag();
    // AttributeProto: 6 = g (GraphProto), 11 = graphs (repeated GraphProto).
    if ((f === 6 || f === 11) && w === WIRE_LEN) readGraph(r.sub('attribute.g'), acc, depth + 1);
    else r.skip(w);
  }
}

function readNode(r: Reader, acc: GraphAcc, depth: number): void {
  let opType = '';
  let domain = '';
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 4 && w === WIRE_LEN) opType = r.string();
    else if (f === 7 && w === WIRE_LEN) domain = r.string();
    else if (f === 5 && w === WIRE_LEN) readAttributeGraphs(r.sub('attribute'), acc, depth);
    else r.skip(w);
  }
  if (!opType) r.fail('node without op_type');
  if (domain === 'ai.onnx') domain = '';
  acc.nodes++;
  const key = `${domain}::${opType}`;
  const seen = acc.operators.get(key);
  if (seen) seen.count++;
  else acc.operators.set(key, { domain, opType, count: 1 });
}

interface GraphParts {
  name: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Set<string>;
}

function readGraph(r: Reader, acc: GraphAcc, depth: number): GraphParts {
  if (depth > 64) r.fail('subgraphs nested more than 64 deep');
  const parts: GraphParts = { name: '', inputs: [], outputs: [], initializers: new Set() };
  while (!r.done) {
    const [f, w] = r.tag();
    if (w !== WIRE_LEN) {
      r.skip(w);
      continue;
    }
    switch (f) {
      case 1:
        readNode(r.sub('node'), acc, depth);
        break;
      case 2:
        parts.name = r.string();
        break;
      case 5:
        parts.initializers.add(readInitializerName(r.sub('initializer')));
        break;
      case 11:
        parts.inputs.push(readValueInfo(r.sub('input')));
        break;
      case 12:
        parts.outputs.push(readValueInfo(r.sub('output')));
        break;
      default:
        r.skip(w);
    }
  }
  return parts;
}

function readFunctionName(r: Reader): string {
  let name = '';
  let domain = '';
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) name = r.string();
    else if (f === 10 && w === WIRE_LEN) domain = r.string();
    else r.skip(w);
  }
  return `${domain}::${name}`;
}

/**
 * Parses the header fields, graph signature, metadata and operator list of an ONNX model.
 *
 * @param bytes the complete `.onnx` file (weights stored inside are skipped, not copied)
 * @throws OnnxParseError when the bytes are not a well-formed ModelProto, with `truncated` set
 *   when a field runs past the end of the file
 */
export function parseOnnxModel(bytes: Uint8Array): OnnxModelInfo {
  const r: Reader = new Reader(bytes, 0, bytes.length, 'ModelProto', bytes.length);
  if (bytes.length === 0) r.fail('the file is empty', true);
  let irVersion: number | undefined;
  const opsets: Record<string, number> = {};
  let producerName = '';
  let producerVersion = '';
  const metadata: Record<string, string> = {};
  const functions: string[] = [];
  const acc: GraphAcc = { nodes: 0, operators: new Map() };
  let graph: GraphParts | undefined;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) {
      r.expect(w, WIRE_VARINT, 'ir_version');
      irVersion = r.varint();
    } else if (f === 2 && w === WIRE_LEN) producerName = r.string();
    else if (f === 3 && w === WIRE_LEN) producerVersion = r.string();
    else if (f === 7) {
      r.expect(w, WIRE_LEN, 'graph');
      graph = readGraph(r.sub('graph'), acc, 0);
    } else if (f === 8) {
      r.expect(w, WIRE_LEN, 'opset_import');
      const [domain, version] = readOpset(r.sub('opset_import'));
      opsets[domain === 'ai.onnx' ? '' : domain] = version;
    } else if (f === 14) {
      r.expect(w, WIRE_LEN, 'metadata_props');
      const [key, value] = readStringStringEntry(r.sub('metadata_props'));
      metadata[key] = value;
    } else if (f === 25 && w === WIRE_LEN) functions.push(readFunctionName(r.sub('functions')));
    else if (f > 536870911) r.fail(`field number ${f} out of range`);
    else r.skip(w);
  }
  if (irVersion === undefined) r.fail('no ir_version (not an ONNX model?)');
  if (irVersion < 1 || irVersion > 100) r.fail(`implausible ir_version ${irVersion}`);
  if (!graph) r.fail('no graph (the file may be cut short)', true);
  if (irVersion >= 3 && Object.keys(opsets).length === 0) {
    r.fail('no opset_import (the file may be cut short after the graph)', true);
  }
  const initializers = graph.initializers;
  return {
    irVersion,
    opsets,
    producerName,
    producerVersion,
    graphName: graph.name,
    metadata,
    // Before IR 4, initializers were also listed as graph inputs; they are not feeds.
    inputs: graph.inputs.filter((v) => !initializers.has(v.name)),
    outputs: graph.outputs,
    operators: [...acc.operators.values()].map((o) => ({ ...o })),
    functions,
    nodeCount: acc.nodes,
    initializerCount: initializers.size,
  };
}
