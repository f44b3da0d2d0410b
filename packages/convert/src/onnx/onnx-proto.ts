/**
 * The subset of the ONNX protobuf schema (onnx/onnx.proto) that e2v writes,
 * as plain TypeScript objects, and their wire encoding. Field numbers follow
 * onnx.proto; only the fields listed here are ever emitted.
 * @module
 */
import { ProtoWriter } from './protobuf.js';

/** `TensorProto.DataType` values used by e2v. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
} as const;
/** One of {@link DataType}. */
export type DataType = (typeof DataType)[keyof typeof DataType];

/** Bytes per element of each {@link DataType}. */
export const DATA_TYPE_BYTES: Readonly<Record<DataType, number>> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
};

/** Where an external tensor's bytes are (`TensorProto.external_data`). */
export interface ExternalDataRef {
  /** File name relative to the model file's folder. */
  location: string;
  /** Byte offset in that file. */
  offset: number;
  /** Byte length. */
  length: number;
}

/** `TensorProto`: an initializer or a tensor-valued attribute. */
export interface TensorProto {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  /** Little-endian element bytes stored in the model file (`raw_data`). */
  rawData?: Uint8Array;
  /** Bytes stored in a separate file (`data_location = EXTERNAL`). */
  external?: ExternalDataRef;
}

/** `AttributeProto`, with exactly one value kind. */
export type AttributeProto =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'tensor'; value: TensorProto }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'graph'; value: GraphProto };

/** `NodeProto`. */
export interface NodeProto {
  name: string;
  opType: string;
  /** Operator domain; `''` is the default ONNX domain. */
  domain: string;
  /** Input value names; `''` marks an omitted optional input. */
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly AttributeProto[];
}

/** One dimension: a fixed size or a symbolic name (`dim_param`). */
export type Dim = number | string;

/** `ValueInfoProto` for a tensor. */
export interface ValueInfoProto {
  name: string;
  elemType: DataType;
  shape: readonly Dim[];
  docString?: string;
}

/** `GraphProto`. */
export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  docString?: string;
}

/** `OperatorSetIdProto`. */
export interface OpsetId {
  domain: string;
  version: number;
}

/** `ModelProto`. */
export interface ModelProto {
  irVersion: number;
  opsets: readonly OpsetId[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphProto;
  /** `metadata_props`, in order. */
  metadata: readonly (readonly [key: string, value: string])[];
}

/** `AttributeProto.AttributeType` values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

function stringEntry(key: string, value: string): ProtoWriter {
  return new ProtoWriter().string(1, key).string(2, value);
}

/** Encodes a `TensorProto` (fields: dims 1, data_type 2, name 8, raw_data 9, external_data 13, data_location 14). */
export function encodeTensor(t: TensorProto): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims).int(2, t.dataType).string(8, t.name);
  if (t.rawData !== undefined && t.external !== undefined) {
    throw new RangeError(`tensor ${t.name} has both raw data and external data`);
  }
  if (t.rawData !== undefined) w.bytes(9, t.rawData);
  if (t.external !== undefined) {
    w.message(13, stringEntry('location', t.external.location));
    w.message(13, stringEntry('offset', String(t.external.offset)));
    w.message(13, stringEntry('length', String(t.external.length)));
    w.int(14, 1);
  }
  return w;
}

function encodeAttribute(a: AttributeProto): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'graph':
      w.message(6, encodeGraph(a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  return w.int(20, ATTRIBUTE_TYPE[a.kind]);
}

function encodeNode(n: NodeProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) w.message(5, encodeAttribute(a));
  if (n.domain !== '') w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: ValueInfoProto): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  const w = new ProtoWriter().string(1, v.name).message(2, type);
  if (v.docString !== undefined) w.string(3, v.docString);
  return w;
}

function encodeGraph(g: GraphProto): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.docString !== undefined) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

/**
 * Encodes a whole `ModelProto` (ir_version 1, producer_name 2, producer_version 3,
 * doc_string 6, graph 7, opset_import 8, metadata_props 14).
 */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString !== undefined) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) {
    const op = new ProtoWriter();
    if (o.domain !== '') op.string(1, o.domain);
    w.message(8, op.int(2, o.version));
  }
  for (const [k, v] of m.metadata) w.message(14, stringEntry(k, v));
  return w.finish();
}
