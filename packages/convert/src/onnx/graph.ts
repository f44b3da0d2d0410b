/**
 * A small graph-building DSL over {@link onnx-proto}: named values are plain
 * strings, `op()` appends a node and returns its output name, weights are
 * registered with a producer that is only called when the model is written
 * (so a converter never holds more than one weight tensor in memory).
 * @module
 */
import {
  type AttributeProto,
  type DataType,
  DataType as DT,
  type Dim,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.js';

/** Typed arrays accepted as tensor data. */
export type TensorData = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

/** An attribute value with its ONNX kind (see {@link attr}). */
export type AttrValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorProto }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'graph'; value: GraphProto };

/** Attribute value constructors: `{ axis: attr.int(-1), epsilon: attr.float(1e-5) }`. */
export const attr = {
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
  tensor: (value: TensorProto): AttrValue => ({ kind: 'tensor', value }),
  floats: (value: readonly number[]): AttrValue => ({ kind: 'floats', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  graph: (value: GraphProto): AttrValue => ({ kind: 'graph', value }),
};

/** A weight whose bytes are produced on demand when the model is written. */
export interface PendingWeight {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  /** Called once, in registration order, by the model writer. */
  produce: () => TensorData | Promise<TensorData>;
}

/** Options of {@link GraphBuilder.op} / {@link GraphBuilder.node}. */
export interface NodeOptions {
  /** Operator domain (`''` = ONNX, `com.microsoft` = ORT contrib ops). */
  domain?: string;
  /** Explicit output names; otherwise fresh names derived from the op type. */
  outputs?: readonly string[];
  /** Number of outputs when names are generated (default 1). */
  outputCount?: number;
}

const TYPED_DATA_TYPE = new Map<unknown, DataType>([
  [Float32Array, DT.FLOAT],
  [Int8Array, DT.INT8],
  [Uint8Array, DT.UINT8],
  [Int32Array, DT.INT32],
  [BigInt64Array, DT.INT64],
]);

/** The ONNX data type matching a typed array. */
export function dataTypeOf(data: TensorData): DataType {
  const t = TYPED_DATA_TYPE.get(data.constructor);
  if (t === undefined) throw new TypeError(`Unsupported tensor data type ${data.constructor.name}`);
  return t;
}

/** Number of elements of a shape. */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Little-endian bytes of a typed array (a view, not a copy, on little-endian hosts). */
export function tensorBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Builds one ONNX graph. */
export class GraphBuilder {
  readonly name: string;
  readonly nodes: NodeProto[] = [];
  readonly inlineInitializers: TensorProto[] = [];
  readonly weights: PendingWeight[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  /** Operator-set domains used by nodes, e.g. `com.microsoft`. */
  readonly domains: Set<string>;
  readonly #names: Set<string>;
  readonly #counters: Map<string, number>;

  /**
   * @param name graph name
   * @param parent the enclosing graph, for a subgraph (a `Loop` body): names are unique across
   *   both, and the body may use the parent's values (weights included) by name
   */
  constructor(name: string, parent?: GraphBuilder) {
    this.name = name;
    this.domains = parent?.domains ?? new Set();
    this.#names = parent === undefined ? new Set() : parent.#names;
    this.#counters = parent === undefined ? new Map() : parent.#counters;
  }

  /** A subgraph builder (see the constructor's `parent`). */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, this);
  }

  /**
   * The `GraphProto` of a subgraph (nodes, its constants, inputs, outputs). Subgraphs hold no
   * external weights: they use the parent's.
   */
  toSubgraphProto(): GraphProto {
    if (this.weights.length > 0) throw new RangeError(`subgraph ${this.name} declares external weights; declare them in the parent graph`);
    return { name: this.name, nodes: this.nodes, initializers: this.inlineInitializers, inputs: this.inputs, outputs: this.outputs };
  }

  /** A value name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let n = this.#counters.get(hint) ?? 0;
    let name = n === 0 ? hint : `${hint}_${n}`;
    while (this.#names.has(name)) {
      n += 1;
      name = `${hint}_${n}`;
    }
    this.#counters.set(hint, n + 1);
    this.#names.add(name);
    return name;
  }

  #claim(name: string): string {
    if (this.#names.has(name)) throw new RangeError(`graph value name ${name} is already used`);
    this.#names.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: DataType, shape: readonly Dim[]): string {
    this.inputs.push({ name: this.#claim(name), elemType, shape });
    return name;
  }

  /**
   * Declares a graph output named `name` holding `value` (an Identity node is
   * added when the names differ; ORT removes it).
   */
  output(value: string, name: string, elemType: DataType, shape: readonly Dim[], docString?: string): void {
    if (value !== name) this.op('Identity', [value], {}, { outputs: [this.#claim(name)] });
    this.outputs.push(docString === undefined ? { name, elemType, shape } : { name, elemType, shape, docString });
  }

  /** A constant stored inside the model file (for shapes, scalars, small tables). */
  constant(hint: string, data: TensorData, dims: readonly number[]): string {
    if (elementCount(dims) !== data.length) {
      throw new RangeError(`constant ${hint}: ${data.length} values for shape [${dims.join(', ')}]`);
    }
    const name = this.fresh(hint);
    this.inlineInitializers.push({ name, dataType: dataTypeOf(data), dims, rawData: tensorBytes(data).slice() });
    return name;
  }

  /** A float32 constant. */
  floats(hint: string, values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    return this.constant(hint, Float32Array.from(values), dims);
  }

  /** An int64 constant (shapes, axes, pads, indices). */
  int64s(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(hint, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  /** A float32 scalar (rank 0). */
  scalar(hint: string, value: number): string {
    return this.constant(hint, Float32Array.of(value), []);
  }

  /** An external weight: its bytes are produced when the model is written. */
  weight(name: string, dataType: DataType, dims: readonly number[], produce: PendingWeight['produce']): string {
    this.weights.push({ name: this.#claim(name), dataType, dims, produce });
    return name;
  }

  /** Appends a node and returns its output names. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}): string[] {
    const domain = options.domain ?? '';
    const outputs = options.outputs?.slice() ?? Array.from({ length: options.outputCount ?? 1 }, (_, i) => this.fresh(i === 0 ? opType : `${opType}_out${i}`));
    const attributes: AttributeProto[] = Object.entries(attrs).map(([name, v]) => ({ name, ...v }) as AttributeProto);
    this.nodes.push({ name: this.fresh(`n_${opType}`), opType, domain, inputs, outputs, attributes });
    if (domain !== '') this.domains.add(domain);
    return outputs;
  }

  /** Appends a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}): string {
    const [out] = this.node(opType, inputs, attrs, options);
    if (out === undefined) throw new RangeError(`${opType} node declared without outputs`);
    return out;
  }
}
