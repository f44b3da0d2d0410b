/**
 * Just enough of the ONNX protobuf format to find a graph's initializers (weights) by name and
 * read their data, inline or from the external-data file. The engine needs this for the `proj`
 * head: frame scores apply the head to window-pooled frame features, and ONNX Runtime does not
 * expose a graph's weights.
 *
 * Wire format: ModelProto.graph = field 7; GraphProto.initializer = field 5 (TensorProto);
 * TensorProto: dims 1, data_type 2, float_data 4, name 8, raw_data 9, external_data 13
 * (StringStringEntryProto key 1 / value 2), data_location 14.
 * @module
 */
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** ONNX TensorProto data types the reader decodes. */
export const OnnxDataType = { FLOAT: 1, INT8: 3 } as const;

/** Where an initializer's bytes are. */
export interface InitializerInfo {
  name: string;
  dataType: number;
  dims: number[];
  /** Bytes stored in the .onnx file itself (raw_data), or floats from float_data. */
  inline?: Uint8Array | Float32Array;
  /** Bytes in an external-data file (path relative to the .onnx file's folder). */
  external?: { location: string; offset: number; length: number };
}

/** A cursor over protobuf bytes. */
class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** Reads a length-delimited field and returns [start, end) of its content. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new RangeError('length-delimited field runs past its message');
    this.pos = start + len;
    return [start, start + len];
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.span();
    else if (wire === 5) this.pos += 4;
    else throw new RangeError(`unsupported protobuf wire type ${wire}`);
    if (this.pos > this.end) throw new RangeError('field runs past its message');
  }
}

const utf8 = new TextDecoder();

function parseTensor(buf: Uint8Array, start: number, end: number): InitializerInfo {
  const r = new Reader(buf, end);
  r.pos = start;
  const info: InitializerInfo = { name: '', dataType: 0, dims: [] };
  const externalEntries = new Map<string, string>();
  let location = 0;
  const floats: number[] = [];
  while (r.pos < end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) info.dims.push(r.varint());
    else if (field === 1 && wire === 2) {
      const [s, e] = r.span();
      const inner = new Reader(buf, e);
      inner.pos = s;
      while (inner.pos < e) info.dims.push(inner.varint());
    } else if (field === 2 && wire === 0) info.dataType = r.varint();
    else if (field === 4 && wire === 2) {
      const [s, e] = r.span();
      const view = new DataView(buf.buffer, buf.byteOffset + s, e - s);
      for (let o = 0; o + 4 <= e - s; o += 4) floats.push(view.getFloat32(o, true));
    } else if (field === 4 && wire === 5) {
      floats.push(new DataView(buf.buffer, buf.byteOffset + r.pos, 4).getFloat32(0, true));
      r.pos += 4;
    } else if (field === 8 && wire === 2) {
      const [s, e] = r.span();
      info.name = utf8.decode(buf.subarray(s, e));
    } else if (field === 9 && wire === 2) {
      const [s, e] = r.span();
      info.inline = buf.slice(s, e);
    } else if (field === 13 && wire === 2) {
      const [s, e] = r.span();
      const entry = new Reader(buf, e);
      entry.pos = s;
      let key = '';
      let value = '';
      while (entry.pos < e) {
        const t = entry.varint();
        if (t === (1 << 3) + 2 || t === (2 << 3) + 2) {
          const [a, b] = entry.span();
          if (t >> 3 === 1) key = utf8.decode(buf.subarray(a, b));
          else value = utf8.decode(buf.subarray(a, b));
        } else entry.skip(t & 7);
      }
      externalEntries.set(key, value);
    } else if (field === 14 && wire === 0) location = r.varint();
    else r.skip(wire);
  }
  if (floats.length > 0 && info.inline === undefined) info.inline = Float32Array.from(floats);
  if (location === 1) {
    const loc = externalEntries.get('location');
    if (loc === undefined) throw new RangeError(`initializer ${info.name} is external but names no location`);
    info.external = {
      location: loc,
      offset: Number(externalEntries.get('offset') ?? '0'),
      length: Number(externalEntries.get('length') ?? '-1'),
    };
  }
  return info;
}

/**
 * Lists the initializers of an ONNX model (metadata only; no external data is read).
 * @param bytes the .onnx file
 * @param wanted when given, only initializers with these names are returned
 * @throws RangeError for malformed protobuf
 */
export function listInitializers(bytes: Uint8Array, wanted?: ReadonlySet<string>): Map<string, InitializerInfo> {
  const found = new Map<string, InitializerInfo>();
  const model = new Reader(bytes);
  while (model.pos < model.end) {
    const tag = model.varint();
    if (tag !== (7 << 3) + 2) {
      model.skip(tag & 7);
      continue;
    }
    const [gs, ge] = model.span();
    const graph = new Reader(bytes, ge);
    graph.pos = gs;
    while (graph.pos < ge) {
      const t = graph.varint();
      if (t !== (5 << 3) + 2) {
        graph.skip(t & 7);
        continue;
      }
      const [s, e] = graph.span();
      const info = parseTensor(bytes, s, e);
      if (wanted === undefined || wanted.has(info.name)) found.set(info.name, info);
    }
  }
  return found;
}

/**
 * Reads the data of an initializer as float32 (FLOAT) or int8 (INT8) values.
 * @param modelPath path of the .onnx file (external locations are relative to its folder)
 * @param info from {@link listInitializers}
 * @throws RangeError for an unsupported type, a size that does not match the dims, or a short file
 */
export async function readInitializer(modelPath: string, info: InitializerInfo): Promise<Float32Array | Int8Array> {
  const count = info.dims.reduce((a, b) => a * b, 1);
  const width = info.dataType === OnnxDataType.FLOAT ? 4 : info.dataType === OnnxDataType.INT8 ? 1 : 0;
  if (width === 0) throw new RangeError(`initializer ${info.name} has ONNX data type ${info.dataType}; only FLOAT and INT8 are read`);
  let bytes: Uint8Array;
  if (info.inline instanceof Float32Array) {
    if (info.dataType !== OnnxDataType.FLOAT || info.inline.length !== count) throw new RangeError(`initializer ${info.name}: float_data does not match its dims`);
    return info.inline;
  } else if (info.inline !== undefined) {
    bytes = info.inline;
  } else if (info.external !== undefined) {
    const { location, offset } = info.external;
    const length = info.external.length >= 0 ? info.external.length : count * width;
    if (location.includes('..') || location.startsWith('/')) throw new RangeError(`initializer ${info.name}: external location ${location} leaves the model folder`);
    bytes = new Uint8Array(length);
    const handle = await open(join(dirname(modelPath), location), 'r');
    try {
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      if (bytesRead !== length) throw new RangeError(`initializer ${info.name}: ${location} ends before offset ${offset} + ${length}`);
    } finally {
      await handle.close();
    }
  } else {
    throw new RangeError(`initializer ${info.name} has no data`);
  }
  if (bytes.length !== count * width) throw new RangeError(`initializer ${info.name}: ${bytes.length} bytes for dims [${info.dims.join(', ')}]`);
  const copy = bytes.slice(); // own, aligned buffer
  return width === 4 ? new Float32Array(copy.buffer, 0, count) : new Int8Array(copy.buffer, 0, count);
}
